import CDeflate
import Dispatch
import HDF5

/// Where a recording's rows of one dataset go: gathered into a band of chunk rows and written as
/// whole chunks with `H5Dwrite_chunk`, assembled (and, for gzip datasets, compressed) on all cores;
/// HDF5's own path would copy every batch through its chunk cache and compress on one core.
final class RowSink<T: HDF5Scalar> {
    /// The dataset written.
    let dataset: Dataset<T>
    private let rowShape: [Int]
    private let chunk: [Int]
    private let level: Int32?
    private var buffer: [T] = []
    private var bufferedRows = 0
    private var rowsInFile: Int

    /// A sink appending to `dataset`, which holds `rowsInFile` rows; `gzipLevel` must name the
    /// dataset's gzip filter (its only filter), or be nil for a dataset without filters.
    init(_ dataset: Dataset<T>, rowsInFile: Int, gzipLevel: Int?) {
        self.dataset = dataset
        rowShape = Array(dataset.shape.dropFirst())
        chunk = dataset.chunk ?? [1] + rowShape
        level = gzipLevel.map(Int32.init)
        self.rowsInFile = rowsInFile
    }

    /// Adds whole rows; full bands of chunk rows are written at once.
    func append(_ values: [T]) throws {
        buffer += values
        bufferedRows += values.count / max(1, rowShape.reduce(1, *))
        while bufferedRows >= chunk[0] { try writeBand(rows: chunk[0]) }
    }

    /// Writes the rows still buffered (the last, partial band of a recording).
    func flush() throws {
        if bufferedRows > 0 { try writeBand(rows: bufferedRows) }
    }

    /// Compresses the first `rows` buffered rows, chunk by chunk across the cores, and writes the chunks.
    private func writeBand(rows: Int) throws {
        let band = chunk[0]
        let rowSize = max(1, rowShape.reduce(1, *))
        // A chunk spans `width` indices of the second axis and every later axis in full.
        let extent = rowShape.first ?? 1
        let width = chunk.count > 1 ? chunk[1] : 1
        let inner = rowShape.dropFirst().reduce(1, *)
        let blocks = (extent + width - 1) / width
        let elementBytes = MemoryLayout<T>.stride
        let chunkBytes = band * width * inner * elementBytes
        var stored = [[UInt8]](repeating: [], count: blocks)
        var failed = false
        buffer.withUnsafeBytes { source in
            stored.withUnsafeMutableBufferPointer { results in
                DispatchQueue.concurrentPerform(iterations: blocks) { block in
                    var raw = [UInt8](repeating: 0, count: chunkBytes)
                    let first = block * width, last = min(first + width, extent)
                    let piece = (last - first) * inner * elementBytes
                    raw.withUnsafeMutableBytes { target in
                        for row in 0..<rows {
                            let from = (row * rowSize + first * inner) * elementBytes
                            let to = row * width * inner * elementBytes
                            target.baseAddress!.advanced(by: to).copyMemory(from: source.baseAddress!.advanced(by: from), byteCount: piece)
                        }
                    }
                    guard let level = self.level else {
                        results[block] = raw
                        return
                    }
                    // The deflate filter stores a zlib stream; libdeflate writes the same format, faster than zlib.
                    guard let compressor = libdeflate_alloc_compressor(level) else {
                        failed = true
                        return
                    }
                    defer { libdeflate_free_compressor(compressor) }
                    let bound = libdeflate_zlib_compress_bound(compressor, chunkBytes)
                    var packed = [UInt8](repeating: 0, count: bound)
                    let length = libdeflate_zlib_compress(compressor, raw, chunkBytes, &packed, bound)
                    if length == 0 { failed = true }
                    packed.removeLast(bound - length)
                    results[block] = packed
                }
            }
        }
        guard !failed else {
            throw RecordingError.invalidFile("libdeflate failed to compress a chunk of \(dataset.path)")
        }
        try dataset.resize(rows: rowsInFile + rows)
        for (block, bytes) in stored.enumerated() {
            let offset = [rowsInFile] + (rowShape.isEmpty ? [] : [block * width] + Array(repeating: 0, count: rowShape.count - 1))
            try dataset.writeStoredChunk(at: offset, bytes: bytes)
        }
        rowsInFile += rows
        buffer.removeFirst(rows * rowSize)
        bufferedRows -= rows
        precondition(rows == band || bufferedRows == 0, "RowSink: a partial band was written before the end of the recording")
    }
}
