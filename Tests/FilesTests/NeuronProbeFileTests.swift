import Foundation
import HDF5
import XCTest
@testable import Files

/// Every reader's first checks, made once: a missing file, a file that is not HDF5, another kind of
/// neuron-probe file, a newer layout, and what passes.
final class NeuronProbeFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A file stamped as `kind`, optionally with another layout version.
    private func stamped(_ name: String, kind: FileKind, version: Int? = nil) throws -> String {
        let file = try HDF5File.create(path(name))
        try FileStamp.stamp(file.root, kind: kind, engine: EngineStamp(blasKernel: "Haswell", blasKernelSelection: "test"))
        if let version { try file.root.setAttribute("format_version", Int64(version)) }
        try file.close()
        return path(name)
    }

    private func assertFails(
        _ body: @autoclosure () throws -> Any, with expected: FileFormatError, mentioning words: [String],
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertEqual(error as? FileFormatError, expected, line: line)
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), "more than one line: \(text)", line: line)
            for word in words { XCTAssertTrue(text.contains(word), "'\(text)' does not mention '\(word)'", line: line) }
        }
    }

    func testAFileOfTheKindAskedForOpens() throws {
        let file = try NeuronProbeFile.open(try stamped("m.h5", kind: .model), as: .model)
        XCTAssertEqual(try file.root.stringAttribute("format"), "neuron-probe/model")
    }

    func testAMissingFileIsNamedWithTheKindExpected() {
        assertFails(
            try NeuronProbeFile.open(path("absent.h5"), as: .attack),
            with: .missing(path: path("absent.h5"), kind: .attack), mentioning: ["absent.h5", "no such attack file"])
    }

    func testAFileThatIsNotHDF5IsRefused() throws {
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: path("text.h5")))
        assertFails(
            try NeuronProbeFile.open(path("text.h5"), as: .activations),
            with: .notHDF5(path: path("text.h5"), kind: .activations), mentioning: ["not an HDF5 file", "activation file"])
    }

    func testAnotherKindOfNeuronProbeFileIsRefusedNamingItsFormat() throws {
        let units = try stamped("u.h5", kind: .units)
        assertFails(
            try NeuronProbeFile.open(units, as: .model),
            with: .otherFormat(path: units, kind: .model, format: "neuron-probe/units"),
            mentioning: ["not a neuron-probe model file", "neuron-probe/units"])
    }

    func testAnHDF5FileWithoutAFormatIsAnotherFormat() throws {
        try HDF5File.create(path("plain.h5")).close()
        assertFails(
            try NeuronProbeFile.open(path("plain.h5"), as: .units),
            with: .otherFormat(path: path("plain.h5"), kind: .units, format: "no format attribute"),
            mentioning: ["no format attribute"])
    }

    func testANewerLayoutVersionAsksForAnUpgrade() throws {
        let newer = try stamped("new.h5", kind: .attack, version: FileKind.attack.version + 1)
        assertFails(
            try NeuronProbeFile.open(newer, as: .attack),
            with: .newerVersion(path: newer, kind: .attack, version: FileKind.attack.version + 1), mentioning: ["newer", "upgrade"])
    }

    func testAnyKindOpensWithItsFormat() throws {
        let opened = try NeuronProbeFile.open(try stamped("a.h5", kind: .activations))
        XCTAssertEqual(opened.format, "neuron-probe/activations")
    }

    func testAnyKindRefusesAnHDF5FileThatIsNotNeuronProbes() throws {
        try HDF5File.create(path("plain.h5")).close()
        assertFails(
            try NeuronProbeFile.open(path("plain.h5")), with: .notNeuronProbe(path: path("plain.h5")),
            mentioning: ["not a neuron-probe file"])
    }

    func testEveryKindIsFoundByItsFormat() {
        for kind in FileKind.allCases { XCTAssertEqual(FileKind(format: kind.format), kind) }
        XCTAssertNil(FileKind(format: "neuron-probe/other"))
    }

    func testTheStampWritesTheKindTheToolAndTheEngine() throws {
        let file = try HDF5File.open(try stamped("s.h5", kind: .units))
        let root = file.root
        XCTAssertEqual(try root.stringAttribute("format"), "neuron-probe/units")
        XCTAssertEqual(try root.attribute("format_version", as: Int64.self), Int64(FileKind.units.version))
        XCTAssertEqual(try root.stringAttribute("tool_version"), ToolInfo.version)
        XCTAssertEqual(try root.stringAttribute("blas_kernel"), "Haswell")
        XCTAssertEqual(try root.stringAttribute("blas_kernel_selection"), "test")
        XCTAssertNotNil(try root.stringAttribute("created").range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression))
        XCTAssertEqual(try root.stringAttribute("command_line"), ToolInfo.commandLine)
    }

    func testTheCommandLineQuotesWordsAShellWouldSplit() {
        let line = ToolInfo.commandLine
        XCTAssertTrue(line.hasPrefix(CommandLine.arguments[0].contains(" ") ? "'" : CommandLine.arguments[0]))
        for word in CommandLine.arguments.dropFirst() where word.contains(" ") { XCTAssertTrue(line.contains("'\(word)'"), line) }
    }

    func testProvenanceWritesWhatItKnowsAndLeavesTheRestOut() throws {
        let file = try HDF5File.create(path("p.h5"))
        try Provenance(
            modelSHA256: "abc", modelArchitecture: "fc10", split: .test, seed: UInt64.max,
            derivedFrom: ("activations", "acts.h5", "def")
        ).write(to: file.root)
        let root = file.root
        XCTAssertEqual(try root.stringAttribute("model_sha256"), "abc")
        XCTAssertEqual(try root.stringAttribute("model_architecture"), "fc10")
        XCTAssertEqual(try root.stringAttribute("split"), "test")
        XCTAssertEqual(try root.attribute("seed", as: Int64.self), -1, "the seed is stored as its 64 bits")
        XCTAssertEqual(try root.stringAttribute("activations_file"), "acts.h5")
        XCTAssertEqual(try root.stringAttribute("activations_sha256"), "def")
        for absent in ["model_file", "dataset", "dataset_sha256", "class_names"] { XCTAssertFalse(root.hasAttribute(absent), absent) }
    }

    func testADescriptionListsTheKindAttributesGroupsAndDatasetsAsJSON() throws {
        let file = try HDF5File.create(path("d.h5"))
        try FileStamp.stamp(file.root, kind: .attack, engine: EngineStamp(blasKernel: "Zen", blasKernelSelection: "test"))
        let group = try file.root.createGroup("runs")
        try group.write("labels", [Int64(1), 2, 3], shape: [3]).setAttribute("unit", Double.nan)
        try file.close()
        let description = try FileDescription(path: path("d.h5"))
        XCTAssertEqual(description.kind, "neuron-probe/attack")
        XCTAssertEqual(description.groups, ["/runs"])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(description)) as? [String: Any]
        XCTAssertEqual(Set(object?.keys.map { $0 } ?? []), ["file", "kind", "attributes", "groups", "datasets"])
        let dataset = (object?["datasets"] as? [[String: Any]])?.first
        XCTAssertEqual(dataset?["path"] as? String, "/runs/labels")
        XCTAssertEqual(dataset?["shape"] as? [Int], [3])
        XCTAssertTrue((dataset?["attributes"] as? [String: Any])?["unit"] is NSNull, "a NaN attribute is null: \(String(describing: dataset))")
        XCTAssertEqual((object?["attributes"] as? [String: Any])?["blas_kernel"] as? String, "Zen")
    }
}
