import CHDF5

/// An HDF5 dataset read and written as elements of type `T`.
///
/// HDF5 converts between `T` and the stored element type on every read and write, so
/// an `int64` dataset may be read as `Float`. Arrays are row-major (C order), as NumPy
/// and h5py use them.
public final class Dataset<T: HDF5Scalar>: AttributeHolder {
    /// The dataset's absolute path in its file, such as `/layers/fc1/weight`.
    public let path: String
    /// The file the dataset belongs to; the dataset keeps it open.
    public let file: HDF5File
    /// The largest extents the dataset can grow to; nil entries are unlimited.
    public let maxShape: [Int?]
    /// The chunk extents, or nil for a contiguous (or compact) dataset.
    public let chunk: [Int]?
    /// The element type stored in the file, or nil when it is a number type outside `HDF5ScalarType` (a float16, say).
    public let storedType: HDF5ScalarType?
    /// Whether this is a virtual dataset, whose elements live in source datasets (see `virtualSources()`).
    public let isVirtual: Bool
    let id: hid_t
    private var lastKnownShape: [Int]

    /// Takes ownership of an open dataset handle, closing it if the dataset cannot be used as `T`.
    init(file: HDF5File, id: hid_t, path: String) throws {
        let site = Site(path: path, file: file.path)
        do {
            let type = try check(H5Dget_type(id), "H5Dget_type", path: path, file: file.path)
            defer { H5Tclose(type) }
            guard isNumeric(type) else {
                throw usageError(
                    "Group.openDataset", path: path, file: file.path,
                    "it holds \(typeName(type, detailed: true)) elements, which cannot be read as \(T.hdf5Description)")
            }
            let space = try check(H5Dget_space(id), "H5Dget_space", path: path, file: file.path)
            defer { H5Sclose(space) }
            let extents = try extents(ofDataspace: space, at: site)
            let creation = try check(H5Dget_create_plist(id), "H5Dget_create_plist", path: path, file: file.path)
            defer { H5Pclose(creation) }
            self.chunk = try chunkExtents(creation: creation, rank: extents.shape.count, at: site)
            self.isVirtual = H5Pget_layout(creation) == H5D_VIRTUAL
            self.storedType = HDF5ScalarType(storedType: type)
            self.lastKnownShape = extents.shape
            self.maxShape = extents.maxShape
        } catch {
            H5Dclose(id)
            throw error
        }
        self.file = file
        self.id = id
        self.path = path
    }

    deinit {
        H5Dclose(id)
    }

    /// The handle attributes of this dataset are read from and written to.
    public var attributeLocation: AttributeLocation {
        AttributeLocation(id: id, site: site, owner: self)
    }

    var site: Site { Site(path: path, file: file.path) }

    /// The current extents, read from the file; `[]` for a scalar dataset.
    ///
    /// Should HDF5 fail to report them, the extents last read or set through this object are returned.
    public var shape: [Int] {
        // NOTE: a property cannot throw, and H5Dget_space on a handle this object owns only
        // fails if the library itself is broken; the last extents seen are the honest fallback.
        do {
            return try currentShape()
        } catch {
            return lastKnownShape
        }
    }

    /// The number of axes.
    public var rank: Int { maxShape.count }

    /// The current extents, read from the file.
    ///
    /// - Returns: One extent per axis.
    /// - Throws: `HDF5Error` when HDF5 cannot report them.
    public func currentShape() throws -> [Int] {
        let space = try check(H5Dget_space(id), "H5Dget_space", path: path, file: file.path)
        defer { H5Sclose(space) }
        let current = try extents(ofDataspace: space, at: site).shape
        lastKnownShape = current
        return current
    }

