import Foundation

/// Maxout (Goodfellow et al. 2013): the maximum over each group of `pieces` consecutive
/// features, so (batch, units · pieces) becomes (batch, units). Goodfellow et al. 2015 §5–6
/// use a maxout network for their adversarial-training experiments.
public final class Maxout: Layer {
    public var name: String
    public let kind = LayerKind.maxout
    /// Number of linear pieces per unit.
    public let pieces: Int

    /// A maxout over groups of `pieces` consecutive features.
    public init(name: String, pieces: Int) {
        precondition(pieces >= 1, "Maxout: pieces must be at least 1, given \(pieces)")
        self.name = name
        self.pieces = pieces
    }

    public var configuration: [String: Double] { ["pieces": Double(pieces)] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let features = inputShape.reduce(1, *)
        guard features % pieces == 0 else {
            throw NetworkError.shapeMismatch("\(name): \(features) input features do not split into groups of \(pieces) pieces")
        }
        return [features / pieces]
    }

    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        let batch = input.batchSize, units = input.rowSize / pieces
        var choices = [Int32](repeating: 0, count: batch * units)
        let out = makeScalars(count: batch * units) { y in
            input.scalars.withUnsafeBufferPointer { x in
                for i in 0..<(batch * units) {
                    let start = i * pieces
                    var best = start
                    // NOTE: ties go to the first piece; the gradient flows to that one only.
                    for p in (start + 1)..<(start + pieces) where x[p] > x[best] { best = p }
                    y[i] = x[best]
                    choices[i] = Int32(best)
                }
            }
        }
        var cache = LayerCache(input: input, output: Tensor(shape: [batch, units], scalars: out))
        cache.choices = choices
        return cache
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        LayerGradients(input: scatter(outputGradient, to: cache.input.shape, at: cache.choices), parameters: [])
    }
}
