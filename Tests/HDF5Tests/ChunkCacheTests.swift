import Foundation
import HDF5
import XCTest

final class ChunkCacheTests: HDF5TestCase {
    /// A growing (0, 64) float32 dataset chunked as (1024, 16): 64 KiB chunks, four of them to a band of rows.
    private func growing(_ file: HDF5File, name: String = "x", cache: ChunkCache?) throws -> Dataset<Float> {
        try file.root.createDataset(
            name, of: Float.self, shape: [0, 64], maxShape: [nil, 64], chunk: [1024, 16], compression: .shuffleGzip(level: 4), chunkCache: cache)
    }

    func testCreateDatasetKeepsTheGivenCache() throws {
        let dataset = try growing(try newFile(), cache: ChunkCache(bytes: 8 << 20, slots: 1009))
        XCTAssertEqual(try dataset.currentChunkCache(), ChunkCache(bytes: 8 << 20, slots: 1009))
    }

    func testOpenDatasetKeepsTheGivenCache() throws {
        try growing(try newFile(), cache: nil).file.close()
        let dataset = try HDF5File.open(path("test.h5")).root.openDataset("x", of: Float.self, chunkCache: ChunkCache(bytes: 4 << 20, slots: 2003))
        XCTAssertEqual(try dataset.currentChunkCache(), ChunkCache(bytes: 4 << 20, slots: 2003))
    }

    func testDefaultSlotsArePrimeAboveHundredTimesTheChunksThatFit() throws {
        // 1 MiB holds sixteen 64 KiB chunks: 1600 slots, and 1601 is the first prime from there.
        let created = try growing(try newFile(), cache: ChunkCache(bytes: 1 << 20))
        XCTAssertEqual(try created.currentChunkCache(), ChunkCache(bytes: 1 << 20, slots: 1601))
        try created.file.close()
        let opened = try HDF5File.open(path("test.h5")).root.openDataset("x", of: Double.self, chunkCache: ChunkCache(bytes: 1 << 20))
        XCTAssertEqual(try opened.currentChunkCache(), ChunkCache(bytes: 1 << 20, slots: 1601), "slots follow the stored chunk size, not Double's")
    }

    func testWithoutCacheHDF5DefaultApplies() throws {
        XCTAssertEqual(try growing(try newFile(), cache: nil).currentChunkCache(), ChunkCache(bytes: 1 << 20, slots: 521))
    }

    func testCacheForDatasetAlreadyOpenThrows() throws {
        let first = try growing(try newFile(), cache: nil)
        assertHDF5Error(
            try first.file.root.openDataset("x", of: Float.self, chunkCache: ChunkCache(bytes: 8 << 20)), mentions: "/x", "already open")
        withExtendedLifetime(first) {}
    }

    func testNegativeCacheSizeThrows() throws {
        assertHDF5Error(try growing(try newFile(), cache: ChunkCache(bytes: -1)), mentions: "/x", "-1 bytes")
    }

    func testZeroSlotsThrow() throws {
        assertHDF5Error(try growing(try newFile(), cache: ChunkCache(bytes: 1 << 20, slots: 0)), mentions: "/x", "0 slots")
    }

    func testOpeningWithCacheLeavesOnlyTheFileOpen() throws {
        try growing(try newFile(), cache: nil).file.close()
        let file = try HDF5File.open(path("test.h5"))
        _ = try file.root.openDataset("x", of: Float.self, chunkCache: ChunkCache(bytes: 1 << 20)).read()
        XCTAssertEqual(file.openObjectCount, 1)
    }

    func testBandSizedCacheAvoidsRewritingChunks() throws {
        // Batches of 128 rows fill each (1024, 16) chunk in eight writes. When a band of chunks
        // (4 × 64 KiB) does not fit, every batch evicts them, so each is compressed and written
        // again; the rewritten chunks grow and leave the old space behind, so the file is larger.
        let rows = (0..<4096).map { row in (0..<64).map { Float((row * 7 + $0 * 13) % 97) } }
        func writeInBatches(_ name: String, cache: ChunkCache) throws -> Int {
            let file = try newFile(name)
            let dataset = try growing(file, cache: cache)
            for batch in stride(from: 0, to: rows.count, by: 128) {
                try dataset.append(rows: rows[batch..<(batch + 128)].flatMap { $0 })
            }
            try file.close()
            let size = try FileManager.default.attributesOfItem(atPath: path(name))[.size] as? Int ?? 0
            XCTAssertEqual(try HDF5File.open(path(name)).root.openDataset("x", of: Float.self).read(), rows.flatMap { $0 })
            return size
        }
        let tooSmall = try writeInBatches("small.h5", cache: ChunkCache(bytes: 96 << 10))
        let band = try writeInBatches("band.h5", cache: ChunkCache(bytes: 320 << 10))
        print("file size with a 96 KiB cache: \(tooSmall) bytes; with a band-sized cache: \(band) bytes")
        XCTAssertLessThan(band, tooSmall)
    }
}
