/// The input normalisation an imported network expects, `(x − mean_c) / std_c` per channel, as
/// the network's first layer, so that images, attacks, distortions and Lipschitz bounds stay in
/// pixel space [0, 1] (Foolbox's `preprocessing` does the same). Its mean and std are constants
/// recorded in the model file; training never changes them.
public final class Normalize: Layer {
    public var name: String
    public let kind = LayerKind.normalize
    /// One mean per channel.
    public let mean: Parameter
    /// One standard deviation per channel, each positive.
    public let std: Parameter

    /// The normalisation of `channels` channels, mean 0 and std 1 until set.
    public init(name: String, channels: Int) {
        precondition(channels >= 1, "Normalize: \(channels) channels")
        self.name = name
        mean = Parameter(name: "mean", value: .zeros([channels]), decays: false)
        std = Parameter(name: "std", value: Tensor(shape: [channels], scalars: [Float](repeating: 1, count: channels)), decays: false)
        mean.trainable = false
        std.trainable = false
    }

    /// The normalisation by `mean` and `std`, one value per channel.
    public convenience init(name: String, mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && std.allSatisfy { $0 > 0 }, "Normalize: mean \(mean), std \(std)")
        self.init(name: name, channels: mean.count)
        self.mean.value = Tensor(shape: [mean.count], scalars: mean)
        self.std.value = Tensor(shape: [std.count], scalars: std)
    }

    /// Number of channels.
    public var channels: Int { mean.value.count }
    public var parameters: [Parameter] { [mean, std] }
    public var configuration: [String: Double] { ["channels": Double(channels)] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let first = inputShape.first, first == channels || channels == 1 else {
            throw NetworkError.shapeMismatch("\(name): input shape \(inputShape), a normalisation of \(channels) channels expects (\(channels), …)")
        }
        return inputShape
    }

    /// `body(value index, channel)` for every value of a (batch, channels, …) batch.
    @inline(__always)
    private func forEachValue(of x: Tensor, _ body: (Int, Int) -> Void) {
        let plane = x.shape.count > 2 ? x.shape[2...].reduce(1, *) : 1
        let channelsInInput = x.shape.count > 1 ? x.shape[1] : 1
        for i in 0..<x.count { body(i, channels == 1 ? 0 : (i / plane) % channelsInInput) }
    }

    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        let (m, s) = (mean.value.scalars, std.value.scalars)
        let out = makeScalars(count: input.count) { y in
            input.scalars.withUnsafeBufferPointer { x in
                forEachValue(of: input) { i, c in y[i] = (x[i] - m[c]) / s[c] }
            }
        }
        return LayerCache(input: input, output: Tensor(shape: input.shape, scalars: out))
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        let (m, s) = (mean.value.scalars, std.value.scalars)
        var meanGradient = [Float](repeating: 0, count: channels), stdGradient = meanGradient
        let out = makeScalars(count: outputGradient.count) { gx in
            outputGradient.scalars.withUnsafeBufferPointer { gy in
                cache.input.scalars.withUnsafeBufferPointer { x in
                    forEachValue(of: outputGradient) { i, c in
                        gx[i] = gy[i] / s[c]
                        meanGradient[c] -= gx[i]
                        stdGradient[c] -= gx[i] * (x[i] - m[c]) / s[c]
                    }
                }
            }
        }
        // NOTE: the mean and std are frozen (never trained); their gradients are exact all the same.
        return LayerGradients(
            input: Tensor(shape: cache.input.shape, scalars: out),
            parameters: [Tensor(shape: [channels], scalars: meanGradient), Tensor(shape: [channels], scalars: stdGradient)])
    }
}
