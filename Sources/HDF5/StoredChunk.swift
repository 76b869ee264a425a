import CHDF5

extension Dataset {
    /// Writes one chunk exactly as the dataset's filters would store it, bypassing them
    /// (`H5Dwrite_chunk`): the caller has already compressed it, so that chunks can be compressed
    /// on several cores and written one after the other.
    ///
    /// - Parameters:
    ///   - offset: The chunk's first element on every axis (a multiple of the chunk shape).
    ///   - bytes: The stored bytes: for a gzip dataset, the zlib stream of the chunk's full,
    ///     row-major contents (edge chunks padded to the full chunk shape).
    ///   - skippedFilters: A mask of filters not applied to these bytes (0: all were applied).
    /// - Throws: `HDF5Error` when the dataset is not chunked, the offset is not a chunk corner
    ///   inside the current extent, or HDF5 refuses.
    public func writeStoredChunk(at offset: [Int], bytes: [UInt8], skippedFilters: UInt32 = 0) throws {
        try bytes.withUnsafeBytes { try writeStoredChunk(at: offset, bytes: $0, skippedFilters: skippedFilters) }
    }

    /// Writes one chunk's stored bytes from memory the caller owns (see the array form).
    public func writeStoredChunk(at offset: [Int], bytes raw: UnsafeRawBufferPointer, skippedFilters: UInt32 = 0) throws {
        guard let chunk else {
            throw usageError("Dataset.writeStoredChunk", path: path, file: file.path, "the dataset is not chunked")
        }
        let extents = try currentShape()
        guard offset.count == extents.count,
            zip(offset, chunk).allSatisfy({ $0 >= 0 && $0 % $1 == 0 }),
            zip(offset, extents).allSatisfy({ $0 < max($1, 1) })
        else {
            throw usageError(
                "Dataset.writeStoredChunk", path: path, file: file.path,
                "offset \(offset) is not a chunk corner (chunk \(chunk)) inside the extent \(extents)")
        }
        var corner = offset.map { hsize_t($0) }
        try check(
            H5Dwrite_chunk(id, np_H5P_DEFAULT(), skippedFilters, &corner, raw.count, raw.baseAddress),
            "H5Dwrite_chunk", path: path, file: file.path)
    }
}