    /// The chunk cache HDF5 keeps for this open dataset, as set by `chunkCache:` when it was created or opened.
    ///
    /// Without one, HDF5's default is 1 MiB in 521 slots.
    /// - Returns: The cache size and slot count in effect.
    /// - Throws: `HDF5Error` when HDF5 cannot report them.
    public func currentChunkCache() throws -> ChunkCache {
        let access = try check(H5Dget_access_plist(id), "H5Dget_access_plist", path: path, file: file.path)
        defer { H5Pclose(access) }
        var slots = 0
        var bytes = 0
        var weight = 0.0
        try check(H5Pget_chunk_cache(access, &slots, &bytes, &weight), "H5Pget_chunk_cache", path: path, file: file.path)
        return ChunkCache(bytes: bytes, slots: slots)
    }

    // MARK: Whole dataset

    /// Reads every element, in row-major order.
    ///
    /// - Returns: `shape.reduce(1, *)` elements.
    /// - Throws: `HDF5Error` when reading fails.
    public func read() throws -> [T] {
        let count = elementCount(try currentShape())
        return try readElements(count: count, memorySpace: np_H5S_ALL(), fileSpace: np_H5S_ALL())
    }

    /// Overwrites every element.
    ///
    /// - Parameter values: The elements in row-major order, exactly as many as the current shape holds.
    /// - Throws: `HDF5Error` when the count differs from the shape's, or writing fails.
    public func write(_ values: [T]) throws {
        let shape = try currentShape()
        guard values.count == elementCount(shape) else {
            throw usageError(
                "Dataset.write", path: path, file: file.path, "\(values.count) values for shape \(shape) (\(elementCount(shape)) elements)")
        }
        try writeElements(values, memorySpace: np_H5S_ALL(), fileSpace: np_H5S_ALL())
    }

    // MARK: Rows and columns

    /// Reads whole rows: a range along the first axis, every other axis in full.
    ///
    /// - Parameter range: The rows to read, within `0..<shape[0]`.
    /// - Returns: `range.count × (elements per row)` elements in row-major order.
    /// - Throws: `HDF5Error` when the range is out of bounds, the dataset is scalar, or reading fails.
    public func readRows(_ range: Range<Int>) throws -> [T] {
        let shape = try requireRows(function: "Dataset.readRows")
        guard range.lowerBound >= 0, range.upperBound <= shape[0] else {
            throw usageError("Dataset.readRows", path: path, file: file.path, "rows \(range) are outside 0..<\(shape[0])")
        }
        var start = shape.map { _ in 0 }
        start[0] = range.lowerBound
        var count = shape
        count[0] = range.count
        return try withSelection(start: start, count: count, memoryShape: count) { memory, file in
            try readElements(count: elementCount(count), memorySpace: memory, fileSpace: file)
        }
    }

    /// Overwrites whole rows starting at `firstRow`; the dataset does not grow (see `append(rows:)`).
    ///
    /// - Parameters:
    ///   - values: Whole rows in row-major order; the count must be a multiple of the row size.
    ///   - firstRow: The first row to overwrite.
    /// - Throws: `HDF5Error` when the count is not whole rows, the rows do not fit, or writing fails.
    public func writeRows(_ values: [T], at firstRow: Int) throws {
        let shape = try requireRows(function: "Dataset.writeRows")
        let rows = try wholeRows(in: values.count, shape: shape, function: "Dataset.writeRows")
        guard firstRow >= 0, firstRow + rows <= shape[0] else {
            throw usageError("Dataset.writeRows", path: path, file: file.path, "rows \(firstRow)..<\(firstRow + rows) are outside 0..<\(shape[0])")
        }
        if rows == 0 { return }
        var start = shape.map { _ in 0 }
        start[0] = firstRow
        var count = shape
        count[0] = rows
        try withSelection(start: start, count: count, memoryShape: count) { memory, file in
            try writeElements(values, memorySpace: memory, fileSpace: file)
        }
    }

