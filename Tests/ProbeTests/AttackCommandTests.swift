import Foundation
import XCTest

/// `probe attack`, `probe transfer` and `probe lipschitz` end to end on the fixture data.
final class AttackCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    private func train(_ arch: String, in dir: URL, name: String, extra: [String] = []) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let run = try probe(["train", "--arch", arch, "--epochs", "3", "-o", path, "--quiet"] + extra + tiny)
        XCTAssertEqual(run.status, 0, run.stderr)
        return path
    }

    private func json(_ run: ProbeRun) throws -> [String: Any] {
        XCTAssertEqual(run.status, 0, run.stderr)
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
    }

    func testFGSMWritesOneRunPerEpsilonAndStaysInTheBall() throws {
        let dir = try temporaryDirectory()
        let model = try train("fc10", in: dir, name: "m.h5")
        let adv = dir.appendingPathComponent("adv.h5").path
        let result = try json(try probe(["attack", "fgsm", model, "--epsilon", "0.05,0.2", "-o", adv, "--json", "--quiet"] + tiny))
        let runs = try XCTUnwrap(result["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 2)
        XCTAssertLessThanOrEqual(runs[0]["error_rate"] as! Double, runs[1]["error_rate"] as! Double)
        try assertPythonSucceeds(
            """
            import h5py, numpy, sys
            f = h5py.File(sys.argv[1], "r")
            assert f.attrs["format"] == "neuron-probe/attack" and f.attrs["method"] == "fgsm"
            assert f["adversarial"].shape == (2, 256, 1, 28, 28)
            assert (f["linf"][0] <= 0.05 + 1e-6).all() and (f["linf"][1] <= 0.2 + 1e-6).all()
            a = f["adversarial"][:]
            assert a.min() >= 0 and a.max() <= 1
            """, arguments: [adv], "the attack file does not hold what it should")
    }

    func testLBFGSNoiseAndTransferMakeASzegedyTable() throws {
        let dir = try temporaryDirectory()
        let a = try train("fc20-10", in: dir, name: "a.h5")
        let b = try train("fc10", in: dir, name: "b.h5")
        let c = try train("fc20-10", in: dir, name: "c.h5", extra: ["--activation", "relu"])
        let lbfgs = dir.appendingPathComponent("lbfgs.h5").path
        let result = try json(try probe(["attack", "lbfgs", a, "--limit", "20", "--c-search-steps", "6", "-o", lbfgs, "--json", "--quiet"] + tiny))
        let run = try XCTUnwrap((result["runs"] as? [[String: Any]])?.first)
        XCTAssertGreaterThanOrEqual(run["success_rate"] as! Double, 0.9)
        let noise = dir.appendingPathComponent("noise.h5").path
        XCTAssertEqual(try probe(["attack", "noise", a, "--match", lbfgs, "--limit", "20", "-o", noise, "--quiet"] + tiny).status, 0)
        let table = try json(try probe(["transfer", lbfgs, noise, "--models", a, b, c, "--json"]))
        let error = try XCTUnwrap(table["error"] as? [[Double]])
        XCTAssertEqual(error.count, 2)
        XCTAssertEqual(error[0].count, 3)
        // L-BFGS examples fool the model they were made on; noise of the same size mostly does not.
        XCTAssertGreaterThanOrEqual(error[0][0], 0.9)
        XCTAssertLessThan(error[1][0], error[0][0])
    }

    func testLipschitzPrintsABoundPerLayerAndTheirProduct() throws {
        let dir = try temporaryDirectory()
        let model = try train("fc20-10", in: dir, name: "m.h5")
        let result = try json(try probe(["lipschitz", model, "--json"]))
        let layers = try XCTUnwrap(result["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["kind"] as? String }, ["dense", "sigmoid", "dense"])
        let product = layers.reduce(1.0) { $0 * ($1["bound"] as! Double) }
        XCTAssertEqual(result["product"] as! Double, product, accuracy: product * 1e-9)
    }

    func testAdversarialTrainingIsRecordedInTheModelFile() throws {
        let dir = try temporaryDirectory()
        let model = try train("fc20-10", in: dir, name: "m.h5", extra: ["--adversarial", "fgsm:0.1", "--alpha", "0.5"])
        try assertPythonSucceeds(
            """
            import h5py, sys
            t = h5py.File(sys.argv[1], "r")["training"]
            assert t.attrs["adversarial"] == "fgsm:0.1" and t.attrs["alpha"] == 0.5
            """, arguments: [model], "the model file does not record adversarial training")
    }

    func testImpossibleSettingsAreRefused() throws {
        let dir = try temporaryDirectory()
        let model = try train("fc10", in: dir, name: "m.h5")
        let out = dir.appendingPathComponent("x.h5").path
        assertFailsClearly(try probe(["attack", "fgsm", model, "--epsilon", "1.5", "-o", out] + tiny), mentioning: ["--epsilon 1.5"])
        assertFailsClearly(try probe(["attack", "fgsm", model, "--epsilon", "0.1", "--target", "12", "-o", out] + tiny), mentioning: ["--target 12"])
        assertFailsClearly(try probe(["attack", "lbfgs", model, "--target", "none", "-o", out] + tiny), mentioning: ["needs a target"])
        assertFailsClearly(try probe(["train", "--arch", "fc10", "--adversarial", "pgd:2", "-o", out] + tiny), mentioning: ["--adversarial"])
        assertFailsClearly(try probe(["transfer", model, "--models", model]), mentioning: ["not a neuron-probe attack file"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}

/// A fixed target class attacks the examples of every other class and records those it left out (issue 12).
final class TargetClassCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    func testAFixedTargetAttacksTheOtherClassesAndRecordsTheSkipped() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        for (method, extra) in [("fgsm", ["--epsilon", "0.1"]), ("lbfgs", ["--c-search-steps", "3"])] {
            let attack = dir.appendingPathComponent("\(method).h5").path
            let run = try probe(["attack", method, model, "--target", "3", "--limit", "40", "-o", attack, "--json", "--quiet"] + extra + tiny)
            XCTAssertEqual(run.status, 0, "\(method): \(run.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            try assertPythonSucceeds(
                """
                import h5py, numpy, sys
                f = h5py.File(sys.argv[1], "r")
                labels, indices, skipped = f["labels"][:], f["indices"][:], f["skipped_indices"][:]
                assert (labels != 3).all() and (f["targets"][:] == 3).all()
                assert sorted(list(indices) + list(skipped)) == list(range(40)), (indices, skipped)
                assert len(skipped) == int(sys.argv[2]) > 0
                """, arguments: [attack, "\(summary?["skipped"] as? Int ?? -1)"], "\(method): the skipped examples are not recorded")
        }
    }
}
