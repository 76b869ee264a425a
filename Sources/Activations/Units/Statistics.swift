import Foundation
import Engine

/// The outcome of a two-sided Mann–Whitney U test of sample `a` against sample `b`, with the
/// effect sizes that go with it.
///
/// `u`, `pValue` are what `scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
/// method="asymptotic", use_continuity=True)` returns as `statistic` and `pvalue`.
public struct MannWhitneyResult: Equatable, Sendable {
    /// U of sample `a`: the number of pairs `(x ∈ a, y ∈ b)` with `x > y`, ties counting ½.
    /// ```
    /// U_a = R_a − n_a(n_a + 1)/2      (R_a: sum of a's midranks in the pooled sample)
    /// ```
    public let u: Double
    /// The two-sided p-value of the tie-corrected normal approximation with continuity
    /// correction, in [0, 1]; 1 when every pooled value is equal.
    public let pValue: Double
    /// The signed standardised statistic, positive when `a` tends to be larger:
    /// ```
    /// z = sign(U_a − μ) · (|U_a − μ| − ½) / σ,   μ = n_a·n_b/2,
    /// σ² = n_a·n_b/12 · ((n + 1) − Σ(t³ − t) / (n(n − 1)))
    /// ```
    /// `|z|` is the statistic SciPy evaluates; 0 when `U_a = μ` or `σ = 0`.
    public let z: Double
    /// The common-language effect size (area under the ROC curve of `a` against `b`):
    /// ```
    /// auc = U_a / (n_a·n_b) = P(x > y) + ½·P(x = y),   x ∈ a, y ∈ b
    /// ```
    public let auc: Double
    /// Cliff's delta, `P(x > y) − P(x < y) = 2·auc − 1`, in [−1, 1].
    public let cliffsDelta: Double

    /// A result from its parts (the test computes them; see `Statistics.mannWhitneyU`).
    public init(u: Double, pValue: Double, z: Double, auc: Double, cliffsDelta: Double) {
        self.u = u
        self.pValue = pValue
        self.z = z
        self.auc = auc
        self.cliffsDelta = cliffsDelta
    }
}

/// The statistics the units-versus-random-directions analysis reports (Szegedy et al. 2014,
/// section 3): a rank test with effect sizes, a bootstrap interval for a mean, and the label
/// entropy and purity that score how semantically coherent a set of images is.
public enum Statistics {
    /// The two-sided Mann–Whitney U test (Mann and Whitney 1947) of `a` against `b` by the
    /// tie-corrected normal approximation with continuity correction, as SciPy computes it.
    ///
    /// Pooled midranks give `U_a`; SciPy takes the larger of `U_a` and `U_b = n_a·n_b − U_a`,
    /// subtracts the continuity correction from it and doubles the upper normal tail:
    /// ```
    /// z₊ = (max(U_a, U_b) − n_a·n_b/2 − ½) / σ
    /// p  = min(1, 2·Φ(−z₊)) = min(1, erfc(z₊/√2))
    /// σ  = √( n_a·n_b/12 · ((n + 1) − Σ_ties(t³ − t) / (n(n − 1))) ),   n = n_a + n_b
    /// ```
    /// This reproduces `scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
    /// method="asymptotic", use_continuity=True)` (scipy/stats/_mannwhitneyu.py). The tail is
    /// taken with `erfc`, not `1 − Φ`, so p-values far below 1e-16 keep their precision.
    ///
    /// - Parameters:
    ///   - a: the first sample (its U is reported), at least one value, no NaN.
    ///   - b: the second sample, at least one value, no NaN.
    /// - Returns: U of `a`, the two-sided p-value, the signed z, the AUC and Cliff's delta.
    ///   When every pooled value is equal (`σ = 0`) the p-value is 1 and z is 0.
    /// - Precondition: both samples are non-empty and contain no NaN.
    public static func mannWhitneyU(_ a: [Double], _ b: [Double]) -> MannWhitneyResult {
        precondition(!a.isEmpty && !b.isEmpty, "mannWhitneyU: sample a has \(a.count) values and sample b has \(b.count); both need at least one")
        precondition(!a.contains(where: \.isNaN) && !b.contains(where: \.isNaN), "mannWhitneyU: the samples contain NaN, which has no rank")

        let n1 = a.count
        let n2 = b.count
        let n = n1 + n2
        let pooled = a + b
        let order = pooled.indices.sorted { pooled[$0] < pooled[$1] }

        // Midranks: a run of t equal values at sorted positions i..<j (0-based) all get (i + 1 + j)/2.
        var rankSumA = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && pooled[order[end]] == pooled[order[start]] { end += 1 }
            let midrank = Double(start + 1 + end) / 2
            for position in start..<end where order[position] < n1 { rankSumA += midrank }
            let t = Double(end - start)
            tieTerm += t * t * t - t
            start = end
        }

        let product = Double(n1 * n2)
        let u1 = rankSumA - Double(n1 * (n1 + 1)) / 2
        let u2 = product - u1
        let mu = product / 2
        // NOTE: same operation order as SciPy's _get_mwu_z, so σ agrees to the last bits.
        let variance = product / 12 * (Double(n + 1) - tieTerm / Double(n * (n - 1)))
        let sigma = variance > 0 ? variance.squareRoot() : 0

