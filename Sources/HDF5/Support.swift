import CHDF5

// Small helpers shared by files, groups, datasets and attributes. Temporary handles
// (dataspaces, datatypes, property lists, attributes) are closed by `defer` in the
// function that opens them; only files, groups and datasets outlive a call.

/// Where an error happened: the object path and the file, carried into every `check`.
struct Site {
    let path: String
    let file: String?
}

/// Throws unless every extent is non-negative, so that conversions to `hsize_t` cannot trap.
func requireNonNegative(_ values: [Int], _ what: String, function: String, at site: Site) throws {
    if let bad = values.first(where: { $0 < 0 }) {
        throw usageError(function, path: site.path, file: site.file, "\(what) \(values) has a negative entry \(bad)")
    }
}

/// The number of elements in an array of the given extents (1 for a scalar).
func elementCount(_ shape: [Int]) -> Int {
    shape.reduce(1, *)
}

/// Creates a dataspace: scalar for an empty shape, simple otherwise; nil entries of `maxShape` are unlimited.
func createDataspace(_ shape: [Int], maxShape: [Int?]? = nil, at site: Site) throws -> hid_t {
    if shape.isEmpty {
        return try check(H5Screate(H5S_SCALAR), "H5Screate", path: site.path, file: site.file)
    }
    var current = shape.map { hsize_t($0) }
    let rank = Int32(shape.count)
    guard let maxShape else {
        return try check(H5Screate_simple(rank, &current, nil), "H5Screate_simple", path: site.path, file: site.file)
    }
    var maximum = maxShape.map { $0.map { hsize_t($0) } ?? np_H5S_UNLIMITED() }
    return try check(H5Screate_simple(rank, &current, &maximum), "H5Screate_simple", path: site.path, file: site.file)
}

/// The current and maximum extents of a dataspace; nil in the maximum means unlimited.
func extents(ofDataspace space: hid_t, at site: Site) throws -> (shape: [Int], maxShape: [Int?]) {
    let rank = Int(try check(H5Sget_simple_extent_ndims(space), "H5Sget_simple_extent_ndims", path: site.path, file: site.file))
    if rank == 0 { return ([], []) }
    var current = [hsize_t](repeating: 0, count: rank)
    var maximum = [hsize_t](repeating: 0, count: rank)
    try check(H5Sget_simple_extent_dims(space, &current, &maximum), "H5Sget_simple_extent_dims", path: site.path, file: site.file)
    let unlimited = np_H5S_UNLIMITED()
    return (current.map { Int($0) }, maximum.map { $0 == unlimited ? nil : Int($0) })
}

/// The number of elements a dataspace selects in full.
func pointCount(ofDataspace space: hid_t, at site: Site) throws -> Int {
    Int(try check(H5Sget_simple_extent_npoints(space), "H5Sget_simple_extent_npoints", path: site.path, file: site.file))
}

/// A new variable-length UTF-8 string datatype, the kind h5py reads as `str`; the caller closes it.
func createUTF8StringType(at site: Site) throws -> hid_t {
    let type = try check(H5Tcopy(np_H5T_C_S1()), "H5Tcopy", path: site.path, file: site.file)
    do {
        try check(H5Tset_size(type, np_H5T_VARIABLE()), "H5Tset_size", path: site.path, file: site.file)
        try check(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", path: site.path, file: site.file)
    } catch {
        H5Tclose(type)
        throw error
    }
    return type
}

/// Calls `body` with C string pointers to `strings`, all valid for the duration of the call.
func withCStringPointers<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    // One buffer holds every string NUL-terminated, so one closure keeps them all alive.
    var bytes: [CChar] = []
    var offsets: [Int] = []
    for string in strings {
        offsets.append(bytes.count)
        bytes.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
        bytes.append(0)
    }
    return try bytes.withUnsafeBufferPointer { buffer in
        let base = buffer.baseAddress
        return try body(offsets.map { offset in base.map { $0 + offset } })
    }
}

/// Reads `count` strings of the stored string type `storedType` through `read`, which fills a buffer of the given memory type.
///
/// Variable-length strings come back as HDF5-allocated pointers that are freed here;
/// fixed-length strings (as h5py writes `np.bytes_`, and MATLAB writes char arrays)
/// are cut at their terminator or padding.
func readStrings(
    storedType: hid_t, count: Int, at site: Site, function: String,
    _ read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t
) throws -> [String] {
    if count == 0 { return [] }
    let variable = try check(H5Tis_variable_str(storedType), "H5Tis_variable_str", path: site.path, file: site.file) > 0
    if variable {
        let memoryType = try check(H5Tcopy(np_H5T_C_S1()), "H5Tcopy", path: site.path, file: site.file)
        defer { H5Tclose(memoryType) }
        try check(H5Tset_size(memoryType, np_H5T_VARIABLE()), "H5Tset_size", path: site.path, file: site.file)
        // NOTE: HDF5 does not convert between character sets, so the memory type takes the stored one.
        try check(H5Tset_cset(memoryType, H5Tget_cset(storedType)), "H5Tset_cset", path: site.path, file: site.file)
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try pointers.withUnsafeMutableBytes { buffer -> Void in
            guard let base = buffer.baseAddress else { return }
            try check(read(memoryType, base), function, path: site.path, file: site.file)
        }
        defer { for pointer in pointers where pointer != nil { H5free_memory(pointer) } }
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }
    let size = H5Tget_size(storedType)
    guard size > 0 else { return [String](repeating: "", count: count) }
    let memoryType = try check(H5Tcopy(storedType), "H5Tcopy", path: site.path, file: site.file)
    defer { H5Tclose(memoryType) }
    let padding = H5Tget_strpad(storedType)
    var bytes = [UInt8](repeating: 0, count: size * count)
    try bytes.withUnsafeMutableBytes { buffer -> Void in
        guard let base = buffer.baseAddress else { return }
        try check(read(memoryType, base), function, path: site.path, file: site.file)
    }
    return (0..<count).map { index in
        var field = bytes[(index * size)..<((index + 1) * size)]
        if let end = field.firstIndex(of: 0) { field = field[..<end] }
        if padding == H5T_STR_SPACEPAD {
            while field.last == UInt8(ascii: " ") { field = field.dropLast() }
        }
        return String(decoding: field, as: UTF8.self)
    }
}

/// Reads a string through HDF5's two-call pattern: `call(nil, 0)` gives the length, a second call fills a buffer.
///
/// - Parameters:
///   - function: The C function's name, for errors.
///   - site: The object, for errors.
///   - call: The C call, given a buffer and its size in bytes (NUL included); returns the length without the NUL.
func readCString(_ function: String, at site: Site, _ call: (_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int) throws -> String {
    let length = try check(call(nil, 0), function, path: site.path, file: site.file)
    var buffer = [CChar](repeating: 0, count: length + 1)
    try buffer.withUnsafeMutableBufferPointer { pointer -> Void in
        try check(call(pointer.baseAddress, pointer.count), function, path: site.path, file: site.file)
    }
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The chunk extents recorded in a dataset creation property list, or nil when the layout is not chunked.
func chunkExtents(creation: hid_t, rank: Int, at site: Site) throws -> [Int]? {
    guard H5Pget_layout(creation) == H5D_CHUNKED else { return nil }
    var dims = [hsize_t](repeating: 0, count: max(rank, 1))
    let stored = try check(H5Pget_chunk(creation, Int32(dims.count), &dims), "H5Pget_chunk", path: site.path, file: site.file)
    return dims.prefix(Int(stored)).map { Int($0) }
}
