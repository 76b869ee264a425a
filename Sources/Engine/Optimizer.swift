import Foundation

/// An update rule that moves parameters against their gradients.
public protocol Optimizer {
    /// Updates each trainable parameter with its gradient (same order); frozen parameters are left alone.
    mutating func update(_ parameters: [Parameter], gradients: [Tensor])
}

/// Stochastic gradient descent with (heavy-ball) momentum, in PyTorch's form:
/// ```
/// v ← μ v + g
/// θ ← θ − η v
/// ```
public struct SGD: Optimizer {
    /// The step size η.
    public var learningRate: Float
    /// The momentum μ (0 for plain SGD).
    public var momentum: Float
    private var velocity: [[Float]] = []

    /// SGD with step size `learningRate` and momentum `momentum`.
    public init(learningRate: Float, momentum: Float = 0.9) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public mutating func update(_ parameters: [Parameter], gradients: [Tensor]) {
        if velocity.isEmpty { velocity = parameters.map { [Float](repeating: 0, count: $0.value.count) } }
        let (eta, mu) = (learningRate, momentum)
        for (i, parameter) in parameters.enumerated() where parameter.trainable {
            velocity[i].withUnsafeMutableBufferPointer { v in
                gradients[i].scalars.withUnsafeBufferPointer { g in
                    parameter.value.scalars.withUnsafeMutableBufferPointer { theta in
                        let (v, g, count, theta) = (v.baseAddress!, g.baseAddress!, theta.count, theta.baseAddress!)
                        ExampleParallel.forEachPart(of: count) { part in
                            let first = part.lowerBound
                            Self.step(velocity: v + first, gradient: g + first, parameter: theta + first, count: part.count, eta: eta, mu: mu)
                        }
                    }
                }
            }
        }
    }
}

extension SGD {
    /// `v ← μ v + g`, `θ ← θ − η v` over `count` values, eight lanes at a time (the same operations
    /// in the same order on every value, so the same bits as one value at a time).
    @inline(__always)
    fileprivate static func step(
        velocity v: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, parameter theta: UnsafeMutablePointer<Float>,
        count: Int, eta: Float, mu: Float
    ) {
        var j = 0
        while j + 8 <= count {
            let velocity =
                mu * UnsafeRawPointer(v + j).loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(g + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(v + j).storeBytes(of: velocity, as: SIMD8<Float>.self)
            let updated = UnsafeRawPointer(theta + j).loadUnaligned(as: SIMD8<Float>.self) - eta * velocity
            UnsafeMutableRawPointer(theta + j).storeBytes(of: updated, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            v[j] = mu * v[j] + g[j]
            theta[j] -= eta * v[j]
            j += 1
        }
    }
}

/// Adam (Kingma and Ba 2015, Algorithm 1) with bias-corrected first and second moments.
public struct Adam: Optimizer {
    /// The step size α.
    public var learningRate: Float
    /// Decay of the first-moment estimate.
    public var beta1: Float = 0.9
    /// Decay of the second-moment estimate.
    public var beta2: Float = 0.999
    /// Added to the root of the second moment.
    public var epsilon: Float = 1e-8
    private var step = 0
    private var first: [[Float]] = []
    private var second: [[Float]] = []

    /// Adam with step size `learningRate` and the paper's default betas.
    public init(learningRate: Float) { self.learningRate = learningRate }

    public mutating func update(_ parameters: [Parameter], gradients: [Tensor]) {
        if first.isEmpty {
            first = parameters.map { [Float](repeating: 0, count: $0.value.count) }
            second = first
        }
        step += 1
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let stepSize = learningRate * Float((1 - pow(Double(b2), Double(step))).squareRoot() / (1 - pow(Double(b1), Double(step))))
        for (i, parameter) in parameters.enumerated() where parameter.trainable {
            first[i].withUnsafeMutableBufferPointer { m in
                second[i].withUnsafeMutableBufferPointer { v in
                    gradients[i].scalars.withUnsafeBufferPointer { g in
                        parameter.value.scalars.withUnsafeMutableBufferPointer { theta in
                            for j in 0..<theta.count {
                                m[j] = b1 * m[j] + (1 - b1) * g[j]
                                v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
                                theta[j] -= stepSize * m[j] / (v[j].squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The update rule a training run uses.
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// SGD with momentum.
    case sgd
    /// Adam.
    case adam

    /// The default step size for this rule.
    public var defaultLearningRate: Float { self == .sgd ? 0.05 : 0.002 }
}
