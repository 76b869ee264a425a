import Files
import Foundation

/// Writes a report into a directory: `report.md` with its figures in `figures/`, one
/// self-contained `report.html`, and `results.json`, all or none (each through a temporary,
/// checked, then renamed), never over one of the report's inputs.
public enum ReportWriter {
    /// What was written.
    public struct Written: Encodable, Sendable {
        /// The HTML report.
        public var html: String
        /// The Markdown report.
        public var markdown: String
        /// The results.
        public var results: String
        /// The figure files.
        public var figures: [String]
        /// One line per experiment.
        public var headlines: [String]
    }

    /// Writes `document` and `results` into `directory` (created when missing), refusing to
    /// replace any of `inputs`.
    /// - Throws: `ReportError.unreadable` naming an output that is an input; `AtomicFileError` when writing fails.
    public static func write(_ document: ReportDocument, results: ReportResults, to directory: String, inputs: [String]) throws -> Written {
        let root = URL(fileURLWithPath: directory)
        let figures = root.appendingPathComponent("figures")
        let json = try results.json()
        func text(_ name: String, _ content: String, verify: @escaping (Data) throws -> Void = { _ in }) -> AtomicFile.Output {
            bytes(root.appendingPathComponent(name).path, Data(content.utf8), verify: verify)
        }
        func bytes(_ path: String, _ data: Data, verify: @escaping (Data) throws -> Void = { _ in }) -> AtomicFile.Output {
            AtomicFile.Output(
                path: path, write: { try data.write(to: URL(fileURLWithPath: $0)) },
                verify: { temporary in
                    let read = try Data(contentsOf: URL(fileURLWithPath: temporary))
                    guard read == data else { throw ReportError.cannotWrite(path: path, reason: "the bytes read back differ from those written") }
                    try verify(read)
                })
        }
        var outputs = [
            text("report.html", HTMLRenderer.render(document, resultsJSON: json)),
            text("report.md", MarkdownRenderer.render(document)),
            text("results.json", json, verify: { _ = try JSONSerialization.jsonObject(with: $0) }),
        ]
        outputs += document.charts.map { bytes(root.appendingPathComponent(MarkdownRenderer.path(of: $0)).path, Data($0.svg().utf8)) }
        outputs += document.images.map { bytes(root.appendingPathComponent(MarkdownRenderer.path(of: $0)).path, Data($0.png)) }
        let inputPaths = Set(inputs.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path })
        for output in outputs where inputPaths.contains(URL(fileURLWithPath: output.path).standardizedFileURL.resolvingSymlinksInPath().path) {
            throw ReportError.unreadable("\(output.path) is one of the report's inputs: choose another -o directory")
        }
        // Only now, with nothing refused, may the directories be made.
        try AtomicFile.makeDirectory(figures.path)
        try AtomicFile.write(outputs)
        return Written(
            html: root.appendingPathComponent("report.html").path, markdown: root.appendingPathComponent("report.md").path,
            results: root.appendingPathComponent("results.json").path, figures: outputs.dropFirst(3).map(\.path), headlines: document.headlines)
    }
}
