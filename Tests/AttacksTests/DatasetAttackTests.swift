import Foundation
import XCTest
@testable import Attacks
@testable import Engine

/// The attacks over a whole set of examples (what `probe attack` runs): batches that together
/// cover every example once, targets drawn from the seed, one run per radius, and the noise
/// control on exactly the examples of the attack it matches.
final class DatasetAttackTests: XCTestCase {
    /// The blob classifier, trained for 5 epochs on 200 images, and those images as examples.
    private func trained() throws -> (Sequential, AttackExamples) {
        let (model, x, labels) = try BlobClassifier.trained(count: 200, epochs: 5)
        return (model, AttackExamples(images: x, labels: labels))
    }

    func testBatchesCoverEveryItemOnceInOrder() {
        XCTAssertEqual(Batches.ranges(count: 7, size: 3), [0..<3, 3..<6, 6..<7])
        XCTAssertEqual(Batches.ranges(count: 6, size: 3), [0..<3, 3..<6])
        XCTAssertEqual(Batches.ranges(count: 0, size: 3), [])
    }

    func testASweepMakesOneRunPerRadiusInTheGivenOrder() throws {
        let (model, examples) = try trained()
        let result = try EpsilonSweep(epsilons: [0.2, 0, 0.05], batchSize: 64).run(model: model, examples: examples, seed: 3)
        XCTAssertEqual(result.runs.map(\.epsilon), [0.2, 0, 0.05])
        XCTAssertEqual(result.method, "fgsm")
        XCTAssertEqual(result.parameters["epsilon"], "0.2,0.0,0.05")
        for run in result.runs {
            XCTAssertEqual(run.outcome.success.count, examples.count)
            XCTAssertLessThanOrEqual(run.outcome.linf.max()!, run.epsilon + 1e-6)
        }
        XCTAssertEqual(result.runs[1].outcome.distortion.max(), 0, "ε = 0 leaves every image as it was")
        XCTAssertGreaterThan(
            result.runs[0].outcome.success.filter { $0 }.count, result.runs[2].outcome.success.filter { $0 }.count,
            "a larger radius fools the model more often")
    }

    func testASweepInBatchesDoesWhatOneBatchDoes() throws {
        let (model, examples) = try trained()
        let whole = try EpsilonSweep(epsilons: [0.1], batchSize: examples.count).run(model: model, examples: examples, seed: 3)
        let batched = try EpsilonSweep(epsilons: [0.1], batchSize: 7).run(model: model, examples: examples, seed: 3)
        // NOTE: gradients of other batch shapes round differently (OpenBLAS picks its kernel by shape), so a
        // pixel whose gradient is within rounding of 0 may take the other sign: allow a few such pixels in all.
        let a = whole.runs[0].outcome.adversarial.scalars, b = batched.runs[0].outcome.adversarial.scalars
        let differing = zip(a, b).filter { abs($0 - $1) > 1e-6 }.count
        XCTAssertLessThan(differing, a.count / 1000, "\(differing) of \(a.count) pixels differ")
        XCTAssertEqual(batched.examples.indices, Array(0..<examples.count))
    }

    func testTheSameSeedDrawsTheSameTargetsAndNeverTheTrueLabel() throws {
        let (model, examples) = try trained()
        let sweep = try EpsilonSweep(epsilons: [0.1], target: .random)
        let first = try sweep.run(model: model, examples: examples, seed: 9)
        let again = try sweep.run(model: model, examples: examples, seed: 9)
        let other = try sweep.run(model: model, examples: examples, seed: 10)
        XCTAssertEqual(first.targets, again.targets)
        XCTAssertNotEqual(first.targets, other.targets)
        XCTAssertTrue(zip(first.targets!, examples.labels).allSatisfy { $0 != $1 })
        XCTAssertEqual(first.runs[0].outcome.adversarial.scalars, again.runs[0].outcome.adversarial.scalars)
    }

    func testAFixedTargetClassLeavesOutTheExamplesOfThatClass() throws {
        let (model, all) = try trained()
        let result = try EpsilonSweep(epsilons: [0.1], target: .label(2)).run(model: model, examples: all, seed: 1)
        XCTAssertFalse(result.examples.labels.contains(2))
        XCTAssertEqual(result.targets, [Int](repeating: 2, count: result.examples.count))
        XCTAssertEqual(result.skipped, all.labels.indices.filter { all.labels[$0] == 2 })
        XCTAssertEqual(result.summary(file: "a.h5").skipped, all.labels.filter { $0 == 2 }.count)
        XCTAssertNil(try EpsilonSweep(epsilons: [0.1], target: .next).run(model: model, examples: all, seed: 1).skipped)
    }

    func testTheIterativeFormsAreNamedForWhatTheyAre() throws {
        XCTAssertEqual(try EpsilonSweep(epsilons: [0.1], steps: 5).method, "bim")
        XCTAssertEqual(try EpsilonSweep(epsilons: [0.1], steps: 5, randomStart: true).method, "pgd")
        XCTAssertEqual(try EpsilonSweep(epsilons: [0.1, 0.2], steps: 5).parameters["step_size"], "0.05,0.1")
    }

