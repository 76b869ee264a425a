import Foundation
import XCTest

/// Settings that would run on nothing, or do something other than what they say, are refused
/// before any work with one line (issue 12's reports, each reproduced here).
final class RefusedSettingsTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    private func trainedModel(in dir: URL) throws -> String {
        let model = dir.appendingPathComponent("m.h5").path
        let run = try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny)
        XCTAssertEqual(run.status, 0, run.stderr)
        return model
    }

    func testAnEpsilonListWithoutANumberIsAUsageErrorNotACrash() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir)
        for text in [",", "", "0.1,", "0.1,,0.2"] {
            let run = try probe(["attack", "fgsm", model, "--epsilon", text, "-o", dir.appendingPathComponent("a.h5").path] + tiny)
            XCTAssertEqual(run.status, 64, "--epsilon '\(text)': \(run.stderr)")
            assertFailsClearly(run, mentioning: ["--epsilon"])
            XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
        }
    }

    func testAWeightDecayForALayerTheModelLacksIsRefused() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        let run = try probe(["train", "--arch", "fc10", "--epochs", "1", "--weight-decay", "fc9=1e-3", "-o", model] + tiny)
        assertFailsClearly(run, mentioning: ["--weight-decay", "fc9"])
        XCTAssertEqual(run.status, 64, "a setting that cannot work is a usage error")
        XCTAssertFalse(FileManager.default.fileExists(atPath: model))
    }

    func testAnEmptyLayerListIsRefused() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir)
        for text in ["", ","] {
            let record = try probe(["record", model, "--layers", text, "-o", dir.appendingPathComponent("r.h5").path] + tiny)
            assertFailsClearly(record, mentioning: ["--layers"])
        }
        let acts = dir.appendingPathComponent("acts.h5").path
        XCTAssertEqual(try probe(["record", model, "-o", acts, "--quiet"] + tiny).status, 0)
        for text in ["", ","] {
            let units = try probe(["units", acts, "--layer", text])
            assertFailsClearly(units, mentioning: ["--layer"])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("acts.units.h5").path), "no results file was written")
    }

    func testAShardWithoutRowsIsRefused() throws {
        let dir = try temporaryDirectory()
        let model = try trainedModel(in: dir)
        let shard = dir.appendingPathComponent("s.h5").path
        // The tiny test split has 256 rows: shard 1 of 300 holds none.
        let run = try probe(["record", model, "--shard", "1/300", "-o", shard] + tiny)
        assertFailsClearly(run, mentioning: ["--shard", "1/300"])
        XCTAssertEqual(run.status, 64, "a setting that cannot work is a usage error")
        XCTAssertFalse(FileManager.default.fileExists(atPath: shard))
    }
}

/// Matched noise runs on the examples of the attack it matches: their split and data set (issue 12).
final class MatchedNoiseCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    func testMatchedNoiseTakesTheSplitOfTheAttackAndRefusesAnother() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        let attack = dir.appendingPathComponent("a.h5").path
        let made = try probe(["attack", "fgsm", model, "--epsilon", "0.1", "--split", "train", "--limit", "30", "-o", attack, "--quiet"] + tiny)
        XCTAssertEqual(made.status, 0, made.stderr)
        let noise = dir.appendingPathComponent("n.h5").path
        let matched = try probe(["attack", "noise", model, "--match", attack, "-o", noise, "--quiet", "--data-dir", fixtureData])
        XCTAssertEqual(matched.status, 0, matched.stderr)
        try assertPythonSucceeds(
            """
            import h5py, numpy, sys
            a, n = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
            assert n.attrs["split"] == "train", n.attrs["split"]
            assert n.attrs["dataset"] == a.attrs["dataset"]
            assert (n["indices"][:] == a["indices"][:]).all() and (n["labels"][:] == a["labels"][:]).all()
            d, want = n["distortion"][0], a["distortion"][0]
            assert numpy.all(numpy.abs(d - want) <= 0.01 * want), (d, want)
            """, arguments: [attack, noise], "the matched noise is not on the attack's examples")
        let other = try probe(["attack", "noise", model, "--match", attack, "--split", "test", "-o", noise + "2", "--quiet"] + tiny)
        assertFailsClearly(other, mentioning: ["--split test", attack])
        XCTAssertFalse(FileManager.default.fileExists(atPath: noise + "2"))
    }
}

/// A negative number reaches the option's range check instead of being taken for a flag (issue 12).
final class NegativeNumberCommandTests: XCTestCase {
    func testNegativeNumbersAreCheckedAgainstTheirRanges() throws {
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("o.h5").path
        let data = ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData]
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + data).status, 0)
        let cases: [([String], String)] = [
            (["attack", "fgsm", model, "--epsilon", "-0.1", "-o", out], "--epsilon -0.1 is not a number in [0, 1]"),
            (["eval", model, "--limit", "-5"], "--limit must be at least 1"),
            (["train", "--arch", "fc10", "--epochs", "-1", "-o", out], "--epochs must be at least 1"),
            (["train", "--arch", "fc10", "--momentum", "-0.5", "-o", out], "--momentum -0.5 must lie in [0, 1)"),
            (["attack", "lbfgs", model, "--initial-c", "-1", "-o", out], "--initial-c must be positive"),
            (["attack", "noise", model, "--stddev", "-1", "-o", out], "--stddev must be a non-negative number"),
        ]
        for (arguments, message) in cases {
            let run = try probe(arguments + data)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            assertFailsClearly(run, mentioning: [message])
        }
    }
}
