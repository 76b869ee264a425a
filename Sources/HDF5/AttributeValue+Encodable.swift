/// An attribute's value as JSON: strings and numbers as themselves, arrays as arrays, numbers that
/// are not finite as null, anything else as its description.
extension AttributeValue: Encodable {
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        switch self {
        case .string(let s), .other(let s): try container.encode(s)
        case .strings(let s): try container.encode(s)
        case .integer(let i): try container.encode(i)
        case .integers(let i): try container.encode(i)
        case .real(let r): try container.encode(finite(r))
        case .reals(let r): try container.encode(r.map(finite))
        }
    }
}

/// A dataset's layout as JSON, with the keys `probe inspect --json` writes.
extension DatasetInfo: Encodable {
    private enum Keys: String, CodingKey {
        case path, shape, type, chunks, compression, virtual, storageBytes = "storage_bytes", maxShape = "max_shape"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(path, forKey: .path)
        try container.encode(shape, forKey: .shape)
        try container.encode(typeDescription, forKey: .type)
        try container.encode(chunk, forKey: .chunks)
        try container.encode(compression, forKey: .compression)
        try container.encode(isVirtual, forKey: .virtual)
        try container.encode(storageBytes, forKey: .storageBytes)
        try container.encode(maxShape, forKey: .maxShape)
    }
}
