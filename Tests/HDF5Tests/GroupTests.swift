import HDF5
import XCTest

final class GroupTests: HDF5TestCase {
    func testNestedGroupsListTheirChildrenByName() throws {
        let root = try newFile().root
        let layers = try root.createGroup("layers")
        _ = try layers.createGroup("fc2")
        _ = try layers.createGroup("fc1")
        try layers.write("count", [2] as [Int], shape: [1])
        XCTAssertEqual(try root.childNames(), ["layers"])
        XCTAssertEqual(try layers.childNames(), ["count", "fc1", "fc2"])
        XCTAssertEqual(try root.openGroup("layers").openGroup("fc1").path, "/layers/fc1")
    }

    func testCreatingGroupPathCreatesIntermediateGroups() throws {
        let root = try newFile().root
        let group = try root.createGroup("a/b/c")
        XCTAssertEqual(group.path, "/a/b/c")
        XCTAssertEqual(try root.openGroup("a").childNames(), ["b"])
    }

    func testContainsChecksEveryPathComponent() throws {
        let root = try newFile().root
        _ = try root.createGroup("a/b")
        XCTAssertTrue(root.contains("a"))
        XCTAssertTrue(root.contains("a/b"))
        XCTAssertTrue(root.contains("/a/b"))
        XCTAssertTrue(try root.openGroup("a").contains("b"))
        XCTAssertFalse(root.contains("a/c"))
        XCTAssertFalse(root.contains("x/y/z"))
    }

    func testExternalLinkResolvesToObjectInOtherFile() throws {
        try HDF5File.create(path("target.h5")).root.write("data/values", [1, 2, 3] as [Double], shape: [3])
        let root = try newFile().root
        try root.createExternalLink("linked", file: "target.h5", object: "/data/values")
        XCTAssertEqual(try root.openDataset("linked", of: Double.self).read(), [1, 2, 3])
    }

    func testSoftLinkResolvesToTarget() throws {
        let root = try newFile().root
        try root.write("models/best/weight", [4, 5] as [Float], shape: [2])
        try root.createSoftLink("latest", target: "/models/best")
        XCTAssertEqual(try root.openGroup("latest").openDataset("weight", of: Float.self).read(), [4, 5])
        XCTAssertEqual(try root.kind(of: "latest"), .group)
    }

    func testKindTellsGroupsFromDatasets() throws {
        let root = try newFile().root
        try root.write("g/d", [1] as [Int8], shape: [1])
        XCTAssertEqual(try root.kind(of: "g"), .group)
        XCTAssertEqual(try root.kind(of: "g/d"), .dataset)
    }

    func testRemoveLinkRemovesChild() throws {
        let root = try newFile().root
        try root.write("old", [1] as [Int8], shape: [1])
        try root.removeLink("old")
        XCTAssertFalse(root.contains("old"))
    }

    func testCreatingExistingGroupThrowsNamingIt() throws {
        let root = try newFile().root
        _ = try root.createGroup("layers")
        assertHDF5Error(try root.createGroup("layers"), mentions: "H5Gcreate2", "/layers")
    }
}
