import Engine

/// How far two float32 forward passes of the same fully connected network may be apart when their
/// sums run in different orders: the recorded rows of a batch of another size, or under another BLAS
/// kernel, are the same values only to this bound, not bit for bit.
///
/// Each dot product of k terms computed in float32 (any order, with or without FMA) is within
/// γ_k · Σ|xᵢ wᵢ| of the exact value, γ_k = k·u / (1 − k·u), u = 2⁻²⁴ (Higham, *Accuracy and Stability
/// of Numerical Algorithms*, 2002, §3.1), so two of them are within twice that. A difference already in
/// a layer's input reaches its output at most multiplied by the layer's ∞-norm (the largest absolute row
/// sum of W), or by the largest slope of an elementwise function (¼ for the sigmoid, 1 for ReLU and tanh).
enum ReorderingBound {
    /// The bound for every layer of `model`, by name, for the batch `input` (the network's input rows).
    static func perLayer(_ model: Sequential, input: Tensor) -> [String: Float] {
        let u = 0x1p-24
        var bounds: [String: Float] = [:]
        var x = input.reshaped([input.batchSize, input.rowSize])
        var incoming = 0.0
        for layer in model.layers {
            let output = layer.forward(x, mode: .inference, generator: &unusedGenerator).output
            if let dense = layer as? Dense {
                let k = dense.inputCount + 1  // the bias is one more term of the sum
                let gamma = Double(k) * u / (1 - Double(k) * u)
                let w = dense.weight.value.scalars.map { Double(abs($0)) }, b = dense.bias.value.scalars.map { Double(abs($0)) }
                var largestMagnitude = 0.0, rowNorm = 0.0
                for j in 0..<dense.outputCount {
                    rowNorm = max(rowNorm, w[(j * dense.inputCount)..<((j + 1) * dense.inputCount)].reduce(0, +))
                }
                for row in 0..<x.batchSize {
                    for j in 0..<dense.outputCount {
                        var magnitude = b[j]
                        for i in 0..<dense.inputCount {
                            magnitude += Double(abs(x.scalars[row * dense.inputCount + i])) * w[j * dense.inputCount + i]
                        }
                        largestMagnitude = max(largestMagnitude, magnitude)
                    }
                }
                incoming = rowNorm * incoming + 2 * gamma * largestMagnitude
            } else {
                let slope = layer is Sigmoid ? 0.25 : 1.0
                // The function itself is deterministic; its rounding of a different input adds an ulp or two of its output.
                let largestOutput = output.scalars.map { Double(abs($0)) }.max() ?? 0
                incoming = slope * incoming + 4 * u * largestOutput
            }
            bounds[layer.name] = Float(incoming)
            x = output.reshaped([output.batchSize, output.rowSize])
        }
        return bounds
    }

    private static var unusedGenerator = SeededGenerator(seed: 0)
}
