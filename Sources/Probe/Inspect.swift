import ArgumentParser
import Activations
import Files
import Foundation
import HDF5

/// `probe inspect`: what any neuron-probe file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a neuron-probe file holds: its kind, format version, attributes, and every dataset's shape, type, chunks and compression.")

    @Argument(help: "A file written by neuron-probe (model, activations, units or attack file).")
    var file: String

    @OptionGroup var jsonOutput: JSONOption

    func run() throws {
        let description = try FileDescription(path: file)
        if jsonOutput.json {
            try printJSON(description.json)
        } else {
            print(description.text)
        }
    }
}

/// A walk over an HDF5 file written by neuron-probe.
struct FileDescription {
    struct DatasetEntry {
        var info: DatasetInfo
        var attributes: [(String, AttributeValue)]
    }

    let path: String
    let kind: String
    let attributes: [(String, AttributeValue)]
    var datasets: [DatasetEntry] = []
    var groups: [String] = []

    /// Reads the file's structure.
    /// - Throws: a one-line error when the file is missing, not HDF5, or not a neuron-probe file.
    init(path: String) throws {
        self.path = path
        let (file, format) = try NeuronProbeFile.open(path)
        let root = file.root
        kind = format
        attributes = try root.attributeNames().map { ($0, try root.attributeValue($0)) }
        try walk(root, prefix: "")
    }

    private mutating func walk(_ group: Group, prefix: String) throws {
        for (name, kind) in try group.children() {
            let path = prefix + "/" + name
            switch kind {
            case .group:
                groups.append(path)
                try walk(try group.openGroup(name), prefix: path)
            case .dataset:
                let info = try group.datasetInfo(name)
                var attributes: [(String, AttributeValue)] = []
                if ["float32", "float64", "uint8", "int64", "int32"].contains(info.typeDescription) {
                    let dataset = try group.openDataset(name, of: Double.self)
                    attributes = try dataset.attributeNames()
                        .filter { !["DIMENSION_LIST", "DIMENSION_LABELS", "REFERENCE_LIST", "CLASS", "NAME"].contains($0) }
                        .map { ($0, try dataset.attributeValue($0)) }
                    let labels = try dataset.dimensionLabels()
                    if labels.contains(where: { !$0.isEmpty }) { attributes.append(("dimension labels", .strings(labels))) }
                }
                datasets.append(DatasetEntry(info: info, attributes: attributes))
            default:
                continue
            }
        }
    }

    private static func shape(_ extents: [Int]) -> String { "(" + extents.map(String.init).joined(separator: ", ") + ")" }

    var text: String {
        var lines = ["\(path): \(kind)"]
        for (name, value) in attributes { lines.append("  @\(name) = \(value)") }
        for entry in datasets {
            let info = entry.info
            var line = "  \(info.path)  \(FileDescription.shape(info.shape)) \(info.typeDescription)"
            if let chunk = info.chunk { line += "  chunks \(FileDescription.shape(chunk))" }
            if let compression = info.compression { line += "  \(compression)" }
            if info.isVirtual { line += "  virtual" } else { line += "  \(info.storageBytes) bytes" }
            lines.append(line)
            for (name, value) in entry.attributes { lines.append("      @\(name) = \(value)") }
        }
        return lines.joined(separator: "\n")
    }

    var json: [String: Any] {
        func value(_ v: AttributeValue) -> Any {
            switch v {
            case .string(let s): return s
            case .strings(let s): return s
            case .integer(let i): return i
            case .integers(let i): return i
            case .real(let r): return jsonNumber(r)
            case .reals(let r): return r.map(jsonNumber)
            case .other(let o): return o
            }
        }
        return [
            "file": path, "kind": kind,
            "attributes": Dictionary(uniqueKeysWithValues: attributes.map { ($0.0, value($0.1)) }),
            "groups": groups,
            "datasets": datasets.map { entry -> [String: Any] in
                [
                    "path": entry.info.path, "shape": entry.info.shape, "type": entry.info.typeDescription,
                    "chunks": entry.info.chunk ?? NSNull(), "compression": entry.info.compression ?? NSNull(),
                    "virtual": entry.info.isVirtual, "storage_bytes": entry.info.storageBytes,
                    "max_shape": entry.info.maxShape.map { $0.map { $0 as Any } ?? NSNull() },
                    "attributes": Dictionary(uniqueKeysWithValues: entry.attributes.map { ($0.0, value($0.1)) }),
                ]
            },
        ]
    }
}
