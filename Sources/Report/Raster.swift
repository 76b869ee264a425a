import Engine

/// An 8-bit image in memory, grey or RGB, stored row-major with interleaved channels:
/// ```
/// pixels[(y · width + x) · channels + channel]
/// ```
public struct Raster: Equatable, Sendable {
    /// How many 8-bit channels each pixel has.
    public enum PixelFormat: Equatable, Sendable {
        /// One channel, 0 black to 255 white.
        case gray
        /// Three channels in the order red, green, blue (sRGB).
        case rgb

        /// The number of channels per pixel: 1 or 3.
        public var channels: Int { self == .gray ? 1 : 3 }
    }

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Grey or RGB.
    public let format: PixelFormat
    /// `width · height · format.channels` bytes, row-major, channels interleaved.
    public private(set) var pixels: [UInt8]

    /// An image of one uniform value in every channel.
    ///
    /// - Parameters:
    ///   - width: width in pixels, at least 0.
    ///   - height: height in pixels, at least 0.
    ///   - format: grey (default) or RGB.
    ///   - value: the value every channel of every pixel starts with.
    /// - Precondition: `width ≥ 0` and `height ≥ 0`.
    public init(width: Int, height: Int, format: PixelFormat = .gray, filledWith value: UInt8 = 0) {
        precondition(width >= 0 && height >= 0, "Raster: width \(width) and height \(height) must not be negative")
        self.width = width
        self.height = height
        self.format = format
        pixels = [UInt8](repeating: value, count: width * height * format.channels)
    }

    /// An image over existing bytes.
    ///
    /// - Parameters:
    ///   - width: width in pixels.
    ///   - height: height in pixels.
    ///   - format: grey (default) or RGB.
    ///   - pixels: `width · height · format.channels` bytes, row-major, channels interleaved.
    /// - Throws: `ReportError.pixelCount` when the byte count does not match the size.
    public init(width: Int, height: Int, format: PixelFormat = .gray, pixels: [UInt8]) throws {
        guard width >= 0, height >= 0, pixels.count == width * height * format.channels else {
            throw ReportError.pixelCount(width: width, height: height, channels: format.channels, count: pixels.count)
        }
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// One channel of the pixel in column `x`, row `y` (row 0 at the top).
    ///
    /// - Precondition: `0 ≤ x < width`, `0 ≤ y < height`, `0 ≤ channel < format.channels`.
    public subscript(x x: Int, y y: Int, channel channel: Int = 0) -> UInt8 {
        get { pixels[offset(x, y, channel)] }
        set { pixels[offset(x, y, channel)] = newValue }
    }

    /// Sets every channel of the pixels in the rectangle `x ..< x + width`, `y ..< y + height` to `value`.
    ///
    /// - Precondition: the rectangle lies inside the image.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, with value: UInt8) {
        precondition(
            x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= width && y + h <= height,
            "Raster.fill: rectangle at (\(x), \(y)) of \(w)×\(h) leaves the \(width)×\(height) image")
        let c = format.channels
        for row in y..<(y + h) {
            let start = (row * width + x) * c
            for i in start..<(start + w * c) { pixels[i] = value }
        }
    }

    /// Copies a grey `tileHeight × tileWidth` image (row-major) with its top-left corner at (`x`, `y`);
    /// in an RGB raster each grey value goes to all three channels.
    ///
    /// - Precondition: `tile.count == tileWidth · tileHeight` and the tile lies inside the image.
    public mutating func paste(gray tile: [UInt8], width tileWidth: Int, height tileHeight: Int, x: Int, y: Int) {
        precondition(tile.count == tileWidth * tileHeight, "Raster.paste: tile has \(tile.count) pixels, not \(tileWidth)×\(tileHeight)")
        precondition(
            x >= 0 && y >= 0 && x + tileWidth <= width && y + tileHeight <= height,
            "Raster.paste: a \(tileWidth)×\(tileHeight) tile at (\(x), \(y)) leaves the \(width)×\(height) image")
        let c = format.channels
        for row in 0..<tileHeight {
            let target = ((y + row) * width + x) * c
            for column in 0..<tileWidth {
                let value = tile[row * tileWidth + column]
                for channel in 0..<c { pixels[target + column * c + channel] = value }
            }
        }
    }

    /// Copies a `tileHeight × tileWidth` tile of this raster's own format (row-major, channels
    /// interleaved) with its top-left corner at (`x`, `y`).
    ///
    /// - Precondition: `tile.count == tileWidth · tileHeight · format.channels` and the tile lies inside the image.
    public mutating func paste(_ tile: [UInt8], width tileWidth: Int, height tileHeight: Int, x: Int, y: Int) {
        let c = format.channels
        guard c > 1 else { return paste(gray: tile, width: tileWidth, height: tileHeight, x: x, y: y) }
        precondition(tile.count == tileWidth * tileHeight * c, "Raster.paste: tile has \(tile.count) bytes, not \(tileWidth)×\(tileHeight)×\(c)")
        precondition(
            x >= 0 && y >= 0 && x + tileWidth <= width && y + tileHeight <= height,
            "Raster.paste: a \(tileWidth)×\(tileHeight) tile at (\(x), \(y)) leaves the \(width)×\(height) image")
        for row in 0..<tileHeight {
            let target = ((y + row) * width + x) * c
            pixels.replaceSubrange(target..<(target + tileWidth * c), with: tile[(row * tileWidth * c)..<((row + 1) * tileWidth * c)])
        }
    }

    /// The image enlarged `factor` times in each direction by repeating pixels (nearest neighbour),
    /// so 28×28 digits stay sharp when a viewer shows them large.
    ///
    /// - Precondition: `factor ≥ 1`.
    public func scaled(by factor: Int) -> Raster {
        precondition(factor >= 1, "Raster.scaled(by:): factor is \(factor); it must be at least 1")
        var result = Raster(width: width * factor, height: height * factor, format: format)
        let c = format.channels
        for y in 0..<result.height {
            for x in 0..<result.width {
                let source = ((y / factor) * width + x / factor) * c
                let target = (y * result.width + x) * c
                for channel in 0..<c { result.pixels[target + channel] = pixels[source + channel] }
            }
        }
        return result
    }

    /// Grey bytes from intensities in [0, 1] (the network's input scale): `round(255 · v)`, clamped
    /// to [0, 255]; NaN becomes 0.
    public static func grayBytes(fromUnitInterval values: [Float]) -> [UInt8] {
        values.map { v in
            // NOTE: adversarial images may step just outside [0, 1] before re-clipping; clamp, don't trap.
            guard !v.isNaN else { return 0 }
            return UInt8((PixelBox.clip(v) * 255).rounded())
        }
    }

    private func offset(_ x: Int, _ y: Int, _ channel: Int) -> Int {
        precondition(
            x >= 0 && x < width && y >= 0 && y < height && channel >= 0 && channel < format.channels,
            "Raster: pixel (\(x), \(y)) channel \(channel) is outside the \(width)×\(height) image with \(format.channels) channel(s)")
        return (y * width + x) * format.channels + channel
    }
}
