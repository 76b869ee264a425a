/// Max-pooling over non-overlapping (or strided) square windows of a (batch, channels, height, width) batch.
public final class MaxPool2D: WindowPooling {
    public var name: String
    public let kind = LayerKind.maxpool2d
    /// The windows.
    public let window: PoolWindow

    /// A max-pool with `size`×`size` windows every `stride` pixels.
    public init(name: String, size: Int, stride: Int? = nil) {
        self.name = name
        window = PoolWindow(layer: name, size: size, stride: stride)
    }

    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        precondition(input.shape.count == 4, "\(name): input shape \(input.shape), layer expects (batch, channels, height, width)")
        let planes = input.shape[0] * input.shape[1], h = input.shape[2], w = input.shape[3]
        let oh = (h - size) / stride + 1, ow = (w - size) / stride + 1
        var choices = [Int32](repeating: 0, count: planes * oh * ow)
        let out = makeScalars(count: planes * oh * ow) { y in
            input.scalars.withUnsafeBufferPointer { x in
                choices.withUnsafeMutableBufferPointer { chosen in
                    let (x, y, chosen) = (x.baseAddress!, y.baseAddress!, chosen.baseAddress!)
                    for p in 0..<planes {
                        for oi in 0..<oh {
                            let top = p * h * w + oi * stride * w, o = (p * oh + oi) * ow
                            if size == 2 && stride == 2 {
                                MaxPool2D.pairRows(x, top: top, width: w, count: ow, into: y + o, choices: chosen + o)
                                continue
                            }
                            for oj in 0..<ow {
                                var best = top + oj * stride
                                // NOTE: ties go to the first position in row-major order.
                                for di in 0..<size {
                                    for dj in 0..<size {
                                        let k = top + di * w + oj * stride + dj
                                        if x[k] > x[best] { best = k }
                                    }
                                }
                                y[o + oj] = x[best]
                                chosen[o + oj] = Int32(best)
                            }
                        }
                    }
                }
            }
        }
        var cache = LayerCache(input: input, output: Tensor(shape: [input.shape[0], input.shape[1], oh, ow], scalars: out))
        cache.choices = choices
        return cache
    }

    /// One output row of a 2×2, stride-2 pool (the convolutional nets' pool): the maxima of the
    /// windows over rows `top` and `top + width`, ties to the first in row-major order as above;
    /// four windows at a time with lane selects (a row's last one to three windows in a partly filled vector).
    @inline(__always)
    private static func pairRows(
        _ x: UnsafePointer<Float>, top: Int, width: Int, count: Int,
        into y: UnsafeMutablePointer<Float>, choices: UnsafeMutablePointer<Int32>
    ) {
        let upper = x + top, lower = x + top + width
        let steps = (Int32(1), Int32(truncatingIfNeeded: width), Int32(truncatingIfNeeded: width + 1))
        var oj = 0
        while oj < count {
            let lanes = min(4, count - oj)
            var u = SIMD8<Float>(), l = SIMD8<Float>()
            if lanes == 4 {
                u = UnsafeRawPointer(upper + 2 * oj).loadUnaligned(as: SIMD8<Float>.self)
                l = UnsafeRawPointer(lower + 2 * oj).loadUnaligned(as: SIMD8<Float>.self)
            } else {
                for k in 0..<(2 * lanes) { (u[k], l[k]) = (upper[2 * oj + k], lower[2 * oj + k]) }
            }
            var best = u.evenHalf, offset = SIMD4<Int32>()
            func consider(_ entry: SIMD4<Float>, _ step: Int32) {
                let larger = entry .> best
                best.replace(with: entry, where: larger)
                offset.replace(with: step, where: larger)
            }
            consider(u.oddHalf, steps.0)
            consider(l.evenHalf, steps.1)
            consider(l.oddHalf, steps.2)
            let chosen = SIMD4<Int32>(0, 2, 4, 6) &+ Int32(truncatingIfNeeded: top + 2 * oj) &+ offset
            for k in 0..<lanes { (y[oj + k], choices[oj + k]) = (best[k], chosen[k]) }
            oj += lanes
        }
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        LayerGradients(input: scatter(outputGradient, to: cache.input.shape, at: cache.choices), parameters: [])
    }
}
