import Crypto
import Foundation

/// Digests of files and bytes, as lowercase hex: SHA-256 is how files refer to the model and data
/// they were derived from; MD5 only checks downloads against the checksums their publishers list.
public enum Checksum {
    /// The SHA-256 of the file at `path`, read in 1 MiB pieces.
    /// - Throws: a Foundation error when the file cannot be read.
    public static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    /// The SHA-256 of `bytes`.
    public static func sha256<D: DataProtocol>(of bytes: D) -> String { hex(SHA256.hash(data: bytes)) }

    /// The MD5 of `bytes` (the digest MNIST's and Fashion-MNIST's publishers give for their files).
    public static func md5<D: DataProtocol>(of bytes: D) -> String { hex(Insecure.MD5.hash(data: bytes)) }

    private static func hex<S: Sequence>(_ digest: S) -> String where S.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
