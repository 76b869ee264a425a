import CHDF5

// Describing a file of unknown layout, as `probe inspect` does: what each group holds, and
// for each dataset its shape, type, chunking, filters and size, whatever its element type.

/// What a dataset is, read from its metadata without reading its elements; any element type.
public struct DatasetInfo: Equatable, Sendable {
    /// The dataset's absolute path in its file.
    public var path: String
    /// The current extents; `[]` for a scalar dataset.
    public var shape: [Int]
    /// The largest extents; nil entries are unlimited.
    public var maxShape: [Int?]
    /// The chunk extents, or nil when the dataset is not chunked (contiguous, compact or virtual).
    public var chunk: [Int]?
    /// The element type as NumPy names numbers (`float32`, `uint8`, `int64`, `float16`), or `string`
    /// (variable- or fixed-length), `compound`, `enum` (h5py's `bool` is one), `array`, `vlen`,
    /// `reference`, `opaque`, `bitfield`.
    public var typeDescription: String
    /// The filter pipeline, `+`-joined in the order filters apply when writing (`gzip 4`, `shuffle+gzip 4`,
    /// `shuffle+lzf`), or nil when there is none.
    public var compression: String?
    /// Whether the dataset is virtual, its elements living in source datasets.
    public var isVirtual: Bool
    /// The bytes the elements take in the file (after compression); 0 for a virtual dataset or one never written.
    public var storageBytes: Int

    /// Describes a dataset.
    ///
    /// - Parameters:
    ///   - path: The absolute path.
    ///   - shape: The current extents.
    ///   - maxShape: The largest extents, nil for unlimited.
    ///   - chunk: The chunk extents, if chunked.
    ///   - typeDescription: The element type's name.
    ///   - compression: The filter pipeline, if any.
    ///   - isVirtual: Whether it is virtual.
    ///   - storageBytes: The bytes its elements take in the file.
    public init(
        path: String, shape: [Int], maxShape: [Int?], chunk: [Int]?, typeDescription: String, compression: String?,
        isVirtual: Bool, storageBytes: Int
    ) {
        self.path = path
        self.shape = shape
        self.maxShape = maxShape
        self.chunk = chunk
        self.typeDescription = typeDescription
        self.compression = compression
        self.isVirtual = isVirtual
        self.storageBytes = storageBytes
    }
}

extension Group {
    /// The links in this group, in name order, with what each leads to.
    ///
    /// Soft and external links are followed; one whose target is missing (or whose file
    /// cannot be opened) is listed as `.danglingLink` rather than failing the listing.
    ///
    /// - Returns: Each link's name and kind.
    /// - Throws: `HDF5Error` when the group cannot be read, or a hard link's object cannot be opened.
    public func children() throws -> [(name: String, kind: HDF5ObjectKind)] {
        try childNames().map { name in (name, try childKind(name)) }
    }

    /// The kind of the object the direct child link `name` leads to; dangling soft and external links are `.danglingLink`.
    private func childKind(_ name: String) throws -> HDF5ObjectKind {
        let target = childPath(name)
        var link = H5L_info_t()
        try check(H5Lget_info(id, name, &link, np_H5P_DEFAULT()), "H5Lget_info", path: target, file: file.path)
        if link.type == H5L_TYPE_HARD { return try kind(of: name) }
        np_silence_error_printing()
        let object = H5Oopen(id, name, np_H5P_DEFAULT())
        guard object >= 0 else { return .danglingLink }
        H5Oclose(object)
        return try kind(of: name)
    }

