import Activations
import Foundation
import Engine
import TestSupport
import XCTest

/// Checks `Statistics` against SciPy, run in the test through python3, and against small hand examples.
///
/// Needs python3 with SciPy on PATH; fails, rather than skips, without it.
final class StatisticsTests: XCTestCase {
    // MARK: Mann–Whitney U against scipy.stats.mannwhitneyu

    func testMannWhitneyMatchesSciPyOnDistinctValuesOfUnequalSizes() throws {
        try assertMatchesSciPy([1.2, 3.4, 0.5, 2.2, 5.1], [0.1, 0.3, 2.0, 1.1, 0.7, 0.9, 4.0, 0.2])
    }

    func testMannWhitneyMatchesSciPyWithHeavyTies() throws {
        // Four distinct values over 75 observations: every rank is a midrank and the tie term is large.
        let a = (0..<30).map { Double(($0 * 7) % 4) }
        let b = (0..<45).map { Double(($0 * 5 + 1) % 3) }
        let result = try assertMatchesSciPy(a, b)
        XCTAssertNotEqual(result.u, Double(a.count * b.count) / 2, "the example should not sit at the null mean")
    }

    func testMannWhitneyMatchesSciPyWithRoundedFloatsAndManySmallTies() throws {
        var generator = SeededGenerator(seed: 11)
        let a = (0..<200).map { _ in (Double(generator.nextGaussian()) * 10).rounded() / 10 + 0.15 }
        let b = (0..<137).map { _ in (Double(generator.nextGaussian()) * 10).rounded() / 10 }
        try assertMatchesSciPy(a, b)
    }

    func testMannWhitneyMatchesSciPyWhenPValueIsBelow1eMinus20() throws {
        let a = (0..<80).map { Double($0) + 100 }
        let b = (0..<80).map { Double($0) * 0.5 }
        let result = try assertMatchesSciPy(a, b)
        XCTAssertLessThan(result.pValue, 1e-20)
        XCTAssertGreaterThan(result.pValue, 0, "erfc keeps the tail; 1 − Φ would round it to 0")
        XCTAssertEqual(result.auc, 1)
        XCTAssertEqual(result.cliffsDelta, 1)
    }

    func testMannWhitneyMatchesSciPyWhenSampleAIsSmallerAndZIsNegative() throws {
        let a = [-3.0, -1.5, 0, 0, 0.25, -2.0, 1.0]
        let b = [0, 2.5, 3.0, 1.0, 4.5, 0.25, 6.0, 2.0, 2.0]
        let result = try assertMatchesSciPy(a, b)
        XCTAssertLessThan(result.z, 0)
        XCTAssertLessThan(result.cliffsDelta, 0)
    }

    func testMannWhitneyMatchesSciPyOnSingleValues() throws {
        try assertMatchesSciPy([1], [2])
        try assertMatchesSciPy([3], [0.5, 1, 2, 2.5])
    }

    func testMannWhitneyOfIdenticalSamplesMatchesSciPyWithPValueOne() throws {
        // U_a = μ exactly: SciPy's z is −½/σ and its doubled tail is clipped to 1.
        let result = try assertMatchesSciPy([1, 2, 3, 4], [1, 2, 3, 4])
        XCTAssertEqual(result.pValue, 1)
        XCTAssertEqual(result.z, 0)
        XCTAssertEqual(result.auc, 0.5)
        XCTAssertEqual(result.cliffsDelta, 0)
    }

    func testMannWhitneyOfAllEqualValuesHasPValueOne() throws {
        // σ = 0: every pooled value is tied.
        let result = try assertMatchesSciPy([2, 2, 2], [2, 2, 2, 2, 2])
        XCTAssertEqual(result.u, 7.5)
        XCTAssertEqual(result.pValue, 1)
        XCTAssertEqual(result.z, 0)
        XCTAssertEqual(result.auc, 0.5)
    }

