import Files
import Foundation

/// The plain-words summary of a units analysis: what the numbers show and what they do not.
enum Verdict {
    /// p below which a difference is called significant.
    static let significance = 0.01

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
        let primary = result.comparisons.first { $0.measure == "purity" } ?? result.comparisons.first
        guard let primary else {
            return scope + ", no coherence measure could be computed: the file has neither labels nor images, and none were found for its data set."
        }
        // For entropy lower is more coherent.
        let lowerIsBetter = primary.measure == "entropy"
        let unitsAhead = lowerIsBetter ? primary.units.mean < primary.random.mean : primary.units.mean > primary.random.mean
        let significant = primary.test.pValue < significance
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