    /// Describes a dataset of any element type, strings and compounds included, from its metadata alone.
    ///
    /// - Parameter name: A name or path relative to this group, or an absolute path.
    /// - Returns: Its path, shape, chunking, type, filters and stored size; the dataset is closed again.
    /// - Throws: `HDF5Error` naming the path when it does not exist or is not a dataset.
    public func datasetInfo(_ name: String) throws -> DatasetInfo {
        let target = childPath(name)
        let site = Site(path: target, file: file.path)
        let dataset = try check(H5Dopen2(id, name, np_H5P_DEFAULT()), "H5Dopen2", path: target, file: file.path)
        defer { H5Dclose(dataset) }
        let type = try check(H5Dget_type(dataset), "H5Dget_type", path: target, file: file.path)
        defer { H5Tclose(type) }
        let space = try check(H5Dget_space(dataset), "H5Dget_space", path: target, file: file.path)
        defer { H5Sclose(space) }
        let extents = try extents(ofDataspace: space, at: site)
        let creation = try check(H5Dget_create_plist(dataset), "H5Dget_create_plist", path: target, file: file.path)
        defer { H5Pclose(creation) }
        // NOTE: H5Dget_storage_size reports failure as 0, the same as "nothing written", so it cannot be checked.
        let storage = H5Dget_storage_size(dataset)
        return DatasetInfo(
            path: target, shape: extents.shape, maxShape: extents.maxShape,
            chunk: try chunkExtents(creation: creation, rank: extents.shape.count, at: site),
            typeDescription: typeName(type), compression: try filterPipeline(creation: creation, at: site),
            isVirtual: H5Pget_layout(creation) == H5D_VIRTUAL, storageBytes: Int(clamping: storage))
    }
}

extension HDF5File {
    /// The size of the file in bytes, as HDF5 has laid it out (including data not yet flushed).
    ///
    /// - Throws: `HDF5Error` when HDF5 cannot tell, as after `close()`.
    public var fileSize: Int {
        get throws {
            var size: hsize_t = 0
            try check(H5Fget_filesize(id, &size), "H5Fget_filesize", path: path)
            return Int(clamping: size)
        }
    }
}

/// A short name for an element type: NumPy's for numbers (`float32`, `uint8`, `int24`), else the
/// HDF5 class (`string`, `compound`). `detailed` spells out strings and sequences for error messages
/// ("variable-length string", "fixed-length string of 8 bytes", "variable-length sequence").
func typeName(_ type: hid_t, detailed: Bool = false) -> String {
    let bytes = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(bytes * 8)"
    case H5T_FLOAT: return "float\(bytes * 8)"
    case H5T_STRING:
        guard detailed else { return "string" }
        return H5Tis_variable_str(type) > 0 ? "variable-length string" : "fixed-length string of \(bytes) bytes"
    case H5T_COMPOUND: return "compound"
    case H5T_ENUM: return "enum"
    case H5T_ARRAY: return "array"
    case H5T_VLEN: return detailed ? "variable-length sequence" : "vlen"
    case H5T_REFERENCE: return "reference"
    case H5T_OPAQUE: return "opaque"
    case H5T_BITFIELD: return "bitfield"
    case H5T_TIME: return "time"
    default: return "unknown"
    }
}

/// The filters of a dataset creation property list joined by `+` (`shuffle+gzip 4`), or nil when there are none.
func filterPipeline(creation: hid_t, at site: Site) throws -> String? {
    let count = try check(H5Pget_nfilters(creation), "H5Pget_nfilters", path: site.path, file: site.file)
    if count == 0 { return nil }
    return try (0..<UInt32(count)).map { index -> String in
        var flags: UInt32 = 0
        var parameterCount = 8
        var parameters = [UInt32](repeating: 0, count: parameterCount)
        var name = [CChar](repeating: 0, count: 256)
        var configuration: UInt32 = 0
        let filter = try check(
            H5Pget_filter2(creation, index, &flags, &parameterCount, &parameters, name.count, &name, &configuration),
            "H5Pget_filter2", path: site.path, file: site.file)
        switch filter {
        case H5Z_FILTER_DEFLATE: return parameterCount > 0 ? "gzip \(parameters[0])" : "gzip"
        case H5Z_FILTER_SHUFFLE: return "shuffle"
        case H5Z_FILTER_FLETCHER32: return "fletcher32"
        case H5Z_FILTER_SZIP: return "szip"
        case H5Z_FILTER_NBIT: return "nbit"
        case H5Z_FILTER_SCALEOFFSET: return "scaleoffset"
        default:
            // Third-party filters (lzf, blosc, zstd…) carry the name their plugin registered; the id is the fallback.
            let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return text.isEmpty ? "filter \(filter)" : text
        }
    }.joined(separator: "+")
}
