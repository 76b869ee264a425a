import CHDF5

/// How a dataset's chunks are compressed; any compression makes the dataset chunked.
public enum Compression: Equatable, Sendable {
    /// No filter.
    case none
    /// The deflate filter (h5py's `compression="gzip"`) at a level from 0 (fastest) to 9 (smallest).
    case gzip(level: Int)
    /// Byte shuffling before deflate (h5py's `shuffle=True`), which usually compresses floats better.
    case shuffleGzip(level: Int)
}

/// What a link in a group leads to.
public enum HDF5ObjectKind: Equatable, Sendable {
    /// A group.
    case group
    /// A dataset.
    case dataset
    /// A named (committed) datatype.
    case namedDatatype
    /// A soft or external link whose target is missing or cannot be opened; only `Group.children()` reports it.
    case danglingLink
}

/// An HDF5 group: a folder of groups, datasets and links, with attributes.
public final class Group: AttributeHolder {
    /// The group's absolute path in its file, such as `/` or `/layers/fc1`.
    public let path: String
    /// The file the group belongs to; the group keeps it open.
    public let file: HDF5File
    let id: hid_t
    private let ownsHandle: Bool

    init(file: HDF5File, id: hid_t, path: String, ownsHandle: Bool) {
        self.file = file
        self.id = id
        self.path = path
        self.ownsHandle = ownsHandle
    }

    deinit {
        if ownsHandle { H5Gclose(id) }
    }

    /// The handle attributes of this group are read from and written to.
    public var attributeLocation: AttributeLocation {
        AttributeLocation(id: id, site: site, owner: self)
    }

    var site: Site { Site(path: path, file: file.path) }

    /// The absolute path of `name` relative to this group; names starting with `/` are already absolute.
    func childPath(_ name: String) -> String {
        let joined = name.hasPrefix("/") ? name : (path == "/" ? "/" : path + "/") + name
        let components = joined.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + components.joined(separator: "/")
    }

    /// A link creation property list that creates missing intermediate groups; the caller closes it.
    func linkCreationList(for childPath: String) throws -> hid_t {
        let list = try check(H5Pcreate(np_H5P_LINK_CREATE()), "H5Pcreate", path: childPath, file: file.path)
        do {
            try check(H5Pset_create_intermediate_group(list, 1), "H5Pset_create_intermediate_group", path: childPath, file: file.path)
            // NOTE: h5py writes link names as UTF-8; so do we, so non-ASCII names survive.
            try check(H5Pset_char_encoding(list, H5T_CSET_UTF8), "H5Pset_char_encoding", path: childPath, file: file.path)
        } catch {
            H5Pclose(list)
            throw error
        }
        return list
    }

    // MARK: Groups

    /// Creates a group, and any missing groups on the way to it.
    ///
    /// - Parameter name: A name or path relative to this group (`"layers/fc1"`), or an absolute path.
    /// - Returns: The new group.
    /// - Throws: `HDF5Error` when the name already exists or the file is read-only.
    public func createGroup(_ name: String) throws -> Group {
        let target = childPath(name)
        let links = try linkCreationList(for: target)
        defer { H5Pclose(links) }
        let creation = try check(H5Pcreate(np_H5P_GROUP_CREATE()), "H5Pcreate", path: target, file: file.path)
        defer { H5Pclose(creation) }
        try check(H5Pset_obj_track_times(creation, false), "H5Pset_obj_track_times", path: target, file: file.path)
        let group = try check(H5Gcreate2(id, name, links, creation, np_H5P_DEFAULT()), "H5Gcreate2", path: target, file: file.path)
        return Group(file: file, id: group, path: target, ownsHandle: true)
    }

    /// Opens an existing group.
    ///
    /// - Parameter name: A name or path relative to this group, or an absolute path.
    /// - Returns: The group.
    /// - Throws: `HDF5Error` naming the path when it does not exist or is not a group.
    public func openGroup(_ name: String) throws -> Group {
        let target = childPath(name)
        let group = try check(H5Gopen2(id, name, np_H5P_DEFAULT()), "H5Gopen2", path: target, file: file.path)
        return Group(file: file, id: group, path: target, ownsHandle: true)
    }

