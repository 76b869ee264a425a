import Foundation
import XCTest
@testable import Attacks
@testable import Engine

/// Szegedy's box-constrained L-BFGS: it reaches its targets with small, in-box perturbations,
/// brackets c, and batches do what single examples do.
final class BoxLBFGSTests: XCTestCase {
    /// The blob classifier, trained for 10 epochs on 300 images.
    private func model() throws -> (Sequential, Tensor, [Int]) { try BlobClassifier.trained(count: 300, epochs: 10) }

    func testItReachesTheTargetsWithSmallPerturbationsInsideTheBox() throws {
        let (model, x, labels) = try model()
        let images = x.rows(0..<24), truth = Array(labels[0..<24])
        let targets = truth.map { ($0 + 1) % 4 }
        let result = BoxLBFGS().attack(model: model, images: images, targets: targets)
        let outcome = AdversarialJudge.judge(model: model, clean: images, adversarial: result.adversarial, labels: truth, targets: targets)
        XCTAssertEqual(outcome.success.filter { $0 }.count, 24)
        XCTAssertTrue(result.adversarial.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        for i in 0..<24 {
            XCTAssertLessThan(result.cLow[i], result.cHigh[i])
            XCTAssertGreaterThan(result.iterations[i], 0)
        }
        // Smaller than the FGSM step that reaches the same targets: L-BFGS looks for the minimal perturbation.
        XCTAssertLessThan(outcome.distortion.reduce(0, +) / 24, 0.3)
    }

    func testAStricterBracketGivesNoLargerDistortion() throws {
        let (model, x, labels) = try model()
        let images = x.rows(0..<12), truth = Array(labels[0..<12])
        let targets = truth.map { ($0 + 2) % 4 }
        var coarse = BoxLBFGS()
        coarse.cSearchSteps = 3
        var fine = BoxLBFGS()
        fine.cSearchSteps = 12
        fine.bracketTolerance = 0.05
        let judge = { (r: BoxLBFGS.Result) in
            AdversarialJudge.judge(model: model, clean: images, adversarial: r.adversarial, labels: truth, targets: targets)
        }
        let a = judge(coarse.attack(model: model, images: images, targets: targets))
        let b = judge(fine.attack(model: model, images: images, targets: targets))
        let meanA = zip(a.distortion, a.success).filter { $0.1 }.map(\.0).reduce(0, +) / Float(max(1, a.success.filter { $0 }.count))
        let meanB = zip(b.distortion, b.success).filter { $0.1 }.map(\.0).reduce(0, +) / Float(max(1, b.success.filter { $0 }.count))
        XCTAssertLessThanOrEqual(meanB, meanA * 1.01)
        XCTAssertGreaterThanOrEqual(b.success.filter { $0 }.count, a.success.filter { $0 }.count)
    }

    func testABatchReachesWhatEachExampleReachesAlone() throws {
        let (model, x, labels) = try model()
        let images = x.rows(0..<6), truth = Array(labels[0..<6])
        let targets = truth.map { ($0 + 3) % 4 }
        let batch = BoxLBFGS().attack(model: model, images: images, targets: targets)
        let batchOutcome = AdversarialJudge.judge(model: model, clean: images, adversarial: batch.adversarial, labels: truth, targets: targets)
        for i in 0..<6 {
            let one = images.rows(i..<(i + 1))
            let alone = BoxLBFGS().attack(model: model, images: one, targets: [targets[i]])
            let aloneOutcome = AdversarialJudge.judge(
                model: model, clean: one, adversarial: alone.adversarial, labels: [truth[i]], targets: [targets[i]])
            XCTAssertTrue(aloneOutcome.success[0] && batchOutcome.success[i], "example \(i)")
            // NOTE: a product in a batch of another size rounds differently (OpenBLAS picks its kernel by shape and
            // CPU), and L-BFGS-B amplifies a last-bit difference in the gradient into another path to the box's
            // minimum: the images need not agree, only the distortion each path reaches, here within 10%.
            XCTAssertEqual(aloneOutcome.distortion[0], batchOutcome.distortion[i], accuracy: 0.1 * batchOutcome.distortion[i], "example \(i)")
        }
    }

    func testAnExampleWithoutAFiniteGradientIsReportedAndTheOthersStillSucceed() throws {
        let (model, x, labels) = try model()
        var images = x.rows(0..<8)
        images.scalars[3 * 64 + 10] = .nan  // example 3's gradient is NaN from the first evaluation
        let truth = Array(labels[0..<8]), targets = truth.map { ($0 + 1) % 4 }
        let result = BoxLBFGS().attack(model: model, images: images, targets: targets)
        XCTAssertEqual(result.failed, [3])
        let others = [0, 1, 2, 4, 5, 6, 7]
        let outcome = AdversarialJudge.judge(
            model: model, clean: images.gathering(rows: others),
            adversarial: result.adversarial.gathering(rows: others),
            labels: others.map { truth[$0] }, targets: others.map { targets[$0] })
        XCTAssertEqual(outcome.success, Array(repeating: true, count: 7))
    }

    func testTheStoppingTolerancesTradeIterationsForNoDistortion() throws {
        let (model, x, labels) = try model()
        let images = x.rows(0..<16), truth = Array(labels[0..<16]), targets = truth.map { ($0 + 2) % 4 }
        var strict = BoxLBFGS()
        (strict.convergenceFactor, strict.projectedGradientTolerance) = (1e7, 1e-5)  // SciPy's defaults
        let loose = BoxLBFGS()
        let a = strict.attack(model: model, images: images, targets: targets)
        let b = loose.attack(model: model, images: images, targets: targets)
        func meanDistortion(_ r: BoxLBFGS.Result) -> Float {
            AdversarialJudge.judge(model: model, clean: images, adversarial: r.adversarial, labels: truth, targets: targets)
                .distortion.reduce(0, +) / 16
        }
        XCTAssertLessThanOrEqual(b.iterations.reduce(0, +), a.iterations.reduce(0, +))
        XCTAssertEqual(meanDistortion(b), meanDistortion(a), accuracy: 0.05 * meanDistortion(a))
    }
}
