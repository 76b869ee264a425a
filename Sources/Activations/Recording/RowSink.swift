import CDeflate
import Dispatch
import HDF5

/// Where a recording's rows of one dataset go: copied once, as they arrive, into a band of chunk
/// rows held in the chunks' own layout, and written as whole chunks with `H5Dwrite_chunk` (gzip
/// datasets: compressed on all cores first). HDF5's own path would copy every batch through its
/// chunk cache and compress on one core.
final class RowSink<T: HDF5Scalar & AdditiveArithmetic> {
    /// The dataset written.
    let dataset: Dataset<T>
    private let rowShape: [Int]
    private let level: Int32?
    /// Rows per band (the chunk's first extent).
    private let band: Int
    /// Values per row.
    private let rowSize: Int
    /// Chunks per band; each spans `width` indices of the second axis and every later axis in full.
    private let blocks: Int
    private let width: Int
    private let inner: Int
    /// Values per chunk (edge chunks padded to the full shape).
    private let chunkCount: Int
    /// One band, chunk after chunk, each row-major: rows land where `H5Dwrite_chunk` reads them.
    private var bandBuffer: [T]
    /// Reused compressed chunks (gzip datasets only).
    private var packed: [[UInt8]] = []
    private var bufferedRows = 0
    /// Only the last band of a recording may be short.
    private var wroteShortBand = false
    private var rowsInFile: Int

    /// A sink appending to `dataset`, which holds `rowsInFile` rows; `gzipLevel` must name the
    /// dataset's gzip filter (its only filter), or be nil for a dataset without filters.
    init(_ dataset: Dataset<T>, rowsInFile: Int, gzipLevel: Int?) {
        self.dataset = dataset
        rowShape = Array(dataset.shape.dropFirst())
        let chunk = dataset.chunk ?? [1] + rowShape
        level = gzipLevel.map(Int32.init)
        self.rowsInFile = rowsInFile
        band = chunk[0]
        rowSize = max(1, rowShape.reduce(1, *))
        let extent = rowShape.first ?? 1
        width = chunk.count > 1 ? chunk[1] : 1
        inner = rowShape.dropFirst().reduce(1, *)
        blocks = (extent + width - 1) / width
        precondition(
            Array(chunk.dropFirst(2)) == Array(rowShape.dropFirst()),
            "RowSink: chunks must span every axis after the second in full (\(chunk) for rows of \(rowShape))")
        chunkCount = band * width * inner
        // Left uninitialised, so that no one thread zeroes the whole band before the recording starts:
        // the scatter fills every row it is given and `flush` zeroes the rows past the end. Only the last
        // block's columns past the extent (a partial edge chunk) are never written: they are zeroed here.
        let lastBlockPartial = extent % width != 0
        bandBuffer = [T](unsafeUninitializedCapacity: blocks * chunkCount) { [chunkCount, blocks] buffer, initialized in
            if lastBlockPartial {
                buffer[((blocks - 1) * chunkCount)...].initialize(repeating: T.zero)
            }
            initialized = blocks * chunkCount
        }
    }

    /// The bytes the chunks of `rows` more rows will take in the file (whole chunks), or nil when
    /// they are compressed and their size is not known before.
    func storedBytes(appending rows: Int) -> Int? {
        guard level == nil else { return nil }
        let bands = (bufferedRows + rows + band - 1) / band
        return bands * blocks * chunkCount * MemoryLayout<T>.stride
    }

    /// Adds whole rows (row-major, `rowSize` values each); full bands are written at once.
    func append(_ values: UnsafeBufferPointer<T>) throws {
        precondition(values.count % rowSize == 0, "RowSink: \(values.count) values are not whole rows of \(rowSize)")
        var row = 0
        let rows = values.count / rowSize
        while row < rows {
            let take = min(rows - row, band - bufferedRows)
            scatter(UnsafeBufferPointer(rebasing: values[(row * rowSize)..<((row + take) * rowSize)]))
            row += take
            if bufferedRows == band { try writeBand() }
        }
    }

    /// Adds whole rows from an array.
    func append(_ values: [T]) throws {
        try values.withUnsafeBufferPointer { try append($0) }
    }

    /// Writes the rows still buffered (the last, partial band of a recording).
    func flush() throws {
        guard bufferedRows > 0 else { return }
        // The rows past the data set's end are stored too (a chunk is always whole): zero them.
        bandBuffer.withUnsafeMutableBufferPointer { buffer in
            for block in 0..<blocks {
                let start = block * chunkCount + bufferedRows * width * inner
                buffer[start..<((block + 1) * chunkCount)].update(repeating: T.zero)
            }
        }
        try writeBand()
    }

