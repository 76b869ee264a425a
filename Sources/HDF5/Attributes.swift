import CHDF5

/// An opaque reference to the HDF5 object whose attributes an `AttributeHolder` reads and writes.
///
/// Only this module creates one; it keeps its object open while it exists.
public struct AttributeLocation {
    let id: hid_t
    let site: Site
    let owner: AnyObject

    init(id: hid_t, site: Site, owner: AnyObject) {
        self.id = id
        self.site = site
        self.owner = owner
    }
}

/// Something that carries HDF5 attributes, small named metadata values: groups and datasets.
///
/// Strings are written as variable-length UTF-8, which h5py reads as `str`; setting an
/// attribute that exists replaces it. Reading converts between number types; reading a
/// string as a number, or a number as a string, is an error.
public protocol AttributeHolder {
    /// The object the attributes belong to.
    var attributeLocation: AttributeLocation { get }

    /// Sets a string attribute (a scalar variable-length UTF-8 string).
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - value: The string.
    /// - Throws: `HDF5Error` when HDF5 cannot write it (a read-only file, say).
    func setAttribute(_ name: String, _ value: String) throws

    /// Sets a string array attribute (a 1-D array of variable-length UTF-8 strings).
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - value: The strings.
    /// - Throws: `HDF5Error` when HDF5 cannot write it.
    func setAttribute(_ name: String, _ value: [String]) throws

    /// Sets a scalar number attribute.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - value: The number, stored as `T.hdf5Type`.
    /// - Throws: `HDF5Error` when HDF5 cannot write it.
    func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws

    /// Sets a 1-D number array attribute.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - values: The numbers, stored as `T.hdf5Type`.
    /// - Throws: `HDF5Error` when HDF5 cannot write it.
    func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws

    /// Whether an attribute named `name` exists; never throws.
    func hasAttribute(_ name: String) -> Bool

    /// The attribute names, in name order.
    ///
    /// - Throws: `HDF5Error` when HDF5 cannot list them.
    func attributeNames() throws -> [String]

    /// Reads a string attribute, variable- or fixed-length (as h5py, MATLAB and HDF5 tools write them).
    ///
    /// - Parameter name: The attribute's name.
    /// - Returns: The string; an attribute holding one string in a 1-element array is accepted.
    /// - Throws: `HDF5Error` when it is missing, holds something other than strings, or holds several.
    func stringAttribute(_ name: String) throws -> String

    /// Reads a string array attribute; a scalar string reads as a 1-element array.
    ///
    /// - Parameter name: The attribute's name.
    /// - Returns: The strings, in row-major order.
    /// - Throws: `HDF5Error` when it is missing or holds something other than strings.
    func stringArrayAttribute(_ name: String) throws -> [String]

    /// Reads a number attribute as `T`, HDF5 converting from the stored number type.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - type: The type to read as.
    /// - Returns: The number; an attribute holding one number in a 1-element array is accepted.
    /// - Throws: `HDF5Error` when it is missing, holds something other than numbers, or holds several.
    func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T

    /// Reads a number array attribute as `T`; a scalar reads as a 1-element array.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - type: The type to read as.
    /// - Returns: The numbers, in row-major order.
    /// - Throws: `HDF5Error` when it is missing or holds something other than numbers.
    func arrayAttribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T]

    /// Reads an attribute of any type: integers as `Int64`, floats as `Double`, strings as `String`.
    ///
    /// - Parameter name: The attribute's name.
    /// - Returns: The value; types it cannot express come back as `.other` with a description.
    /// - Throws: `HDF5Error` when it is missing or cannot be read.
    func attributeValue(_ name: String) throws -> AttributeValue
}

