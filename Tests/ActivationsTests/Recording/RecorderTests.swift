import Foundation
import HDF5
import Engine
import XCTest
@testable import Activations
import Files

/// Recording: the file holds exactly the engine's activations, streams, resumes and shards.
final class RecorderTests: XCTestCase {
    private var directory: URL!
    private var input: RecordingInput!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("recorder")
        var generator = SeededGenerator(seed: 2)
        let model = try Architecture("conv-small").build(inputShape: [1, 28, 28], generator: &generator)
        let metadata = ModelMetadata(
            architecture: "conv-small", activation: "relu", inputShape: [1, 28, 28],
            classNames: Fixtures.fashionClasses, dataset: "fashion-mnist-tiny", training: TrainingConfiguration())
        let modelPath = directory.appendingPathComponent("model.h5").path
        try ModelFile.save(model, metadata: metadata, to: modelPath)
        let (loaded, read) = try ModelFile.load(modelPath)
        let images = try DatasetRegistry.standard.load(
            "fashion-mnist-tiny", split: .test, search: DataSearchPaths(dataDirectory: Fixtures.tinyDirectory))
        input = RecordingInput(
            modelPath: modelPath, model: loaded, metadata: read, images: images, split: .test,
            indices: Array(0..<images.count), dataset: "fashion-mnist-tiny", datasetSHA256: "test")
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Asserts equal shapes and values within `tolerance` (batches of other sizes round differently in sgemm).
    private func assertClose(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-5, _ what: String, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, line: line)
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): largest difference \(worst)", line: line)
    }

    private func record(_ name: String, _ configure: (inout RecordingOptions) -> Void = { _ in }) throws -> ActivationFile {
        var options = RecordingOptions()
        options.batchSize = 100
        configure(&options)
        try Recorder(options: options).record(input, to: path(name))
        return try ActivationFile(path: path(name))
    }

    func testEveryRecordedLayerEqualsTheEnginesForwardPass() throws {
        let file = try record("acts.h5")
        let trace = input.model.forward(input.images.images)
        for name in file.metadata.layerNames {
            assertClose(try file.rows(name, 0..<file.count), try trace.tap(name), name)
        }
        assertClose(try file.logits(), trace.output, "logits")
        XCTAssertEqual(try file.labels(), input.images.labels)
        XCTAssertEqual(try file.indices(), Array(0..<256))
    }

    func testAllLayersMeansEveryLayerButFlattenAndDropout() throws {
        let file = try record("acts.h5")
        XCTAssertEqual(file.metadata.layerNames, input.model.layerNames.filter { $0 != "flatten" })
        XCTAssertEqual(try file.layer("conv2").shape, [256, 16, 14, 14])
        XCTAssertEqual(try file.layer("relu2").nonlinearity, "relu")
        XCTAssertEqual(try file.layer("fc1").position, 7)
    }

    func testAnUnknownLayerListsTheLayersTheModelHas() throws {
        XCTAssertThrowsError(try record("acts.h5") { $0.layers = ["fc9"] }) { error in
            XCTAssertTrue("\(error)".contains("fc9") && "\(error)".contains("conv1, relu1"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("acts.h5")))
    }

    func testColumnOfAUnitEqualsThatColumnOfTheRows() throws {
        let file = try record("acts.h5") { $0.compression = .gzip(level: 4) }
        let rows = try file.rows("fc1", 0..<file.count)
        XCTAssertTrue(try file.column("fc1", unit: 37) == (0..<file.count).map { rows.scalars[$0 * 128 + 37] })
        let maps = try file.rows("pool1", 0..<file.count)
        XCTAssertTrue(try file.column("pool1", unit: 500) == (0..<file.count).map { maps.scalars[$0 * 8 * 14 * 14 + 500] })
    }

    func testCompressedRecordingHoldsTheSameValues() throws {
        let plain = try record("plain.h5")
        let packed = try record("packed.h5") { $0.compression = .gzip(level: 4) }
        for name in plain.metadata.layerNames {
            XCTAssertTrue(try plain.rows(name, 0..<256) == packed.rows(name, 0..<256), name)
        }
    }

    func testImagesAreStoredAsTheDataSetsBytes() throws {
        let file = try record("acts.h5") { $0.withImages = true }
        let stored = try file.images()
        XCTAssertTrue(stored.pixels == input.images.pixels)
        XCTAssertEqual([stored.height, stored.width], [28, 28])
    }

    func testTheImagesOfARecordingWithoutThemAreTheDataSetsOwn() throws {
        let search = DataSearchPaths(dataDirectory: Fixtures.tinyDirectory)
        let without = try record("plain.h5")
        let with = try record("with.h5") { $0.withImages = true }
        XCTAssertFalse(without.hasImages)
        XCTAssertEqual(try RecordedImages.pixels(of: without, search: search)?.pixels, input.images.pixels)
        XCTAssertEqual(try RecordedImages.pixels(of: with, search: search)?.pixels, input.images.pixels)
    }

    func testTheSummaryOfARecordingSaysWhatItWrote() throws {
        var options = RecordingOptions()
        options.layers = ["conv1", "fc2"]
        let summary = try Recorder(options: options).record(input, to: path("acts.h5"))
        XCTAssertEqual(summary.file, path("acts.h5"))
        XCTAssertEqual(summary.rows, input.images.count)
        XCTAssertEqual(summary.layers, ["conv1", "fc2"])
        XCTAssertEqual(summary.bytes, try FileManager.default.attributesOfItem(atPath: path("acts.h5"))[.size] as? Int)
        XCTAssertGreaterThan(summary.seconds, 0)
    }

    func testAFileNamingAnUnknownSplitIsReportedAsDamaged() throws {
        _ = try record("acts.h5")
        let file = try HDF5File.open(path("acts.h5"), writable: true)
        try file.root.setAttribute("split", "validation")
        try file.close()
        XCTAssertThrowsError(try ActivationFile(path: path("acts.h5"))) { error in
            XCTAssertEqual(
                error as? FileFormatError,
                .unknownChoice(path: path("acts.h5"), attribute: "split", value: "validation", known: ["test", "train", "all"]))
        }
    }

    func testAnInterruptedRecordingLeavesNothingUnderTheTargetNameAndResumesToTheSameFile() throws {
        let whole = try record("whole.h5")
        var options = RecordingOptions()
        options.batchSize = 100
        var polls = 0
        XCTAssertThrowsError(
            try Recorder(options: options).record(
                input, to: path("cut.h5"),
                shouldStop: {
                    polls += 1
                    return polls > 2
                })
        ) { error in
            // The library says the partial file can be resumed; the CLI names --resume (RecordCommandTests).
            guard case RecordingError.interrupted(_, 256, _, _)? = error as? RecordingError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("resume the same recording"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("cut.h5")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: Recorder.partialPath(for: path("cut.h5"))))

        XCTAssertThrowsError(try Recorder(options: options).record(input, to: path("cut.h5"))) { error in
            XCTAssertEqual(
                error as? RecordingError, .partialRecordingExists(partial: Recorder.partialPath(for: self.path("cut.h5"))),
                "a second run that does not resume must refuse: \(error)")
        }
        try Recorder(options: options).record(input, to: path("cut.h5"), resume: true)
        let resumed = try ActivationFile(path: path("cut.h5"))
        for name in whole.metadata.layerNames {
            XCTAssertTrue(try resumed.rows(name, 0..<256) == whole.rows(name, 0..<256), "\(name) differs after resuming")
        }
        XCTAssertEqual(try resumed.labels(), try whole.labels())
        XCTAssertFalse(FileManager.default.fileExists(atPath: Recorder.partialPath(for: path("cut.h5"))))
    }

    func testResumingWithOtherSettingsIsRefused() throws {
        var options = RecordingOptions()
        options.batchSize = 100
        var polls = 0
        XCTAssertThrowsError(
            try Recorder(options: options).record(
                input, to: path("cut.h5"),
                shouldStop: {
                    polls += 1
                    return polls > 1
                }))
        options.compression = .gzip(level: 1)
        XCTAssertThrowsError(try Recorder(options: options).record(input, to: path("cut.h5"), resume: true)) { error in
            XCTAssertTrue("\(error)".contains("other settings"), "\(error)")
        }
    }

    func testShardsAreContiguousSlicesThatTogetherCoverEveryRow() throws {
        var parts: [ActivationFile] = []
        for i in 1...3 {
            parts.append(try record("part\(i).h5") { $0.shard = try! Shard(parsing: "\(i)/3") })
        }
        XCTAssertEqual(parts.map(\.count), [85, 85, 86])
        XCTAssertEqual(parts.map(\.metadata.firstRow), [0, 85, 170])
        let whole = try record("whole.h5")
        let joined = try parts.flatMap { try $0.rows("fc2", 0..<$0.count).scalars }
        assertClose(Tensor(shape: [256, 10], scalars: joined), try whole.rows("fc2", 0..<256), "fc2 of the joined shards")
    }

    func testAFileOfAnotherKindIsRejected() throws {
        XCTAssertThrowsError(try ActivationFile(path: input.modelPath)) { error in
            XCTAssertTrue("\(error)".contains("not a neuron-probe activation file"), "\(error)")
        }
    }

    func testAMissingOutputDirectoryIsReported() throws {
        XCTAssertThrowsError(try Recorder(options: RecordingOptions()).record(input, to: path("none/acts.h5"))) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    func testAShardWithoutRowsAndAnEmptyLayerListAreRefused() throws {
        var options = RecordingOptions()
        options.shard = try Shard(parsing: "1/300")
        XCTAssertThrowsError(try Recorder(options: options).record(input, to: path("s.h5"))) {
            XCTAssertEqual(($0 as? SettingProblem)?.setting, "shard")
        }
        options = RecordingOptions()
        options.layers = []
        XCTAssertThrowsError(try Recorder(options: options).record(input, to: path("s.h5"))) {
            XCTAssertEqual(($0 as? SettingProblem)?.setting, "layers")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("s") || $0.hasPrefix(".s") }, [])
    }

    func testShardSyntaxIsChecked() {
        XCTAssertThrowsError(try Shard(parsing: "0/3"))
        XCTAssertThrowsError(try Shard(parsing: "4/3"))
        XCTAssertThrowsError(try Shard(parsing: "2"))
        XCTAssertEqual(try Shard(parsing: "2/4").rows(of: 10), 2..<5)
    }
}
