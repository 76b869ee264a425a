import Files
import Foundation

/// What the units analysis of one layer found, in a word: the headline a report leads with
/// ("units less coherent than random directions, purity 0.72 vs 0.80, p = 0.001").
public enum UnitsFinding: String, Sendable, Codable, CaseIterable {
    /// Unit directions gather more coherent top images than random directions, significantly.
    case unitsMoreCoherent = "units more coherent than random directions"
    /// Random directions gather more coherent top images than units, significantly.
    case unitsLessCoherent = "units less coherent than random directions"
    /// Significant differences in both directions, by different measures.
    case mixed = "units more coherent by one measure and less by another"
    /// No significant difference by any measure (which is not evidence of no difference).
    case noMeasurableDifference = "units not measurably more coherent than random directions"
    /// No coherence measure could be computed (neither labels nor images).
    case notMeasured = "coherence not measured"
}

/// One coherence measure's part in a verdict: its means, its p-value before and after Holm's
/// correction for the several measures tested, and its effect size.
public struct MeasureVerdict: Sendable, Equatable, Encodable {
    /// `purity`, `entropy` or `cosine`.
    public var measure: String
    /// Mean over the unit directions.
    public var unitsMean: Double
    /// Mean over the random directions.
    public var randomMean: Double
    /// The Mann–Whitney p-value of this measure alone.
    public var pValue: Double
    /// The Holm-adjusted p-value over the measures of the layer.
    public var holmPValue: Double
    /// Cliff's δ of units against random directions (positive: units score higher).
    public var cliffsDelta: Double
    /// Romano et al.'s name for |δ|: negligible, small, medium, large.
    public var effectSize: String
    /// Whether the adjusted p-value is below the verdict's α.
    public var significant: Bool
    /// Whether the units are the more coherent group by this measure (for entropy, lower is more coherent).
    public var unitsAhead: Bool

    private enum CodingKeys: String, CodingKey {
        case measure, unitsMean = "units_mean", randomMean = "random_mean", pValue = "p_value", holmPValue = "holm_p_value"
        case cliffsDelta = "cliffs_delta", effectSize = "effect_size", significant, unitsAhead = "units_ahead"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        try container.encode(measure, forKey: .measure)
        try container.encode(finite(unitsMean), forKey: .unitsMean)
        try container.encode(finite(randomMean), forKey: .randomMean)
        try container.encode(finite(pValue), forKey: .pValue)
        try container.encode(finite(holmPValue), forKey: .holmPValue)
        try container.encode(finite(cliffsDelta), forKey: .cliffsDelta)
        try container.encode(effectSize, forKey: .effectSize)
        try container.encode(significant, forKey: .significant)
        try container.encode(unitsAhead, forKey: .unitsAhead)
    }
}

/// The statistics behind a layer's verdict: every measure weighed, corrected for testing several
/// (Holm), with effect sizes and the smallest effect the sample could detect.
public struct UnitsVerdict: Sendable, Equatable, Encodable {
    /// The layer.
    public var layer: String
    /// The finding.
    public var finding: UnitsFinding
    /// The family-wise significance level.
    public var alpha: Double
    /// Each measure, in the analysis's order (purity, entropy, cosine).
    public var measures: [MeasureVerdict]
    /// The smallest |Cliff's δ| detected with 80% power at Holm's strictest threshold α/m.
    public var detectableCliffsDelta: Double
    /// Whether the sample is too small to detect a small effect (|δ| = 0.147) that way.
    public var underpowered: Bool
    /// The one-line headline ("sigmoid2: units less coherent than random directions, purity 0.72 vs 0.80, p = 0.001").
    public var headline: String

    private enum CodingKeys: String, CodingKey {
        case layer, finding, alpha, measures, detectableCliffsDelta = "detectable_cliffs_delta", underpowered, headline
    }
}

extension UnitsLayerResult {
    /// The comparison a headline quotes: label purity where labels were available, else the first measure.
    public var primaryComparison: MeasureComparison? { comparisons.first { $0.measure == "purity" } ?? comparisons.first }

    /// The statistics of the verdict at family-wise level `Verdict.significance`.
    public var statisticalVerdict: UnitsVerdict {
        let alpha = Verdict.significance
        let adjusted = MultipleTesting.holm(comparisons.map(\.test.pValue))
        let measures = zip(comparisons, adjusted).map { c, holm in
            let lowerIsBetter = c.measure == "entropy"
            return MeasureVerdict(
                measure: c.measure, unitsMean: c.units.mean, randomMean: c.random.mean, pValue: c.test.pValue, holmPValue: holm,
                cliffsDelta: c.test.cliffsDelta, effectSize: MultipleTesting.effectSize(cliffsDelta: c.test.cliffsDelta),
                significant: holm < alpha,
                unitsAhead: lowerIsBetter ? c.units.mean < c.random.mean : c.units.mean > c.random.mean)
        }
        let significant = measures.filter(\.significant)
        let finding: UnitsFinding
        if measures.isEmpty {
            finding = .notMeasured
        } else if significant.isEmpty {
            finding = .noMeasurableDifference
        } else if significant.allSatisfy(\.unitsAhead) {
            finding = .unitsMoreCoherent
        } else if significant.allSatisfy({ !$0.unitsAhead }) {
            finding = .unitsLessCoherent
        } else {
            finding = .mixed
        }
        let detectable = MultipleTesting.detectableCliffsDelta(
            n1: units.top.count, n2: random.top.count, alpha: alpha / Double(max(measures.count, 1)))
        var headline = "\(layer): \(finding.rawValue)"
        if let primary = measures.first(where: { $0.measure == primaryComparison?.measure }) {
            headline +=
                ", \(primary.measure) \(Verdict.format(primary.unitsMean)) vs \(Verdict.format(primary.randomMean)), \(Verdict.pValue(primary.holmPValue))"
        }
        return UnitsVerdict(
            layer: layer, finding: finding, alpha: alpha, measures: measures, detectableCliffsDelta: detectable,
            underpowered: detectable > MultipleTesting.smallEffect, headline: headline)
    }

