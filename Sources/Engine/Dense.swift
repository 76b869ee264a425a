/// A fully connected layer, `y = x Wᵀ + b`, with `W` of shape (outputs, inputs) as in PyTorch.
///
/// Inputs of any rank are read as (batch, features): a (batch, 1, 28, 28) image batch
/// feeds a 784-input layer directly.
public final class Dense: Layer {
    public var name: String
    public let kind = LayerKind.dense
    /// The weight matrix, shape (outputs, inputs).
    public let weight: Parameter
    /// The bias vector, shape (outputs).
    public let bias: Parameter

    /// Number of input features.
    public var inputCount: Int { weight.value.shape[1] }
    /// Number of output features.
    public var outputCount: Int { weight.value.shape[0] }

    /// A layer with zero weights and biases; initialise with `Initializer`.
    public init(name: String, inputs: Int, outputs: Int) {
        self.name = name
        weight = Parameter(name: "weight", value: .zeros([outputs, inputs]), decays: true)
        bias = Parameter(name: "bias", value: .zeros([outputs]), decays: false)
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var configuration: [String: Double] { ["inputs": Double(inputCount), "outputs": Double(outputCount)] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let features = inputShape.reduce(1, *)
        guard features == inputCount else {
            throw NetworkError.shapeMismatch(
                "\(name): input has \(features) features (shape \(inputShape)), layer expects \(inputCount)")
        }
        return [outputCount]
    }

    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        let batch = input.batchSize, n = inputCount, m = outputCount
        precondition(input.rowSize == n, "\(name): input has \(input.rowSize) features, layer expects \(n)")
        let out = makeScalars(count: batch * m) { y in
            bias.value.scalars.withUnsafeBufferPointer { b in
                for row in 0..<batch { _ = UnsafeMutableBufferPointer(rebasing: y[(row * m)..<((row + 1) * m)]).update(fromContentsOf: b) }
            }
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    gemm(
                        transposeB: true, m: batch, n: m, k: n, a: x.baseAddress!, lda: n,
                        b: w.baseAddress!, ldb: n, beta: 1, c: y.baseAddress!, ldc: m)
                }
            }
        }
        return LayerCache(input: input, output: Tensor(shape: [batch, m], scalars: out))
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        let batch = cache.input.batchSize, n = inputCount, m = outputCount
        var biasGradient = Tensor.zeros([m])
        let weightGradient = Tensor(
            shape: [m, n],
            scalars: makeScalars(count: m * n) { gw in
                outputGradient.scalars.withUnsafeBufferPointer { gy in
                    cache.input.scalars.withUnsafeBufferPointer { x in
                        // dW = gyᵀ x
                        gemm(
                            transposeA: true, m: m, n: n, k: batch, a: gy.baseAddress!, lda: m,
                            b: x.baseAddress!, ldb: n, c: gw.baseAddress!, ldc: n)
                    }
                }
            })
        outputGradient.scalars.withUnsafeBufferPointer { gy in
            biasGradient.scalars.withUnsafeMutableBufferPointer { gb in
                for row in 0..<batch { ShortRuns.add(gy.baseAddress! + row * m, to: gb.baseAddress!, count: m) }
            }
        }
        return LayerGradients(
            input: needsInputGradient ? inputGradient(outputGradient, cache: cache) : nil,
            parameters: [weightGradient, biasGradient])
    }

    public func inputGradient(_ outputGradient: Tensor, cache: LayerCache) -> Tensor {
        let batch = cache.input.batchSize, n = inputCount, m = outputCount
        let gx = makeScalars(count: batch * n) { gx in
            outputGradient.scalars.withUnsafeBufferPointer { gy in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    // dx = gy W
                    gemm(m: batch, n: n, k: m, a: gy.baseAddress!, lda: m, b: w.baseAddress!, ldb: n, c: gx.baseAddress!, ldc: n)
                }
            }
        }
        return Tensor(shape: cache.input.shape, scalars: gx)
    }
}