    /// Whether a link named `name` exists, checking each component of a path in turn; never throws.
    ///
    /// A soft or external link counts even when its target is missing.
    /// - Parameter name: A name or path relative to this group, or an absolute path.
    /// - Returns: True when every component of the path exists.
    public func contains(_ name: String) -> Bool {
        let components = name.split(separator: "/", omittingEmptySubsequences: true)
        if components.isEmpty { return name.hasPrefix("/") }
        var prefix = name.hasPrefix("/") ? "" : "."
        np_silence_error_printing()
        // NOTE: H5Lexists fails instead of answering false when an intermediate
        // component is missing, so the path is checked one component at a time.
        for component in components {
            prefix += "/" + component
            if H5Lexists(id, prefix, np_H5P_DEFAULT()) <= 0 { return false }
        }
        return true
    }

    /// The names of the links in this group, in name order (as h5py lists them).
    ///
    /// - Returns: The link names.
    /// - Throws: `HDF5Error` when the group cannot be read.
    public func childNames() throws -> [String] {
        var info = H5G_info_t()
        try check(H5Gget_info(id, &info), "H5Gget_info", path: path, file: file.path)
        return try (0..<info.nlinks).map { index in
            let length = try check(
                H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, np_H5P_DEFAULT()),
                "H5Lget_name_by_idx", path: path, file: file.path)
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            try check(
                H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, np_H5P_DEFAULT()),
                "H5Lget_name_by_idx", path: path, file: file.path)
            return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// What the link `name` leads to, following soft and external links.
    ///
    /// - Parameter name: A name or path relative to this group, or an absolute path.
    /// - Returns: Whether it is a group, a dataset or a named datatype.
    /// - Throws: `HDF5Error` when the object does not exist.
    public func kind(of name: String) throws -> HDF5ObjectKind {
        let target = childPath(name)
        let object = try check(H5Oopen(id, name, np_H5P_DEFAULT()), "H5Oopen", path: target, file: file.path)
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        case H5I_DATATYPE: return .namedDatatype
        default:
            throw usageError("Group.kind(of:)", path: target, file: file.path, "not a group, dataset or named datatype")
        }
    }

    /// Removes the link `name`; the object's space is freed once no link leads to it.
    ///
    /// - Parameter name: A name or path relative to this group, or an absolute path.
    /// - Throws: `HDF5Error` when the link does not exist or the file is read-only.
    public func removeLink(_ name: String) throws {
        try check(H5Ldelete(id, name, np_H5P_DEFAULT()), "H5Ldelete", path: childPath(name), file: file.path)
    }

    // MARK: Links

    /// Creates a link to an object in another file, resolved when it is opened.
    ///
    /// A relative `file` is looked for relative to the current directory and then
    /// relative to the directory of the file holding the link.
    /// - Parameters:
    ///   - name: The link's name or path relative to this group.
    ///   - file: The path of the target file.
    ///   - object: The absolute path of the target object in that file.
    /// - Throws: `HDF5Error` when the link cannot be created.
    public func createExternalLink(_ name: String, file targetFile: String, object: String) throws {
        let target = childPath(name)
        let links = try linkCreationList(for: target)
        defer { H5Pclose(links) }
        try check(
            H5Lcreate_external(targetFile, object, id, name, links, np_H5P_DEFAULT()),
            "H5Lcreate_external", path: target, file: file.path)
    }

    /// Creates a soft (symbolic) link to a path in the same file, resolved when it is opened.
    ///
    /// - Parameters:
    ///   - name: The link's name or path relative to this group.
    ///   - target: The path the link points to; absolute, or relative to this group.
    /// - Throws: `HDF5Error` when the link cannot be created.
    public func createSoftLink(_ name: String, target: String) throws {
        let linkPath = childPath(name)
        let links = try linkCreationList(for: linkPath)
        defer { H5Pclose(links) }
        try check(H5Lcreate_soft(target, id, name, links, np_H5P_DEFAULT()), "H5Lcreate_soft", path: linkPath, file: file.path)
    }

    // MARK: Datasets

    /// Creates a dataset of zeros.
    ///
    /// A dataset that can grow (a `maxShape` above `shape`, or unlimited) or is compressed
    /// must be chunked; without a `chunk`, one is chosen of about 256 KiB that spans every
    /// axis but the first, so reading and appending whole rows touch few chunks.
    ///
    /// - Parameters:
    ///   - name: A name or path relative to this group; missing intermediate groups are created.
    ///   - type: The element type.
    ///   - shape: The initial extents; `[]` makes a scalar dataset.
    ///   - maxShape: The largest extents, nil entries unlimited; nil means fixed at `shape`.
    ///   - chunk: The chunk extents, one per axis.
    ///   - compression: The compression filter.
    ///   - chunkCache: The chunk cache to keep while this `Dataset` is open; nil for HDF5's default (1 MiB).
    /// - Returns: The new dataset.
    /// - Throws: `HDF5Error` when the shapes are inconsistent, the cache size is negative, the name exists, or HDF5 refuses.
    public func createDataset<T: HDF5Scalar>(
        _ name: String, of type: T.Type, shape: [Int], maxShape: [Int?]? = nil, chunk: [Int]? = nil,
        compression: Compression = .none, chunkCache: ChunkCache? = nil
    ) throws -> Dataset<T> {
        let target = childPath(name)
        let site = Site(path: target, file: file.path)
        let function = "Group.createDataset"
        try requireNonNegative(shape, "shape", function: function, at: site)
        try chunkCache?.validate(function: function, at: site)
        if let maxShape {
            guard maxShape.count == shape.count else {
                throw usageError(function, path: target, file: file.path, "maxShape has \(maxShape.count) axes, shape \(shape) has \(shape.count)")
            }
            try requireNonNegative(maxShape.compactMap { $0 }, "maxShape", function: function, at: site)
            for (axis, (extent, limit)) in zip(shape, maxShape).enumerated() {
                if let limit, limit < extent {
                    throw usageError(function, path: target, file: file.path, "maxShape \(limit) on axis \(axis) is below shape \(extent)")
                }
            }
        }
        let level: Int?
        switch compression {
        case .none: level = nil
        case .gzip(let value), .shuffleGzip(let value): level = value
        }
        if let level, !(0...9).contains(level) {
            throw usageError(function, path: target, file: file.path, "gzip level \(level) is outside 0...9")
        }
        let growable = maxShape.map { zip(shape, $0).contains { extent, limit in limit.map { $0 > extent } ?? true } } ?? false
        var chunkShape = chunk
        if chunkShape == nil, growable || compression != .none {
            chunkShape = guessChunk(shape: shape, maxShape: maxShape, elementSize: MemoryLayout<T>.size)
        }
        if let chunkShape {
            guard !shape.isEmpty else {
                throw usageError(function, path: target, file: file.path, "a scalar dataset cannot be chunked or compressed")
            }
            guard chunkShape.count == shape.count, chunkShape.allSatisfy({ $0 > 0 }) else {
                throw usageError(
                    function, path: target, file: file.path, "chunk \(chunkShape) must have one positive extent per axis of shape \(shape)")
            }
        }

        let space = try createDataspace(shape, maxShape: maxShape, at: site)
        defer { H5Sclose(space) }
        let creation = try check(H5Pcreate(np_H5P_DATASET_CREATE()), "H5Pcreate", path: target, file: file.path)
        defer { H5Pclose(creation) }
        try check(H5Pset_obj_track_times(creation, false), "H5Pset_obj_track_times", path: target, file: file.path)
        if var chunkShape = chunkShape?.map({ hsize_t($0) }) {
            try check(H5Pset_chunk(creation, Int32(chunkShape.count), &chunkShape), "H5Pset_chunk", path: target, file: file.path)
        }
        if case .shuffleGzip = compression {
            try check(H5Pset_shuffle(creation), "H5Pset_shuffle", path: target, file: file.path)
        }
        if let level {
            guard H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 else {
                throw usageError(function, path: target, file: file.path, "this HDF5 library has no gzip (deflate) filter")
            }
            try check(H5Pset_deflate(creation, UInt32(level)), "H5Pset_deflate", path: target, file: file.path)
        }
        let links = try linkCreationList(for: target)
        defer { H5Pclose(links) }
        let cache = chunkCache?.resolved(chunkBytes: chunkShape.map { elementCount($0) * MemoryLayout<T>.size } ?? 0)
        let access = try cache?.accessList(at: site)
        defer { if let access { H5Pclose(access) } }
        let dataset = try check(
            H5Dcreate2(id, name, T.hdf5Type.nativeType, space, links, creation, access ?? np_H5P_DEFAULT()),
            "H5Dcreate2", path: target, file: file.path)
        let created = try Dataset<T>(file: file, id: dataset, path: target)
        if let cache { try created.requireChunkCache(cache, function: function) }
        return created
    }

    /// Opens an existing numeric dataset to read and write it as `T`.
    ///
    /// Any integer or floating-point element type is accepted: HDF5 converts between the
    /// stored type and `T` on every read and write (`storedType` tells what is stored).
    ///
    /// A chunk cache applies only if no other `Dataset` object has this dataset open: HDF5 1.10
    /// sets the cache when a dataset is first opened and shares it with later handles.
    ///
    /// - Parameters:
    ///   - name: A name or path relative to this group, or an absolute path.
    ///   - type: The element type to read and write as.
    ///   - chunkCache: The chunk cache to keep while this `Dataset` is open; nil for HDF5's default (1 MiB).
    /// - Returns: The dataset.
    /// - Throws: `HDF5Error` naming the path when it does not exist, when its elements are not numbers (saying what
    ///   they are), or when `chunkCache` is given but the dataset is already open elsewhere so the cache cannot apply.
    public func openDataset<T: HDF5Scalar>(_ name: String, of type: T.Type, chunkCache: ChunkCache? = nil) throws -> Dataset<T> {
        let target = childPath(name)
        let site = Site(path: target, file: file.path)
        guard var cache = chunkCache else {
            let dataset = try check(H5Dopen2(id, name, np_H5P_DEFAULT()), "H5Dopen2", path: target, file: file.path)
            return try Dataset<T>(file: file, id: dataset, path: target)
        }
        try cache.validate(function: "Group.openDataset", at: site)
        if cache.slots == nil {
            // NOTE: the default slot count depends on the chunk size, which is only known once the
            // dataset is open; this first handle is closed again before the one carrying the cache.
            cache = cache.resolved(chunkBytes: try storedChunkBytes(name, at: site))
        }
        let access = try cache.accessList(at: site)
        defer { H5Pclose(access) }
        let dataset = try check(H5Dopen2(id, name, access), "H5Dopen2", path: target, file: file.path)
        let opened = try Dataset<T>(file: file, id: dataset, path: target)
        try opened.requireChunkCache(cache, function: "Group.openDataset")
        return opened
    }

    /// The bytes one chunk of dataset `name` takes uncompressed, or 0 when it is not chunked; the dataset is closed again.
    private func storedChunkBytes(_ name: String, at site: Site) throws -> Int {
        let dataset = try check(H5Dopen2(id, name, np_H5P_DEFAULT()), "H5Dopen2", path: site.path, file: site.file)
        defer { H5Dclose(dataset) }
        let type = try check(H5Dget_type(dataset), "H5Dget_type", path: site.path, file: site.file)
        defer { H5Tclose(type) }
        let creation = try check(H5Dget_create_plist(dataset), "H5Dget_create_plist", path: site.path, file: site.file)
        defer { H5Pclose(creation) }
        let space = try check(H5Dget_space(dataset), "H5Dget_space", path: site.path, file: site.file)
        defer { H5Sclose(space) }
        let rank = try extents(ofDataspace: space, at: site).shape.count
        guard let chunk = try chunkExtents(creation: creation, rank: rank, at: site) else { return 0 }
        return elementCount(chunk) * H5Tget_size(type)
    }

    /// Creates a contiguous dataset holding `values`.
    ///
    /// - Parameters:
    ///   - name: A name or path relative to this group; missing intermediate groups are created.
    ///   - values: The elements in row-major order.
    ///   - shape: The extents; their product must equal `values.count`.
    /// - Returns: The new dataset.
    /// - Throws: `HDF5Error` when the count does not match the shape, or creating or writing fails.
    @discardableResult
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]) throws -> Dataset<T> {
        let target = childPath(name)
        try requireNonNegative(shape, "shape", function: "Group.write", at: Site(path: target, file: file.path))
        guard elementCount(shape) == values.count else {
            throw usageError(
                "Group.write", path: target, file: file.path, "\(values.count) values do not fill shape \(shape) (\(elementCount(shape)) elements)")
        }
        let dataset = try createDataset(name, of: T.self, shape: shape)
        try dataset.write(values)
        return dataset
    }
}

/// A chunk shape of about 256 KiB: every axis but the first in full (halving the largest while a row is too big), then as many rows as fit.
func guessChunk(shape: [Int], maxShape: [Int?]?, elementSize: Int) -> [Int] {
    guard !shape.isEmpty else { return [] }
    let targetBytes = 256 * 1024
    // The largest extent each axis can reach; nil when unlimited.
    let limits: [Int?] = maxShape ?? shape.map { $0 }
    var chunk = zip(shape, limits).map { extent, limit in max(1, min(max(extent, 1), limit ?? Int.max)) }
    func rowBytes() -> Int { chunk.dropFirst().reduce(elementSize, *) }
    while rowBytes() > targetBytes, let largest = chunk.indices.dropFirst().max(by: { chunk[$0] < chunk[$1] }), chunk[largest] > 1 {
        chunk[largest] = (chunk[largest] + 1) / 2
    }
    chunk[0] = min(max(1, targetBytes / rowBytes()), max(limits[0] ?? Int.max, 1))
    return chunk
}
