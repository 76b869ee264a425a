import CHDF5

// Named dimensions for readers that see a file as netCDF-4 (xarray with h5netcdf or netCDF4,
// netCDF4-python, ncdump, R): every labelled axis gets an HDF5 dimension scale as netCDF-4 itself
// writes one for a dimension without coordinate values. Without them those readers name the axes
// `phony_dim_0`, `phony_dim_1`, … whatever their labels.

extension HDF5File {
    /// The text netCDF-4 puts in a dimension scale's `NAME` attribute for a dimension that has no
    /// coordinate values; readers take such a scale for a dimension and not for a variable.
    static let netCDFDimensionName = "This is a netCDF dimension but not a netCDF variable."

    /// Attaches a dimension scale to every axis of every dataset whose axes are all labelled
    /// (`Dataset.setDimensionLabels`), so that netCDF-4 readers show the labels as named dimensions.
    ///
    /// The scales live in the root group (a netCDF dimension is seen from its group and those below
    /// it, and `/layers` and other groups then keep only their own members), hold no values and
    /// take no storage: 1-D float32 datasets whose `NAME` says they are netCDF dimensions without
    /// variables. Each is named:
    /// - after its label, for the axes of datasets in the root group and for every `sample` axis
    ///   (`sample`, `class`, `height`, `run`);
    /// - otherwise after the path of the dataset's group below its top-level group and its label,
    ///   `/` read as `_` (`fc1_units_direction` for `/units/fc1/units/top`), or for a dataset right in
    ///   a top-level group after its name and label (`fc1_unit` for `/layers/fc1`): one layer's units
    ///   are not another's, and netCDF gives one dimension a single length.
    ///
    /// A name taken by another member of the root group, or by axes of different lengths, is made
    /// unique by the dataset's whole path below its top-level group (`fc1_units_top_direction`). A scale whose axes can grow (the unlimited
    /// sample axis of a recording) is unlimited and empty, as netCDF-4 writes an unlimited
    /// dimension: readers take its length from the datasets. Axes without labels, and datasets
    /// with an unlabelled axis, are left alone (netCDF readers refuse a dataset with some axes
    /// named and others not). Soft and external links are not followed, and scales already
    /// attached are kept, so calling this again attaches only what is new.
    ///
    /// - Returns: The names of the scales it created, in creation order.
    /// - Throws: `HDF5Error` when the file is read-only or HDF5 refuses.
    @discardableResult
    public func attachDimensionScales() throws -> [String] {
        let axes = try labelledAxes(in: root, path: "/")
        guard !axes.isEmpty else { return [] }
        guard isWritable else {
            throw usageError("HDF5File.attachDimensionScales", path: "/", file: path, "the file is open read-only")
        }
        let rootNames = Set(try root.childNames())
        // Each axis's scale name, made unique where fixed lengths differ (an unlimited axis goes with
        // any length: netCDF takes the longest) or a root member that is no scale has the name.
        let preferred = axes.map(\.preferredName)
        var names = preferred
        for name in Set(preferred) {
            let sharing = axes.indices.filter { preferred[$0] == name }
            let lengths = Set(sharing.filter { !axes[$0].unlimited }.map { axes[$0].length })
            let taken = try rootNames.contains(name) && !isDimensionScale(root.childPath(name))
            if lengths.count > 1 || taken {
                for index in sharing { names[index] = axes[index].qualifiedName }
            }
        }
        var created: [String] = []
        var scales: [String: hid_t] = [:]
        defer { for scale in scales.values { H5Dclose(scale) } }
        for (axis, name) in zip(axes, names) {
            let scale: hid_t
            if let open = scales[name] {
                scale = open
            } else {
                let sharing = zip(axes, names).filter { $0.1 == name }.map(\.0)
                let isNew = !root.contains(name)
                scale = try openOrCreateScale(named: name, length: axis.length, unlimited: sharing.contains { $0.unlimited })
                scales[name] = scale
                if isNew { created.append(name) }
            }
            let dataset = try check(H5Dopen2(id, axis.path, np_H5P_DEFAULT()), "H5Dopen2", path: axis.path, file: path)
            defer { H5Dclose(dataset) }
            let attached = try check(H5DSis_attached(dataset, scale, UInt32(axis.axis)), "H5DSis_attached", path: axis.path, file: path)
            if attached == 0 {
                try check(H5DSattach_scale(dataset, scale, UInt32(axis.axis)), "H5DSattach_scale", path: axis.path, file: path)
            }
        }
        return created
    }

    /// One labelled axis of a dataset.
    private struct LabelledAxis {
        var path: String
        var axis: Int
        var label: String
        var length: Int
        var unlimited: Bool
        /// Whether the dataset lies in the root group.
        var inRoot: Bool

