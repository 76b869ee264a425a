import Foundation
import XCTest

/// `probe record`, `probe inspect` and `probe merge` end to end.
final class RecordCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    private func trainedModel(in dir: URL, arch: String = "fc20-10") throws -> String {
        let model = dir.appendingPathComponent("model.h5").path
        let run = try probe(["train", "--arch", arch, "--epochs", "1", "-o", model, "--quiet"] + tiny)
        XCTAssertEqual(run.status, 0, run.stderr)
        return model
    }

    func testRecordWritesAFileThatInspectDescribes() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir)
        let acts = dir.appendingPathComponent("acts.h5").path
        let run = try probe(["record", model, "-o", acts, "--json", "--with-images", "--compression", "gzip:2"] + tiny)
        XCTAssertEqual(run.status, 0, run.stderr)
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(result["rows"] as? Int, 256)
        XCTAssertEqual(result["layers"] as? [String], ["fc1", "sigmoid1", "fc2"])

        let inspect = try probe(["inspect", acts, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let description = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(description["kind"] as? String, "neuron-probe/activations")
        let datasets = description["datasets"] as! [[String: Any]]
        let fc1 = try XCTUnwrap(datasets.first { $0["path"] as? String == "/layers/fc1" })
        XCTAssertEqual(fc1["shape"] as? [Int], [256, 20])
        XCTAssertEqual(fc1["compression"] as? String, "gzip 2")
        XCTAssertTrue(datasets.contains { $0["path"] as? String == "/images" })
        XCTAssertEqual(try probe(["inspect", model]).status, 0)
    }

    func testAnUnknownLayerListsTheValidOnesAndWritesNothing() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir)
        let acts = dir.appendingPathComponent("acts.h5")
        assertFailsClearly(try probe(["record", model, "--layers", "fc1,fc7", "-o", acts.path] + tiny), mentioning: ["fc7", "fc1, sigmoid1, fc2"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["model.h5"])
    }

    func testRecordingAModelFileThatIsNotOneFails() throws {
        let dir = try temporaryDirectory()
        let fake = dir.appendingPathComponent("fake.h5")
        try Data("nope".utf8).write(to: fake)
        assertFailsClearly(
            try probe(["record", fake.path, "-o", dir.appendingPathComponent("a.h5").path] + tiny), mentioning: ["fake.h5", "not an HDF5 file"])
    }

    func testInspectRefusesFilesOfOtherKinds() throws {
        assertFailsClearly(try probe(["inspect", repositoryRoot.appendingPathComponent("Package.swift").path]), mentioning: ["not an HDF5 file"])
    }

    func testMergedShardsEqualTheUnshardedRecording() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir)
        for i in 1...3 {
            let run = try probe(["record", model, "--shard", "\(i)/3", "-o", dir.appendingPathComponent("s\(i).h5").path, "--quiet"] + tiny)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        XCTAssertEqual(try probe(["record", model, "-o", dir.appendingPathComponent("whole.h5").path, "--quiet"] + tiny).status, 0)
        let merge = try probe(
            ["merge"] + (1...3).map { dir.appendingPathComponent("s\($0).h5").path } + ["-o", dir.appendingPathComponent("all.h5").path])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        let script = """
            import h5py, numpy, sys
            a = h5py.File(sys.argv[1], "r"); b = h5py.File(sys.argv[2], "r")
            for name in ["labels", "indices", "logits"] + ["layers/" + n for n in b.attrs["layer_names"]]:
                assert a[name].is_virtual, name
                assert a[name].shape == b[name].shape, name
                if name in ("labels", "indices"):
                    assert numpy.array_equal(a[name][:], b[name][:]), name
                else:
                    # Float rounding only: the shards' batches differ in size, and OpenBLAS picks its
                    # kernel (and so its summation order) by the size of the product.
                    numpy.testing.assert_allclose(a[name][:], b[name][:], rtol=1e-5, atol=1e-6, err_msg=name)
            print("ok")
            """
        try assertPythonSucceeds(
            script, arguments: [dir.appendingPathComponent("all.h5").path, dir.appendingPathComponent("whole.h5").path],
            "the merged file differs from the unsharded recording")
    }

    /// Runs `probe` with `arguments` (a recording long enough to outlast its first checkpoint), sends it
    /// `signal` once the partial file holds that checkpoint (8192 rows, several MB), and returns its
    /// exit status and standard error.
    private func signalAfterFirstCheckpoint(_ arguments: [String], partial: URL, signal: Int32) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("probe")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int) ?? 0
            if size > 8 << 20 { break }
            usleep(2_000)
        }
        XCTAssertTrue(process.isRunning, "the recording finished before it could be signalled")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    func testARecordingKilledPartWayLeavesNoFileAndResumesToTheUninterruptedResult() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir, arch: "fc100-100-10")
        let target = dir.appendingPathComponent("acts.h5")
        let partial = dir.appendingPathComponent(".acts.h5.partial")
        // Fashion-MNIST's training split (the Debian package): long enough to kill after a checkpoint.
        let common = ["record", model, "--dataset", "fashion-mnist", "--split", "train", "--batch-size", "256", "--quiet"]
        _ = try signalAfterFirstCheckpoint(common + ["-o", target.path], partial: partial, signal: SIGKILL)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path), "a killed recording left a file under the target name")
        XCTAssertTrue(FileManager.default.fileExists(atPath: partial.path))

        assertFailsClearly(try probe(common + ["-o", target.path]), mentioning: ["--resume"])
        let resumed = try probe(common + ["-o", target.path, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let straight = try probe(common + ["-o", dir.appendingPathComponent("straight.h5").path])
        XCTAssertEqual(straight.status, 0, straight.stderr)
        let script = """
            import h5py, numpy, sys
            a = h5py.File(sys.argv[1], "r"); b = h5py.File(sys.argv[2], "r")
            assert a.attrs["rows_complete"] == a.attrs["rows"] == 60000
            for name in ["labels", "indices", "logits"] + ["layers/" + n for n in b.attrs["layer_names"]]:
                assert numpy.array_equal(a[name][:], b[name][:]), name
            print("ok")
            """
        try assertPythonSucceeds(
            script, arguments: [target.path, dir.appendingPathComponent("straight.h5").path],
            "resumed and uninterrupted recordings differ")
    }

    func testAnInterruptedRecordingExitsWithTheSignalsStatusAndKeepsItsCheckpoint() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir, arch: "fc100-100-10")
        let target = dir.appendingPathComponent("acts.h5")
        let partial = dir.appendingPathComponent(".acts.h5.partial")
        let arguments = ["record", model, "--dataset", "fashion-mnist", "--split", "train", "--batch-size", "256", "--quiet", "-o", target.path]
        let (status, message) = try signalAfterFirstCheckpoint(arguments, partial: partial, signal: SIGINT)
        XCTAssertEqual(status, 128 + SIGINT, message)
        XCTAssertTrue(message.contains("--resume"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: partial.path))
    }

    func testARecordingThatRunsOutOfSpaceSaysSoAndLeavesNothing() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir, arch: "fc100-100-10")
        // A 4 MB file-size limit stands in for a full disk: write() fails with EFBIG (SIGXFSZ ignored).
        let probePath = Bundle.main.bundleURL.appendingPathComponent("probe").path
        let command = "trap '' XFSZ; ulimit -f 4096; exec \"$0\" \"$@\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c", command, probePath, "record", model, "--dataset", "fashion-mnist", "--split", "test", "--quiet",
            "-o", dir.appendingPathComponent("acts.h5").path,
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, message)
        XCTAssertEqual(message.split(separator: "\n").count, 1, message)
        XCTAssertTrue(message.contains("File too large") && message.contains("partial file was removed"), message)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["model.h5"])
    }
}

