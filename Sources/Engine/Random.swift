import Foundation

/// The seeded pseudo-random generator behind every random choice the tool makes
/// (weight initialisation, shuffling, dropout masks, random directions): xoshiro256**
/// seeded through SplitMix64, so one `UInt64` seed fixes a whole run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    /// Whether a second Gaussian from the last Box–Muller pair is waiting.
    private var spareGaussian: Float?

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The generator of stream `stream` of `seed`: independent streams keyed by a number (an
    /// example's row in its split), so that a choice made for one example does not depend on
    /// which other examples the run holds (a shard of a job array makes the same choices as the whole run).
    public init(seed: UInt64, stream: UInt64) {
        var z = stream &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        self.init(seed: seed ^ z ^ (z >> 31))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A standard normal Float (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func nextGaussian() -> Float {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        // NOTE: u1 is kept away from 0 so that log(u1) is finite.
        let u1 = (Double(next() >> 11) + 0.5) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let r = (-2 * log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareGaussian = Float(r * sin(theta))
        return Float(r * cos(theta))
    }

    /// A derived generator for an independent stream (e.g. one for dropout, one for shuffling).
    public mutating func fork() -> SeededGenerator { SeededGenerator(seed: next()) }
}
