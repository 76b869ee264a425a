/// Average pooling over square windows of a (batch, channels, height, width) batch, without
/// padding (PyTorch's `AvgPool2d`, ONNX's `AveragePool` with zero pads; `GlobalAveragePool` is the
/// window that covers the whole map). Each output is the mean of its `size`² inputs.
public final class AvgPool2D: WindowPooling {
    public var name: String
    public let kind = LayerKind.avgpool2d
    /// The windows.
    public let window: PoolWindow

    /// A average pool with `size`×`size` windows every `stride` pixels.
    public init(name: String, size: Int, stride: Int? = nil) {
        self.name = name
        window = PoolWindow(layer: name, size: size, stride: stride)
    }

    /// Visits every window: its output index and the input index of its top-left corner.
    @inline(__always)
    private func forEachWindow(planes: Int, height h: Int, width w: Int, _ body: (_ output: Int, _ corner: Int) -> Void) {
        let oh = (h - size) / stride + 1, ow = (w - size) / stride + 1
        for p in 0..<planes {
            for oi in 0..<oh {
                for oj in 0..<ow { body((p * oh + oi) * ow + oj, p * h * w + oi * stride * w + oj * stride) }
            }
        }
    }

    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        precondition(input.shape.count == 4, "\(name): input shape \(input.shape), layer expects (batch, channels, height, width)")
        let (planes, h, w) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let shape = [input.shape[0], input.shape[1], (h - size) / stride + 1, (w - size) / stride + 1]
        let area = Float(size * size)
        let out = makeScalars(count: shape.reduce(1, *)) { y in
            input.scalars.withUnsafeBufferPointer { x in
                forEachWindow(planes: planes, height: h, width: w) { o, corner in
                    var sum: Float = 0
                    for di in 0..<size {
                        for dj in 0..<size { sum += x[corner + di * w + dj] }
                    }
                    y[o] = sum / area
                }
            }
        }
        return LayerCache(input: input, output: Tensor(shape: shape, scalars: out))
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        let shape = cache.input.shape
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let area = Float(size * size)
        var gradient = [Float](repeating: 0, count: cache.input.count)
        outputGradient.scalars.withUnsafeBufferPointer { gy in
            gradient.withUnsafeMutableBufferPointer { gx in
                forEachWindow(planes: planes, height: h, width: w) { o, corner in
                    let share = gy[o] / area
                    for di in 0..<size {
                        for dj in 0..<size { gx[corner + di * w + dj] += share }
                    }
                }
            }
        }
        return LayerGradients(input: Tensor(shape: shape, scalars: gradient), parameters: [])
    }
}
