import CHDF5

/// One source of a virtual dataset: a whole dataset in some file, mapped to a block of rows.
///
/// The source's entire extent lands at rows `rows` of the virtual dataset's first axis,
/// every other axis in full, so its `sourceShape` is `[rows.count] + (the virtual shape without its first axis)`.
public struct VirtualSource: Equatable, Sendable {
    /// The source file's path as stored in the virtual dataset.
    ///
    /// HDF5 resolves a relative path when the virtual dataset is read: first against the
    /// prefixes in the `HDF5_VDS_PREFIX` environment variable, then against the directory of
    /// the file holding the virtual dataset (as that file was opened), then against the
    /// current directory. Relative paths keep a directory of shards and their merged file
    /// movable as one. `"."` names the file holding the virtual dataset itself.
    public var file: String
    /// The source dataset's absolute path inside `file`, such as `/layers/fc1`.
    public var dataset: String
    /// Where the source's rows land along the virtual dataset's axis `axis`.
    public var rows: Range<Int>
    /// The source dataset's extents; the one along `axis` is `rows.count`, the others equal the virtual dataset's.
    public var sourceShape: [Int]
    /// The axis the sources are stitched along (0: rows; 1: the samples of an attack file's (runs, samples, …) datasets).
    public var axis: Int

    /// Describes one source.
    ///
    /// - Parameters:
    ///   - file: The source file's path, relative paths resolved as described on `file`.
    ///   - dataset: The source dataset's absolute path inside that file.
    ///   - rows: Where its rows land along the virtual dataset's first axis.
    ///   - sourceShape: The source dataset's extents.
    ///   - axis: The axis the rows run along (0 by default).
    public init(file: String, dataset: String, rows: Range<Int>, sourceShape: [Int], axis: Int = 0) {
        self.file = file
        self.dataset = dataset
        self.rows = rows
        self.sourceShape = sourceShape
        self.axis = axis
    }
}

extension Group {
    /// Creates a virtual dataset: one array whose rows are read from datasets in other files, copying nothing.
    ///
    /// A virtual dataset of shape `(N, …)` stitches sources of shapes `(nᵢ, …)` along the first axis;
    /// `read`, `readRows` and `readColumn` read across sources as if they were one dataset,
    /// and h5py shows it as an ordinary dataset with `is_virtual == True`.
    ///
    /// NOTE: HDF5 never fails a read because a source is missing. Rows whose source file or
    /// dataset cannot be opened when the virtual dataset is read, and rows no source covers,
    /// read as the fill value, which is NaN for `Float` and `Double` (so missing rows cannot
    /// pass for real values) and 0 for integer types. `virtualSources()` lists what to check.
    /// The mappings are fixed-size, so HDF5's virtual view setting (which concerns unlimited
    /// mappings) does not change the extent.
    ///
    /// - Parameters:
    ///   - name: A name or path relative to this group; missing intermediate groups are created.
    ///   - type: The element type of the virtual dataset; HDF5 converts from each source's stored type.
    ///   - shape: The extents; at least one axis.
    ///   - sources: Whole source datasets and the rows they fill; the row ranges must not overlap. A source
    ///     with no rows is left out (HDF5 1.10 crashes reading an empty mapping), so `virtualSources()` does not list it.
    /// - Returns: The new virtual dataset.
    /// - Throws: `HDF5Error` when a source's shape does not match its rows and the virtual shape, rows fall
    ///   outside `shape` or overlap, the name exists, or HDF5 refuses.
    @discardableResult
    public func createVirtualDataset<T: HDF5Scalar>(
        _ name: String, of type: T.Type, shape: [Int], sources: [VirtualSource]
    ) throws -> Dataset<T> {
        let target = childPath(name)
        let site = Site(path: target, file: file.path)
        let function = "Group.createVirtualDataset"
        try requireNonNegative(shape, "shape", function: function, at: site)
        guard !shape.isEmpty else {
            throw usageError(function, path: target, file: file.path, "a virtual dataset needs at least one axis to stitch sources along")
        }
        try validate(sources, shape: shape, function: function, at: site)

        let space = try createDataspace(shape, at: site)
        defer { H5Sclose(space) }
        let creation = try check(H5Pcreate(np_H5P_DATASET_CREATE()), "H5Pcreate", path: target, file: file.path)
        defer { H5Pclose(creation) }
        try check(H5Pset_obj_track_times(creation, false), "H5Pset_obj_track_times", path: target, file: file.path)
        if T.hdf5Type == .float32 || T.hdf5Type == .float64 {
            var fill = Double.nan
            try check(H5Pset_fill_value(creation, np_H5T_NATIVE_DOUBLE(), &fill), "H5Pset_fill_value", path: target, file: file.path)
        }
        // NOTE: an empty mapping is accepted by H5Pset_virtual but crashes HDF5 1.10.8 later; it maps nothing anyway.
        for source in sources where !source.rows.isEmpty {
            // The block of rows in the virtual dataset; the source is selected whole (a new dataspace selects all).
            var start = shape.map { _ in hsize_t(0) }
            start[source.axis] = hsize_t(source.rows.lowerBound)
            var count = shape.map { hsize_t($0) }
            count[source.axis] = hsize_t(source.rows.count)
            let virtualSpace = try createDataspace(shape, at: site)
            defer { H5Sclose(virtualSpace) }
            try check(
                H5Sselect_hyperslab(virtualSpace, H5S_SELECT_SET, &start, nil, &count, nil),
                "H5Sselect_hyperslab", path: target, file: file.path)
            let sourceSpace = try createDataspace(source.sourceShape, at: site)
            defer { H5Sclose(sourceSpace) }
            try check(
                H5Pset_virtual(creation, virtualSpace, source.file, source.dataset, sourceSpace),
                "H5Pset_virtual", path: target, file: file.path)
        }
        let links = try linkCreationList(for: target)
        defer { H5Pclose(links) }
        let dataset = try check(
            H5Dcreate2(id, name, T.hdf5Type.nativeType, space, links, creation, np_H5P_DEFAULT()),
            "H5Dcreate2", path: target, file: file.path)
        return try Dataset<T>(file: file, id: dataset, path: target)
    }

