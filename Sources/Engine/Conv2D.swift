/// A 2-D convolution (cross-correlation, as in PyTorch) over (batch, channels, height, width)
/// batches, computed per example as im2col followed by one `cblas_sgemm` that writes the example's
/// (channels, positions) output in place: no product to transpose, and a column matrix (at most a
/// few hundred KB) that stays in the core's cache until the product reads it.
///
/// Weight shape (outChannels, inChannels, kernel, kernel); bias (outChannels).
public final class Conv2D: Layer {
    public var name: String
    public let kind = LayerKind.conv2d
    /// The filters, shape (outChannels, inChannels, kernel, kernel).
    public let weight: Parameter
    /// One bias per output channel.
    public let bias: Parameter
    /// Step between neighbouring windows, in pixels.
    public let stride: Int
    /// Zeros added on each border.
    public let padding: Int

    /// Number of input channels.
    public var inChannels: Int { weight.value.shape[1] }
    /// Number of output channels.
    public var outChannels: Int { weight.value.shape[0] }
    /// Side of the square kernel.
    public var kernel: Int { weight.value.shape[2] }

    /// A convolution with zero weights; initialise with `Initializer`.
    public init(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        precondition(kernel >= 1 && stride >= 1 && padding >= 0, "Conv2D: kernel \(kernel), stride \(stride), padding \(padding) are not valid")
        self.name = name
        self.stride = stride
        self.padding = padding
        weight = Parameter(name: "weight", value: .zeros([outChannels, inChannels, kernel, kernel]), decays: true)
        bias = Parameter(name: "bias", value: .zeros([outChannels]), decays: false)
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var configuration: [String: Double] {
        [
            "in_channels": Double(inChannels), "out_channels": Double(outChannels), "kernel": Double(kernel),
            "stride": Double(stride), "padding": Double(padding),
        ]
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape[0] == inChannels else {
            throw NetworkError.shapeMismatch("\(name): input shape \(inputShape), layer expects (\(inChannels), height, width)")
        }
        let (h, w) = outputSize(inputShape[1], inputShape[2])
        guard h >= 1, w >= 1 else {
            throw NetworkError.shapeMismatch(
                "\(name): a \(kernel)x\(kernel) kernel does not fit a \(inputShape[1])x\(inputShape[2]) input with padding \(padding)")
        }
        return [outChannels, h, w]
    }

    private func outputSize(_ h: Int, _ w: Int) -> (Int, Int) {
        ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
    }

    /// The geometry of one forward call.
    private struct Geometry {
        let batch, channels, height, width, outHeight, outWidth, kernel, stride, padding: Int
        var patch: Int { channels * kernel * kernel }
        var positions: Int { outHeight * outWidth }
        /// Stride 1 and an output as wide as the input: the column matrix is shifted runs of the image.
        var sameWidth: Bool { stride == 1 && outWidth == width }
    }

    private func geometry(_ input: Tensor) -> Geometry {
        precondition(
            input.shape.count == 4 && input.shape[1] == inChannels,
            "\(name): input shape \(input.shape), layer expects (batch, \(inChannels), height, width)")
        let (oh, ow) = outputSize(input.shape[2], input.shape[3])
        return Geometry(
            batch: input.shape[0], channels: inChannels, height: input.shape[2], width: input.shape[3],
            outHeight: oh, outWidth: ow, kernel: kernel, stride: stride, padding: padding)
    }

    /// The output columns `oj` whose input column `oj·stride − padding + kj` lies inside the image.
    @inline(__always)
    private static func validColumns(_ g: Geometry, kj: Int) -> Range<Int> {
        let offset = g.padding - kj
        let low = offset > 0 ? (offset + g.stride - 1) / g.stride : 0
        let high = min(g.outWidth, offset + g.width > 0 ? (offset + g.width - 1) / g.stride + 1 : 0)
        return low..<max(low, high)
    }

    /// Visits every line of the (patch, count·positions) column matrix of examples `first..<first+count`:
    /// the line (one output row of one kernel offset), the input row it reads, shifted so that output
    /// column `oj` reads `source[oj · stride]` (nil when the row lies in the padding), and the output
    /// columns that fall inside the image. im2col and its adjoint col2im are the two uses.
    @inline(__always)
    private static func forEachLine(
        _ g: Geometry, first: Int, count: Int, col: UnsafeMutablePointer<Float>, image x: UnsafeMutablePointer<Float>,
        _ body: (_ line: UnsafeMutablePointer<Float>, _ source: UnsafeMutablePointer<Float>?, _ valid: Range<Int>) -> Void
    ) {
        let columns = count * g.positions
        for c in 0..<g.channels {
            for ki in 0..<g.kernel {
                for kj in 0..<g.kernel {
                    let row = col + ((c * g.kernel + ki) * g.kernel + kj) * columns
                    let valid = validColumns(g, kj: kj)
                    for e in 0..<count {
                        let image = x + ((first + e) * g.channels + c) * g.height * g.width
                        for oi in 0..<g.outHeight {
                            let i = oi * g.stride - g.padding + ki
                            let inside = i >= 0 && i < g.height && !valid.isEmpty
                            body(row + e * g.positions + oi * g.outWidth, inside ? image + i * g.width - g.padding + kj : nil, valid)
                        }
                    }
                }
            }
        }
    }

    /// For a stride-1 convolution whose output is as wide as its input ("same" padding, as in the
    /// papers' conv nets), visits each block of the column matrix that one kernel offset and one
    /// example fill: output rows `rows` read input rows `rows + ki − padding` shifted by `shift = kj −
    /// padding` columns, so the whole block is one run of the image plane displaced by a constant,
    /// `block[q] = plane[q + offset]`, except in the `|shift|` columns of each line that fall outside
    /// the image. Nothing of the block outside `rows` reads the image.
    @inline(__always)
    private static func forEachSameWidthBlock(
        _ g: Geometry, first: Int, count: Int, col: UnsafeMutablePointer<Float>, image x: UnsafeMutablePointer<Float>,
        _ body: (_ block: UnsafeMutablePointer<Float>, _ plane: UnsafeMutablePointer<Float>, _ rows: Range<Int>, _ offset: Int, _ shift: Int) -> Void
    ) {
        let columns = count * g.positions, plane = g.height * g.width
        for c in 0..<g.channels {
            for ki in 0..<g.kernel {
                let rows = max(0, g.padding - ki)..<max(max(0, g.padding - ki), min(g.outHeight, g.height + g.padding - ki))
                for kj in 0..<g.kernel {
                    let row = col + ((c * g.kernel + ki) * g.kernel + kj) * columns
                    let shift = kj - g.padding
                    for e in 0..<count {
                        body(row + e * g.positions, x + ((first + e) * g.channels + c) * plane, rows, (ki - g.padding) * g.width + shift, shift)
                    }
                }
            }
        }
    }

    /// The part `lo..<hi` of the block's run `rows` whose source `q + offset` lies inside the plane.
    @inline(__always)
    private static func insidePlane(_ g: Geometry, rows: Range<Int>, offset: Int) -> Range<Int> {
        let start = rows.lowerBound * g.width, end = rows.upperBound * g.width
        let lo = max(start, -offset), hi = min(end, g.height * g.width - offset)
        return lo..<max(lo, hi)
    }

    /// Sets to zero the `|shift|` columns of each line of `rows` whose source lies outside the image.
    @inline(__always)
    private static func zeroOutsideColumns(_ block: UnsafeMutablePointer<Float>, _ g: Geometry, rows: Range<Int>, shift: Int) {
        guard shift != 0 else { return }
        let (from, width) = shift < 0 ? (0, -shift) : (g.width - shift, shift)
        // NOTE: one or two values per line (a 3x3 or 5x5 kernel): stored one by one, since a loop here
        // compiles to a call of memset per line, which costs more than the stores.
        for oi in rows {
            let line = block + oi * g.width + from
            switch width {
            case 1: line[0] = 0
            case 2: line[0] = 0; line[1] = 0
            case 3: line[0] = 0; line[1] = 0; line[2] = 0
            default: ShortRuns.zero(line, count: width)
            }
        }
    }

    /// Writes the patches of examples `first..<first+count` as a (patch, count·positions) matrix.
    private static func im2col(_ x: UnsafePointer<Float>, _ g: Geometry, first: Int, count: Int, into col: UnsafeMutablePointer<Float>) {
        if g.sameWidth {
            forEachSameWidthBlock(g, first: first, count: count, col: col, image: UnsafeMutablePointer(mutating: x)) {
                block, plane, rows, offset, shift in
                let inside = insidePlane(g, rows: rows, offset: offset)
                ShortRuns.zero(block, count: inside.lowerBound)
                ShortRuns.copy(plane + inside.lowerBound + offset, to: block + inside.lowerBound, count: inside.count)
                ShortRuns.zero(block + inside.upperBound, count: g.positions - inside.upperBound)
                zeroOutsideColumns(block, g, rows: rows, shift: shift)
            }
            return
        }
        forEachLine(g, first: first, count: count, col: col, image: UnsafeMutablePointer(mutating: x)) { line, source, valid in
            guard let source else {
                ShortRuns.zero(line, count: g.outWidth)
                return
            }
            ShortRuns.zero(line, count: valid.lowerBound)
            ShortRuns.zero(line + valid.upperBound, count: g.outWidth - valid.upperBound)
            if g.stride == 1 {
                ShortRuns.copy(source + valid.lowerBound, to: line + valid.lowerBound, count: valid.count)
            } else {
                for oj in valid { line[oj] = source[oj * g.stride] }
            }
        }
    }

    /// Adds a (patch, count·positions) column-gradient matrix back into the image gradient (the adjoint of im2col).
    /// The column matrix is the layer's own scratch: the same-width path zeroes the entries that fall
    /// outside the image before adding each block back as one run.
    private static func col2im(_ col: UnsafeMutablePointer<Float>, _ g: Geometry, first: Int, count: Int, into x: UnsafeMutablePointer<Float>) {
        if g.sameWidth {
            forEachSameWidthBlock(g, first: first, count: count, col: col, image: x) { block, plane, rows, offset, shift in
                zeroOutsideColumns(block, g, rows: rows, shift: shift)
                let inside = insidePlane(g, rows: rows, offset: offset)
                ShortRuns.add(block + inside.lowerBound, to: plane + inside.lowerBound + offset, count: inside.count)
            }
            return
        }
        forEachLine(g, first: first, count: count, col: UnsafeMutablePointer(mutating: col), image: x) { line, target, valid in
            guard let target else { return }
            for oj in valid { target[oj * g.stride] += line[oj] }
        }
    }

    public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache {
        let g = geometry(input)
        let oc = outChannels
        var out = makeScalars(count: g.batch * oc * g.positions) { _ in }
        input.scalars.withUnsafeBufferPointer { x in
            weight.value.scalars.withUnsafeBufferPointer { w in
                bias.value.scalars.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { y in
                        let (x, w, b, y) = (x.baseAddress!, w.baseAddress!, b.baseAddress!, y.baseAddress!)
                        ExampleParallel.forEachShare(of: g.batch) { examples in
                            let col = ColumnScratch.current.buffer(count: g.patch * g.positions)
                            for e in examples {
                                Conv2D.im2col(x, g, first: e, count: 1, into: col)
                                // y_e (oc, positions) = W (oc, patch) · col (patch, positions) + b, written in place.
                                let ye = y + e * oc * g.positions
                                for o in 0..<oc { ShortRuns.fill(ye + o * g.positions, with: b[o], count: g.positions) }
                                gemm(
                                    m: oc, n: g.positions, k: g.patch, a: w, lda: g.patch,
                                    b: col, ldb: g.positions, beta: 1, c: ye, ldc: g.positions)
                            }
                        }
                    }
                }
            }
        }
        return LayerCache(input: input, output: Tensor(shape: [g.batch, oc, g.outHeight, g.outWidth], scalars: out))
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients {
        gradients(outputGradient, cache: cache, needsInputGradient: needsInputGradient, needsParameterGradients: true)
    }

    public func inputGradient(_ outputGradient: Tensor, cache: LayerCache) -> Tensor {
        gradients(outputGradient, cache: cache, needsInputGradient: true, needsParameterGradients: false).input!
    }

    private func gradients(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool, needsParameterGradients: Bool) -> LayerGradients {
        let g = geometry(cache.input)
        let oc = outChannels
        let weightCount = weight.value.count
        var inputGradient = needsInputGradient ? Tensor.zeros(cache.input.shape) : Tensor.zeros([0])
        // One weight- and bias-gradient accumulator per share of the batch, summed at the end.
        let shares = ExampleParallel.shareCount(of: g.batch)
        var partial = [Float](repeating: 0, count: shares * (weightCount + oc))
        cache.input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { gy in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    partial.withUnsafeMutableBufferPointer { partial in
                        inputGradient.scalars.withUnsafeMutableBufferPointer { gx in
                            let (x, gy, w, partial) = (x.baseAddress!, gy.baseAddress!, w.baseAddress!, partial.baseAddress!)
                            let gx = needsInputGradient ? gx.baseAddress! : nil
                            ExampleParallel.forEachShare(of: g.batch) { examples, share in
                                let gw = partial + share * (weightCount + oc)
                                let gb = gw + weightCount
                                let col = ColumnScratch.current.buffer(count: g.patch * g.positions)
                                for e in examples {
                                    // G_e (oc, positions): example e's output gradient as it lies in the batch.
                                    let ge = gy + e * oc * g.positions
                                    if needsParameterGradients {
                                        for o in 0..<oc { gb[o] += ShortRuns.sum(ge + o * g.positions, count: g.positions) }
                                        Conv2D.im2col(x, g, first: e, count: 1, into: col)
                                        // dW (oc, patch) += G_e (oc, positions) · colᵀ (positions, patch)
                                        gemm(
                                            transposeB: true, m: oc, n: g.patch, k: g.positions, a: ge, lda: g.positions,
                                            b: col, ldb: g.positions, beta: 1, c: gw, ldc: g.patch)
                                    }
                                    if let gx {
                                        // dcol (patch, positions) = Wᵀ (patch, oc) · G_e (oc, positions)
                                        gemm(
                                            transposeA: true, m: g.patch, n: g.positions, k: oc, a: w, lda: g.patch,
                                            b: ge, ldb: g.positions, c: col, ldc: g.positions)
                                        Conv2D.col2im(col, g, first: e, count: 1, into: gx)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var weightGradient = Tensor.zeros(weight.value.shape)
        var biasGradient = Tensor.zeros([oc])
        for share in 0..<shares {
            let base = share * (weightCount + oc)
            for j in 0..<weightCount { weightGradient.scalars[j] += partial[base + j] }
            for o in 0..<oc { biasGradient.scalars[o] += partial[base + weightCount + o] }
        }
        return LayerGradients(input: needsInputGradient ? inputGradient : nil, parameters: [weightGradient, biasGradient])
    }
}
