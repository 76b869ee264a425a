import Files
import Foundation

/// One IDX file (LeCun's format for MNIST and Fashion-MNIST), raw or gzip'd, read whole and
/// checked: the magic number, the element type, and that the length is exactly what the header says.
///
/// The format is a big-endian header — two zero bytes, a type code (0x08 = unsigned byte),
/// the number of dimensions `d` — then `d` big-endian 32-bit extents, then the elements in
/// row-major order:
/// ```
/// length = 4 + 4·d + ∏ dims      (bytes, for uint8 elements)
/// ```
public struct IDXFile: Sendable {
    /// The two kinds of IDX file a labelled image set is made of.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// Images: uint8, three dimensions `[count, height, width]`, magic 0x00000803.
        case images
        /// Labels: uint8, one dimension `[count]`, magic 0x00000801.
        case labels

        /// The magic number files of this kind start with.
        public var magic: UInt32 { self == .images ? 0x0000_0803 : 0x0000_0801 }
        /// The number of dimensions files of this kind have.
        public var rank: Int { self == .images ? 3 : 1 }
        /// "images" or "labels".
        public var description: String { self == .images ? "images" : "labels" }
    }

    /// Where the file was read from.
    public let url: URL
    /// Whether the file on disk was gzip'd.
    public let wasGzipped: Bool
    /// The kind, from the magic number.
    public let kind: Kind
    /// The extents from the header, item count first.
    public let dimensions: [Int]
    /// The elements in row-major order (the file's bytes after the header).
    public let elements: [UInt8]
    /// The sha256 of the decompressed content (header and elements), as lowercase hex.
    public let contentSHA256: String
    /// The md5 of the gzip'd bytes on disk, as lowercase hex; nil when the file was not gzip'd.
    public let gzipMD5: String?

    /// The number of items (images or labels): the first extent.
    public var count: Int { dimensions.first ?? 0 }

    /// Reads and checks an IDX file, gzip'd (detected by the magic bytes 1f 8b) or not.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - expected: the kind the caller needs; nil accepts either.
    ///   - dataset: the registered name of the data set the file belongs to, if any; errors then
    ///     tell the user to run `probe data fetch NAME`.
    /// - Throws: `DatasetError` — `.unreadable`, `.corruptGzip`, `.missingHeader`, `.notIDX`,
    ///   `.unsupportedElementType`, `.unexpectedKind`, `.absurdDimensions` or `.wrongLength`.
    public static func read(_ url: URL, expected: Kind? = nil, dataset: String? = nil) throws -> IDXFile {
        let raw = try readBytes(url)
        let gz = Gzip.isGzip(raw)
        let content: [UInt8]
        if gz {
            do {
                content = try Gzip.decompress(raw)
            } catch let failure as Gzip.Failure {
                throw DatasetError.corruptGzip(path: url.path, reason: failure.reason, dataset: dataset)
            }
        } else {
            content = raw
        }
        return try IDXFile(
            content: content, url: url, wasGzipped: gz,
            gzipMD5: gz ? Checksum.md5(of: raw) : nil, expected: expected, dataset: dataset)
    }

    private init(
        content: [UInt8], url: URL, wasGzipped: Bool, gzipMD5: String?, expected: Kind?, dataset: String?
    ) throws {
        let path = url.path
        guard content.count >= 4 else {
            throw DatasetError.missingHeader(path: path, actualBytes: content.count, dataset: dataset)
        }
        let magic = Self.bigEndian32(content, at: 0)
        guard content[0] == 0, content[1] == 0, content[3] >= 1 else {
            throw DatasetError.notIDX(path: path, magic: magic, dataset: dataset)
        }
        guard content[2] == 0x08 else {
            throw DatasetError.unsupportedElementType(path: path, typeCode: content[2])
        }
        let kind: Kind
        switch magic {
        case Kind.images.magic: kind = .images
        case Kind.labels.magic: kind = .labels
        default:
            // uint8 with another rank: a valid IDX file, but not one this project reads.
            throw DatasetError.notIDX(path: path, magic: magic, dataset: dataset)
        }
        if let expected, expected != kind {
            throw DatasetError.unexpectedKind(path: path, expected: expected, magic: magic)
        }
        let header = 4 + 4 * kind.rank
        guard content.count >= header else {
            throw DatasetError.missingHeader(path: path, actualBytes: content.count, dataset: dataset)
        }
        let dims = (0..<kind.rank).map { Int(Self.bigEndian32(content, at: 4 + 4 * $0)) }
        var total = header
        var payload = 1
        for d in dims {
            let (p, overflow) = payload.multipliedReportingOverflow(by: d)
            guard !overflow else { throw DatasetError.absurdDimensions(path: path, dimensions: dims) }
            payload = p
        }
        let (sum, overflow) = total.addingReportingOverflow(payload)
        guard !overflow else { throw DatasetError.absurdDimensions(path: path, dimensions: dims) }
        total = sum
        guard content.count == total else {
            throw DatasetError.wrongLength(
                path: path, expectedBytes: total, actualBytes: content.count, decompressed: wasGzipped, dataset: dataset)
        }
        self.url = url
        self.wasGzipped = wasGzipped
        self.kind = kind
        self.dimensions = dims
        self.elements = Array(content[header...])
        self.contentSHA256 = Checksum.sha256(of: content)
        self.gzipMD5 = gzipMD5
    }

    /// A readable name for an IDX type code, for error messages.
    static func typeName(_ code: UInt8) -> String {
        switch code {
        case 0x08: return "unsigned byte"
        case 0x09: return "signed byte"
        case 0x0B: return "int16"
        case 0x0C: return "int32"
        case 0x0D: return "float32"
        case 0x0E: return "float64"
        default: return "unknown"
        }
    }

    static func readBytes(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw DatasetError.unreadable(path: url.path, reason: Self.reason(error))
        }
    }

    /// The useful part of a Foundation error, without the "The operation could not be completed" prefix.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain,
            let message = strerror(Int32(posix.code))
        {
            return String(cString: message)
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            default: break
            }
        }
        return ns.localizedDescription
    }

    private static func bigEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}