extension AttributeHolder {
    /// Copies attribute `name` of `source` here, as the value `attributeValue` reads (types it cannot
    /// express, `.other`, are left out).
    ///
    /// - Throws: `HDF5Error` when it cannot be read or written.
    public func copyAttribute(_ name: String, from source: AttributeHolder) throws {
        switch try source.attributeValue(name) {
        case .string(let v): try setAttribute(name, v)
        case .strings(let v): try setAttribute(name, v)
        case .integer(let v): try setAttribute(name, v)
        case .integers(let v): try setAttribute(name, v)
        case .real(let v): try setAttribute(name, v)
        case .reals(let v): try setAttribute(name, v)
        case .other: break
        }
    }

    /// Sets a string attribute (a scalar variable-length UTF-8 string), replacing any attribute of that name.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - value: The string, without NUL characters.
    /// - Throws: `HDF5Error` when the string contains NUL, or HDF5 cannot write it (a read-only file, say).
    public func setAttribute(_ name: String, _ value: String) throws {
        try writeStrings(name, [value], shape: [])
    }

    /// Sets a string array attribute (a 1-D array of variable-length UTF-8 strings), replacing any attribute of that name.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - value: The strings, without NUL characters.
    /// - Throws: `HDF5Error` when a string contains NUL, or HDF5 cannot write it.
    public func setAttribute(_ name: String, _ value: [String]) throws {
        try writeStrings(name, value, shape: [value.count])
    }