    /// The finding of every measure at family-wise level `Verdict.significance` (Holm).
    public var finding: UnitsFinding { statisticalVerdict.finding }
}

/// The plain-words summary of a units analysis: what the numbers show and what they do not (the
/// `verdict` attribute of a units file, printed by `probe units` and quoted by the report).
public enum Verdict {
    /// The family-wise level below which a difference is called significant.
    public static let significance = 0.01

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    static func pValue(_ p: Double) -> String {
        if p < 1e-6 { return "p < 1e-6" }
        return p < 0.001 ? String(format: "p = %.1e", p) : String(format: "p = %.3f", p)
    }

    static func measureName(_ measure: String) -> String {
        measure == "purity" ? "label purity" : measure == "cosine" ? "pixel cosine similarity" : "label entropy (bits)"
    }

    /// One paragraph for `result`.
    static func text(for result: UnitsLayerResult, architecture: String, split: RecordedSplit, k: Int) -> String {
        var sentences: [String] = []
        let scope =
            "In layer \(result.layer) of this \(architecture) network (\(result.sampleCount) \(split) images, \(result.liveUnitsDescription), \(result.random.top.count) random directions, top \(k) images each)"
        let verdict = result.statisticalVerdict
        guard let primary = result.primaryComparison else {
            return scope + ", no coherence measure could be computed: the file has neither labels nor images, and none were found for its data set."
        }
        let m = verdict.measures.count
        let numbers =
            "\(measureName(primary.measure)) \(format(primary.units.mean)) [\(format(primary.units.low)), \(format(primary.units.high))] for units vs \(format(primary.random.mean)) [\(format(primary.random.low)), \(format(primary.random.high))] for random directions"
        switch verdict.finding {
        case .unitsMoreCoherent, .unitsLessCoherent:
            let more = verdict.finding == .unitsMoreCoherent
            sentences.append(scope + ", unit directions are \(more ? "more" : "less") coherent than random directions: " + numbers + ".")
        case .mixed:
            sentences.append(scope + ", the measures disagree: units are more coherent by some and less by others; " + numbers + ".")
        case .noMeasurableDifference, .notMeasured:
            sentences.append(scope + ", unit directions are not measurably more coherent than random directions: " + numbers + ".")
        }
        let parts = verdict.measures.map { v in
            "\(v.measure) \(format(v.unitsMean)) vs \(format(v.randomMean)), \(pValue(v.pValue)) (Holm \(pValue(v.holmPValue).dropFirst(2))), Cliff's δ = \(String(format: "%+.2f", v.cliffsDelta)) (\(v.effectSize))"
        }
        sentences.append(
            "Two-sided Mann–Whitney tests of \(m) measure\(m == 1 ? "" : "s"), Holm-corrected at α = \(significance): "
                + parts.joined(separator: "; ") + ".")
        let power = String(
            format: "With %d units against %d random directions, the tests detect an effect of |δ| ≥ %.2f with 80%% power at α/%d",
            result.units.top.count, result.random.top.count, verdict.detectableCliffsDelta, m)
        sentences.append(
            power
                + (verdict.underpowered
                    ? String(format: ": the sample is too small to detect a small effect (|δ| = %.3f).", MultipleTesting.smallEffect)
                    : String(format: ", small effects (|δ| = %.3f) included.", MultipleTesting.smallEffect)))
        if let detectors = result.detectors, !detectors.rotated.isEmpty {
            sentences.append(
                String(
                    format:
                        "%d of %d units are detectors (top-%d purity ≥ %.2f), against %.1f ± %.1f in %d randomly rotated bases (Bau et al.'s test).",
                    detectors.natural, result.units.top.count, k, detectors.threshold, detectors.rotatedMean,
                    detectors.rotatedSD.isNaN ? 0 : detectors.rotatedSD, detectors.rotated.count))
        }
        switch verdict.finding {
        case .unitsMoreCoherent:
            sentences.append(
                "This is evidence against Szegedy et al.'s claim for this layer: its axes carry more of the label structure than arbitrary directions, as Bau et al. found in large convolutional networks."
            )
        case .unitsLessCoherent:
            sentences.append(
                "Here random directions gather more coherent images than units, which goes beyond Szegedy et al.'s claim that they do no worse.")
        case .mixed:
            sentences.append("No single conclusion follows: which directions look more meaningful depends on how coherence is measured.")
        case .noMeasurableDifference, .notMeasured:
            sentences.append(
                "This does not contradict Szegedy et al.'s claim that the meaning is no more in the units than in arbitrary directions, but failing to reject is not agreement: "
                    + (verdict.underpowered
                        ? String(format: "effects smaller than |δ| = %.2f cannot be ruled out with this sample.", verdict.detectableCliffsDelta)
                        : "an effect of any size that matters would most likely have been detected."))
        }
        sentences.append(
            "What it does not show: labels measure only the semantics the data set names, coherence of the top \(k) images says nothing about what a direction does for the classification, and dead units (\(result.deadUnits.count)) are left out."
        )
        if !result.labelsAvailable { sentences.append("The file has no labels, so only the label-free pixel measure was used.") }
        return sentences.joined(separator: " ")
    }
}