    /// Throws unless every source fits `shape`, agrees with its rows, and no two sources share a row.
    private func validate(_ sources: [VirtualSource], shape: [Int], function: String, at site: Site) throws {
        for (index, source) in sources.enumerated() {
            let name = "source \(index) (\(source.file):\(source.dataset))"
            guard source.axis >= 0, source.axis < shape.count, source.axis == sources[0].axis else {
                throw usageError(
                    function, path: site.path, file: site.file,
                    "\(name) runs along axis \(source.axis); every source must run along one axis of \(shape)")
            }
            guard source.rows.lowerBound >= 0, source.rows.upperBound <= shape[source.axis] else {
                throw usageError(function, path: site.path, file: site.file, "\(name) fills rows \(source.rows), outside 0..<\(shape[source.axis])")
            }
            var expected = shape
            expected[source.axis] = source.rows.count
            guard source.sourceShape == expected else {
                throw usageError(
                    function, path: site.path, file: site.file,
                    "\(name) has shape \(source.sourceShape), but filling rows \(source.rows) of shape \(shape) needs \(expected)"
                )
            }
            guard !source.file.isEmpty, source.dataset.hasPrefix("/") else {
                throw usageError(function, path: site.path, file: site.file, "\(name) needs a file name and an absolute dataset path")
            }
        }
        let ordered = sources.enumerated().filter { !$0.element.rows.isEmpty }.sorted { $0.element.rows.lowerBound < $1.element.rows.lowerBound }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) where earlier.element.rows.overlaps(later.element.rows) {
            throw usageError(
                function, path: site.path, file: site.file,
                "sources \(earlier.offset) and \(later.offset) both fill rows \(earlier.element.rows.clamped(to: later.element.rows))")
        }
    }
}

