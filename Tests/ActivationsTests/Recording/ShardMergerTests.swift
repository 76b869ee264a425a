import Foundation
import HDF5
import Engine
import XCTest
@testable import Activations
import Files

/// Merging shards: one file of virtual datasets equal to the unsharded recording, and shards that
/// do not fit together are refused.
final class ShardMergerTests: XCTestCase {
    private var directory: URL!
    private var input: RecordingInput!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("merge")
        var generator = SeededGenerator(seed: 3)
        let model = try Architecture("fc20-10").build(inputShape: [1, 28, 28], generator: &generator)
        let modelPath = directory.appendingPathComponent("model.h5").path
        try ModelFile.save(
            model,
            metadata: ModelMetadata(
                architecture: "fc20-10", activation: "sigmoid", inputShape: [1, 28, 28],
                classNames: Fixtures.fashionClasses, dataset: "fashion-mnist-tiny",
                training: TrainingConfiguration()), to: modelPath)
        let (loaded, metadata) = try ModelFile.load(modelPath)
        let images = try DatasetRegistry.standard.load(
            "fashion-mnist-tiny", split: .train, search: DataSearchPaths(dataDirectory: Fixtures.tinyDirectory))
        input = RecordingInput(
            modelPath: modelPath, model: loaded, metadata: metadata, images: images, split: .train,
            indices: Array(0..<images.count), dataset: "fashion-mnist-tiny", datasetSHA256: "x")
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func recordShards(_ count: Int, batchSize: Int = 600) throws -> [String] {
        try (1...count).map { i in
            var options = RecordingOptions()
            options.batchSize = batchSize
            options.shard = try Shard(parsing: "\(i)/\(count)")
            try Recorder(options: options).record(input, to: path("part\(i).h5"))
            return path("part\(i).h5")
        }
    }

    func testThreeMergedShardsEqualOneUnshardedRecording() throws {
        var options = RecordingOptions()
        options.batchSize = 600
        try Recorder(options: options).record(input, to: path("whole.h5"))
        let whole = try ActivationFile(path: path("whole.h5"))
        try ShardMerger.merge(try recordShards(3).reversed(), into: path("merged.h5"))
        let merged = try ActivationFile(path: path("merged.h5"))
        XCTAssertEqual(merged.count, 512)
        XCTAssertEqual(merged.metadata.layerNames, whole.metadata.layerNames)
        // Batches of other sizes round differently (ReorderingBound); labels and indices are exact.
        let bounds = ReorderingBound.perLayer(input.model, input: input.images.images.rows(0..<512))
        for name in whole.metadata.layerNames {
            let a = try merged.rows(name, 0..<512), b = try whole.rows(name, 0..<512)
            XCTAssertEqual(a.shape, b.shape, name)
            let difference = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(difference, bounds[name]!, name)
        }
        XCTAssertEqual(try merged.labels(), try whole.labels())
        XCTAssertEqual(try merged.indices(), Array(0..<512))
    }

    func testTheMergedFileNamesTheKernelOfEveryShard() throws {
        let shards = try recordShards(3)
        let here = BLASKernelSelection.kernelInUse
        // The third shard as if recorded on an AVX-512 machine.
        let file = try HDF5File.open(shards[2], writable: true)
        try file.root.setAttribute("blas_kernel", here == "SkylakeX" ? "Haswell" : "SkylakeX")
        try file.close()
        try ShardMerger.merge(shards, into: path("merged.h5"))
        let merged = try HDF5File.open(path("merged.h5"))
        let other = here == "SkylakeX" ? "Haswell" : "SkylakeX"
        XCTAssertEqual(try merged.root.stringArrayAttribute("shard_blas_kernels"), [here, here, other])
        XCTAssertEqual(try merged.root.stringAttribute("blas_kernel"), "\(here), \(other)")
        XCTAssertTrue(try merged.root.stringAttribute("blas_kernel_selection").contains("2 kernels"))
    }

