import Foundation

/// Applies `f` to every value of `x`.
@inline(__always)
func mapScalars(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    let out = makeScalars(count: x.count) { y in
        x.scalars.withUnsafeBufferPointer { xs in
            for i in 0..<xs.count { y[i] = f(xs[i]) }
        }
    }
    return Tensor(shape: x.shape, scalars: out)
}

/// Combines the output gradient with a per-value local derivative computed from the cache.
@inline(__always)
func chainScalars(_ gradient: Tensor, _ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    let out = makeScalars(count: gradient.count) { gx in
        gradient.scalars.withUnsafeBufferPointer { gy in
            other.scalars.withUnsafeBufferPointer { o in
                for i in 0..<gy.count { gx[i] = f(gy[i], o[i]) }
            }
        }
    }
    return Tensor(shape: gradient.shape, scalars: out)
}

/// The rectifier, `max(0, x)`.
public final class ReLU: Layer {
    public var name: String
    public let kind = LayerKind.relu
    public init(name: String) { self.name = name }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        LayerCache(input: input, output: ReLU.gate(input, by: input))
    }
    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        // NOTE: the subgradient at exactly 0 is taken as 0, as in PyTorch and JAX.
        LayerGradients(input: ReLU.gate(outputGradient, by: cache.input), parameters: [])
    }

    /// `value` where `x > 0`, else 0 (NaN too), eight lanes at a time: the forward pass gates x by
    /// itself, the backward pass the output gradient by the input.
    private static func gate(_ value: Tensor, by x: Tensor) -> Tensor {
        let out = makeScalars(count: value.count) { y in
            value.scalars.withUnsafeBufferPointer { v in
                x.scalars.withUnsafeBufferPointer { x in
                    let (v, x, y, n) = (v.baseAddress!, x.baseAddress!, y.baseAddress!, value.count)
                    var i = 0
                    while i + 8 <= n {
                        let lanes = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD8<Float>.self)
                        let open = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) .> 0
                        UnsafeMutableRawPointer(y + i).storeBytes(of: SIMD8<Float>().replacing(with: lanes, where: open), as: SIMD8<Float>.self)
                        i += 8
                    }
                    while i < n {
                        y[i] = x[i] > 0 ? v[i] : 0
                        i += 1
                    }
                }
            }
        }
        return Tensor(shape: value.shape, scalars: out)
    }
}

/// The logistic sigmoid, `1 / (1 + exp(-x))`, with derivative `y (1 - y)`.
public final class Sigmoid: Layer {
    public var name: String
    public let kind = LayerKind.sigmoid
    public init(name: String) { self.name = name }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        let out = makeScalars(count: input.count) { y in
            input.scalars.withUnsafeBufferPointer { VectorMath.sigmoid($0, into: y) }
        }
        return LayerCache(input: input, output: Tensor(shape: input.shape, scalars: out))
    }
    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        LayerGradients(input: chainScalars(outputGradient, cache.output) { g, y in g * y * (1 - y) }, parameters: [])
    }
}

/// The hyperbolic tangent, with derivative `1 - y²`.
public final class Tanh: Layer {
    public var name: String
    public let kind = LayerKind.tanh
    public init(name: String) { self.name = name }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        LayerCache(input: input, output: mapScalars(input) { tanhf($0) })
    }
    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        LayerGradients(input: chainScalars(outputGradient, cache.output) { g, y in g * (1 - y * y) }, parameters: [])
    }
}

/// The gradient of a "choose one input per output" layer: each output's gradient added at the input position it chose.
func scatter(_ outputGradient: Tensor, to inputShape: [Int], at choices: [Int32]) -> Tensor {
    var gx = Tensor.zeros(inputShape)
    gx.scalars.withUnsafeMutableBufferPointer { g in
        outputGradient.scalars.withUnsafeBufferPointer { gy in
            for i in 0..<gy.count { g[Int(choices[i])] += gy[i] }
        }
    }
    return gx
}