extension Dataset {
    /// The sources a virtual dataset reads from, in the order they were mapped; empty for an ordinary dataset.
    ///
    /// Listing sources opens none of them: it reports what the file points to, whether or not those files exist.
    /// HDF5 1.10 does not record a source's extent when the whole source is mapped, so `sourceShape`
    /// is then the shape the mapping implies: `[rows.count]` followed by this dataset's other extents.
    ///
    /// - Returns: One entry per mapping.
    /// - Throws: `HDF5Error` when HDF5 cannot read the mappings, or a mapping is not a whole source filling a block of
    ///   whole rows (as other tools may write: a strided, partial or unlimited selection), which `VirtualSource` cannot describe.
    public func virtualSources() throws -> [VirtualSource] {
        guard isVirtual else { return [] }
        let site = self.site
        let creation = try check(H5Dget_create_plist(id), "H5Dget_create_plist", path: path, file: file.path)
        defer { H5Pclose(creation) }
        var count = 0
        try check(H5Pget_virtual_count(creation, &count), "H5Pget_virtual_count", path: path, file: file.path)
        return try (0..<count).map { index in
            let sourceFile = try readCString("H5Pget_virtual_filename", at: site) { H5Pget_virtual_filename(creation, index, $0, $1) }
            let sourceDataset = try readCString("H5Pget_virtual_dsetname", at: site) { H5Pget_virtual_dsetname(creation, index, $0, $1) }
            let virtualSpace = try check(H5Pget_virtual_vspace(creation, index), "H5Pget_virtual_vspace", path: path, file: file.path)
            defer { H5Sclose(virtualSpace) }
            let sourceSpace = try check(H5Pget_virtual_srcspace(creation, index), "H5Pget_virtual_srcspace", path: path, file: file.path)
            defer { H5Sclose(sourceSpace) }
            let (axis, rows, shape) = try mappedRows(virtualSpace, at: site)
            let extent = try extents(ofDataspace: sourceSpace, at: site).shape
            let selected = Int(try check(H5Sget_select_npoints(sourceSpace), "H5Sget_select_npoints", path: path, file: file.path))
            let sourceShape: [Int]
            if H5Sget_select_type(sourceSpace) == H5S_SEL_ALL && extent.isEmpty {
                // NOTE: HDF5 1.10 does not store a source's extent, only "all of it"; the shape is the one the mapping implies.
                var implied = shape
                if !implied.isEmpty { implied[axis] = rows.count }
                sourceShape = implied
            } else if !extent.isEmpty && selected == elementCount(extent) {
                sourceShape = extent
            } else {
                throw usageError(
                    "Dataset.virtualSources", path: path, file: file.path,
                    "mapping \(index) (\(sourceFile):\(sourceDataset)) uses part of its source, which VirtualSource cannot describe")
            }
            return VirtualSource(file: sourceFile, dataset: sourceDataset, rows: rows, sourceShape: sourceShape, axis: axis)
        }
    }

    /// The axis and the rows along it that a mapping's virtual selection covers, after checking it is a solid block
    /// spanning every other axis, and the virtual dataset's extents.
    private func mappedRows(_ space: hid_t, at site: Site) throws -> (axis: Int, rows: Range<Int>, shape: [Int]) {
        let shape = try extents(ofDataspace: space, at: site).shape
        let selected = Int(try check(H5Sget_select_npoints(space), "H5Sget_select_npoints", path: path, file: file.path))
        if selected == 0 || shape.isEmpty { return (0, 0..<0, shape) }
        var start = [hsize_t](repeating: 0, count: shape.count)
        var end = [hsize_t](repeating: 0, count: shape.count)
        try check(H5Sget_select_bounds(space, &start, &end), "H5Sget_select_bounds", path: path, file: file.path)
        // The axis of the block: the one the selection does not span (axis 0 when it spans every axis).
        let partial = shape.indices.filter { start[$0] != 0 || Int(end[$0]) != shape[$0] - 1 }
        let axis = partial.first ?? 0
        let rows = Int(start[axis])..<(Int(end[axis]) + 1)
        guard partial.count <= 1, selected == rows.count * elementCount(shape) / max(shape[axis], 1) else {
            throw usageError(
                "Dataset.virtualSources", path: path, file: file.path,
                "a mapping selects something other than a block of whole rows, which VirtualSource cannot describe")
        }
        return (axis, rows, shape)
    }
}
