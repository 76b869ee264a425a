import CHDF5
import Foundation
import HDF5
import XCTest

final class VirtualDatasetTests: HDF5TestCase {
    /// Rows per source file; row r of the whole holds r * 10 + column.
    private let sourceRows = [3, 4, 2]

    /// The concatenation of every source: 9 rows of 5 columns.
    private var expected: [Float] { (0..<9).flatMap { (row: Int) -> [Float] in (0..<5).map { Float(row * 10 + $0) } } }

    /// Writes `source0.h5`… each with a `(nᵢ, 5)` float32 dataset `/data`, and returns their mappings with relative file names.
    @discardableResult
    private func writeSources() throws -> [VirtualSource] {
        var first = 0
        return try sourceRows.enumerated().map { index, rows in
            let values = (first..<(first + rows)).flatMap { row in (0..<5).map { Float(row * 10 + $0) } }
            try HDF5File.create(path("source\(index).h5")).root.write("data", values, shape: [rows, 5])
            defer { first += rows }
            return VirtualSource(file: "source\(index).h5", dataset: "/data", rows: first..<(first + rows), sourceShape: [rows, 5])
        }
    }

    /// Writes the sources and `merged.h5` beside them holding the virtual dataset `/all`, and returns it.
    private func writeMerged() throws -> Dataset<Float> {
        let sources = try writeSources()
        return try HDF5File.create(path("merged.h5")).root.createVirtualDataset("all", of: Float.self, shape: [9, 5], sources: sources)
    }

    func testReadingWholeVirtualDatasetConcatenatesSources() throws {
        try writeMerged().file.close()
        let dataset = try HDF5File.open(path("merged.h5")).root.openDataset("all", of: Float.self)
        XCTAssertEqual(dataset.shape, [9, 5])
        XCTAssertEqual(try dataset.read(), expected)
    }

    func testReadingRowsAcrossSourceBoundary() throws {
        let dataset = try writeMerged()
        XCTAssertEqual(try dataset.readRows(2..<8), Array(expected[10..<40]))
    }

    func testReadingOneColumnSpansEverySource() throws {
        let dataset = try writeMerged()
        XCTAssertEqual(try dataset.readColumn(3), (0..<9).map { Float($0 * 10 + 3) })
    }

    func testVirtualSourcesListTheMappings() throws {
        let sources = try writeSources()
        try HDF5File.create(path("merged.h5")).root.createVirtualDataset("all", of: Float.self, shape: [9, 5], sources: sources)
        let dataset = try HDF5File.open(path("merged.h5")).root.openDataset("all", of: Float.self)
        XCTAssertTrue(dataset.isVirtual)
        XCTAssertEqual(try dataset.virtualSources(), sources)
    }

    /// run · 100 + sample · 10 + value, for samples `samples` of two runs of 3 values.
    private func runsBySamples(_ samples: Range<Int>) -> [Float] {
        var values: [Float] = []
        for run in 0..<2 {
            for sample in samples {
                for value in 0..<3 { values.append(Float(run * 100 + sample * 10 + value)) }
            }
        }
        return values
    }

    func testSourcesStitchedAlongTheSecondAxisReadAsTheirConcatenationThereAndListBack() throws {
        // Two (2, nᵢ, 3) sources side by side along axis 1, as the runs × samples datasets of attack shards.
        let widths = [2, 3]
        var first = 0
        let sources = try widths.enumerated().map { index, n -> VirtualSource in
            try HDF5File.create(path("part\(index).h5")).root.write("data", runsBySamples(first..<(first + n)), shape: [2, n, 3])
            defer { first += n }
            return VirtualSource(file: "part\(index).h5", dataset: "/data", rows: first..<(first + n), sourceShape: [2, n, 3], axis: 1)
        }
        try HDF5File.create(path("stitched.h5")).root.createVirtualDataset("all", of: Float.self, shape: [2, 5, 3], sources: sources)
        let dataset = try HDF5File.open(path("stitched.h5")).root.openDataset("all", of: Float.self)
        XCTAssertEqual(try dataset.read(), runsBySamples(0..<5))
        XCTAssertEqual(try dataset.virtualSources(), sources)
    }

    func testOrdinaryDatasetIsNotVirtualAndHasNoSources() throws {
        let dataset = try newFile().root.write("x", [1, 2] as [Float], shape: [2])
        XCTAssertFalse(dataset.isVirtual)
        XCTAssertEqual(try dataset.virtualSources(), [])
    }

