import Files
import Foundation

/// What the units analysis of one layer found, in a word: the headline a report leads with
/// ("units less coherent than random directions, purity 0.72 vs 0.80, p = 0.001").
public enum UnitsFinding: String, Sendable, Codable, CaseIterable {
    /// Unit directions gather more coherent top images than random directions, significantly.
    case unitsMoreCoherent = "units more coherent than random directions"
    /// Random directions gather more coherent top images than units, significantly.
    case unitsLessCoherent = "units less coherent than random directions"
    /// No significant difference: Szegedy et al.'s claim holds for the layer.
    case noMeasurableDifference = "units not measurably more coherent than random directions"
    /// No coherence measure could be computed (neither labels nor images).
    case notMeasured = "coherence not measured"
}

extension UnitsLayerResult {
    /// The comparison a verdict rests on: label purity where labels were available, else the first measure.
    public var primaryComparison: MeasureComparison? { comparisons.first { $0.measure == "purity" } ?? comparisons.first }

    /// The finding of the primary comparison at p < `Verdict.significance` (for entropy, lower is more coherent).
    public var finding: UnitsFinding {
        guard let primary = primaryComparison else { return .notMeasured }
        guard primary.test.pValue < Verdict.significance else { return .noMeasurableDifference }
        let lowerIsBetter = primary.measure == "entropy"
        let unitsAhead = lowerIsBetter ? primary.units.mean < primary.random.mean : primary.units.mean > primary.random.mean
        return unitsAhead ? .unitsMoreCoherent : .unitsLessCoherent
    }
}

/// The plain-words summary of a units analysis: what the numbers show and what they do not (the
/// `verdict` attribute of a units file).
public enum Verdict {
    /// p below which a difference is called significant.
    public static let significance = 0.01

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    static func pValue(_ p: Double) -> String {
        if p < 1e-6 { return "p < 1e-6" }
        return p < 0.001 ? String(format: "p = %.1e", p) : String(format: "p = %.3f", p)
    }

    /// One paragraph for `result`.
    static func text(for result: UnitsLayerResult, architecture: String, split: RecordedSplit, k: Int) -> String {
        var sentences: [String] = []
        let scope =
            "In layer \(result.layer) of this \(architecture) network (\(result.sampleCount) \(split) images, \(result.units.top.count) live units, \(result.random.top.count) random directions, top \(k) images each)"
        guard let primary = result.primaryComparison else {
            return scope + ", no coherence measure could be computed: the file has neither labels nor images, and none were found for its data set."
        }
        let finding = result.finding
        let significant = finding != .noMeasurableDifference
        let unitsAhead = finding == .unitsMoreCoherent
        let name = primary.measure == "purity" ? "label purity" : primary.measure == "cosine" ? "pixel cosine similarity" : "label entropy"
        let numbers =
            "\(name) \(format(primary.units.mean)) [\(format(primary.units.low)), \(format(primary.units.high))] for units vs \(format(primary.random.mean)) [\(format(primary.random.low)), \(format(primary.random.high))] for random directions, Mann–Whitney \(pValue(primary.test.pValue)), AUC \(format(primary.test.auc))"
        if significant {
            sentences.append(scope + ", unit directions are \(unitsAhead ? "more" : "less") coherent than random directions: " + numbers + ".")
        } else {
            sentences.append(
                scope + ", unit directions are not measurably more coherent than random directions: " + numbers
                    + ", which is not significant at \(significance).")
        }
        for other in result.comparisons where other.measure != primary.measure {
            let otherName = other.measure == "cosine" ? "Pixel cosine similarity" : "Label entropy (bits)"
            sentences.append("\(otherName): \(format(other.units.mean)) vs \(format(other.random.mean)), \(pValue(other.test.pValue)).")
        }
        if let detectors = result.detectors, !detectors.rotated.isEmpty {
            sentences.append(
                String(
                    format:
                        "%d of %d units are detectors (top-%d purity ≥ %.2f), against %.1f ± %.1f in %d randomly rotated bases (Bau et al.'s test).",
                    detectors.natural, result.units.top.count, k, detectors.threshold, detectors.rotatedMean,
                    detectors.rotatedSD.isNaN ? 0 : detectors.rotatedSD, detectors.rotated.count))
        }
        if significant && unitsAhead {
            sentences.append(
                "This is evidence against Szegedy et al.'s claim for this layer: its axes carry more of the label structure than arbitrary directions, as Bau et al. found in large convolutional networks."
            )
        } else if significant {
            sentences.append(
                "Here random directions gather more coherent images than units, which goes beyond Szegedy et al.'s claim that they do no worse.")
        } else {
            sentences.append(
                "This agrees with Szegedy et al.'s claim for this layer: the meaning is no more in the units than in arbitrary directions of the activation space."
            )
        }
        sentences.append(
            "What it does not show: labels measure only the semantics the data set names, coherence of the top \(k) images says nothing about what a direction does for the classification, and dead units (\(result.deadUnits.count)) are left out."
        )
        if !result.labelsAvailable { sentences.append("The file has no labels, so only the label-free pixel measure was used.") }
        return sentences.joined(separator: " ")
    }
}
