import Foundation
import XCTest

/// Bad input: one clear line, a non-zero exit, and no file under the requested name.
final class BadInputTests: XCTestCase {
    private func copyFixtures(to dir: URL) throws -> URL {
        let data = dir.appendingPathComponent("data")
        try FileManager.default.copyItem(atPath: fixtureData, toPath: data.path)
        return data
    }

    func testATruncatedIDXFileFailsTrainingAndWritesNoModel() throws {
        let dir = try temporaryDirectory()
        let data = try copyFixtures(to: dir)
        let images = data.appendingPathComponent("train-images-idx3-ubyte.gz")
        let bytes = try Data(contentsOf: images)
        try bytes.prefix(bytes.count / 2).write(to: images)
        let model = dir.appendingPathComponent("m.h5")
        let run = try probe(["train", "--arch", "fc10", "--dataset", "fashion-mnist-tiny", "--data-dir", data.path, "-o", model.path])
        assertFailsClearly(run, mentioning: ["train-images-idx3-ubyte.gz"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: model.path))
    }

    func testAWrongMagicNumberIsReported() throws {
        let dir = try temporaryDirectory()
        let data = try copyFixtures(to: dir)
        let labels = data.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        try FileManager.default.removeItem(at: labels)
        var raw = Data([0, 0, 8, 3, 0, 0, 1, 0])
        raw.append(Data(repeating: 1, count: 256))
        try raw.write(to: data.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let run = try probe(["data", "verify", "fashion-mnist-tiny", "--data-dir", data.path])
        XCTAssertNotEqual(run.status, 0)
        let eval = try probe([
            "train", "--arch", "fc10", "--dataset", "fashion-mnist-tiny", "--data-dir", data.path, "--epochs", "1", "-o",
            dir.appendingPathComponent("m.h5").path,
        ])
        assertFailsClearly(eval, mentioning: ["t10k-labels-idx1-ubyte"])
    }

    func testAnUnknownArchitectureListsTheKnownOnes() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5")
        let run = try probe(["train", "--arch", "resnet50", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "-o", model.path])
        assertFailsClearly(run, mentioning: ["resnet50", "fc100-100-10", "conv-small"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: model.path))
    }

    func testAMissingOutputDirectoryIsReportedBeforeTraining() throws {
        let dir = try temporaryDirectory()
        let run = try probe([
            "train", "--arch", "fc10", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "-o", dir.appendingPathComponent("no/m.h5").path,
        ])
        assertFailsClearly(run, mentioning: ["does not exist"])
    }

    func testEvalOfAFileThatIsNotAModelSaysWhatItIs() throws {
        let dir = try temporaryDirectory()
        let text = dir.appendingPathComponent("notes.h5")
        try "not hdf5".write(to: text, atomically: true, encoding: .utf8)
        assertFailsClearly(
            try probe(["eval", text.path, "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData]),
            mentioning: ["notes.h5", "not an HDF5 file"])
    }

    func testAMissingModelFileSaysHowToTrainOne() throws {
        let dir = try temporaryDirectory()
        let absent = dir.appendingPathComponent("absent.h5").path
        assertFailsClearly(
            try probe(["eval", absent, "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData]),
            mentioning: ["absent.h5: no such model file", "train one with `probe train"])
    }

    func testInspectOfAnHDF5FileThatIsNotNeuronProbesPointsToOtherTools() throws {
        let dir = try temporaryDirectory()
        let plain = dir.appendingPathComponent("plain.h5").path
        try assertPythonSucceeds(
            "import h5py, sys; h5py.File(sys.argv[1], 'w').create_dataset('x', data=[1, 2])", arguments: [plain], "h5py writes a plain file")
        assertFailsClearly(try probe(["inspect", plain]), mentioning: ["not a neuron-probe file", "h5dump or h5ls"])
    }

    /// `probe train` on MNIST (not installed here) with `--data-dir` an empty folder (or none) and an empty home.
    private func trainOnMissingMNIST(givingDataDir: Bool = true) throws -> (run: ProbeRun, empty: URL) {
        let dir = try temporaryDirectory()
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let run = try probe(
            ["train", "--arch", "fc10", "--dataset", "mnist"] + (givingDataDir ? ["--data-dir", empty.path] : []) + [
                "-o", dir.appendingPathComponent("m.h5").path,
            ], environment: ["HOME": dir.path, "XDG_CACHE_HOME": dir.path])
        return (run, empty)
    }

    func testADataSetThatIsNotInstalledNamesWhereItLookedAndWhatToDo() throws {
        let (run, empty) = try trainOnMissingMNIST()
        assertFailsClearly(run, mentioning: ["mnist", empty.path, "probe data fetch mnist"])
    }

    func testTheCommandLineNamesItsDataDirFlagWhereTheLibrarySaysDataDirectory() throws {
        let (train, empty) = try trainOnMissingMNIST()
        assertFailsClearly(train, mentioning: ["\(empty.path) (--data-dir)", "pass --data-dir DIR"])
        XCTAssertFalse(train.stderr.contains("dataDirectory"), train.stderr)
        assertFailsClearly(try trainOnMissingMNIST(givingDataDir: false).run, mentioning: ["--data-dir not given"])
    }

    func testATruncatedModelFileIsDescribedInPlainWords() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5")
        XCTAssertEqual(
            try probe([
                "train", "--arch", "fc10", "--epochs", "1", "-o", model.path, "--quiet", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData,
            ])
            .status, 0)
        let bytes = try Data(contentsOf: model)
        try bytes.prefix(bytes.count / 3).write(to: model)
        for command in [["eval", model.path, "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData], ["inspect", model.path]] {
            let run = try probe(command)
            assertFailsClearly(run, mentioning: ["truncated", "holds \(bytes.count / 3) of the \(bytes.count) bytes"])
            XCTAssertFalse(run.stderr.contains("H5Fopen"), run.stderr)
        }
    }

    func testAnUnknownDataSetListsTheKnownOnes() throws {
        assertFailsClearly(try probe(["data", "verify", "imagenet"]), mentioning: ["imagenet", "fashion-mnist", "cifar10"])
    }

    func testAnImpossibleLearningRateIsRejected() throws {
        let dir = try temporaryDirectory()
        assertFailsClearly(
            try probe(["train", "--arch", "fc10", "--learning-rate", "-1", "-o", dir.appendingPathComponent("m.h5").path]),
            mentioning: ["--learning-rate"])
    }
}
