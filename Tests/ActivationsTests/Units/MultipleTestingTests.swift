import Engine
import XCTest
@testable import Activations

/// The statistics a verdict over several measures rests on: Holm's correction, the normal
/// quantile, the effect a test can detect, and the finding they lead to.
final class MultipleTestingTests: XCTestCase {
    func testHolmMultipliesTheKthSmallestPValueByMMinusKPlusOneAndKeepsTheOrder() {
        // Sorted: 0.01·3 = 0.03, 0.03·2 = 0.06, then max(0.06, 0.04·1) = 0.06.
        let adjusted = MultipleTesting.holm([0.04, 0.01, 0.03])
        XCTAssertEqual(adjusted[1], 0.03, accuracy: 1e-15)
        XCTAssertEqual(adjusted[2], 0.06, accuracy: 1e-15)
        XCTAssertEqual(adjusted[0], 0.06, accuracy: 1e-15)
    }

    func testHolmCapsAtOneAndLeavesNaNOutOfTheFamily() {
        let adjusted = MultipleTesting.holm([0.6, .nan, 0.02])
        XCTAssertEqual(adjusted[2], 0.04, accuracy: 1e-15, "m = 2: NaN is not a test")
        XCTAssertEqual(adjusted[0], 0.6, accuracy: 1e-15)
        XCTAssertTrue(adjusted[1].isNaN)
        XCTAssertEqual(MultipleTesting.holm([0.5, 0.7]), [1, 1])
    }

    func testTheNormalQuantileInvertsTheNormalDistribution() {
        for p in [0.001, 0.025, 0.2, 0.5, 0.8, 0.975, 0.9995] {
            let x = MultipleTesting.normalQuantile(p)
            XCTAssertEqual(0.5 * erfc(-x / 2.0.squareRoot()), p, accuracy: 1e-11)
        }
        XCTAssertEqual(MultipleTesting.normalQuantile(0.975), 1.959963984540054, accuracy: 1e-9)
    }

    func testTheDetectableEffectIsDetectedWithEightyPercentPowerInSimulation() {
        // Two normal samples whose shift gives the detectable Cliff's δ: P(X > Y) = Φ(shift/√2) = (1 + δ)/2.
        let (n1, n2, alpha) = (60, 40, 0.01)
        let delta = MultipleTesting.detectableCliffsDelta(n1: n1, n2: n2, alpha: alpha)
        let shift = 2.0.squareRoot() * MultipleTesting.normalQuantile((1 + delta) / 2)
        var g = SeededGenerator(seed: 11)
        let trials = 2000
        var rejected = 0
        for _ in 0..<trials {
            let a = (0..<n1).map { _ in Double(g.nextGaussian()) + shift }
            let b = (0..<n2).map { _ in Double(g.nextGaussian()) }
            if Statistics.mannWhitneyU(a, b).pValue < alpha { rejected += 1 }
        }
        // 2000 trials: the standard error of a rate of 0.8 is 0.009; the normal approximation of the U statistic adds a little.
        XCTAssertEqual(Double(rejected) / Double(trials), 0.8, accuracy: 0.04)
    }

    func testLargerSamplesDetectSmallerEffects() {
        let small = MultipleTesting.detectableCliffsDelta(n1: 20, n2: 20, alpha: 0.01)
        let large = MultipleTesting.detectableCliffsDelta(n1: 2000, n2: 2000, alpha: 0.01)
        XCTAssertGreaterThan(small, MultipleTesting.smallEffect)
        XCTAssertLessThan(large, MultipleTesting.smallEffect)
    }

    func testEffectSizesAreNamedByRomanosThresholds() {
        XCTAssertEqual(MultipleTesting.effectSize(cliffsDelta: -0.1), "negligible")
        XCTAssertEqual(MultipleTesting.effectSize(cliffsDelta: 0.2), "small")
        XCTAssertEqual(MultipleTesting.effectSize(cliffsDelta: -0.4), "medium")
        XCTAssertEqual(MultipleTesting.effectSize(cliffsDelta: 0.9), "large")
    }
}
