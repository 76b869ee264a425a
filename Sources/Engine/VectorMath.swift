/// Elementwise functions over contiguous Float32 buffers, eight lanes at a time, for the layers
/// whose cost is one transcendental per value (the sigmoid runs on every hidden unit of every
/// example, and with libm's scalar `expf` it took as long as a third of the matrix products).
///
/// The exponential is Cephes' `expf` (range reduction by ln 2 split in two constants, a degree-6
/// polynomial, scaling by 2ⁿ through the exponent bits): within 2 ulp of the correctly rounded
/// value over [−87.3, 88]. Arguments are clamped to that range, so the result is never infinite
/// or denormal: exp of anything below −87.3 is 1.2·10⁻³⁸ (the smallest normal float, to
/// float rounding) and of anything above 88 is 1.65·10³⁸.
public enum VectorMath {
    private typealias Lanes = SIMD8<Float>

    /// eˣ for eight values.
    @inline(__always)
    private static func exp(_ value: Lanes) -> Lanes {
        // (`replace(with:where:)` compiles to compare-and-blend; `clamped` stays a generic call per vector.)
        var x = value
        x.replace(with: Lanes(repeating: -87.33654), where: x .< -87.33654)
        x.replace(with: Lanes(repeating: 88.0), where: x .> 88.0)
        // n = x / ln 2 rounded to the nearest integer: adding 1.5·2²³ leaves n in the low mantissa bits.
        let shifted = x * 1.44269504088896341 + 12582912.0
        let fn = shifted - 12582912.0
        let n = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        // r = x − n ln 2, with ln 2 as 0.693359375 − 2.12194440e-4 so the first product is exact.
        let r = x - fn * 0.693359375 + fn * 2.12194440e-4
        var p = Lanes(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: Lanes.self)
        return p * scale
    }

    /// eˣ of every value of `source`, into `target`.
    public static func exp(_ source: UnsafeBufferPointer<Float>, into target: UnsafeMutableBufferPointer<Float>) {
        precondition(source.count == target.count, "VectorMath.exp: source and target differ in length")
        guard let from = source.baseAddress, let to = target.baseAddress else { return }
        // NOTE: each function spells out its loop: through a closure argument the lane function
        // was compiled as a call per eight values, and the divisions of successive calls did not overlap.
        var i = 0
        while i + 8 <= source.count {
            UnsafeMutableRawPointer(to + i).storeBytes(of: exp(UnsafeRawPointer(from + i).loadUnaligned(as: Lanes.self)), as: Lanes.self)
            i += 8
        }
        if i < source.count {
            let y = exp(tail(from + i, count: source.count - i))
            for j in i..<source.count { to[j] = y[j - i] }
        }
    }

    /// The logistic sigmoid 1 / (1 + e⁻ˣ) of every value of `source`, into `target`. Values above
    /// about 17 give exactly 1, as `1 / (1 + expf(-x))` does in float32.
    public static func sigmoid(_ source: UnsafeBufferPointer<Float>, into target: UnsafeMutableBufferPointer<Float>) {
        precondition(source.count == target.count, "VectorMath.sigmoid: source and target differ in length")
        guard let from = source.baseAddress, let to = target.baseAddress else { return }
        var i = 0
        while i + 8 <= source.count {
            let x = UnsafeRawPointer(from + i).loadUnaligned(as: Lanes.self)
            UnsafeMutableRawPointer(to + i).storeBytes(of: 1 / (1 + exp(-x)), as: Lanes.self)
            i += 8
        }
        if i < source.count {
            let y = 1 / (1 + exp(-tail(from + i, count: source.count - i)))
            for j in i..<source.count { to[j] = y[j - i] }
        }
    }

    /// The last `count` (< 8) values, padded with zeros.
    @inline(__always)
    private static func tail(_ from: UnsafePointer<Float>, count: Int) -> Lanes {
        var v = Lanes(repeating: 0)
        for j in 0..<count { v[j] = from[j] }
        return v
    }
}