    /// Copies rows into the band after the ones already buffered, each row's values split over the chunks.
    private func scatter(_ values: UnsafeBufferPointer<T>) {
        let rows = values.count / rowSize
        let extent = rowShape.first ?? 1
        bandBuffer.withUnsafeMutableBufferPointer { buffer in
            for block in 0..<blocks {
                let first = block * width, piece = (min(first + width, extent) - first) * inner
                var to = buffer.baseAddress! + block * chunkCount + bufferedRows * width * inner
                var from = values.baseAddress! + first * inner
                if piece * MemoryLayout<T>.stride == MemoryLayout<SIMD16<Float>>.size {
                    // The common case, 16 float32 units per chunk: one vector per row, not a memmove call.
                    for _ in 0..<rows {
                        UnsafeMutableRawPointer(to).storeBytes(
                            of: UnsafeRawPointer(from).loadUnaligned(as: SIMD16<Float>.self),
                            as: SIMD16<Float>.self)
                        to += width * inner
                        from += rowSize
                    }
                } else {
                    for _ in 0..<rows {
                        to.update(from: from, count: piece)
                        to += width * inner
                        from += rowSize
                    }
                }
            }
        }
        bufferedRows += rows
    }

    /// Writes the band's chunks (compressed across the cores first for gzip datasets) and empties it.
    private func writeBand() throws {
        let rows = bufferedRows
        try dataset.resize(rows: rowsInFile + rows)
        let chunkBytes = chunkCount * MemoryLayout<T>.stride
        func corner(_ block: Int) -> [Int] {
            [rowsInFile] + (rowShape.isEmpty ? [] : [block * width] + Array(repeating: 0, count: rowShape.count - 1))
        }
        if let level {
            let lengths = try compressBand(level: level, chunkBytes: chunkBytes)
            for block in 0..<blocks {
                try packed[block].withUnsafeBytes {
                    try dataset.writeStoredChunk(at: corner(block), bytes: UnsafeRawBufferPointer(rebasing: $0[0..<lengths[block]]))
                }
            }
        } else {
            try bandBuffer.withUnsafeBytes { raw in
                for block in 0..<blocks {
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[(block * chunkBytes)..<((block + 1) * chunkBytes)])
                    try dataset.writeStoredChunk(at: corner(block), bytes: bytes)
                }
            }
        }
        rowsInFile += rows
        bufferedRows = 0
        precondition(!wroteShortBand, "RowSink: rows were appended after the last, partial band")
        wroteShortBand = rows < band
    }

    /// Compresses every chunk of the band into `packed` as a zlib stream (what the deflate filter
    /// stores; libdeflate writes the same format, faster than zlib), across the cores.
    /// - Returns: each chunk's compressed length.
    private func compressBand(level: Int32, chunkBytes: Int) throws -> [Int] {
        if packed.isEmpty {
            guard let probe = libdeflate_alloc_compressor(level) else {
                throw RecordingError.invalidFile("libdeflate cannot make a level-\(level) compressor for \(dataset.path)")
            }
            let bound = libdeflate_zlib_compress_bound(probe, chunkBytes)
            libdeflate_free_compressor(probe)
            packed = (0..<blocks).map { _ in [UInt8](repeating: 0, count: bound) }
        }
        var lengths = [Int](repeating: 0, count: blocks)
        bandBuffer.withUnsafeBytes { source in
            packed.withUnsafeMutableBufferPointer { outputs in
                lengths.withUnsafeMutableBufferPointer { lengths in
                    DispatchQueue.concurrentPerform(iterations: blocks) { block in
                        guard let compressor = libdeflate_alloc_compressor(level) else { return }
                        defer { libdeflate_free_compressor(compressor) }
                        let chunk = source.baseAddress! + block * chunkBytes
                        lengths[block] = outputs[block].withUnsafeMutableBytes {
                            libdeflate_zlib_compress(compressor, chunk, chunkBytes, $0.baseAddress, $0.count)
                        }
                    }
                }
            }
        }
        guard !lengths.contains(0) else {
            throw RecordingError.invalidFile("libdeflate failed to compress a chunk of \(dataset.path)")
        }
        return lengths
    }
}
