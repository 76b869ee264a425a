import XCTest
@testable import HDF5

/// Writing chunks as stored bytes, bypassing the filters.
final class StoredChunkTests: HDF5TestCase {
    func testAStoredChunkReadsBackAsItsValues() throws {
        let file = try newFile()
        let dataset = try file.root.createDataset("x", of: Float.self, shape: [6, 4], maxShape: [nil, 4], chunk: [4, 2])
        // The chunk at (4, 2) covers rows 4..<8 (two beyond the extent: padding) and columns 2..<4.
        let chunk: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        try dataset.writeStoredChunk(at: [4, 2], bytes: chunk.withUnsafeBytes { Array($0) })
        let values = try dataset.read()
        XCTAssertEqual(values[4 * 4 + 2], 1)
        XCTAssertEqual(values[4 * 4 + 3], 2)
        XCTAssertEqual(values[5 * 4 + 2], 3)
        XCTAssertEqual(values[5 * 4 + 3], 4)
        XCTAssertEqual(values[0], 0)
    }

    func testAnOffsetThatIsNotAChunkCornerIsRefused() throws {
        let file = try newFile()
        let dataset = try file.root.createDataset("x", of: Float.self, shape: [6, 4], maxShape: [nil, 4], chunk: [4, 2])
        assertHDF5Error(try dataset.writeStoredChunk(at: [1, 0], bytes: [UInt8](repeating: 0, count: 32)), mentions: "chunk corner")
        assertHDF5Error(try dataset.writeStoredChunk(at: [8, 0], bytes: [UInt8](repeating: 0, count: 32)), mentions: "chunk corner")
    }
}
