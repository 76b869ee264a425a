import HDF5
import XCTest

/// The one text form of a compression setting, as files record it and `--compression` reads it.
final class CompressionTextTests: XCTestCase {
    func testEverySettingReadsBackFromItsText() {
        for compression in [Compression.none, .gzip(level: 0), .gzip(level: 9), .shuffleGzip(level: 4)] {
            XCTAssertEqual(Compression(text: compression.text), compression, compression.text)
        }
    }

    func testTheTextsAreTheOnesFilesRecord() {
        XCTAssertEqual(Compression.none.text, "none")
        XCTAssertEqual(Compression.gzip(level: 4).text, "gzip:4")
        XCTAssertEqual(Compression.shuffleGzip(level: 6).text, "shuffle+gzip:6")
    }

    func testBareGzipIsLevelFour() {
        XCTAssertEqual(Compression(text: "gzip"), .gzip(level: 4))
    }

    func testAnythingElseIsNotACompression() {
        for text in ["", "gzip:", "gzip:10", "gzip:-1", "gzip:x", "lzf", "shuffle", "gzip:4:5", "none:1"] {
            XCTAssertNil(Compression(text: text), text)
        }
    }
}
