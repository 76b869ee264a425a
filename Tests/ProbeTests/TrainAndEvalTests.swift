import Foundation
import XCTest

/// `probe train` and `probe eval` end to end on the fixture data.
final class TrainAndEvalTests: XCTestCase {
    func testTrainWritesAModelThatEvalReadsAsJSON() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        let train = try probe([
            "train", "--arch", "fc10", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "--epochs", "5", "--seed", "3", "-o", model,
            "--json",
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let trained = try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((trained["epochs"] as! [Any]).count, 5)

        let eval = try probe(["eval", model, "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let result = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(result["count"] as? Int, 256)
        let accuracy = try XCTUnwrap(result["accuracy"] as? Double)
        XCTAssertEqual(accuracy + (result["error"] as! Double), 1, accuracy: 1e-6)
        XCTAssertEqual(1 - accuracy, trained["test_error"] as! Double, accuracy: 1e-6)
        // 5 epochs of softmax regression on 512 images do far better than chance (0.1).
        XCTAssertGreaterThan(accuracy, 0.5)
    }

    func testTheSameSeedGivesIdenticalModelsAndAnotherSeedDoesNot() throws {
        let dir = try temporaryDirectory()
        func train(_ name: String, seed: String) throws -> Data {
            let path = dir.appendingPathComponent(name).path
            let run = try probe([
                "train", "--arch", "maxout20-20-10", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "--epochs", "1", "--seed", seed,
                "-o", path, "--quiet",
            ])
            XCTAssertEqual(run.status, 0, run.stderr)
            let eval = try probe(["eval", path, "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "--json", "--predictions"])
            let result = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [String: Any]
            return try JSONSerialization.data(withJSONObject: [result["predictions"]!, result["loss"]!])
        }
        let a = try train("a.h5", seed: "5"), b = try train("b.h5", seed: "5"), c = try train("c.h5", seed: "6")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testTrainOnASubsetWithValidationReportsValidationAccuracy() throws {
        let dir = try temporaryDirectory()
        let run = try probe([
            "train", "--arch", "fc10", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "--epochs", "1", "--train-subset", "P2",
            "--validation", "56", "-o", dir.appendingPathComponent("m.h5").path, "--json",
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let epoch = (result["epochs"] as! [[String: Any]])[0]
        XCTAssertNotNil(epoch["validation_accuracy"] as? Double)
    }

    func testEveryCommandHasCompleteHelp() throws {
        let expectations: [[String]: [String]] = [
            ["train"]: [
                "--arch", "--dataset", "--epochs", "--batch-size", "--learning-rate", "--optimizer", "--weight-decay",
                "--seed", "--train-subset", "--validation", "--activation", "--output", "--json",
            ],
            ["eval"]: ["--dataset", "--split", "--json", "--limit"],
            ["data", "list"]: ["--data-dir", "--json"],
            ["data", "verify"]: ["--data-dir", "--json"],
            ["data", "fetch"]: ["--dir", "--mirror", "--json"],
        ]
        for (command, options) in expectations {
            let run = try probe(command + ["--help"])
            XCTAssertEqual(run.status, 0)
            for option in options { XCTAssertTrue(run.stdout.contains(option), "probe \(command.joined(separator: " ")) --help lacks \(option)") }
        }
    }

    func testJSONNumbersOfFloat32ValuesAreTheShortestDecimalsThatReadBack() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        let data = ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData]
        let train = try probe(["train", "--arch", "fc10", "--epochs", "2", "-o", model, "--quiet", "--json"] + data)
        let eval = try probe(["eval", model, "--json"] + data)
        let attack = try probe(
            ["attack", "fgsm", model, "--epsilon", "0.1", "--limit", "20", "-o", dir.appendingPathComponent("a.h5").path, "--quiet", "--json"] + data)
        for (run, keys) in [
            (train, ["loss", "accuracy", "train_error", "test_error"]), (eval, ["loss", "error", "accuracy", "mean_confidence"]),
            (attack, ["epsilon"]),
        ] {
            XCTAssertEqual(run.status, 0, run.stderr)
            for key in keys {
                let pattern = try NSRegularExpression(pattern: "\"\(key)\" : ([-0-9.e+]+)")
                let matches = pattern.matches(in: run.stdout, range: NSRange(run.stdout.startIndex..., in: run.stdout))
                XCTAssertFalse(matches.isEmpty, "\(key) not in \(run.stdout)")
                for match in matches {
                    let text = String(run.stdout[Range(match.range(at: 1), in: run.stdout)!])
                    let value = try XCTUnwrap(Float(text), text)
                    XCTAssertEqual(text, "\(value)", "\(key): \(text) is longer than the Float32 it stands for")
                }
            }
        }
    }
}
