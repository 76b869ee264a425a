/// The square windows of a pooling layer: `size`×`size` pixels every `stride` pixels, without
/// padding, as MaxPool2D and AvgPool2D slide them over (channels, height, width) maps.
struct PoolWindow: Equatable, Sendable {
    /// Side of the square window.
    let size: Int
    /// Step between windows.
    let stride: Int

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