    func testMannWhitneyUOfSwappedSamplesIsTheComplement() {
        let a = [0.3, 1.7, 2.2, 2.2, 5.0]
        let b = [0.1, 2.2, 0.4, 1.0]
        let ab = Statistics.mannWhitneyU(a, b)
        let ba = Statistics.mannWhitneyU(b, a)
        XCTAssertEqual(ab.u + ba.u, Double(a.count * b.count))
        XCTAssertEqual(ab.pValue, ba.pValue)
        XCTAssertEqual(ab.z, -ba.z)
        XCTAssertEqual(ab.auc, 1 - ba.auc, accuracy: 1e-15)
    }

    // MARK: Bootstrap

    func testBootstrapIntervalContainsTheMeanAndIsReproducibleForASeed() {
        let values = sample(count: 50, seed: 3)
        var first = SeededGenerator(seed: 42)
        var second = SeededGenerator(seed: 42)
        var other = SeededGenerator(seed: 43)
        let a = Statistics.bootstrapMeanInterval(values, generator: &first)
        let b = Statistics.bootstrapMeanInterval(values, generator: &second)
        let c = Statistics.bootstrapMeanInterval(values, generator: &other)

        XCTAssertEqual(a.mean, Statistics.mean(values))
        XCTAssertLessThan(a.low, a.mean)
        XCTAssertLessThan(a.mean, a.high)
        XCTAssertEqual([a.mean, a.low, a.high], [b.mean, b.low, b.high])
        XCTAssertEqual(first.next(), second.next(), "both generators advanced by the same number of draws")
        XCTAssertNotEqual([a.low, a.high], [c.low, c.high], "another seed resamples differently")
    }

    func testBootstrapIntervalNarrowsWithSampleSizeLikeTheStandardError() {
        var generator = SeededGenerator(seed: 7)
        func width(_ n: Int) -> (bootstrap: Double, normal: Double) {
            let values = sample(count: n, seed: UInt64(n))
            let interval = Statistics.bootstrapMeanInterval(values, generator: &generator)
            // The normal-theory 95% width, 2 · 1.96 · s/√n, which the percentile bootstrap approaches.
            return (interval.high - interval.low, 2 * 1.959964 * Statistics.standardDeviation(values) / Double(n).squareRoot())
        }
        let small = width(20)
        let large = width(2000)
        XCTAssertLessThan(large.bootstrap, small.bootstrap / 5)
        XCTAssertEqual(large.bootstrap / large.normal, 1, accuracy: 0.1)
    }

    func testBootstrapIntervalHonoursTheConfidenceLevel() {
        let values = sample(count: 100, seed: 5)
        var g90 = SeededGenerator(seed: 1)
        var g99 = SeededGenerator(seed: 1)
        let narrow = Statistics.bootstrapMeanInterval(values, resamples: 4000, confidence: 0.90, generator: &g90)
        let wide = Statistics.bootstrapMeanInterval(values, resamples: 4000, confidence: 0.99, generator: &g99)
        // Same resamples, so the 99% bounds lie outside the 90% ones; normal ratio 2.576/1.645 ≈ 1.57.
        XCTAssertLessThan(wide.low, narrow.low)
        XCTAssertGreaterThan(wide.high, narrow.high)
        XCTAssertEqual((wide.high - wide.low) / (narrow.high - narrow.low), 2.5758 / 1.6449, accuracy: 0.15)
    }

    func testBootstrapOfOneValueIsThatValue() {
        var generator = SeededGenerator(seed: 9)
        let interval = Statistics.bootstrapMeanInterval([3.25], resamples: 10, generator: &generator)
        XCTAssertEqual([interval.mean, interval.low, interval.high], [3.25, 3.25, 3.25])
    }

    // MARK: Entropy, purity, moments

    func testEntropyInBitsOnHandExamples() {
        XCTAssertEqual(Statistics.entropy(ofLabels: [4, 4, 4, 4], classes: 10), 0)
        XCTAssertEqual(Statistics.entropy(ofLabels: [4, 4, 4, 4], classes: 10).sign, .plus)
        XCTAssertEqual(Statistics.entropy(ofLabels: [0, 1], classes: 2), 1, accuracy: 1e-15)
        XCTAssertEqual(Statistics.entropy(ofLabels: [0, 1, 2, 3], classes: 4), 2, accuracy: 1e-15)
        // ½·log₂2 + ¼·log₂4 + ¼·log₂4 = 1.5
        XCTAssertEqual(Statistics.entropy(ofLabels: [0, 0, 1, 2], classes: 3), 1.5, accuracy: 1e-15)
        XCTAssertEqual(Statistics.entropy(ofLabels: Array(0..<10), classes: 10), log2(10), accuracy: 1e-14)
        // Classes that never occur add nothing.
        XCTAssertEqual(Statistics.entropy(ofLabels: [7, 9], classes: 10), 1, accuracy: 1e-15)
    }

