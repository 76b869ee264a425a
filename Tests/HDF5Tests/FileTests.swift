import Foundation
import HDF5
import XCTest

final class FileTests: HDF5TestCase {
    func testOpeningNonHDF5FileThrowsNamingPath() throws {
        let notHDF5 = path("notes.txt")
        try Data("not an HDF5 file".utf8).write(to: URL(fileURLWithPath: notHDF5))
        assertHDF5Error(try HDF5File.open(notHDF5), mentions: "H5Fopen", notHDF5, "signature")
    }

    func testOpeningMissingFileThrowsNamingPath() throws {
        assertHDF5Error(try HDF5File.open(path("missing.h5")), mentions: "H5Fopen", path("missing.h5"))
    }

    func testIsHDF5TellsHDF5FromOtherFiles() throws {
        try newFile().close()
        try Data("text".utf8).write(to: URL(fileURLWithPath: path("notes.txt")))
        XCTAssertTrue(HDF5File.isHDF5(path("test.h5")))
        XCTAssertFalse(HDF5File.isHDF5(path("notes.txt")))
        XCTAssertFalse(HDF5File.isHDF5(path("missing.h5")))
    }

    func testReadOnlyFileRefusesWrites() throws {
        try newFile().close()
        let root = try HDF5File.open(path("test.h5")).root
        assertHDF5Error(try root.createGroup("x"), mentions: "H5Gcreate2", "/x")
        XCTAssertThrowsError(try root.setAttribute("a", 1))
    }

    func testWritableFileAcceptsWrites() throws {
        try newFile().close()
        try HDF5File.open(path("test.h5"), writable: true).root.setAttribute("added", "yes")
        XCTAssertEqual(try HDF5File.open(path("test.h5")).root.stringAttribute("added"), "yes")
    }

    func testOperationsLeaveOnlyTheFileOpen() throws {
        let file = try newFile()
        try exerciseEveryOperation(file.root)
        XCTAssertEqual(file.openObjectCount, 1)
    }

    func testLiveObjectsAreCountedOpen() throws {
        let file = try newFile()
        let group = try file.root.createGroup("g")
        let dataset = try group.write("d", [1] as [Float], shape: [1])
        XCTAssertEqual(file.openObjectCount, 3)
        withExtendedLifetime((group, dataset)) {}
    }

    func testSameContentGivesSameBytes() throws {
        for name in ["one.h5", "two.h5"] {
            let root = try HDF5File.create(path(name)).root
            try root.setAttribute("format", "neuron-probe/model")
            try root.write("layers/fc1/weight", (0..<12).map(Float.init), shape: [3, 4])
            let grow = try root.createDataset("log", of: Double.self, shape: [0], maxShape: [nil], compression: .gzip(level: 4))
            try grow.append(rows: [1, 2, 3])
        }
        let one = try Data(contentsOf: URL(fileURLWithPath: path("one.h5")))
        let two = try Data(contentsOf: URL(fileURLWithPath: path("two.h5")))
        XCTAssertEqual(one, two)
    }

    func testFlushAndCloseTwiceSucceed() throws {
        let file = try newFile()
        try file.flush()
        try file.close()
        try file.close()
        XCTAssertFalse(file.isOpen)
        XCTAssertEqual(file.openObjectCount, 0)
    }

    /// Creates, reads, lists, links and fails a little of everything, keeping no object past the call.
    private func exerciseEveryOperation(_ root: Group) throws {
        try root.setAttribute("format", "neuron-probe/test")
        try root.setAttribute("sizes", [1, 2, 3])
        _ = try root.stringAttribute("format")
        _ = try root.arrayAttribute("sizes", as: Float.self)
        _ = try root.attributeNames()
        let layers = try root.createGroup("layers/fc1")
        try layers.setAttribute("names", ["a", "b"])
        _ = try layers.stringArrayAttribute("names")
        let dataset = try layers.createDataset("act", of: Float.self, shape: [0, 2], maxShape: [nil, 2], compression: .shuffleGzip(level: 1))
        try dataset.append(rows: [1, 2, 3, 4])
        try dataset.setDimensionLabels(["sample", "unit"])
        _ = try dataset.dimensionLabels()
        _ = try dataset.readRows(0..<1)
        _ = try dataset.readColumn(1)
        _ = dataset.shape
        let scale = try layers.write("sample_index", [0, 1] as [Int], shape: [2])
        try scale.makeDimensionScale(named: "sample")
        try dataset.attachDimensionScale(scale, toAxis: 0)
        try root.createSoftLink("latest", target: "/layers/fc1")
        _ = try root.openGroup("latest").openDataset("act", of: Double.self).read()
        _ = try root.childNames()
        _ = try root.kind(of: "layers")
        _ = root.contains("layers/fc1/act")
        _ = root.hasAttribute("format")
        _ = try root.children()
        _ = try root.attributeValue("sizes")
        _ = try root.datasetInfo("layers/fc1/act")
        _ = try root.createDataset("cached", of: Float.self, shape: [4, 2], chunk: [2, 2], chunkCache: ChunkCache(bytes: 1 << 16)).read()
        _ = try root.openDataset("cached", of: Float.self, chunkCache: ChunkCache(bytes: 1 << 16)).read()
        let virtual = try root.createVirtualDataset(
            "virtual", of: Float.self, shape: [2, 2],
            sources: [VirtualSource(file: ".", dataset: "/layers/fc1/act", rows: 0..<2, sourceShape: [2, 2])])
        XCTAssertEqual(try virtual.read(), [1, 2, 3, 4])
        _ = try virtual.virtualSources()
        XCTAssertThrowsError(try root.openDataset("missing", of: Float.self))
        XCTAssertThrowsError(try root.attribute("format", as: Int.self))
        XCTAssertThrowsError(try layers.openDataset("act", of: Float.self).append(rows: [1]))
    }
}
