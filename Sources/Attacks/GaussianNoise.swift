import Engine

/// Gaussian noise as the control of Szegedy et al.'s Tables 2 and 4: perturbations of the same size
/// as the adversarial ones, but in random directions.
public enum GaussianNoise {
    /// x′ = clip(x + σ·n, 0, 1) with n ~ N(0, I), each example's n from its own stream.
    public static func perturb(_ images: Tensor, stddev: Float, streams: [SeededGenerator]) -> Tensor {
        var x = images, streams = streams
        let m = images.rowSize
        x.scalars.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] = PixelBox.clip(v[i] + stddev * streams[i / m].nextGaussian()) }
        }
        return x
    }

    /// Noise of each example's distortion as measured after clipping: n ~ N(0, I), scaled so that
    /// the per-pixel RMS of clip(x + s·n, 0, 1) − x is `distortion[i]` to 0.1% (clipping cuts the
    /// noise where pixels saturate, so s grows until the clipped noise has the size asked for; where
    /// no scale reaches it, the largest tried stands and the file records the distortion applied).
    public static func perturb(_ images: Tensor, matching distortion: [Float], streams: [SeededGenerator]) -> Tensor {
        var streams = streams
        precondition(distortion.count == images.batchSize, "GaussianNoise: \(distortion.count) distortions for \(images.batchSize) images")
        var x = images
        let m = images.rowSize
        x.scalars.withUnsafeMutableBufferPointer { v in
            images.scalars.withUnsafeBufferPointer { clean in
                var noise = [Float](repeating: 0, count: m)
                for example in 0..<images.batchSize {
                    for j in 0..<m { noise[j] = streams[example].nextGaussian() }
                    let start = example * m
                    let target = Double(distortion[example])
                    func apply(_ scale: Float) -> Double {
                        for j in 0..<m { v[start + j] = PixelBox.clip(clean[start + j] + scale * noise[j]) }
                        return Double(Distance.rms.measure(v.baseAddress! + start, from: clean.baseAddress! + start, count: m))
                    }
                    // NOTE: the clipped size r(s) grows with s while r(s)/s shrinks, so s ← s·target/r(s) climbs to
                    // the target from below; only the rounding of x + s·n to float32 pixels can carry the measured
                    // size past it, by a relative 1e-5 at most where most of the noise is small beside the pixels.
                    var scale = Float(target / max(Double(Distance.rms.measure(noise, from: nil, count: m)), 1e-12))
                    var reached = apply(scale)
                    for _ in 0..<50 where target > 0 && reached > 0 && reached < target * 0.999 {
                        scale *= Float(target / reached)
                        reached = apply(scale)
                    }
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