    func testASweepWithoutARadiusIsRefused() {
        XCTAssertThrowsError(try EpsilonSweep(epsilons: [])) { XCTAssertEqual(($0 as? SettingProblem)?.setting, "epsilon") }
        XCTAssertThrowsError(try EpsilonSweep(epsilons: [0.1], batchSize: 0)) { XCTAssertEqual(($0 as? SettingProblem)?.setting, "batch size") }
    }

    func testLBFGSInBatchesReachesEveryTargetAsOneBatchDoes() throws {
        let (model, all) = try trained()
        let examples = all.slice(0..<10)
        var attack = BoxLBFGS()
        attack.batchSize = 10
        let whole = try attack.run(model: model, examples: examples, seed: 4)
        attack.batchSize = 3
        let batched = try attack.run(model: model, examples: examples, seed: 4)
        XCTAssertEqual(whole.targets, batched.targets)
        XCTAssertTrue(zip(whole.targets!, examples.labels).allSatisfy { $0 != $1 })
        let a = whole.runs[0].outcome, b = batched.runs[0].outcome
        XCTAssertEqual(a.success, [Bool](repeating: true, count: 10))
        XCTAssertEqual(b.success, [Bool](repeating: true, count: 10))
        for i in 0..<10 {
            // NOTE: as in BoxLBFGSTests, batches of another size round differently and L-BFGS-B may take another
            // path to the box's minimum: the distortions agree within 10%, the images need not.
            XCTAssertEqual(a.distortion[i], b.distortion[i], accuracy: 0.1 * a.distortion[i], "example \(i)")
        }
        XCTAssertEqual(whole.runs[0].cHigh.count, 10)
        XCTAssertEqual(whole.method, "lbfgs")
    }

    func testLBFGSRefusesAnUntargetedRun() throws {
        let (model, all) = try trained()
        var attack = BoxLBFGS()
        attack.target = .none
        XCTAssertThrowsError(try attack.run(model: model, examples: all.slice(0..<2), seed: 1)) {
            XCTAssertEqual(($0 as? SettingProblem)?.setting, "target")
        }
    }

    func testMatchedNoiseRunsOnTheAttacksExamplesWithTheirDistortions() throws {
        let (model, all) = try trained()
        let rows = [5, 2, 17]
        let reference = AttackFile.Contents(
            path: "ref.h5", method: "fgsm", modelSHA256: "", modelArchitecture: "fc16-4", dataset: "blobs", split: .test, indices: rows,
            labels: rows.map { all.labels[$0] }, epsilons: [0.1, 0.2], adversarial: [], distortion: [[0.05, 0.1, 0.02], [0.1, 0.2, 0.04]])
        let result = try NoiseControl(.matching(reference)).run(model: model, examples: all, seed: 1)
        XCTAssertEqual(result.examples.indices, rows)
        XCTAssertEqual(result.examples.labels, reference.labels)
        XCTAssertEqual(result.runs.map(\.epsilon), [0.1, 0.2])
        XCTAssertEqual(result.examples.images.scalars, all.subset(rows).images.scalars)
        XCTAssertEqual(result.parameters, ["matches": "ref.h5"])
        for (run, wanted) in zip(result.runs, reference.distortion) {
            // Clipping to [0, 1] can only shrink the noise.
            for (got, want) in zip(run.outcome.distortion, wanted) { XCTAssertLessThanOrEqual(got, want * (1 + 1e-5)) }
        }
    }

    func testMatchedNoiseHasTheDistortionOfItsAttackAfterClippingWithinOnePercent() throws {
        let (model, all) = try trained()
        let rows = Array(0..<40)
        // Distortions as large as an L-BFGS attack's and larger, where clipping to [0, 1] cuts the noise most.
        let wanted = rows.map { Float(0.05 + 0.005 * Double($0)) }
        let reference = AttackFile.Contents(
            path: "ref.h5", method: "lbfgs", modelSHA256: "", modelArchitecture: "fc16-4", dataset: "blobs", split: .test, indices: rows,
            labels: rows.map { all.labels[$0] }, epsilons: [.nan], adversarial: [], distortion: [wanted])
        let result = try NoiseControl(.matching(reference)).run(model: model, examples: all, seed: 2)
        for (got, want) in zip(result.runs[0].outcome.distortion, wanted) {
            XCTAssertEqual(got, want, accuracy: 0.01 * want, "the noise measured after clipping")
        }
    }

    func testMatchedNoiseNeedsTheRowsOfItsAttack() throws {
        let (model, all) = try trained()
        let reference = AttackFile.Contents(
            path: "ref.h5", method: "fgsm", modelSHA256: "", modelArchitecture: "fc16-4", dataset: "blobs", split: .test, indices: [3, 150],
            labels: [3, 2], epsilons: [0.1], adversarial: [], distortion: [[0.1, 0.1]])
        XCTAssertThrowsError(try NoiseControl(.matching(reference)).run(model: model, examples: all.slice(0..<100), seed: 1)) {
            XCTAssertEqual($0 as? AttackError, .rowsNotLoaded(file: "ref.h5", loaded: 100))
        }
    }

    func testNoiseOfANegativeSizeIsRefused() {
        XCTAssertThrowsError(try NoiseControl(.standardDeviation(-1)))
        XCTAssertThrowsError(try NoiseControl(.standardDeviation(.nan)))
    }
}
