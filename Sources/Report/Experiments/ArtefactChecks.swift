import Activations
import Attacks
import Engine
import Foundation

/// The checks `probe reproduce --check` makes of what a run wrote, each recomputed from the files
/// in plain arithmetic rather than taken from the tool's summaries: pixels in [0, 1] and finite,
/// FGSM perturbations within ε, distortions equal to those of the stored images, top sets that are
/// the activations' largest projections, rotated bases that are orthonormal, and Lipschitz bounds
/// that hold on pairs of real images.
public enum ArtefactChecks {
    /// The checks of one attack file, whose clean images are `clean` (N, …).
    public static func attack(_ contents: AttackFile.Contents, clean: Tensor) -> [ExperimentCheck] {
        let name = URL(fileURLWithPath: contents.path).lastPathComponent
        let size = clean.count / max(contents.labels.count, 1)
        var checks: [ExperimentCheck] = []
        var outside = 0, notFinite = 0, beyondEpsilon = 0, worstDistortionError = 0.0
        for (run, images) in contents.adversarial.enumerated() {
            let epsilon = contents.epsilons[run]
            for example in 0..<contents.labels.count {
                var squares = 0.0, largest: Float = 0
                for j in 0..<size {
                    let value = images.scalars[example * size + j]
                    if !value.isFinite { notFinite += 1 } else if value < 0 || value > 1 { outside += 1 }
                    let r = value - clean.scalars[example * size + j]
                    squares += Double(r) * Double(r)
                    largest = max(largest, abs(r))
                }
                // Float32 pixels: a perturbation of ε is ε ± one rounding of values in [0, 1].
                if ["fgsm", "bim", "pgd"].contains(contents.method) && largest > epsilon + 1e-6 { beyondEpsilon += 1 }
                let distortion = (squares / Double(size)).squareRoot()
                let stored = Double(contents.distortion[run][example])
                worstDistortionError = max(worstDistortionError, abs(distortion - stored) / max(distortion, 1e-12))
            }
        }
        checks.append(
            ExperimentCheck(
                "\(name): every pixel finite and in [0, 1]", passed: outside == 0 && notFinite == 0,
                detail: "\(outside) outside, \(notFinite) not finite"))
        // Only the FGSM family bounds ‖r‖∞ by ε (a noise control matched to one carries its radii but not its bound).
        if ["fgsm", "bim", "pgd"].contains(contents.method) {
            checks.append(ExperimentCheck("\(name): ‖r‖∞ ≤ ε for every example", passed: beyondEpsilon == 0, detail: "\(beyondEpsilon) beyond ε"))
        }
        // Stored as float32: a relative difference within a few float32 roundings.
        checks.append(
            ExperimentCheck(
                "\(name): distortions recomputed from the images equal the stored ones", passed: worstDistortionError < 1e-5,
                detail: String(format: "largest relative difference %.2g", worstDistortionError)))
        return checks
    }

    /// The checks of one units file: for a few directions of each family, the top set is the rows
    /// with the largest projections of the recorded activations; every rotated basis is orthonormal.
    public static func units(_ contents: UnitsFileContents, activations: ActivationFile) throws -> [ExperimentCheck] {
        var checks: [ExperimentCheck] = []
        for layer in contents.layers {
            let values = try activations.rows(layer.layer, 0..<activations.count)
            let (n, u) = (activations.count, layer.unitCount)
            var mismatches = 0, checked = 0
            for family in [layer.units, layer.random] {
                for d in stride(from: 0, to: family.top.count, by: max(1, family.top.count / 5)) {
                    let direction = family.directions.scalars[(d * u)..<((d + 1) * u)].map(Double.init)
                    let projections = (0..<n).map { row in
                        zip(values.scalars[(row * u)..<((row + 1) * u)], direction).reduce(0.0) { $0 + Double($1.0) * $1.1 }
                    }
                    let k = family.top[d].count
                    // The k-th largest projection: every top row reaches it, no other row exceeds it (ties aside).
                    let threshold = family.top[d].map { projections[$0] }.min() ?? 0
                    let above = projections.enumerated().filter { $0.element > threshold * (1 + 1e-5) + 1e-6 && !family.top[d].contains($0.offset) }
                        .count
                    if above > 0 || Set(family.top[d]).count != k { mismatches += 1 }
                    checked += 1
                }
            }
            checks.append(
                ExperimentCheck(
                    "\(layer.layer): top sets are the largest projections of the recorded activations", passed: mismatches == 0,
                    detail: "\(mismatches) of \(checked) directions checked differ"))
            var worst = 0.0
            for rotation in layer.rotations {
                let q = rotation.directions.scalars.map(Double.init)
                for i in stride(from: 0, to: u, by: max(1, u / 10)) {
                    for j in stride(from: 0, to: u, by: max(1, u / 10)) {
                        let dot = (0..<u).reduce(0.0) { $0 + q[i * u + $1] * q[j * u + $1] }
                        worst = max(worst, abs(dot - (i == j ? 1 : 0)))
                    }
                }
            }
            if !layer.rotations.isEmpty {
                checks.append(
                    ExperimentCheck(
                        "\(layer.layer): every rotated basis is orthonormal", passed: worst < 1e-4,
                        detail: String(format: "largest |QQᵀ − I| entry %.2g", worst)))
            }
        }
        return checks
    }

    /// Whether the Lipschitz bound of `report` holds between pairs of `images` for `model`:
    /// ‖f(x) − f(y)‖ ≤ product · ‖x − y‖ for the logits f.
    public static func lipschitz(_ report: LipschitzReport, model: Sequential, images: Tensor, pairs: Int = 200) -> ExperimentCheck {
        let n = images.batchSize
        let logits = model.predict(images)
        let (size, classes) = (images.rowSize, logits.rowSize)
        var worst = 0.0
        for p in 0..<min(pairs, n / 2) {
            let (a, b) = (2 * p, 2 * p + 1)
            let input = (0..<size).reduce(0.0) { $0 + pow(Double(images.scalars[a * size + $1] - images.scalars[b * size + $1]), 2) }.squareRoot()
            let output = (0..<classes).reduce(0.0) { $0 + pow(Double(logits.scalars[a * classes + $1] - logits.scalars[b * classes + $1]), 2) }
                .squareRoot()
            if input > 0 { worst = max(worst, output / input) }
        }
        return ExperimentCheck(
            "\(URL(fileURLWithPath: report.model).lastPathComponent): the Lipschitz bound holds between pairs of test images",
            passed: worst <= report.product * (1 + 1e-4),
            detail: String(format: "largest ‖f(x) − f(y)‖/‖x − y‖ %.4g ≤ bound %.4g", worst, report.product))
    }
}
