import Foundation
import XCTest
@testable import Files

/// The digests files refer to each other by, against the published test vectors.
final class ChecksumTests: XCTestCase {
    func testSHA256OfBytesIsTheFIPS180TestVector() {
        XCTAssertEqual(Checksum.sha256(of: Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testMD5OfBytesIsTheRFC1321TestVector() {
        XCTAssertEqual(Checksum.md5(of: Data("abc".utf8)), "900150983cd24fb0d6963f7d28e17f72")
    }

    func testSHA256OfAFileReadInPiecesIsTheDigestOfItsBytes() throws {
        // 2.5 MiB: the file is read in 1 MiB pieces, so the digest spans three of them.
        let bytes = Data((0..<(5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checksum-\(UUID().uuidString)")
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try Checksum.sha256(ofFile: url.path), Checksum.sha256(of: bytes))
    }
}