    func testPurityOnHandExamples() {
        XCTAssertEqual(Statistics.purity(ofLabels: [4, 4, 4, 4]), 1)
        XCTAssertEqual(Statistics.purity(ofLabels: [0, 1]), 0.5)
        XCTAssertEqual(Statistics.purity(ofLabels: [0, 0, 1, 2]), 0.5)
        XCTAssertEqual(Statistics.purity(ofLabels: [3, 1, 3, 3, 2, 1, 3, 0, 3]), 5.0 / 9.0)
        XCTAssertEqual(Statistics.purity(ofLabels: Array(0..<9)), 1.0 / 9.0)
    }

    func testMeanAndSampleStandardDeviation() {
        let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        XCTAssertEqual(Statistics.mean(values), 5)
        XCTAssertEqual(Statistics.standardDeviation(values), (32.0 / 7.0).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(Statistics.standardDeviation([1, 1, 1]), 0)
    }

    // MARK: Helpers

    /// `count` skewed (exponential) values fixed by `seed`.
    private func sample(count: Int, seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in -log(1 - Double(generator.nextUniform())) }
    }

    /// Runs SciPy's asymptotic two-sided test on the same samples, checks every field of our result
    /// against it (p-value to 1e-12 relative, U exactly) and returns our result.
    @discardableResult
    private func assertMatchesSciPy(
        _ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line
    ) throws -> MannWhitneyResult {
        let ours = Statistics.mannWhitneyU(a, b)
        let output = try Python.run(
            """
            import json, sys
            try:
                import numpy as np
                from scipy import stats
            except ImportError as error:
                print(f"SciPy is not installed ({error}); install it with `python3 -m pip install scipy`", file=sys.stderr)
                sys.exit(3)
            a, b = (np.array(json.loads(arg), dtype=np.float64) for arg in sys.argv[1:3])
            r = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
            # z by the textbook route (tiecorrect, signed continuity correction), independent of our code.
            n1, n2 = len(a), len(b)
            n = n1 + n2
            ranks = stats.rankdata(np.concatenate([a, b]))
            u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
            sigma = np.sqrt(n1 * n2 * (n + 1) / 12 * stats.tiecorrect(ranks))
            d = u1 - n1 * n2 / 2
            z = 0.0 if d == 0 or sigma == 0 else np.sign(d) * (abs(d) - 0.5) / sigma
            greater = (a[:, None] > b[None, :]).mean()
            less = (a[:, None] < b[None, :]).mean()
            auc = greater + 0.5 * (a[:, None] == b[None, :]).mean()
            for value in (r.statistic, r.pvalue, z, auc, greater - less):
                print(repr(float(value)))
            """, arguments: [json(a), json(b)])
        let numbers = output.split(separator: "\n").compactMap { Double($0) }
        guard numbers.count == 5 else {
            XCTFail("unexpected output from python3: \(output)", file: file, line: line)
            return ours
        }
        let (u, p, z, auc, delta) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])
        XCTAssertEqual(ours.u, u, "U", file: file, line: line)
        XCTAssertEqual(ours.pValue, p, accuracy: 1e-12 * p, "p-value (SciPy \(p), ours \(ours.pValue))", file: file, line: line)
        XCTAssertEqual(ours.z, z, accuracy: 1e-12 * max(1, abs(z)), "z", file: file, line: line)
        XCTAssertEqual(ours.auc, auc, accuracy: 1e-14, "AUC", file: file, line: line)
        XCTAssertEqual(ours.cliffsDelta, delta, accuracy: 1e-14, "Cliff's delta", file: file, line: line)
        return ours
    }

    /// A JSON array of the values, each written in its shortest round-trip form.
    private func json(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }

}