    func testAMissingShardIsNamed() throws {
        let shards = try recordShards(3)
        XCTAssertThrowsError(try ShardMerger.merge([shards[0], shards[2]], into: path("merged.h5"))) { error in
            XCTAssertTrue("\(error)".contains("3 slices"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("merged.h5")))
    }

    func testShardsOfDifferentRecordingsAreRefused() throws {
        let three = try recordShards(2)
        var other = input!
        other.split = .test
        var options = RecordingOptions()
        options.shard = try Shard(parsing: "2/2")
        try Recorder(options: options).record(other, to: path("other.h5"))
        XCTAssertThrowsError(try ShardMerger.merge([three[0], path("other.h5")], into: path("merged.h5"))) { error in
            XCTAssertTrue("\(error)".contains("do not belong to one recording"), "\(error)")
        }
    }

    func testShardsOfRecordingsOfDifferentLengthsAreRefused() throws {
        let halves = try recordShards(2)
        var shorter = input!
        shorter.indices = Array(0..<400)
        shorter.images = input.images.subset(Array(0..<400))
        var options = RecordingOptions()
        options.shard = try Shard(parsing: "2/2")
        try Recorder(options: options).record(shorter, to: path("short.h5"))
        XCTAssertThrowsError(try ShardMerger.merge([halves[0], path("short.h5")], into: path("merged.h5"))) { error in
            XCTAssertTrue("\(error)".contains("total rows differ (400 vs 512)"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("merged.h5")))
    }

    func testAModelFileIsNotAShard() throws {
        let shards = try recordShards(2)
        XCTAssertThrowsError(try ShardMerger.merge([shards[0], input.modelPath], into: path("merged.h5"))) { error in
            XCTAssertTrue("\(error)".contains("not a neuron-probe activation file"), "\(error)")
        }
    }

    func testAMergedFileNamesItsShardsRelativeToItselfAndMovesWithThem() throws {
        let shards = try recordShards(2)
        let shardDirectory = directory.appendingPathComponent("tree/shards"), outDirectory = directory.appendingPathComponent("tree/out")
        for folder in [shardDirectory, outDirectory] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let moved = try shards.map { shard -> String in
            let target = shardDirectory.appendingPathComponent(URL(fileURLWithPath: shard).lastPathComponent).path
            try FileManager.default.moveItem(atPath: shard, toPath: target)
            return target
        }
        let merged = outDirectory.appendingPathComponent("merged.h5").path
        try ShardMerger.merge(moved, into: merged)
        XCTAssertEqual(try HDF5File.open(merged).root.stringArrayAttribute("shards"), ["../shards/part1.h5", "../shards/part2.h5"])
        let before = try ActivationFile(path: merged).rows("fc1", 0..<512)
        let elsewhere = directory.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: directory.appendingPathComponent("tree"), to: elsewhere)
        let after = try ActivationFile(path: elsewhere.appendingPathComponent("out/merged.h5").path).rows("fc1", 0..<512)
        XCTAssertEqual(after.scalars, before.scalars, "the moved tree reads the same rows")
    }

    func testAMissingShardIsReportedNamingItAndInspectShowsIt() throws {
        try ShardMerger.merge(try recordShards(2), into: path("merged.h5"))
        try FileManager.default.removeItem(atPath: path("part2.h5"))
        XCTAssertThrowsError(try ActivationFile(path: path("merged.h5"))) { error in
            XCTAssertTrue("\(error)".contains("shard part2.h5 is missing"), "\(error)")
        }
        let shards = try XCTUnwrap(try FileDescription(path: path("merged.h5")).shards)
        XCTAssertEqual(shards.map(\.state), [.present, .missing])
    }

    func testAShardReplacedByAnotherFileIsReported() throws {
        let shards = try recordShards(2)
        try ShardMerger.merge(shards, into: path("merged.h5"))
        // Another recording of the same slice, written later: the same rows, another file.
        var options = RecordingOptions()
        options.batchSize = 100
        options.shard = try Shard(parsing: "2/2")
        try FileManager.default.removeItem(atPath: shards[1])
        try Recorder(options: options).record(input, to: shards[1])
        XCTAssertThrowsError(try ActivationFile(path: path("merged.h5"))) { error in
            XCTAssertTrue("\(error)".contains("shard part2.h5 is not the file it was merged from"), "\(error)")
        }
        XCTAssertEqual(try FileDescription(path: path("merged.h5")).shards?.map(\.state), [.present, .changed])
    }

    func testTheMergedSettingsDescribeTheWholeRecording() throws {
        try ShardMerger.merge(try recordShards(2), into: path("merged.h5"))
        let settings = try HDF5File.open(path("merged.h5")).root.stringAttribute("settings").split(separator: "|").map(String.init)
        XCTAssertEqual(settings[4], "0..<512")
        XCTAssertEqual(settings[9], "merged from 2 shards")
    }
}
