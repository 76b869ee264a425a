import Foundation

/// Softmax cross-entropy on logits, computed through log-sum-exp so that large logits neither
/// overflow nor lose the gradient.
///
/// ```
/// J(z, y) = log Σ_j exp(z_j) − z_y
/// ∂J/∂z_j = p_j            (j ≠ y)
/// ∂J/∂z_y = −Σ_{j≠y} p_j   (not p_y − 1)
/// ```
/// NOTE: in Float32 a confidently classified example has p_y == 1 exactly, and p_y − 1 == 0 would
/// make the input gradient vanish or point the wrong way (the FGSM sign then lies). Summing
/// the other classes' probabilities, each computed as exp(z_j − lse), keeps the true-class term
/// exact to Float32's relative precision even when it is 1e-30.
public enum SoftmaxCrossEntropy {
    /// The result for a batch: per-example losses, their mean, the probabilities and the gradient.
    public struct Result {
        /// J for each example.
        public var losses: [Float]
        /// The mean of `losses`: the training objective.
        public var meanLoss: Float { losses.isEmpty ? 0 : Float(losses.reduce(0.0) { $0 + Double($1) } / Double(losses.count)) }
        /// Softmax probabilities, shape (batch, classes).
        public var probabilities: Tensor
        /// ∂(scale · Σ J)/∂logits, shape (batch, classes); `scale` is 1/batch for the mean loss.
        public var gradient: Tensor
    }

    /// Loss, probabilities and gradient of softmax cross-entropy for `logits` (batch, classes) and `labels`.
    /// - Parameters:
    ///   - scale: multiplies the gradient (1/batch for the mean loss, 1 for per-example gradients).
    public static func evaluate(logits: Tensor, labels: [Int], scale: Float? = nil) -> Result {
        precondition(logits.shape.count == 2, "SoftmaxCrossEntropy: logits have shape \(logits.shape), expected (batch, classes)")
        let batch = logits.shape[0], classes = logits.shape[1]
        precondition(labels.count == batch, "SoftmaxCrossEntropy: \(labels.count) labels for a batch of \(batch)")
        let s = scale ?? 1 / Float(max(batch, 1))
        var losses = [Float](repeating: 0, count: batch)
        var probabilities = [Float](repeating: 0, count: batch * classes)
        var gradient = [Float](repeating: 0, count: batch * classes)
        logits.scalars.withUnsafeBufferPointer { z in
            probabilities.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    for row in 0..<batch {
                        let y = labels[row]
                        precondition(y >= 0 && y < classes, "SoftmaxCrossEntropy: label \(y) is outside 0..<\(classes)")
                        let base = row * classes
                        let (maximum, logSum) = Softmax.row(z.baseAddress! + base, classes: classes, into: p.baseAddress! + base)
                        var others: Float = 0
                        for j in 0..<classes where j != y {
                            others += p[base + j]
                            g[base + j] = s * p[base + j]
                        }
                        g[base + y] = -s * others
                        losses[row] = logSum - (z[base + y] - maximum)
                    }
                }
            }
        }
        return Result(
            losses: losses,
            probabilities: Tensor(shape: [batch, classes], scalars: probabilities),
            gradient: Tensor(shape: [batch, classes], scalars: gradient))
    }
}

/// Half the mean squared error per example, `J = 1/(2B) Σ_b ‖ŷ_b − x_b‖²`: the reconstruction
/// loss of the autoencoder that `ae400-10` pre-trains.
public enum MeanSquaredError {
    /// The loss and its gradient with respect to `prediction`.
    public static func evaluate(prediction: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
        precondition(prediction.count == target.count, "MeanSquaredError: prediction has \(prediction.count) values, target \(target.count)")
        let scale = 1 / Float(max(prediction.batchSize, 1))
        var loss: Double = 0
        let gradient = chainScalars(prediction, target.reshaped(prediction.shape)) { yhat, x in
            let d = yhat - x
            loss += Double(d * d)
            return scale * d
        }
        return (Float(loss * 0.5 * Double(scale)), gradient)
    }
}

/// The softmax of logits and the class a row of scores favours: what classifying with a network
/// means everywhere in the tool (training accuracy, attacks' judge, transfer, evaluation).
public enum Softmax {
    /// Softmax probabilities of (batch, classes) logits, as the loss forms them.
    public static func probabilities(_ logits: Tensor) -> Tensor {
        precondition(logits.shape.count == 2, "Softmax: logits have shape \(logits.shape), expected (batch, classes)")
        let batch = logits.shape[0], classes = logits.shape[1]
        return Tensor(
            shape: [batch, classes],
            initializingWith: { p in
                logits.scalars.withUnsafeBufferPointer { z in
                    for row in 0..<batch { _ = Softmax.row(z.baseAddress! + row * classes, classes: classes, into: p.baseAddress! + row * classes) }
                }
            })
    }

    /// The index of the largest value in each row of a (batch, classes) tensor; the first of equal ones.
    public static func argmax(_ scores: Tensor) -> [Int] {
        let classes = scores.rowSize
        return (0..<scores.batchSize).map { row in
            var best = 0
            for j in 1..<classes where scores.scalars[row * classes + j] > scores.scalars[row * classes + best] { best = j }
            return best
        }
    }

    /// Writes one row's probabilities `p_j = exp((z_j − max) − log Σ_k exp(z_k − max))`.
    /// - Returns: the row's maximum and log Σ_k exp(z_k − max), from which the loss is formed.
    @inline(__always)
    static func row(_ z: UnsafePointer<Float>, classes: Int, into p: UnsafeMutablePointer<Float>) -> (maximum: Float, logSum: Float) {
        // NOTE: log-sum-exp shifted by the maximum, so exp never overflows.
        var maximum = -Float.infinity
        for j in 0..<classes { maximum = max(maximum, z[j]) }
        var sum: Float = 0
        for j in 0..<classes { sum += expf(z[j] - maximum) }
        // NOTE: log-probabilities are formed from z_j − max and log(sum) separately: subtracting a
        // rounded lse from a large z_j would cost the probabilities their last digits.
        let logSum = logf(sum)
        for j in 0..<classes { p[j] = expf((z[j] - maximum) - logSum) }
        return (maximum, logSum)
    }
}
