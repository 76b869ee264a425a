/// The box every image lives in, [0, 1] per pixel (Szegedy et al. 2014 §4.1: x + r ∈ [0, 1]^m):
/// the one place attacks, noise, adversarial training and image rendering clip to it.
public enum PixelBox {
    /// The smallest pixel value.
    public static let low: Float = 0
    /// The largest pixel value.
    public static let high: Float = 1

    /// `value` clipped to [0, 1].
    @inline(__always)
    public static func clip(_ value: Float) -> Float { min(max(value, low), high) }

    /// `value` clipped to [0, 1], for the optimiser's float64 iterates.
    @inline(__always)
    public static func clip(_ value: Double) -> Double { min(max(value, Double(low)), Double(high)) }

    /// `value` clipped to the L∞ ball of radius `epsilon` around `center`, and to [0, 1].
    @inline(__always)
    public static func clip(_ value: Float, within epsilon: Float, of center: Float) -> Float {
        min(max(value, max(center - epsilon, low)), min(center + epsilon, high))
    }

    /// Every value of `images` clipped to [0, 1].
    public static func clip(_ images: inout Tensor) {
        images.scalars.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] = clip(v[i]) }
        }
    }
}