    /// Adds whole rows at the end of the first axis, growing the dataset.
    ///
    /// - Parameter values: Whole rows in row-major order; the count must be a multiple of the row size.
    /// - Throws: `HDF5Error` when the count is not whole rows, the first axis cannot grow that far, or writing fails.
    public func append(rows values: [T]) throws {
        let shape = try requireRows(function: "Dataset.append")
        let rows = try wholeRows(in: values.count, shape: shape, function: "Dataset.append")
        if rows == 0 { return }
        try resize(rows: shape[0] + rows)
        try writeRows(values, at: shape[0])
    }

    /// Sets the extent of the first axis, keeping the others.
    ///
    /// Growing fills new rows with zeros; shrinking discards rows.
    /// - Parameter rows: The new number of rows, at most `maxShape[0]`.
    /// - Throws: `HDF5Error` when the first axis cannot reach `rows`, or HDF5 refuses.
    public func resize(rows: Int) throws {
        let shape = try requireRows(function: "Dataset.resize")
        guard rows >= 0 else {
            throw usageError("Dataset.resize", path: path, file: file.path, "cannot resize to \(rows) rows")
        }
        if let limit = maxShape[0], rows > limit {
            throw usageError(
                "Dataset.resize", path: path, file: file.path,
                "axis 0 holds at most \(limit) rows, cannot resize to \(rows); create the dataset with maxShape [nil, …] to let it grow")
        }
        var extents = shape.map { hsize_t($0) }
        extents[0] = hsize_t(rows)
        try check(H5Dset_extent(id, &extents), "H5Dset_extent", path: path, file: file.path)
        lastKnownShape = extents.map { Int($0) }
    }

    /// Reads one column of a 2-D dataset: element `index` of every row.
    ///
    /// - Parameter index: The column, within `0..<shape[1]`.
    /// - Returns: `shape[0]` elements.
    /// - Throws: `HDF5Error` when the dataset is not 2-D, the column is out of bounds, or reading fails.
    public func readColumn(_ index: Int) throws -> [T] {
        let shape = try currentShape()
        guard shape.count == 2 else {
            throw usageError("Dataset.readColumn", path: path, file: file.path, "needs a 2-D dataset, this one has shape \(shape)")
        }
        guard index >= 0, index < shape[1] else {
            throw usageError("Dataset.readColumn", path: path, file: file.path, "column \(index) is outside 0..<\(shape[1])")
        }
        if shape[0] == 0 { return [] }
        return try withSelection(start: [0, index], count: [shape[0], 1], memoryShape: [shape[0]]) { memory, file in
            try readElements(count: shape[0], memorySpace: memory, fileSpace: file)
        }
    }

    // MARK: Dimension labels and scales

    /// Names the axes, as h5py's `dataset.dims[i].label` shows them (HDF5 dimension scale labels).
    ///
    /// - Parameter labels: One label per axis, such as `["sample", "unit"]`.
    /// - Throws: `HDF5Error` when the count differs from the rank, or HDF5 refuses.
    public func setDimensionLabels(_ labels: [String]) throws {
        guard labels.count == rank else {
            throw usageError("Dataset.setDimensionLabels", path: path, file: file.path, "\(labels.count) labels for \(rank) axes")
        }
        for (axis, label) in labels.enumerated() {
            try check(H5DSset_label(id, UInt32(axis), label), "H5DSset_label", path: path, file: file.path)
        }
    }