    func testMovedDirectoryStillFindsRelativeSources() throws {
        try writeMerged().file.close()
        let moved = directory.appendingPathComponent("moved", isDirectory: true)
        try FileManager.default.createDirectory(at: moved, withIntermediateDirectories: true)
        for name in ["merged.h5", "source0.h5", "source1.h5", "source2.h5"] {
            try FileManager.default.moveItem(at: directory.appendingPathComponent(name), to: moved.appendingPathComponent(name))
        }
        let dataset = try HDF5File.open(moved.appendingPathComponent("merged.h5").path).root.openDataset("all", of: Float.self)
        XCTAssertEqual(try dataset.read(), expected)
    }

    func testMissingSourceFileReadsAsNaN() throws {
        try writeMerged().file.close()
        try FileManager.default.removeItem(atPath: path("source1.h5"))
        let values = try HDF5File.open(path("merged.h5")).root.openDataset("all", of: Float.self).read()
        XCTAssertEqual(Array(values[0..<15]), Array(expected[0..<15]))
        XCTAssertTrue(values[15..<35].allSatisfy(\.isNaN), "rows 3..<7 come from the missing file")
        XCTAssertEqual(Array(values[35...]), Array(expected[35...]))
    }

    func testRowsNoSourceCoversReadAsZeroForIntegers() throws {
        try HDF5File.create(path("source.h5")).root.write("data", [7, 8] as [Int32], shape: [2])
        let dataset = try newFile().root.createVirtualDataset(
            "all", of: Int32.self, shape: [4], sources: [VirtualSource(file: "source.h5", dataset: "/data", rows: 1..<3, sourceShape: [2])])
        XCTAssertEqual(try dataset.read(), [0, 7, 8, 0])
    }

    func testCreatingAndReadingLeavesOnlyTheFileOpen() throws {
        let sources = try writeSources()
        let file = try newFile("merged.h5")
        do {
            let dataset = try file.root.createVirtualDataset("all", of: Float.self, shape: [9, 5], sources: sources)
            _ = try dataset.read()
            _ = try dataset.readRows(2..<8)
            _ = try dataset.readColumn(0)
            _ = try dataset.virtualSources()
            _ = try file.root.datasetInfo("all")
        }
        XCTAssertEqual(file.openObjectCount, 1)
    }

    func testSourceWithNoRowsIsLeftOut() throws {
        _ = try HDF5File.create(path("empty.h5")).root.createDataset("data", of: Float.self, shape: [0, 5])
        var sources = try writeSources()
        sources.insert(VirtualSource(file: "empty.h5", dataset: "/data", rows: 3..<3, sourceShape: [0, 5]), at: 1)
        let dataset = try HDF5File.create(path("merged.h5")).root.createVirtualDataset("all", of: Float.self, shape: [9, 5], sources: sources)
        XCTAssertEqual(try dataset.read(), expected)
        XCTAssertEqual(try dataset.virtualSources().map(\.file), ["source0.h5", "source1.h5", "source2.h5"])
    }

    func testSourceFilesStayOpenOnlyWhileVirtualDatasetIs() throws {
        // NOTE: HDF5 refuses to truncate a file it has open, so recreating a source tells whether it is still held.
        let file: HDF5File
        do {
            let dataset = try writeMerged()
            _ = try dataset.read()
            file = dataset.file
            XCTAssertThrowsError(try HDF5File.create(path("source1.h5")), "the source should be open while the dataset is")
        }
        XCTAssertNoThrow(try HDF5File.create(path("source1.h5")))
        XCTAssertEqual(file.openObjectCount, 1)
    }

    func testSourceShapeDisagreeingWithRowsThrows() throws {
        let source = VirtualSource(file: "a.h5", dataset: "/data", rows: 0..<3, sourceShape: [2, 5])
        assertHDF5Error(
            try newFile().root.createVirtualDataset("all", of: Float.self, shape: [3, 5], sources: [source]),
            mentions: "/all", "source 0", "[2, 5]", "[3, 5]")
    }

    func testSourceRowsOutsideShapeThrow() throws {
        let source = VirtualSource(file: "a.h5", dataset: "/data", rows: 2..<5, sourceShape: [3, 5])
        assertHDF5Error(
            try newFile().root.createVirtualDataset("all", of: Float.self, shape: [4, 5], sources: [source]), mentions: "2..<5", "outside 0..<4")
    }

    func testOverlappingSourcesThrow() throws {
        let sources = [
            VirtualSource(file: "a.h5", dataset: "/data", rows: 0..<3, sourceShape: [3, 5]),
            VirtualSource(file: "b.h5", dataset: "/data", rows: 2..<4, sourceShape: [2, 5]),
        ]
        assertHDF5Error(
            try newFile().root.createVirtualDataset("all", of: Float.self, shape: [4, 5], sources: sources), mentions: "sources 0 and 1", "2..<3")
    }
}
