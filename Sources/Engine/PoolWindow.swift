/// The square windows of a pooling layer: `size`×`size` pixels every `stride` pixels, without
/// padding, as MaxPool2D and AvgPool2D slide them over (channels, height, width) maps.
public struct PoolWindow: Equatable, Sendable {
    /// Side of the square window.
    public let size: Int
    /// Step between windows.
    public let stride: Int

    /// Windows of `size`, every `stride` pixels (default: the size, windows that do not overlap).
    init(layer: String, size: Int, stride: Int?) {
        precondition(size >= 1 && (stride ?? size) >= 1, "\(layer): window size \(size) and stride \(stride ?? size) must be at least 1")
        self.size = size
        self.stride = stride ?? size
    }

    /// The model-file settings `size` and `stride`.
    var configuration: [String: Double] { ["size": Double(size), "stride": Double(stride)] }

    /// (channels, ⌊(height − size)/stride⌋ + 1, ⌊(width − size)/stride⌋ + 1): windows that do not fit are dropped.
    func outputShape(for inputShape: [Int], layer: String) throws -> [Int] {
        guard inputShape.count == 3, inputShape[1] >= size, inputShape[2] >= size else {
            throw NetworkError.shapeMismatch("\(layer): input shape \(inputShape), layer expects (channels, height ≥ \(size), width ≥ \(size))")
        }
        return [inputShape[0], (inputShape[1] - size) / stride + 1, (inputShape[2] - size) / stride + 1]
    }
}

/// A layer that pools square windows (`MaxPool2D`, `AvgPool2D`): its settings and output shape
/// follow from its `window`.
public protocol WindowPooling: Layer {
    /// The windows.
    var window: PoolWindow { get }
}

extension WindowPooling {
    /// Side of the square window.
    public var size: Int { window.size }
    /// Step between windows (defaults to the window size).
    public var stride: Int { window.stride }
    public var configuration: [String: Double] { window.configuration }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { try window.outputShape(for: inputShape, layer: name) }
}