    /// Sets a scalar number attribute, replacing any attribute of that name.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - value: The number, stored as `T.hdf5Type`.
    /// - Throws: `HDF5Error` when HDF5 cannot write it.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        try writeNumbers(name, [value], shape: [])
    }

    /// Sets a 1-D number array attribute, replacing any attribute of that name.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - values: The numbers, stored as `T.hdf5Type`.
    /// - Throws: `HDF5Error` when HDF5 cannot write it.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        try writeNumbers(name, values, shape: [values.count])
    }

    /// Whether an attribute named `name` exists; false also when HDF5 cannot tell.
    public func hasAttribute(_ name: String) -> Bool {
        let location = attributeLocation
        np_silence_error_printing()
        return withExtendedLifetime(location.owner) { H5Aexists(location.id, name) > 0 }
    }

    /// The attribute names, in name order.
    ///
    /// - Throws: `HDF5Error` when HDF5 cannot list them.
    public func attributeNames() throws -> [String] {
        let location = attributeLocation
        var names: [String] = []
        try withExtendedLifetime(location.owner) {
            try withUnsafeMutablePointer(to: &names) { pointer -> Void in
                try check(
                    H5Aiterate2(
                        location.id, H5_INDEX_NAME, H5_ITER_INC, nil,
                        { _, name, _, context in
                            if let name, let context {
                                context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                            }
                            return 0
                        }, pointer),
                    "H5Aiterate2", path: location.site.path, file: location.site.file)
            }
        }
        return names
    }

    /// Reads a string attribute, variable- or fixed-length (as h5py, MATLAB and HDF5 tools write them).
    ///
    /// - Parameter name: The attribute's name.
    /// - Returns: The string; an attribute holding one string in a 1-element array is accepted.
    /// - Throws: `HDF5Error` when it is missing, holds something other than strings, or holds several.
    public func stringAttribute(_ name: String) throws -> String {
        let strings = try readStringAttribute(name, function: "stringAttribute")
        guard strings.count == 1, let string = strings.first else {
            throw usageError(
                "stringAttribute", path: attributePath(name), file: attributeLocation.site.file,
                "holds \(strings.count) strings, not one; read it with stringArrayAttribute")
        }
        return string
    }

    /// Reads a string array attribute; a scalar string reads as a 1-element array.
    ///
    /// - Parameter name: The attribute's name.
    /// - Returns: The strings, in row-major order.
    /// - Throws: `HDF5Error` when it is missing or holds something other than strings.
    public func stringArrayAttribute(_ name: String) throws -> [String] {
        try readStringAttribute(name, function: "stringArrayAttribute")
    }

    /// Reads a number attribute as `T`, HDF5 converting from the stored number type.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - type: The type to read as.
    /// - Returns: The number; an attribute holding one number in a 1-element array is accepted.
    /// - Throws: `HDF5Error` when it is missing, holds something other than numbers, or holds several.
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T {
        let values = try readNumberAttribute(name, as: T.self, function: "attribute(_:as:)")
        guard values.count == 1, let value = values.first else {
            throw usageError(
                "attribute(_:as:)", path: attributePath(name), file: attributeLocation.site.file,
                "holds \(values.count) numbers, not one; read it with arrayAttribute")
        }
        return value
    }

    /// Reads a number array attribute as `T`; a scalar reads as a 1-element array.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - type: The type to read as.
    /// - Returns: The numbers, in row-major order.
    /// - Throws: `HDF5Error` when it is missing or holds something other than numbers.
    public func arrayAttribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T] {
        try readNumberAttribute(name, as: T.self, function: "arrayAttribute(_:as:)")
    }

    /// Reads an attribute of any type: integers as `Int64`, floats as `Double`, strings as `String`.
    ///
    /// A scalar gives `.string`, `.integer` or `.real`; an array (even of one element) gives
    /// `.strings`, `.integers` or `.reals`, flattened in row-major order.
    ///
    /// - Parameter name: The attribute's name.
    /// - Returns: The value; compounds, enums (h5py's `bool`), empty attributes and `uint64` values beyond
    ///   `Int64.max` come back as `.other` with a description, not converted.
    /// - Throws: `HDF5Error` when it is missing or cannot be read.
    public func attributeValue(_ name: String) throws -> AttributeValue {
        try withAttribute(name) { attribute, type, count, site in
            let space = try check(H5Aget_space(attribute), "H5Aget_space", path: site.path, file: site.file)
            defer { H5Sclose(space) }
            let spaceClass = H5Sget_simple_extent_type(space)
            if spaceClass == H5S_NULL { return .other("empty \(typeName(type))") }
            let scalar = spaceClass == H5S_SCALAR
            func numbers<T: HDF5Scalar>(_: T.Type) throws -> [T] {
                if count == 0 { return [] }
                return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                    try check(H5Aread(attribute, T.hdf5Type.nativeType, buffer.baseAddress), "H5Aread", path: site.path, file: site.file)
                    initialized = count
                }
            }
            switch H5Tget_class(type) {
            case H5T_STRING:
                let strings = try readStrings(storedType: type, count: count, at: site, function: "H5Aread") { memoryType, buffer in
                    H5Aread(attribute, memoryType, buffer)
                }
                return scalar ? .string(strings.first ?? "") : .strings(strings)
            case H5T_INTEGER where H5Tget_size(type) <= 8:
                let values: [Int64]
                if H5Tget_sign(type) == H5T_SGN_NONE && H5Tget_size(type) == 8 {
                    // NOTE: HDF5 would clamp a uint64 above Int64.max when converting; such values are reported, not altered.
                    let unsigned = try numbers(UInt64.self)
                    if let big = unsigned.first(where: { $0 > UInt64(Int64.max) }) {
                        return .other("uint64 \(scalar ? "" : "array holding ")\(big), beyond Int64")
                    }
                    values = unsigned.map { Int64($0) }
                } else {
                    values = try numbers(Int64.self)
                }
                return scalar ? .integer(values.first ?? 0) : .integers(values)
            case H5T_FLOAT:
                let values = try numbers(Double.self)
                return scalar ? .real(values.first ?? 0) : .reals(values)
            default:
                let shape = try extents(ofDataspace: space, at: site).shape
                return .other(scalar ? typeName(type) : "\(typeName(type)) \(shape)")
            }
        }
    }
}

// MARK: Internals

extension AttributeHolder {
    /// How errors name an attribute: the object path, `@`, the attribute name (`/data@units`).
    func attributePath(_ name: String) -> String {
        let objectPath = attributeLocation.site.path
        return objectPath + "@" + name
    }

