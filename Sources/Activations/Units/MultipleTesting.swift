import Foundation

/// The corrections and power figures a verdict over several measures needs: Holm's step-down
/// adjustment (Holm 1979), the normal quantile, and the smallest Mann–Whitney effect a test of
/// given sizes detects.
public enum MultipleTesting {
    /// Holm-adjusted p-values, in the order given: with p₍₁₎ ≤ … ≤ p₍ₘ₎,
    /// p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where p̃ < α keeps the family-wise
    /// error rate at α. NaN p-values stay NaN and do not count in m.
    public static func holm(_ pValues: [Double]) -> [Double] {
        let order = pValues.indices.filter { !pValues[$0].isNaN }.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        let m = order.count
        var adjusted = pValues.map { $0.isNaN ? Double.nan : 1 }
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// The standard normal quantile Φ⁻¹(p), by bisection on Φ(x) = erfc(−x/√2)/2 to 1e-12.
    /// - Precondition: 0 < p < 1.
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "normalQuantile: p = \(p) must lie in (0, 1)")
        var (low, high) = (-40.0, 40.0)
        while high - low > 1e-12 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The smallest |Cliff's δ| that a two-sided Mann–Whitney test of `n1` against `n2` values
    /// detects with probability `power` at level `alpha`, by the normal approximation of the AUC
    /// under the null (variance (n1 + n2 + 1)/(12·n1·n2)): δ = 2·(z₁₋α/₂ + z_power)·√variance.
    public static func detectableCliffsDelta(n1: Int, n2: Int, alpha: Double, power: Double = 0.8) -> Double {
        guard n1 > 0, n2 > 0 else { return .infinity }
        let variance = Double(n1 + n2 + 1) / (12 * Double(n1) * Double(n2))
        return min(1, 2 * (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * variance.squareRoot())
    }

    /// Romano et al.'s (2006) names for the size of Cliff's δ: below 0.147 negligible, below 0.33
    /// small, below 0.474 medium, else large.
    public static func effectSize(cliffsDelta delta: Double) -> String {
        let size = abs(delta)
        if size.isNaN { return "not measured" }
        return size < smallEffect ? "negligible" : size < 0.33 ? "small" : size < 0.474 ? "medium" : "large"
    }

    /// The smallest |δ| that is not negligible (Romano et al. 2006): the effect a verdict asks the sample to detect.
    public static let smallEffect = 0.147
}
