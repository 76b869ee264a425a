import CHDF5

/// The chunk cache HDF5 keeps for one open dataset (HDF5's `H5Pset_chunk_cache`).
///
/// HDF5 reads and writes a chunked dataset a whole chunk at a time, and a compressed chunk
/// is compressed again each time it leaves the cache. A writer that fills chunks in several
/// batches should therefore use a cache that holds every chunk a batch touches (a whole
/// band of rows across the other axes); otherwise a chunk is evicted, compressed and
/// written between batches, then read, decompressed, compressed and written again.
/// HDF5's own default is 1 MiB in 521 slots.
public struct ChunkCache: Equatable, Sendable {
    /// The cache size in bytes; 0 turns caching off. A chunk larger than this bypasses the cache.
    public var bytes: Int
    /// The number of hash table slots, or nil for a prime about 100 times the number of chunks that fit in `bytes`.
    ///
    /// HDF5 advises a prime about 100 times the chunk count, so that chunks rarely collide
    /// in the table (a collision evicts a chunk however much room is left).
    public var slots: Int?

    /// Describes a chunk cache.
    ///
    /// - Parameters:
    ///   - bytes: The cache size in bytes, at least 0.
    ///   - slots: The hash table slots, at least 1; nil to derive them from `bytes` and the dataset's chunk size.
    public init(bytes: Int, slots: Int? = nil) {
        self.bytes = bytes
        self.slots = slots
    }
}

extension ChunkCache {
    /// The most slots chosen by default; a table this size takes 8 MiB per open dataset.
    static let defaultSlotLimit = 1 << 20

    /// Throws unless the size and slot count are ones HDF5 accepts.
    func validate(function: String, at site: Site) throws {
        guard bytes >= 0 else {
            throw usageError(function, path: site.path, file: site.file, "chunk cache of \(bytes) bytes; the size must be at least 0")
        }
        if let slots, slots < 1 {
            throw usageError(function, path: site.path, file: site.file, "chunk cache of \(slots) slots; there must be at least 1")
        }
    }

    /// This cache with `slots` filled in: as given, or the first prime at or above 100 × the chunks of `chunkBytes` that fit.
    ///
    /// - Parameter chunkBytes: The size of one chunk as stored uncompressed; 0 when the dataset is not chunked.
    func resolved(chunkBytes: Int) -> ChunkCache {
        if slots != nil { return self }
        let fitting = chunkBytes > 0 ? max(1, bytes / chunkBytes) : 1
        let target = fitting > ChunkCache.defaultSlotLimit / 100 ? ChunkCache.defaultSlotLimit : fitting * 100
        return ChunkCache(bytes: bytes, slots: firstPrime(atLeast: target))
    }

    /// A new dataset access property list holding this cache; `slots` must be resolved. The caller closes it.
    func accessList(at site: Site) throws -> hid_t {
        let access = try check(H5Pcreate(np_H5P_DATASET_ACCESS()), "H5Pcreate", path: site.path, file: site.file)
        do {
            try check(
                H5Pset_chunk_cache(access, slots ?? 521, bytes, np_H5D_CHUNK_CACHE_W0_DEFAULT()),
                "H5Pset_chunk_cache", path: site.path, file: site.file)
        } catch {
            H5Pclose(access)
            throw error
        }
        return access
    }
}

/// The smallest prime at or above `n`.
func firstPrime(atLeast n: Int) -> Int {
    func isPrime(_ value: Int) -> Bool {
        if value < 2 { return false }
        if value < 4 { return true }
        if value % 2 == 0 { return false }
        var divisor = 3
        while divisor * divisor <= value {
            if value % divisor == 0 { return false }
            divisor += 2
        }
        return true
    }
    var candidate = max(n, 2)
    while !isPrime(candidate) { candidate += 1 }
    return candidate
}

extension Dataset {
    /// Throws unless HDF5 applied `cache` to this handle.
    ///
    /// NOTE: HDF5 1.10 fixes a dataset's chunk cache when the dataset is first opened; opening
    /// it again while another handle is open shares that cache and ignores the new settings.
    /// A cache that silently did not apply is the slow path this setting exists to avoid.
    func requireChunkCache(_ cache: ChunkCache, function: String) throws {
        let actual = try currentChunkCache()
        guard actual != cache else { return }
        throw usageError(
            function, path: path, file: file.path,
            "HDF5 kept a chunk cache of \(actual.bytes) bytes in \(actual.slots ?? 0) slots instead of \(cache.bytes) bytes in \(cache.slots ?? 0): "
                + "the dataset is already open through another Dataset object, and HDF5 sets the cache at the first open; "
                + "release that object first (Group.datasetInfo reads shape and chunk without keeping the dataset open)")
    }
}
