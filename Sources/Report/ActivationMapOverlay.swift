/// A channel's activation map laid over the image it was computed on, as Network Dissection
/// shows its masks (Bau et al. 2017, Figure 1): the (h, w) map upsampled bilinearly to the
/// image's size (pixel centres aligned, as PyTorch's `interpolate(align_corners=False)`); a grey
/// image is tinted in a warm colour where the map is high, a colour image (whose own colours a tint
/// would blur into) is dimmed where it is low, so one sees *where* in the image the unit fires.
public enum ActivationMapOverlay {
    /// The colour laid over high activations (orange).
    public static let colour: (Float, Float, Float) = (255, 140, 0)
    /// The blend weight at the map's maximum.
    public static let opacity: Float = 0.65
    /// The brightness a colour image keeps where the map is at or below zero.
    public static let dimmed: Float = 0.3

    /// The map upsampled bilinearly from `mapHeight × mapWidth` to `height × width`.
    public static func upsample(_ map: [Float], mapHeight: Int, mapWidth: Int, height: Int, width: Int) -> [Float] {
        func source(_ i: Int, _ out: Int, _ size: Int) -> (Int, Int, Float) {
            let position = max(0, (Float(i) + 0.5) * Float(size) / Float(out) - 0.5)
            let low = min(Int(position), size - 1)
            return (low, min(low + 1, size - 1), position - Float(low))
        }
        var result = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            let (y0, y1, fy) = source(y, height, mapHeight)
            for x in 0..<width {
                let (x0, x1, fx) = source(x, width, mapWidth)
                let top = map[y0 * mapWidth + x0] * (1 - fx) + map[y0 * mapWidth + x1] * fx
                let bottom = map[y1 * mapWidth + x0] * (1 - fx) + map[y1 * mapWidth + x1] * fx
                result[y * width + x] = top * (1 - fy) + bottom * fy
            }
        }
        return result
    }

    /// An RGB tile: the grey `image` with the colour blended over it in proportion to map / `peak`
    /// (clamped to [0, 1]; nothing where the map is ≤ 0), or the RGB `image` (interleaved) kept at
    /// `dimmed + (1 − dimmed)·map/peak` of its brightness.
    public static func tile(
        image: [UInt8], channels: Int, height: Int, width: Int, map: [Float], mapHeight: Int, mapWidth: Int, peak: Float
    ) -> [UInt8] {
        let upsampled = upsample(map, mapHeight: mapHeight, mapWidth: mapWidth, height: height, width: width)
        var out = [UInt8](repeating: 0, count: height * width * 3)
        for p in 0..<(height * width) {
            let level = peak > 0 ? min(max(upsampled[p] / peak, 0), 1) : 0
            if channels == 3 {
                for c in 0..<3 { out[p * 3 + c] = UInt8((Float(image[p * 3 + c]) * (dimmed + (1 - dimmed) * level)).rounded()) }
                continue
            }
            let weight = opacity * level
            for c in 0..<3 {
                let base = Float(image[p])
                let target = c == 0 ? colour.0 : c == 1 ? colour.1 : colour.2
                out[p * 3 + c] = UInt8((base * (1 - weight) + target * weight).rounded())
            }
        }
        return out
    }
}
