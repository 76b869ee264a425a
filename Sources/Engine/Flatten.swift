import Foundation

/// Reshapes (batch, …) to (batch, features); the gradient is reshaped back.
public final class Flatten: Layer {
    public var name: String
    public let kind = LayerKind.flatten
    public init(name: String) { self.name = name }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { [inputShape.reduce(1, *)] }
    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        LayerCache(input: input, output: input.reshaped([input.batchSize, input.rowSize]))
    }
    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        LayerGradients(input: outputGradient.reshaped(cache.input.shape), parameters: [])
    }
}