        var pValue = 1.0
        var z = 0.0
        if sigma > 0 {
            // SciPy always subtracts the ½ from the larger U: its z₊ is negative only when U_a = μ,
            // where 2·Φ(−z₊) > 1 is clipped to 1.
            let zUpper = (max(u1, u2) - mu - 0.5) / sigma
            if zUpper >= 0 {
                pValue = min(1, erfc(zUpper * 0.5.squareRoot()))
                z = u1 > mu ? zUpper : (u1 < mu ? -zUpper : 0)
            }
        }
        let auc = u1 / product
        return MannWhitneyResult(u: u1, pValue: pValue, z: z, auc: auc, cliffsDelta: 2 * auc - 1)
    }

    /// A percentile-bootstrap confidence interval for the mean (Efron and Tibshirani 1993, ch. 13).
    ///
    /// Draws `resamples` samples of `values.count` values with replacement, takes each one's mean,
    /// and reports the `(1 − confidence)/2` and `(1 + confidence)/2` quantiles of those means
    /// (linear interpolation between order statistics, NumPy's default `percentile` rule):
    /// ```
    /// m*_r = mean(values[i_r1], …, values[i_rn]),  i_rk uniform in 0..<n
    /// low  = quantile(m*, (1 − confidence)/2),   high = quantile(m*, (1 + confidence)/2)
    /// ```
    /// Indices are drawn without modulo bias (Lemire's multiply-and-reject), so the result is a
    /// function of the generator's state alone.
    ///
    /// - Parameters:
    ///   - values: the sample, at least one value.
    ///   - resamples: how many bootstrap samples to draw, at least 1.
    ///   - confidence: the interval's coverage, strictly between 0 and 1.
    ///   - generator: the random stream; advanced by at least `resamples · values.count` draws.
    /// - Returns: the sample mean and the interval's bounds.
    /// - Precondition: `values` is non-empty, `resamples ≥ 1`, `0 < confidence < 1`.
    public static func bootstrapMeanInterval(
        _ values: [Double], resamples: Int = 2000, confidence: Double = 0.95, generator: inout SeededGenerator
    ) -> (mean: Double, low: Double, high: Double) {
        precondition(!values.isEmpty, "bootstrapMeanInterval: values is empty")
        precondition(resamples >= 1, "bootstrapMeanInterval: resamples is \(resamples); it must be at least 1")
        precondition(confidence > 0 && confidence < 1, "bootstrapMeanInterval: confidence is \(confidence); it must lie strictly between 0 and 1")

        let n = values.count
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[uniformIndex(below: n, using: &generator)] }
            means[r] = sum / Double(n)
        }
        means.sort()
        let tail = (1 - confidence) / 2
        return (mean(values), quantile(ofSorted: means, tail), quantile(ofSorted: means, 1 - tail))
    }

    /// The Shannon entropy of the label distribution, in bits:
    /// ```
    /// H = −Σ_c p_c · log₂ p_c,   p_c = #{labels = c} / n
    /// ```
    /// 0 when every label is the same, `log₂(classes)` at most.
    ///
    /// - Parameters:
    ///   - labels: the labels, at least one, each in `0..<classes`.
    ///   - classes: the number of classes.
    /// - Returns: the entropy in bits.
    /// - Precondition: `labels` is non-empty and every label is in `0..<classes`.
    public static func entropy(ofLabels labels: [Int], classes: Int) -> Double {
        precondition(!labels.isEmpty, "entropy(ofLabels:): labels is empty")
        var counts = [Int](repeating: 0, count: max(classes, 0))
        for label in labels {
            precondition(label >= 0 && label < classes, "entropy(ofLabels:): label \(label) is outside 0..<\(classes) (classes)")
            counts[label] += 1
        }
        let n = Double(labels.count)
        // Summed as p·log₂(1/p) so that a single class gives +0, not −0.
        return counts.reduce(0.0) { sum, count in
            count == 0 ? sum : sum + Double(count) / n * log2(n / Double(count))
        }
    }

    /// The share of the most common label (the purity of a cluster, Manning et al. 2008, 16.3):
    /// ```
    /// purity = max_c #{labels = c} / n
    /// ```
    ///
    /// - Parameter labels: the labels, at least one.
    /// - Returns: a value in [1/n, 1]; 1 when every label is the same.
    /// - Precondition: `labels` is non-empty.
    public static func purity(ofLabels labels: [Int]) -> Double {
        precondition(!labels.isEmpty, "purity(ofLabels:): labels is empty")
        var counts: [Int: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        return Double(counts.values.max() ?? 0) / Double(labels.count)
    }

    /// The arithmetic mean, `Σx / n`.
    ///
    /// - Parameter values: at least one value.
    /// - Returns: the mean.
    /// - Precondition: `values` is non-empty.
    public static func mean(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "mean: values is empty")
        return values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (Bessel-corrected, NumPy's `std(ddof=1)`):
    /// ```
    /// s = √( Σ(x − x̄)² / (n − 1) )
    /// ```
    ///
    /// - Parameter values: at least two values.
    /// - Returns: the standard deviation.
    /// - Precondition: `values` has at least two values.
    public static func standardDeviation(_ values: [Double]) -> Double {
        precondition(values.count >= 2, "standardDeviation: values has \(values.count) value(s); the sample standard deviation needs at least 2")
        let m = mean(values)
        let squares = values.reduce(0.0) { $0 + ($1 - m) * ($1 - m) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// A uniform index in `0..<n` by Lemire's nearly divisionless method ("Fast random integer
    /// generation in an interval", 2019): the high word of `next() · n`, rejecting the low words
    /// that would bias it.
    private static func uniformIndex(below n: Int, using generator: inout SeededGenerator) -> Int {
        let bound = UInt64(n)
        var product = generator.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = generator.next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// The `q` quantile of sorted values by linear interpolation (NumPy's `method="linear"`):
    /// position `h = (n − 1)·q` between `sorted[⌊h⌋]` and `sorted[⌊h⌋ + 1]`.
    private static func quantile(ofSorted sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let below = Int(h.rounded(.down))
        guard below + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[below] + (h - Double(below)) * (sorted[below + 1] - sorted[below])
    }
}
