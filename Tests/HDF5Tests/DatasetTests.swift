import CHDF5
import HDF5
import XCTest

final class DatasetTests: HDF5TestCase {
    /// A (0, 3) Float dataset with an unlimited first axis, chunked and gzip-compressed.
    private func growingDataset(in file: HDF5File, compression: Compression = .gzip(level: 4)) throws -> Dataset<Float> {
        try file.root.createDataset(
            "activations", of: Float.self, shape: [0, 3], maxShape: [nil, 3], chunk: [4, 3], compression: compression)
    }

    func testAppendingRowsThenReadingRowsAndColumns() throws {
        let file = try newFile()
        let dataset = try growingDataset(in: file)
        let rows = (0..<10).map { row in (0..<3).map { Float(row * 10 + $0) } }
        try dataset.append(rows: rows[0..<3].flatMap { $0 })
        try dataset.append(rows: rows[3..<4].flatMap { $0 })
        try dataset.append(rows: rows[4..<10].flatMap { $0 })
        try file.close()

        let reopened = try HDF5File.open(path("test.h5")).root.openDataset("activations", of: Float.self)
        XCTAssertEqual(reopened.shape, [10, 3])
        XCTAssertEqual(reopened.maxShape, [nil, 3])
        XCTAssertEqual(reopened.chunk, [4, 3])
        XCTAssertEqual(try reopened.readRows(2..<5), rows[2..<5].flatMap { $0 })
        XCTAssertEqual(try reopened.readColumn(1), rows.map { $0[1] })
        XCTAssertEqual(try reopened.read(), rows.flatMap { $0 })
    }

    func testShuffleGzipDatasetRoundTrips() throws {
        let file = try newFile()
        let values = (0..<1000).map { Float($0).squareRoot() }
        let dataset = try file.root.createDataset("x", of: Float.self, shape: [100, 10], compression: .shuffleGzip(level: 6))
        try dataset.write(values)
        XCTAssertNotNil(dataset.chunk)
        XCTAssertEqual(try file.root.openDataset("x", of: Float.self).read(), values)
    }

    func testGrowableDatasetWithoutChunkGetsOneSpanningRows() throws {
        let dataset = try newFile().root.createDataset("x", of: Float.self, shape: [0, 512], maxShape: [nil, 512])
        XCTAssertEqual(dataset.chunk, [128, 512])
    }

    func testWriteRowsOverwritesOnlyThoseRows() throws {
        let dataset = try newFile().root.write("x", [Int32](repeating: 0, count: 8), shape: [4, 2])
        try dataset.writeRows([1, 2, 3, 4], at: 1)
        XCTAssertEqual(try dataset.read(), [0, 0, 1, 2, 3, 4, 0, 0])
    }

    func testResizeGrowsWithZerosAndShrinks() throws {
        let dataset = try growingDataset(in: try newFile(), compression: .none)
        try dataset.append(rows: [1, 2, 3])
        try dataset.resize(rows: 3)
        XCTAssertEqual(try dataset.read(), [1, 2, 3] + [Float](repeating: 0, count: 6))
        try dataset.resize(rows: 1)
        XCTAssertEqual(dataset.shape, [1, 3])
    }

    func testAppendingToFixedDatasetThrows() throws {
        let dataset = try newFile().root.write("x", [1, 2] as [Float], shape: [1, 2])
        assertHDF5Error(try dataset.append(rows: [3, 4]), mentions: "/x", "at most 1 rows")
    }

    func testAppendingPartialRowsThrows() throws {
        let dataset = try growingDataset(in: try newFile())
        assertHDF5Error(try dataset.append(rows: [1, 2]), mentions: "not whole rows of 3")
    }

    func testWritingWrongCountThrows() throws {
        let dataset = try newFile().root.createDataset("x", of: Double.self, shape: [2, 3])
        assertHDF5Error(try dataset.write([1, 2, 3]), mentions: "/x", "3 values for shape [2, 3]")
    }

    func testReadingRowsOutOfRangeThrows() throws {
        let dataset = try newFile().root.write("x", [1, 2, 3, 4] as [Float], shape: [2, 2])
        assertHDF5Error(try dataset.readRows(1..<3), mentions: "outside 0..<2")
    }

    func testReadingColumnOfNon2DDatasetThrows() throws {
        let dataset = try newFile().root.write("x", [1, 2, 3] as [Float], shape: [3])
        assertHDF5Error(try dataset.readColumn(0), mentions: "2-D")
    }

    func testDimensionLabelsRoundTrip() throws {
        let dataset = try growingDataset(in: try newFile())
        try dataset.setDimensionLabels(["sample", "unit"])
        XCTAssertEqual(try HDF5File.open(path("test.h5")).root.openDataset("activations", of: Float.self).dimensionLabels(), ["sample", "unit"])
    }

    func testUnlabelledAxesReadAsEmptyLabels() throws {
        let dataset = try newFile().root.write("x", [1, 2] as [Float], shape: [1, 2])
        XCTAssertEqual(try dataset.dimensionLabels(), ["", ""])
    }

    func testWrongNumberOfLabelsThrows() throws {
        let dataset = try newFile().root.write("x", [1, 2] as [Float], shape: [1, 2])
        assertHDF5Error(try dataset.setDimensionLabels(["sample"]), mentions: "1 labels for 2 axes")
    }

    func testOpeningMissingDatasetThrowsNamingIt() throws {
        let root = try newFile().root
        assertHDF5Error(try root.openDataset("layers/missing", of: Float.self), mentions: "H5Dopen2", "/layers/missing", "test.h5")
    }

    func testOpeningStringDatasetAsNumbersThrowsSayingWhatItHolds() throws {
        try newFile().close()
        let file = H5Fopen(path("test.h5"), np_H5F_ACC_RDWR(), np_H5P_DEFAULT())
        let type = H5Tcopy(np_H5T_C_S1())
        H5Tset_size(type, np_H5T_VARIABLE())
        let space = H5Screate(H5S_SCALAR)
        H5Dclose(H5Dcreate2(file, "names", type, space, np_H5P_DEFAULT(), np_H5P_DEFAULT(), np_H5P_DEFAULT()))
        H5Sclose(space)
        H5Tclose(type)
        H5Fclose(file)
        let root = try HDF5File.open(path("test.h5")).root
        assertHDF5Error(try root.openDataset("names", of: Float.self), mentions: "/names", "variable-length string", "Float (float32)")
    }

    func testOpeningDatasetAsStringAttributeThrows() throws {
        let root = try newFile().root
        try root.write("weights", [1, 2] as [Float], shape: [2])
        assertHDF5Error(try root.stringAttribute("weights"), mentions: "/@weights")
    }

    func testDatasetStaysReadableAfterFileHandleCloses() throws {
        let file = try newFile()
        let dataset = try file.root.write("x", [1, 2, 3] as [UInt8], shape: [3])
        try file.close()
        XCTAssertEqual(try dataset.read(), [1, 2, 3])
    }
}
