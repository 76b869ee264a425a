import Engine
import XCTest
@testable import Activations

/// The verdict says what the statistics say: every measure weighed after Holm's correction, effect
/// sizes, and whether the sample could have detected a small effect.
final class VerdictTests: XCTestCase {
    /// A layer result with `units` unit and `random` random directions, compared by `tests` (measure, units mean, random mean, p, δ).
    private func layer(units: Int = 100, random: Int = 100, _ tests: [(String, Double, Double, Double, Double)]) -> UnitsLayerResult {
        func family(_ name: String, _ count: Int) -> DirectionSet {
            DirectionSet(
                name: name, directions: Tensor(shape: [count, 1], scalars: [Float](repeating: 1, count: count)), unitIndices: [],
                top: [[Int]](repeating: [0], count: count), bottom: [[Int]](repeating: [0], count: count), purity: [], entropy: [], cosine: [])
        }
        let comparisons = tests.map { measure, u, r, p, delta in
            MeasureComparison(
                measure: measure, units: Interval(mean: u, low: u, high: u), random: Interval(mean: r, low: r, high: r),
                test: MannWhitneyResult(u: 0, pValue: p, z: 0, auc: (delta + 1) / 2, cliffsDelta: delta))
        }
        return UnitsLayerResult(
            layer: "h", unitKind: .position, pool: nil, unitCount: units, sampleCount: 1000, deadUnits: [], units: family("units", units),
            random: family("random", random),
            rotations: [], principalComponents: nil, comparisons: comparisons, detectors: nil, classSelectivity: [], labelsAvailable: true,
            imagesAvailable: true, verdict: "")
    }

    func testAMeasureSignificantAloneButNotAfterHolmIsNotAFinding() {
        // p = 0.006 < 0.01 alone, but 3 · 0.006 = 0.018 after Holm.
        let result = layer([("purity", 0.7, 0.6, 0.006, 0.3), ("entropy", 1.0, 1.1, 0.5, -0.05), ("cosine", 0.5, 0.5, 0.9, 0.01)])
        XCTAssertEqual(result.finding, .noMeasurableDifference)
        XCTAssertEqual(result.statisticalVerdict.measures[0].holmPValue, 0.018, accuracy: 1e-12)
        XCTAssertFalse(result.statisticalVerdict.measures[0].significant)
    }

    func testMeasuresThatDisagreeSignificantlyGiveAMixedFinding() {
        // Units purer (higher purity) but with less similar pixels (lower cosine), both significant.
        let result = layer([("purity", 0.8, 0.6, 1e-8, 0.6), ("cosine", 0.4, 0.6, 1e-8, -0.6)])
        XCTAssertEqual(result.finding, .mixed)
        let text = Verdict.text(for: result, architecture: "fc", split: .test, k: 10)
        XCTAssertTrue(text.contains("the measures disagree"), text)
    }

    func testLowerEntropyCountsForTheUnits() {
        let result = layer([("entropy", 0.5, 1.5, 1e-9, -0.7)])
        XCTAssertEqual(result.finding, .unitsMoreCoherent)
        XCTAssertTrue(result.statisticalVerdict.measures[0].unitsAhead)
    }

    func testFailingToRejectWithASmallSampleSaysTheSampleIsTooSmall() {
        let result = layer(units: 10, random: 10, [("purity", 0.6, 0.6, 0.8, 0.05)])
        let verdict = result.statisticalVerdict
        XCTAssertTrue(verdict.underpowered)
        let text = Verdict.text(for: result, architecture: "fc", split: .test, k: 10)
        XCTAssertTrue(text.contains("failing to reject is not agreement"), text)
        XCTAssertTrue(text.contains("too small to detect a small effect"), text)
        XCTAssertFalse(text.contains("agrees with"), text)
    }

    func testFailingToRejectWithALargeSampleSaysSmallEffectsWouldHaveBeenSeen() {
        let result = layer(units: 3000, random: 3000, [("purity", 0.6, 0.6, 0.8, 0.01)])
        XCTAssertFalse(result.statisticalVerdict.underpowered)
        let text = Verdict.text(for: result, architecture: "fc", split: .test, k: 10)
        XCTAssertTrue(text.contains("small effects (|δ| = 0.147) included"), text)
    }

    func testTheHeadlineQuotesThePrimaryMeasureWithItsHolmAdjustedPValue() {
        let result = layer([("purity", 0.72, 0.80, 0.002, -0.4), ("entropy", 1.2, 1.0, 0.2, 0.1)])
        XCTAssertEqual(result.statisticalVerdict.headline, "h: units less coherent than random directions, purity 0.720 vs 0.800, p = 0.004")
    }
}
