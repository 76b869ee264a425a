import Foundation
import XCTest
@testable import Activations

/// Disk space set aside past a file's end without changing its size, and given back.
final class DiskReservationTests: XCTestCase {
    private func allocatedBytes(_ path: String) -> Int {
        var status = stat()
        XCTAssertEqual(stat(path, &status), 0)
        return Int(status.st_blocks) * 512
    }

    private func size(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    }

    func testReservedBlocksBelongToTheFileWithoutChangingItsSizeUntilReleased() throws {
        let path = try makeTemporaryDirectory("reserve").appendingPathComponent("file.bin").path
        try Data(repeating: 7, count: 10).write(to: URL(fileURLWithPath: path))

        DiskReservation.reserve(4 << 20, atEndOf: path)
        XCTAssertEqual(try size(path), 10)
        XCTAssertGreaterThanOrEqual(allocatedBytes(path), 4 << 20, "the file system here (ext4) reserves with fallocate")

        DiskReservation.releaseUnused(path)
        XCTAssertEqual(try size(path), 10)
        XCTAssertLessThanOrEqual(allocatedBytes(path), 64 << 10)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(repeating: 7, count: 10))
    }
}
