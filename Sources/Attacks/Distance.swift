import Engine

/// How far an adversarial image lies from its clean image, the distances attacks are measured by
/// (foolbox's `distances`): every one computed by this one piece of code.
public enum Distance: String, CaseIterable, Sendable {
    /// ‖x′ − x‖₂.
    case l2
    /// ‖x′ − x‖∞, the radius FGSM bounds (Goodfellow et al. 2015, eq. 3).
    case linf
    /// Szegedy et al.'s (2014, §4.2) distortion, the per-pixel RMS of the perturbation:
    /// ```
    /// sqrt(Σ_j (x′_j − x_j)² / m)
    /// ```
    case rms

    /// The distance of the `count` values at `a` from those at `x`, or from zero when `x` is nil
    /// (the size of a perturbation itself). Squares are summed in float64.
    public func measure(_ a: UnsafePointer<Float>, from x: UnsafePointer<Float>?, count: Int) -> Float {
        func difference(_ j: Int) -> Float { x.map { a[j] - $0[j] } ?? a[j] }
        switch self {
        case .linf:
            var largest: Float = 0
            for j in 0..<count { largest = max(largest, abs(difference(j))) }
            return largest
        case .l2, .rms:
            var sum: Double = 0
            for j in 0..<count {
                let d = Double(difference(j))
                sum += d * d
            }
            return Float(self == .l2 ? sum.squareRoot() : (sum / Double(max(count, 1))).squareRoot())
        }
    }

    /// The distance of every example of `adversarial` from the same example of `clean`.
    public func measure(_ adversarial: Tensor, from clean: Tensor) -> [Float] {
        let m = clean.rowSize
        return adversarial.scalars.withUnsafeBufferPointer { a in
            clean.scalars.withUnsafeBufferPointer { x in
                (0..<clean.batchSize).map { measure(a.baseAddress! + $0 * m, from: x.baseAddress! + $0 * m, count: m) }
            }
        }
    }
}

/// What makes an example adversarial (foolbox's `criteria`): the model misclassifies it, or
/// classifies it as its target.
public enum Criterion: Sendable, Equatable {
    /// Untargeted: the prediction differs from the true label.
    case misclassification(labels: [Int])
    /// Targeted: the prediction is the example's target class.
    case targetedMisclassification(targets: [Int])

    /// Targeted towards `targets` when given, untargeted against `labels` otherwise.
    public init(labels: [Int], targets: [Int]?) {
        self = targets.map { .targetedMisclassification(targets: $0) } ?? .misclassification(labels: labels)
    }

    /// Whether example `example`, predicted as `prediction`, meets the criterion.
    public func isAdversarial(_ example: Int, predicted prediction: Int) -> Bool {
        switch self {
        case .misclassification(let labels): return prediction != labels[example]
        case .targetedMisclassification(let targets): return prediction == targets[example]
        }
    }
}
