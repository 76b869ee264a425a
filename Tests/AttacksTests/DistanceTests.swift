import XCTest
@testable import Attacks
@testable import Engine

/// The distances attacks are measured by, and what makes an example adversarial.
final class DistanceTests: XCTestCase {
    private let clean = Tensor(shape: [2, 4], scalars: [0, 0.5, 1, 0.25, 0.1, 0.2, 0.3, 0.4])
    private let adversarial = Tensor(shape: [2, 4], scalars: [0.3, 0.1, 1, 0.25, 0.1, 0.2, 0.3, 0.4])

    func testEachDistanceIsItsFormulaOnAHandWorkedExample() {
        // Example 0 moves by (0.3, −0.4, 0, 0): ‖·‖₂ = 0.5, ‖·‖∞ = 0.4, RMS = 0.5 / 2; example 1 does not move.
        XCTAssertEqual(Distance.l2.measure(adversarial, from: clean)[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(Distance.linf.measure(adversarial, from: clean)[0], 0.4, accuracy: 1e-6)
        XCTAssertEqual(Distance.rms.measure(adversarial, from: clean)[0], 0.25, accuracy: 1e-6)
        for distance in Distance.allCases { XCTAssertEqual(distance.measure(adversarial, from: clean)[1], 0) }
    }

    func testFromZeroADistanceIsTheSizeOfThePerturbation() {
        let r: [Float] = [3, -4]
        XCTAssertEqual(Distance.l2.measure(r, from: nil, count: 2), 5)
        XCTAssertEqual(Distance.rms.measure(r, from: nil, count: 2), Float((12.5 as Double).squareRoot()))
    }

    func testUntargetedSuccessIsMisclassificationAndTargetedIsReachingTheTarget() {
        let untargeted = Criterion(labels: [3, 1], targets: nil)
        XCTAssertTrue(untargeted.isAdversarial(0, predicted: 2))
        XCTAssertFalse(untargeted.isAdversarial(1, predicted: 1))
        let targeted = Criterion(labels: [3, 1], targets: [5, 0])
        XCTAssertTrue(targeted.isAdversarial(0, predicted: 5))
        XCTAssertFalse(targeted.isAdversarial(1, predicted: 2), "misclassified but not as its target")
    }
}
