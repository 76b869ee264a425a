import Engine
import Foundation
import XCTest
@testable import Activations

/// The IDX reader against damaged input: truncations and bit flips of the real fixture files,
/// gzip'd and not, thousands of cases in a bounded time. Each must read or fail with one clear
/// line (a `DatasetError`); a crash would take the test run down with it.
final class IDXFuzzTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("idx-fuzz")
    }

    /// `bytes` damaged at random: cut short, or with 1 to 8 bits flipped (most often in the first 64 bytes, where the header is).
    private func damaged(_ bytes: [UInt8], _ generator: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        if generator.next() % 3 == 0 {
            return Array(out.prefix(Int(generator.next() % UInt64(out.count))))
        }
        for _ in 0...(generator.next() % 8) {
            let window = generator.next() % 2 == 0 ? min(out.count, 64) : out.count
            out[Int(generator.next() % UInt64(window))] ^= UInt8(1) << (generator.next() % 8)
        }
        return out
    }

    func testDamagedIDXFilesReadOrFailWithOneClearLine() throws {
        let fixtures = Fixtures.tinyDirectory
        var sources: [[UInt8]] = []
        for name in ["t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
            let gz = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
            sources.append(gz)
            sources.append(try Gzip.decompress(gz))
        }
        var generator = SeededGenerator(seed: 12)
        var failures = 0, reads = 0
        let cases = 2000
        let start = Date()
        for i in 0..<cases {
            let source = sources[i % sources.count]
            let url = directory.appendingPathComponent("case-\(i % 4)")
            try Data(damaged(source, &generator)).write(to: url)
            do {
                _ = try IDXFile.read(url, dataset: "fashion-mnist-tiny")
                reads += 1
            } catch let error as DatasetError {
                failures += 1
                let message = error.description
                XCTAssertFalse(message.isEmpty || message.contains("\n"), "case \(i): '\(message)'")
            } catch {
                XCTFail("case \(i): not a DatasetError: \(error)")
            }
        }
        XCTAssertEqual(reads + failures, cases)
        XCTAssertGreaterThan(failures, cases / 2, "most damaged files are refused")
        XCTAssertLessThan(Date().timeIntervalSince(start), 120, "the fuzz stays bounded in time")
    }
}
