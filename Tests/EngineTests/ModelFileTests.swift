import Files
import Foundation
import HDF5
import XCTest
@testable import Engine

/// Model files: a round trip keeps the network, and bad files fail with one clear line.
final class ModelFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func makeModel(_ spec: String = "conv-small") throws -> (Sequential, ModelMetadata) {
        var generator = SeededGenerator(seed: 4)
        let model = try Architecture(spec).build(inputShape: [1, 28, 28], generator: &generator)
        var metadata = ModelMetadata(
            architecture: spec, activation: "sigmoid", inputShape: [1, 28, 28],
            classNames: (0..<10).map { "class \($0)" }, dataset: "fashion-mnist",
            training: TrainingConfiguration())
        metadata.trainError = 0.25
        metadata.testError = 0.5
        metadata.history = [EpochSummary(epoch: 1, phase: "train", loss: 1.5, accuracy: 0.5, seconds: 2)]
        return (model, metadata)
    }

    private func assertInvalidModelFile(_ file: String, mentions words: [String], line: UInt = #line) {
        XCTAssertThrowsError(try ModelFile.load(file), line: line) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), "error spans several lines: \(text)", line: line)
            for word in words { XCTAssertTrue(text.contains(word), "'\(text)' does not mention '\(word)'", line: line) }
        }
    }

    func testRoundTripKeepsWeightsPredictionsAndMetadata() throws {
        for spec in ["conv-small", "maxout20-20-10", "fc30-10"] {
            let (model, metadata) = try makeModel(spec)
            try ModelFile.save(model, metadata: metadata, to: path("\(spec).h5"))
            let (loaded, read) = try ModelFile.load(path("\(spec).h5"))
            XCTAssertEqual(loaded.layerNames, model.layerNames)
            XCTAssertEqual(loaded.layers.map(\.kind), model.layers.map(\.kind))
            XCTAssertEqual(loaded.namedParameters.map(\.parameter.value), model.namedParameters.map(\.parameter.value))
            let x = randomTensor([3, 1, 28, 28], seed: 2, low: 0, high: 1)
            XCTAssertEqual(loaded.predict(x), model.predict(x))
            XCTAssertEqual(read.architecture, spec)
            XCTAssertEqual(read.classNames, metadata.classNames)
            XCTAssertEqual(read.testError, 0.5)
            XCTAssertEqual(read.training.seed, metadata.training.seed)
            XCTAssertEqual(read.toolVersion, ToolInfo.version)
            XCTAssertEqual(read.sha256.count, 64)
        }
    }

    func testSHA256IsTheFilesDigest() throws {
        let (model, metadata) = try makeModel("fc10")
        try ModelFile.save(model, metadata: metadata, to: path("m.h5"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("m.h5")))
        XCTAssertEqual(try ModelFile.load(path("m.h5")).metadata.sha256, Checksum.sha256(of: bytes))
    }

    func testAFileThatIsNotHDF5IsRejected() throws {
        try "hello".write(toFile: path("text.h5"), atomically: true, encoding: .utf8)
        assertInvalidModelFile(path("text.h5"), mentions: ["text.h5", "not an HDF5 file"])
    }

    func testAMissingFileIsRejected() {
        assertInvalidModelFile(path("absent.h5"), mentions: ["absent.h5", "no such model file"])
    }

    func testAnHDF5FileOfAnotherKindIsRejected() throws {
        let file = try HDF5File.create(path("acts.h5"))
        try file.root.setAttribute("format", "neuron-probe/activations")
        try file.close()
        assertInvalidModelFile(path("acts.h5"), mentions: ["not a neuron-probe model file", "neuron-probe/activations"])
    }

    func testANewerFormatVersionIsRejected() throws {
        let (model, metadata) = try makeModel("fc10")
        try ModelFile.save(model, metadata: metadata, to: path("new.h5"))
        let file = try HDF5File.open(path("new.h5"), writable: true)
        try file.root.setAttribute("format_version", Int64(ModelFile.formatVersion + 1))
        try file.close()
        assertInvalidModelFile(path("new.h5"), mentions: ["newer", "upgrade"])
    }

    func testAnArchitectureThatDoesNotMatchTheStoredLayersIsRejected() throws {
        let (model, metadata) = try makeModel("fc10")
        try ModelFile.save(model, metadata: metadata, to: path("m.h5"))
        XCTAssertNoThrow(try ModelFile.load(path("m.h5")))
        for other in ["fc20-10", "conv-small", "nonsense"] {
            let file = try HDF5File.open(path("m.h5"), writable: true)
            try file.root.setAttribute("architecture", other)
            try file.close()
            XCTAssertThrowsError(try ModelFile.load(path("m.h5")), other) { error in
                XCTAssertTrue("\(error)".contains("architecture '\(other)'"), "\(error)")
            }
        }
    }

    func testANaNWeightInAFileIsRejected() throws {
        let (model, metadata) = try makeModel("fc10")
        try ModelFile.save(model, metadata: metadata, to: path("nan.h5"))
        let file = try HDF5File.open(path("nan.h5"), writable: true)
        let bias = try file.root.openDataset("layers/fc1/bias", of: Float.self)
        var values = try bias.read()
        values[3] = .nan
        try bias.write(values)
        try file.close()
        assertInvalidModelFile(path("nan.h5"), mentions: ["fc1/bias", "NaN"])
    }

    func testSavingANaNWeightFailsAndWritesNothing() throws {
        let (model, metadata) = try makeModel("fc10")
        model.layers[0].parameters[0].value.scalars[0] = .nan
        XCTAssertThrowsError(try ModelFile.save(model, metadata: metadata, to: path("bad.h5")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }

    func testSavingIntoAMissingDirectorySaysSo() throws {
        let (model, metadata) = try makeModel("fc10")
        XCTAssertThrowsError(try ModelFile.save(model, metadata: metadata, to: path("nowhere/m.h5"))) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    func testAFailedWriteLeavesTheExistingFileUntouched() throws {
        try "precious".write(toFile: path("keep.h5"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(
            try AtomicFile.write(to: path("keep.h5")) { temporary in
                try "partial".write(toFile: temporary, atomically: false, encoding: .utf8)
                throw AtomicFileError("interrupted")
            })
        XCTAssertEqual(try String(contentsOfFile: path("keep.h5"), encoding: .utf8), "precious")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["keep.h5"])
    }
}
