/// What can go wrong while building or writing a report and its images.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A raster's pixel buffer does not hold `width · height · channels` bytes.
    case pixelCount(width: Int, height: Int, channels: Int, count: Int)
    /// A tile handed to `ImageGrid` has the wrong number of pixels.
    case tileSize(group: Int, row: Int, tile: Int, expected: Int, count: Int)
    /// `ImageGrid.render` was given no tiles at all.
    case emptyGrid
    /// libpng refused to encode an image (its message).
    case encoding(message: String)
    /// The PNG could not be written to `path`.
    case cannotWrite(path: String, reason: String)
    /// The report's inputs cannot be used (one line saying why and what to do).
    case unreadable(String)

    /// One line saying what went wrong and, where there is one, what to do.
    public var description: String {
        switch self {
        case let .pixelCount(width, height, channels, count):
            return "image of \(width)×\(height) pixels with \(channels) channel(s) needs \(width * height * channels) bytes, got \(count)"
        case let .tileSize(group, row, tile, expected, count):
            return "image grid: tile \(tile) of row \(row) in group \(group) has \(count) pixels; the grid's tiles have \(expected)"
        case .emptyGrid:
            return "image grid: no tiles to draw; every group and row is empty"
        case let .encoding(message):
            return "libpng could not encode the image: \(message)"
        case let .cannotWrite(path, reason):
            return "cannot write PNG \(path): \(reason)"
        case let .unreadable(message):
            return message
        }
    }
}
