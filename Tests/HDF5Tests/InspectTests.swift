import CHDF5
import Foundation
import HDF5
import XCTest

/// Walking a file of unknown layout, as `probe inspect` does.
final class InspectTests: HDF5TestCase {
    func testChildrenListNamesWithKinds() throws {
        let root = try newFile().root
        _ = try root.createGroup("layers")
        try root.write("labels", [1, 2] as [UInt8], shape: [2])
        try root.createSoftLink("latest", target: "/layers")
        let children = try root.children()
        XCTAssertEqual(children.map(\.name), ["labels", "latest", "layers"])
        XCTAssertEqual(children.map(\.kind), [.dataset, .group, .group])
    }

    func testChildrenListDanglingLinksInsteadOfFailing() throws {
        let root = try newFile().root
        try root.createSoftLink("nowhere", target: "/missing")
        try root.createExternalLink("elsewhere", file: "missing.h5", object: "/data")
        let children = try root.children()
        XCTAssertEqual(children.map(\.name), ["elsewhere", "nowhere"])
        XCTAssertEqual(children.map(\.kind), [.danglingLink, .danglingLink])
    }

    func testDatasetInfoDescribesChunkedCompressedDataset() throws {
        let root = try newFile().root
        let dataset = try root.createDataset(
            "layers/fc1", of: Float.self, shape: [0, 3], maxShape: [nil, 3], chunk: [4, 3], compression: .shuffleGzip(level: 4))
        try dataset.append(rows: (0..<30).map(Float.init))
        let info = try root.datasetInfo("layers/fc1")
        XCTAssertEqual(info.path, "/layers/fc1")
        XCTAssertEqual(info.shape, [10, 3])
        XCTAssertEqual(info.maxShape, [nil, 3])
        XCTAssertEqual(info.chunk, [4, 3])
        XCTAssertEqual(info.typeDescription, "float32")
        XCTAssertEqual(info.compression, "shuffle+gzip 4")
        XCTAssertFalse(info.isVirtual)
        XCTAssertGreaterThan(info.storageBytes, 0)
    }

    func testDatasetInfoOfGzipOnlyDatasetNamesGzip() throws {
        let root = try newFile().root
        _ = try root.createDataset("x", of: Int64.self, shape: [8], compression: .gzip(level: 9))
        let info = try root.datasetInfo("x")
        XCTAssertEqual(info.compression, "gzip 9")
        XCTAssertEqual(info.typeDescription, "int64")
    }

    func testDatasetInfoDescribesContiguousDataset() throws {
        let root = try newFile().root
        try root.write("images", [UInt8](repeating: 7, count: 24), shape: [2, 3, 4])
        XCTAssertEqual(
            try root.datasetInfo("images"),
            DatasetInfo(
                path: "/images", shape: [2, 3, 4], maxShape: [2, 3, 4], chunk: nil, typeDescription: "uint8", compression: nil,
                isVirtual: false, storageBytes: 24))
    }

    func testDatasetInfoNamesStringAndCompoundTypes() throws {
        try newFile().close()
        try createRawDatasets()
        let root = try HDF5File.open(path("test.h5")).root
        XCTAssertEqual(try root.datasetInfo("names").typeDescription, "string")
        XCTAssertEqual(try root.datasetInfo("fixed").typeDescription, "string")
        XCTAssertEqual(try root.datasetInfo("pairs").typeDescription, "compound")
        XCTAssertEqual(try root.datasetInfo("pairs").shape, [3])
    }

    func testDatasetInfoOfVirtualDatasetSaysSo() throws {
        try HDF5File.create(path("source.h5")).root.write("data", [1, 2] as [Float], shape: [2])
        let root = try newFile().root
        try root.createVirtualDataset(
            "all", of: Float.self, shape: [2], sources: [VirtualSource(file: "source.h5", dataset: "/data", rows: 0..<2, sourceShape: [2])])
        let info = try root.datasetInfo("all")
        XCTAssertTrue(info.isVirtual)
        XCTAssertNil(info.chunk)
        XCTAssertEqual(info.storageBytes, 0)
    }

    func testDatasetInfoOfMissingDatasetThrowsNamingIt() throws {
        assertHDF5Error(try newFile().root.datasetInfo("layers/none"), mentions: "H5Dopen2", "/layers/none", "test.h5")
    }

    func testDatasetInfoOfGroupThrows() throws {
        let root = try newFile().root
        _ = try root.createGroup("layers")
        assertHDF5Error(try root.datasetInfo("layers"), mentions: "H5Dopen2", "/layers")
    }

    func testFileSizeMatchesTheFileOnDiskAfterFlush() throws {
        let file = try newFile()
        try file.root.write("x", [Double](repeating: 1, count: 1000), shape: [1000])
        try file.flush()
        let onDisk = try FileManager.default.attributesOfItem(atPath: path("test.h5"))[.size] as? Int
        XCTAssertEqual(try file.fileSize, onDisk)
        XCTAssertGreaterThan(try file.fileSize, 8000)
    }

    func testFileSizeAfterCloseThrows() throws {
        let file = try newFile()
        try file.close()
        assertHDF5Error(try file.fileSize, mentions: "H5Fget_filesize", "test.h5")
    }

    func testInspectingLeavesOnlyTheFileOpen() throws {
        let file = try newFile()
        let root = file.root
        try root.write("g/x", [1, 2] as [Float], shape: [2])
        try root.setAttribute("n", [1, 2, 3])
        try root.createSoftLink("nowhere", target: "/missing")
        _ = try root.children()
        _ = try root.openGroup("g").children()
        _ = try root.datasetInfo("g/x")
        _ = try root.attributeValue("n")
        _ = try file.fileSize
        XCTAssertThrowsError(try root.datasetInfo("g"))
        XCTAssertEqual(file.openObjectCount, 1)
    }

    /// Writes, through the C API, a variable-length string dataset `names`, a fixed-length one `fixed` and a compound one `pairs`.
    private func createRawDatasets() throws {
        let file = H5Fopen(path("test.h5"), np_H5F_ACC_RDWR(), np_H5P_DEFAULT())
        XCTAssertGreaterThanOrEqual(file, 0)
        defer { H5Fclose(file) }
        let scalar = H5Screate(H5S_SCALAR)
        defer { H5Sclose(scalar) }
        let variable = H5Tcopy(np_H5T_C_S1())
        defer { H5Tclose(variable) }
        H5Tset_size(variable, np_H5T_VARIABLE())
        H5Dclose(H5Dcreate2(file, "names", variable, scalar, np_H5P_DEFAULT(), np_H5P_DEFAULT(), np_H5P_DEFAULT()))
        let fixed = H5Tcopy(np_H5T_C_S1())
        defer { H5Tclose(fixed) }
        H5Tset_size(fixed, 8)
        H5Dclose(H5Dcreate2(file, "fixed", fixed, scalar, np_H5P_DEFAULT(), np_H5P_DEFAULT(), np_H5P_DEFAULT()))
        let pair = H5Tcreate(H5T_COMPOUND, 12)
        defer { H5Tclose(pair) }
        H5Tinsert(pair, "index", 0, np_H5T_NATIVE_INT32())
        H5Tinsert(pair, "score", 4, np_H5T_NATIVE_DOUBLE())
        var three: [hsize_t] = [3]
        let space = H5Screate_simple(1, &three, nil)
        defer { H5Sclose(space) }
        H5Dclose(H5Dcreate2(file, "pairs", pair, space, np_H5P_DEFAULT(), np_H5P_DEFAULT(), np_H5P_DEFAULT()))
    }
}
