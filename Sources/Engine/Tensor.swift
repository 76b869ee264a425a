/// A dense, row-major array of Float32 values with a shape: the one value type the
/// engine passes between layers. The first axis is the batch.
///
/// Storage is a Swift array (copy-on-write); hot loops reach it through
/// `withUnsafeMutableBufferPointer` and hand it to BLAS.
public struct Tensor: Equatable, Sendable {
    /// The extent of each axis, batch first (e.g. `[batch, features]` or `[batch, channels, height, width]`).
    public var shape: [Int]
    /// The values in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// A tensor holding `scalars` with the given shape.
    /// - Precondition: the element count of `shape` equals `scalars.count`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(
            shape.reduce(1, *) == scalars.count,
            "Tensor: shape \(shape) holds \(shape.reduce(1, *)) values, given \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape whose values `body` writes, every one of them (the buffer is
    /// not zero-filled first; a large one is backed by huge pages where the kernel has them).
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        self.init(shape: shape, scalars: makeScalars(count: shape.reduce(1, *), body))
    }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros of the given shape.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// Number of values.
    public var count: Int { scalars.count }
    /// Extent of the first (batch) axis.
    public var batchSize: Int { shape.first ?? 0 }
    /// Number of values per batch row (the product of every axis but the first).
    public var rowSize: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// The same values seen with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Rows `range` of the batch axis, as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        let r = rowSize
        var s = shape
        s[0] = range.count
        return Tensor(shape: s, scalars: Array(scalars[(range.lowerBound * r)..<(range.upperBound * r)]))
    }

    /// The rows at `indices` of the batch axis, in that order, as a new tensor.
    public func gathering(rows indices: [Int]) -> Tensor {
        var out = Tensor(shape: [0], scalars: [])
        gather(rows: indices, into: &out)
        return out
    }

    /// Copies the rows at `indices` of the batch axis, in that order, into `destination`, reusing
    /// its storage when it already holds that many values and nothing else shares it: a training
    /// loop gathers every batch into one buffer this way, with no allocation and no page faults.
    public func gather(rows indices: [Int], into destination: inout Tensor) {
        let r = rowSize, count = indices.count * r
        let copyRows = { (dst: UnsafeMutableBufferPointer<Float>) in
            self.scalars.withUnsafeBufferPointer { src in
                // Rows are scattered over the whole set: both cores fetch them, each its part of the
                // values cut down to whole rows (consecutive parts share their cut, so every row is
                // copied once).
                ExampleParallel.forEachPart(of: count) { part in
                    for i in (part.lowerBound / r)..<(part.upperBound / r) {
                        let row = indices[i]
                        precondition(row >= 0 && row < self.batchSize, "Tensor.gathering: row \(row) outside 0..<\(self.batchSize)")
                        UnsafeMutableRawPointer(dst.baseAddress! + i * r)
                            .copyMemory(from: src.baseAddress! + row * r, byteCount: r * MemoryLayout<Float>.stride)
                    }
                }
            }
        }
        var s = shape
        s[0] = indices.count
        if destination.scalars.count == count {
            destination.scalars.withUnsafeMutableBufferPointer { copyRows($0) }
            destination.shape = s
        } else {
            destination = Tensor(shape: s, scalars: makeScalars(count: count, copyRows))
        }
    }

    /// True when every value is finite (no NaN, no infinity).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