        /// The label itself, for datasets of the root group and every sample axis; else the path of the
        /// dataset's group below its top-level group and the label (`fc1_units_direction` for
        /// `/units/fc1/units/top`), or for a dataset right in a top-level group its name and the
        /// label (`fc1_unit` for `/layers/fc1`).
        var preferredName: String {
            if inRoot || label == "sample" { return label }
            let components = path.split(separator: "/").map(String.init)
            let group = components.dropFirst().dropLast()
            return ((group.isEmpty ? [components.last!] : Array(group)) + [label]).joined(separator: "_")
        }

        /// The dataset's path below its top-level group, `/` read as `_`, and the label: for axes that
        /// would share a name with axes of other lengths.
        var qualifiedName: String {
            let components = path.split(separator: "/").map(String.init)
            let below = components.count > 1 ? components.dropFirst() : components[...]
            return (below + [label]).joined(separator: "_")
        }
    }

    /// Every axis of every dataset below `group` (hard links only) whose axes are all labelled.
    private func labelledAxes(in group: Group, path groupPath: String) throws -> [LabelledAxis] {
        var axes: [LabelledAxis] = []
        for name in try group.childNames() {
            var link = H5L_info_t()
            let childPath = group.childPath(name)
            try check(H5Lget_info(group.id, name, &link, np_H5P_DEFAULT()), "H5Lget_info", path: childPath, file: path)
            guard link.type == H5L_TYPE_HARD else { continue }
            switch try group.kind(of: name) {
            case .group:
                axes += try labelledAxes(in: try group.openGroup(name), path: childPath)
            case .dataset:
                axes += try datasetAxes(childPath, inRoot: groupPath == "/")
            case .namedDatatype, .danglingLink:
                continue
            }
        }
        return axes
    }

    /// The labelled axes of one dataset: all of them, or none when one lacks a label or the dataset is a scale.
    private func datasetAxes(_ datasetPath: String, inRoot: Bool) throws -> [LabelledAxis] {
        let dataset = try check(H5Dopen2(id, datasetPath, np_H5P_DEFAULT()), "H5Dopen2", path: datasetPath, file: path)
        defer { H5Dclose(dataset) }
        guard try check(H5DSis_scale(dataset), "H5DSis_scale", path: datasetPath, file: path) == 0 else { return [] }
        let space = try check(H5Dget_space(dataset), "H5Dget_space", path: datasetPath, file: path)
        defer { H5Sclose(space) }
        let extents = try extents(ofDataspace: space, at: Site(path: datasetPath, file: path))
        var axes: [LabelledAxis] = []
        for axis in extents.shape.indices {
            let length = try check(H5DSget_label(dataset, UInt32(axis), nil, 0), "H5DSget_label", path: datasetPath, file: path)
            guard length > 0 else { return [] }
            var buffer = [CChar](repeating: 0, count: length + 1)
            try check(H5DSget_label(dataset, UInt32(axis), &buffer, buffer.count), "H5DSget_label", path: datasetPath, file: path)
            let label = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard !label.contains("/") else { return [] }
            axes.append(
                LabelledAxis(
                    path: datasetPath, axis: axis, label: label, length: extents.shape[axis],
                    unlimited: extents.maxShape[axis].map { $0 > extents.shape[axis] } ?? true, inRoot: inRoot))
        }
        return axes
    }

    /// Whether the root member at `memberPath` is a dataset made a dimension scale.
    private func isDimensionScale(_ memberPath: String) throws -> Bool {
        guard try root.kind(of: memberPath) == .dataset else { return false }
        let dataset = try check(H5Dopen2(id, memberPath, np_H5P_DEFAULT()), "H5Dopen2", path: memberPath, file: path)
        defer { H5Dclose(dataset) }
        return try check(H5DSis_scale(dataset), "H5DSis_scale", path: memberPath, file: path) > 0
    }

    /// The root group's scale `name`, created empty if it is not there: fixed at `length`, or
    /// unlimited and of length 0 (netCDF-4's unlimited dimension).
    private func openOrCreateScale(named name: String, length: Int, unlimited: Bool) throws -> hid_t {
        let scalePath = root.childPath(name)
        if root.contains(name) {
            return try check(H5Dopen2(id, scalePath, np_H5P_DEFAULT()), "H5Dopen2", path: scalePath, file: path)
        }
        // Created through the wrapper (no values written, so no storage), then held by a handle of its own.
        if unlimited {
            _ = try root.createDataset(name, of: Float.self, shape: [0], maxShape: [nil], chunk: [1])
        } else {
            _ = try root.createDataset(name, of: Float.self, shape: [length])
        }
        let scale = try check(H5Dopen2(id, scalePath, np_H5P_DEFAULT()), "H5Dopen2", path: scalePath, file: path)
        // netCDF-4 writes the length in ten characters after the sentence (0 for an unlimited dimension).
        let digits = String(unlimited ? 0 : length)
        let text = HDF5File.netCDFDimensionName + String(repeating: " ", count: max(0, 10 - digits.count)) + digits
        try check(H5DSset_scale(scale, text), "H5DSset_scale", path: scalePath, file: path)
        return scale
    }
}