    /// Creates (or replaces) attribute `name` with `type` and `shape`, then lets `write` fill it.
    private func replaceAttribute(
        _ name: String, type: hid_t, shape: [Int], _ write: (_ attribute: hid_t) -> herr_t
    ) throws {
        let location = attributeLocation
        let path = attributePath(name)
        let file = location.site.file
        try withExtendedLifetime(location.owner) {
            let space = try createDataspace(shape, at: Site(path: path, file: file))
            defer { H5Sclose(space) }
            if try check(H5Aexists(location.id, name), "H5Aexists", path: path, file: file) > 0 {
                try check(H5Adelete(location.id, name), "H5Adelete", path: path, file: file)
            }
            let attribute = try check(
                H5Acreate2(location.id, name, type, space, np_H5P_DEFAULT(), np_H5P_DEFAULT()),
                "H5Acreate2", path: path, file: file)
            defer { H5Aclose(attribute) }
            try check(write(attribute), "H5Awrite", path: path, file: file)
        }
    }

    private func writeStrings(_ name: String, _ strings: [String], shape: [Int]) throws {
        // NOTE: HDF5 stores variable-length strings NUL-terminated; a NUL inside one would cut it short silently.
        if let bad = strings.firstIndex(where: { $0.utf8.contains(0) }) {
            throw usageError(
                "setAttribute", path: attributePath(name), file: attributeLocation.site.file,
                "string \(bad) contains a NUL character, which HDF5 strings cannot hold")
        }
        let type = try createUTF8StringType(at: Site(path: attributePath(name), file: attributeLocation.site.file))
        defer { H5Tclose(type) }
        try withCStringPointers(strings) { pointers in
            try replaceAttribute(name, type: type, shape: shape) { attribute in
                pointers.isEmpty ? 0 : pointers.withUnsafeBytes { H5Awrite(attribute, type, $0.baseAddress) }
            }
        }
    }

    private func writeNumbers<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]) throws {
        let type = T.hdf5Type.nativeType
        try replaceAttribute(name, type: type, shape: shape) { attribute in
            values.isEmpty ? 0 : values.withUnsafeBytes { H5Awrite(attribute, type, $0.baseAddress) }
        }
    }

    /// Opens attribute `name` and calls `body` with it, its stored type and its element count.
    private func withAttribute<R>(
        _ name: String, _ body: (_ attribute: hid_t, _ storedType: hid_t, _ count: Int, _ site: Site) throws -> R
    ) throws -> R {
        let location = attributeLocation
        let site = Site(path: attributePath(name), file: location.site.file)
        return try withExtendedLifetime(location.owner) {
            let attribute = try check(H5Aopen(location.id, name, np_H5P_DEFAULT()), "H5Aopen", path: site.path, file: site.file)
            defer { H5Aclose(attribute) }
            let type = try check(H5Aget_type(attribute), "H5Aget_type", path: site.path, file: site.file)
            defer { H5Tclose(type) }
            let space = try check(H5Aget_space(attribute), "H5Aget_space", path: site.path, file: site.file)
            defer { H5Sclose(space) }
            return try body(attribute, type, try pointCount(ofDataspace: space, at: site), site)
        }
    }

    private func readStringAttribute(_ name: String, function: String) throws -> [String] {
        try withAttribute(name) { attribute, type, count, site in
            guard H5Tget_class(type) == H5T_STRING else {
                throw usageError(function, path: site.path, file: site.file, "holds \(typeName(type, detailed: true)), not a string")
            }
            return try readStrings(storedType: type, count: count, at: site, function: "H5Aread") { memoryType, buffer in
                H5Aread(attribute, memoryType, buffer)
            }
        }
    }

    private func readNumberAttribute<T: HDF5Scalar>(_ name: String, as: T.Type, function: String) throws -> [T] {
        try withAttribute(name) { attribute, type, count, site in
            guard isNumeric(type) else {
                throw usageError(
                    function, path: site.path, file: site.file, "holds \(typeName(type, detailed: true)), not numbers to read as \(T.hdf5Description)"
                )
            }
            if count == 0 { return [] }
            return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                try check(H5Aread(attribute, T.hdf5Type.nativeType, buffer.baseAddress), "H5Aread", path: site.path, file: site.file)
                initialized = count
            }
        }
    }
}
