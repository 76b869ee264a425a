import Engine

/// Gaussian noise as the control of Szegedy et al.'s Tables 2 and 4: perturbations of the same size
/// as the adversarial ones, but in random directions.
public enum GaussianNoise {
    /// x′ = clip(x + σ·n, 0, 1) with n ~ N(0, I).
    public static func perturb(_ images: Tensor, stddev: Float, generator: inout SeededGenerator) -> Tensor {
        var x = images
        x.scalars.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] = PixelBox.clip(v[i] + stddev * generator.nextGaussian()) }
        }
        return x
    }

    /// Noise of exactly each example's distortion: n ~ N(0, I) scaled so that its per-pixel RMS is
    /// `distortion[i]`, then clipped to [0, 1] (clipping can only shrink it; the file records the
    /// distortion actually applied).
    public static func perturb(_ images: Tensor, matching distortion: [Float], generator: inout SeededGenerator) -> Tensor {
        precondition(distortion.count == images.batchSize, "GaussianNoise: \(distortion.count) distortions for \(images.batchSize) images")
        var x = images
        let m = images.rowSize
        x.scalars.withUnsafeMutableBufferPointer { v in
            var noise = [Float](repeating: 0, count: m)
            for example in 0..<images.batchSize {
                for j in 0..<m { noise[j] = generator.nextGaussian() }
                let size = Double(Distance.rms.measure(noise, from: nil, count: m))
                let scale = Float(Double(distortion[example]) / max(size, 1e-12))
                for j in 0..<m {
                    let i = example * m + j
                    v[i] = PixelBox.clip(v[i] + scale * noise[j])
                }
            }
        }
        return x
    }

    /// Rescales each example's perturbation x′ − x to per-pixel RMS `rms` and clips to [0, 1]
    /// (Szegedy et al. Table 4's amplified rows).
    public static func amplify(clean: Tensor, adversarial: Tensor, toRMS rms: Float) -> Tensor {
        var out = adversarial
        let m = clean.rowSize
        out.scalars.withUnsafeMutableBufferPointer { a in
            clean.scalars.withUnsafeBufferPointer { x in
                for example in 0..<clean.batchSize {
                    let range = (example * m)..<((example + 1) * m)
                    let current = Double(Distance.rms.measure(a.baseAddress! + range.lowerBound, from: x.baseAddress! + range.lowerBound, count: m))
                    let scale = current > 0 ? Float(Double(rms) / current) : 0
                    for i in range { a[i] = PixelBox.clip(x[i] + scale * (a[i] - x[i])) }
                }
            }
        }
        return out
    }
}
