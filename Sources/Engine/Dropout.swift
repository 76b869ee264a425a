import Foundation

/// Inverted dropout (Srivastava et al. 2014): in training each value is zeroed with
/// probability `rate` and the survivors scaled by 1/(1 − rate); in inference, the identity.
public final class Dropout: Layer {
    public var name: String
    public let kind = LayerKind.dropout
    /// The probability of dropping a value.
    public let rate: Float

    /// A dropout layer dropping each value with probability `rate` (0 ≤ rate < 1).
    public init(name: String, rate: Float) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate \(rate) is outside [0, 1)")
        self.name = name
        self.rate = rate
    }

    public var configuration: [String: Double] { ["rate": Double(rate)] }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        guard case .training = mode, rate > 0 else { return LayerCache(input: input, output: input) }
        let keep = 1 / (1 - rate)
        var mask = [Float](repeating: 0, count: input.count)
        for i in 0..<mask.count where generator.nextUniform() >= rate { mask[i] = keep }
        var cache = LayerCache(input: input, output: chainScalars(input, Tensor(shape: input.shape, scalars: mask)) { $0 * $1 })
        cache.mask = mask
        return cache
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        guard !cache.mask.isEmpty else { return LayerGradients(input: outputGradient, parameters: []) }
        return LayerGradients(
            input: chainScalars(outputGradient, Tensor(shape: outputGradient.shape, scalars: cache.mask)) { $0 * $1 },
            parameters: [])
    }
}
