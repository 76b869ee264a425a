/// A reader of the Protocol Buffers wire format (protobuf.dev/programming-guides/encoding), the
/// little of it an ONNX file needs: varints, fixed 32- and 64-bit values, and length-delimited
/// fields (strings, bytes, nested messages, packed repeated numbers). Every read is bounds-checked
/// and throws `ProtobufError` on bytes that are not a well-formed message, so that a truncated or
/// damaged file gives one clear error and never a crash.
struct ProtobufReader {
    /// The wire types of a field's key.
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    /// One field: its number, wire type and where its value lies.
    struct Field {
        /// The field number.
        let number: Int
        /// How it is encoded.
        let wireType: WireType
        /// The value of a varint field (0 otherwise).
        let varint: UInt64
        /// The bytes of a fixed-width or length-delimited field.
        let bytes: ArraySlice<UInt8>

        /// The value as a signed 64-bit integer (int64, int32 and enums are varints in two's complement).
        var int64: Int64 { Int64(bitPattern: varint) }

        /// The value of a fixed32 field as a float.
        func float() throws -> Float {
            guard wireType == .fixed32, bytes.count == 4 else { throw ProtobufError.wrongWireType(field: number, expected: "fixed32") }
            return Float(bitPattern: ProtobufReader.littleEndian32(bytes))
        }

        /// The bytes of a length-delimited field read as UTF-8.
        func string() throws -> String {
            guard wireType == .lengthDelimited else { throw ProtobufError.wrongWireType(field: number, expected: "length-delimited") }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// A nested message.
        func message() throws -> ProtobufReader {
            guard wireType == .lengthDelimited else { throw ProtobufError.wrongWireType(field: number, expected: "a nested message") }
            return ProtobufReader(bytes)
        }

        /// A repeated integer field: one varint, or (packed) a length-delimited run of varints.
        func int64s() throws -> [Int64] {
            switch wireType {
            case .varint: return [int64]
            case .lengthDelimited:
                var reader = ProtobufReader(bytes)
                var values: [Int64] = []
                while !reader.isAtEnd { values.append(Int64(bitPattern: try reader.readVarint())) }
                return values
            default: throw ProtobufError.wrongWireType(field: number, expected: "varint or packed varints")
            }
        }

        /// A repeated float field: one fixed32, or (packed) a length-delimited run of them.
        func floats() throws -> [Float] {
            try fixedWidth(.fixed32, width: 4, name: "floats") { Float(bitPattern: ProtobufReader.littleEndian32($0)) }
        }

        /// A repeated double field: one fixed64, or (packed) a length-delimited run of them.
        func doubles() throws -> [Double] {
            try fixedWidth(.fixed64, width: 8, name: "doubles") { Double(bitPattern: ProtobufReader.littleEndian64($0)) }
        }

        /// A repeated fixed-width field: one value of `single` wire type, or a packed run of `width`-byte values.
        private func fixedWidth<T>(_ single: WireType, width: Int, name: String, _ value: (ArraySlice<UInt8>) -> T) throws -> [T] {
            guard wireType == single || wireType == .lengthDelimited else {
                throw ProtobufError.wrongWireType(field: number, expected: "\(single) or packed \(name)")
            }
            guard bytes.count % width == 0 else {
                throw ProtobufError.malformed("packed \(name) of field \(number) are \(bytes.count) bytes, not a multiple of \(width)")
            }
            return stride(from: bytes.startIndex, to: bytes.endIndex, by: width).map { value(bytes[$0..<($0 + width)]) }
        }
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    /// A reader of the message in `bytes`.
    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// Whether every field has been read.
    var isAtEnd: Bool { position >= bytes.endIndex }

    /// The next field, or nil at the end of the message.
    mutating func next() throws -> Field? {
        guard !isAtEnd else { return nil }
        let key = try readVarint()
        let number = Int(key >> 3)
        guard number > 0, number < (1 << 29) else { throw ProtobufError.malformed("field number \(key >> 3) is outside 1…2²⁹−1") }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw ProtobufError.malformed("wire type \(key & 7) of field \(number) does not exist")
        }
        switch wireType {
        case .varint: return Field(number: number, wireType: wireType, varint: try readVarint(), bytes: [])
        case .fixed64: return Field(number: number, wireType: wireType, varint: 0, bytes: try take(8, field: number))
        case .fixed32: return Field(number: number, wireType: wireType, varint: 0, bytes: try take(4, field: number))
        case .lengthDelimited:
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw ProtobufError.truncated("field \(number) says it holds \(length) bytes, but \(bytes.endIndex - position) are left")
            }
            return Field(number: number, wireType: wireType, varint: 0, bytes: try take(Int(length), field: number))
        case .startGroup, .endGroup: throw ProtobufError.malformed("field \(number) is a group, which ONNX never uses")
        }
    }

    /// A base-128 varint of at most 10 bytes.
    mutating func readVarint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard position < bytes.endIndex else { throw ProtobufError.truncated("a varint runs past the end of its message") }
            let byte = bytes[position]
            position += 1
            guard shift < 63 || byte <= 1 else { throw ProtobufError.malformed("a varint does not fit in 64 bits") }
            value |= UInt64(byte & 0x7f) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw ProtobufError.malformed("a varint is longer than 10 bytes")
    }

    private mutating func take(_ count: Int, field: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - position else {
            throw ProtobufError.truncated("field \(field) needs \(count) bytes, but \(bytes.endIndex - position) are left")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    static func littleEndian32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    static func littleEndian64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}

/// Bytes that are not a well-formed Protocol Buffers message.
public enum ProtobufError: Error, Equatable, CustomStringConvertible {
    /// The bytes end inside a field.
    case truncated(String)
    /// The bytes are not a message (an impossible key, an overlong varint).
    case malformed(String)
    /// A field has another encoding than its type needs.
    case wrongWireType(field: Int, expected: String)

    public var description: String {
        switch self {
        case .truncated(let what): return "truncated: \(what)"
        case .malformed(let what): return "not a protobuf message: \(what)"
        case .wrongWireType(let field, let expected): return "field \(field) is not encoded as \(expected)"
        }
    }
}