/// A recording whose partial file another process is writing is told so, not to resume or delete it (issue 12).
final class BusyPartialCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    func testAPartialFileBeingWrittenIsNamedAsSuchAndLeftAlone() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        let output = dir.appendingPathComponent("acts.h5").path
        let partial = dir.appendingPathComponent(".acts.h5.partial").path
        try Data("being written".utf8).write(to: URL(fileURLWithPath: partial))
        // This test process stands for the recording that is writing it: it holds the lock HDF5 takes.
        let descriptor = open(partial, O_RDWR)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        XCTAssertEqual(flock(descriptor, LOCK_EX | LOCK_NB), 0)
        for extra in [[], ["--resume"]] {
            let run = try probe(["record", model, "-o", output, "--quiet"] + extra + tiny)
            assertFailsClearly(run, mentioning: ["being written by another probe record"])
            XCTAssertFalse(run.stderr.contains("delete"), run.stderr)
        }
        XCTAssertEqual(try String(contentsOfFile: partial, encoding: .utf8), "being written")
    }
}

/// Merged files and units files name what they read relative to themselves, and a merged file
/// whose shard is gone says so instead of reading fill values (issue 12).
final class LinkedFilesCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    func testAMergedFileWithAMissingShardIsRefusedAndInspectNamesTheShard() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("shards"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        let shards = try (1...2).map { i -> String in
            let shard = dir.appendingPathComponent("shards/part-\(i).h5").path
            XCTAssertEqual(try probe(["record", model, "--shard", "\(i)/2", "-o", shard, "--quiet"] + tiny).status, 0)
            return shard
        }
        let merged = dir.appendingPathComponent("out/all.h5").path
        let merge = try probe(["merge"] + shards + ["-o", merged])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        try FileManager.default.removeItem(atPath: shards[1])
        let units = try probe(["units", merged, "--layer", "fc1", "--random", "10", "--rotations", "0", "--top", "5"])
        assertFailsClearly(units, mentioning: ["shard ../shards/part-2.h5 is missing"])
        let inspect = try probe(["inspect", merged])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("shard ../shards/part-2.h5: missing"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("shard ../shards/part-1.h5: present"), inspect.stdout)
    }

    func testAUnitsFileInAnotherFolderLinksTheActivationsRelativelyAndMovesWithThem() throws {
        let dir = try temporaryDirectory()
        let tree = dir.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("results"), withIntermediateDirectories: true)
        let model = tree.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        let acts = tree.appendingPathComponent("acts.h5").path
        XCTAssertEqual(try probe(["record", model, "-o", acts, "--quiet"] + tiny).status, 0)
        let results = tree.appendingPathComponent("results/u.h5").path
        let units = try probe(["units", acts, "--layer", "fc1", "--random", "10", "--rotations", "0", "--top", "5", "-o", results, "--quiet"])
        XCTAssertEqual(units.status, 0, units.stderr)
        let moved = dir.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: tree, to: moved)
        try assertPythonSucceeds(
            """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r")
            sources = f["units/fc1/activations"].virtual_sources()
            assert [s.file_name for s in sources] == ["../acts.h5"], sources
            assert f["units/fc1/activations"].shape == (256, 10)
            assert not (f["units/fc1/activations"][()] != f["units/fc1/activations"][()]).any(), "NaN: the source was not found"
            """, arguments: [moved.appendingPathComponent("results/u.h5").path], "the moved units file does not reach its activations")
    }
}