    /// The axis labels, one per axis; unlabelled axes give "".
    ///
    /// - Returns: The labels.
    /// - Throws: `HDF5Error` when HDF5 cannot read them.
    public func dimensionLabels() throws -> [String] {
        try (0..<rank).map { axis in
            let length = try check(H5DSget_label(id, UInt32(axis), nil, 0), "H5DSget_label", path: path, file: file.path)
            if length == 0 { return "" }
            var buffer = [CChar](repeating: 0, count: length + 1)
            try check(H5DSget_label(id, UInt32(axis), &buffer, buffer.count), "H5DSget_label", path: path, file: file.path)
            return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Makes this (1-D) dataset a dimension scale, the coordinate values of some other dataset's axis.
    ///
    /// - Parameter name: The scale's name, shown by h5py and HDFView; "" for none.
    /// - Throws: `HDF5Error` when HDF5 refuses.
    public func makeDimensionScale(named name: String = "") throws {
        try check(H5DSset_scale(id, name), "H5DSset_scale", path: path, file: file.path)
    }

    /// Attaches a dimension scale to one axis of this dataset (h5py's `dims[axis].attach_scale`).
    ///
    /// - Parameters:
    ///   - scale: A dataset made a scale with `makeDimensionScale(named:)`.
    ///   - axis: The axis it describes.
    /// - Throws: `HDF5Error` when the axis is out of range, or HDF5 refuses.
    public func attachDimensionScale<U: HDF5Scalar>(_ scale: Dataset<U>, toAxis axis: Int) throws {
        guard axis >= 0, axis < rank else {
            throw usageError("Dataset.attachDimensionScale", path: path, file: file.path, "axis \(axis) is outside 0..<\(rank)")
        }
        try check(H5DSattach_scale(id, scale.id, UInt32(axis)), "H5DSattach_scale", path: path, file: file.path)
    }

    // MARK: Internals

    /// The current shape, after checking the dataset has a first axis to work along.
    private func requireRows(function: String) throws -> [Int] {
        let shape = try currentShape()
        guard !shape.isEmpty else {
            throw usageError(function, path: path, file: file.path, "a scalar dataset has no rows")
        }
        return shape
    }

    /// How many whole rows `count` elements make, or an error when they do not make whole rows.
    private func wholeRows(in count: Int, shape: [Int], function: String) throws -> Int {
        let rowSize = elementCount(Array(shape.dropFirst()))
        if rowSize == 0 {
            guard count == 0 else {
                throw usageError(
                    function, path: path, file: file.path, "rows of shape \(Array(shape.dropFirst())) hold no elements, got \(count) values")
            }
            return 0
        }
        guard count % rowSize == 0 else {
            throw usageError(function, path: path, file: file.path, "\(count) values are not whole rows of \(rowSize) elements (shape \(shape))")
        }
        return count / rowSize
    }

    /// Calls `body` with a memory dataspace of `memoryShape` and the file dataspace with the block at `start` of extents `count` selected.
    private func withSelection<R>(
        start: [Int], count: [Int], memoryShape: [Int], _ body: (_ memory: hid_t, _ file: hid_t) throws -> R
    ) throws -> R {
        let fileSpace = try check(H5Dget_space(id), "H5Dget_space", path: path, file: file.path)
        defer { H5Sclose(fileSpace) }
        var offsets = start.map { hsize_t($0) }
        var extents = count.map { hsize_t($0) }
        try check(
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offsets, nil, &extents, nil),
            "H5Sselect_hyperslab", path: path, file: file.path)
        let memorySpace = try createDataspace(memoryShape, at: site)
        defer { H5Sclose(memorySpace) }
        return try body(memorySpace, fileSpace)
    }

    /// Reads `count` elements converted to `T` from the selection.
    private func readElements(count: Int, memorySpace: hid_t, fileSpace: hid_t) throws -> [T] {
        if count == 0 { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try check(
                H5Dread(id, T.hdf5Type.nativeType, memorySpace, fileSpace, np_H5P_DEFAULT(), buffer.baseAddress),
                "H5Dread", path: path, file: file.path)
            initialized = count
        }
    }

    /// Writes `values`, converted from `T` to the stored type, to the selection.
    private func writeElements(_ values: [T], memorySpace: hid_t, fileSpace: hid_t) throws {
        if values.isEmpty { return }
        try values.withUnsafeBytes { bytes -> Void in
            try check(
                H5Dwrite(id, T.hdf5Type.nativeType, memorySpace, fileSpace, np_H5P_DEFAULT(), bytes.baseAddress),
                "H5Dwrite", path: path, file: file.path)
        }
    }
}
