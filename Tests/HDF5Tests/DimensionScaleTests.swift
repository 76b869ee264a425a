import Foundation
import HDF5
import TestSupport
import XCTest

/// Dimension scales for every labelled axis (netCDF-4's named dimensions), checked with h5py: the
/// scale each axis carries, its `NAME`, length and storage.
final class DimensionScaleTests: HDF5TestCase {
    /// A file shaped like a recording: root datasets along `sample`, and a group of layers of
    /// different widths, one growing along its first axis; one dataset with an unlabelled axis.
    private func recordingLikeFile() throws -> HDF5File {
        let file = try newFile()
        let root = file.root
        try root.write("labels", [1, 2, 3] as [Int64], shape: [3]).setDimensionLabels(["sample"])
        try root.write("logits", [Float](repeating: 0, count: 30), shape: [3, 10]).setDimensionLabels(["sample", "class"])
        let fc1 = try root.createDataset("layers/fc1", of: Float.self, shape: [0, 4], maxShape: [nil, 4], chunk: [2, 4])
        try fc1.append(rows: [Float](repeating: 1, count: 12))
        try fc1.setDimensionLabels(["sample", "unit"])
        try root.write("layers/fc2", [Float](repeating: 2, count: 6), shape: [3, 2]).setDimensionLabels(["sample", "unit"])
        try root.write("layers/top/rank", [Int64](repeating: 0, count: 6), shape: [2, 3]).setDimensionLabels(["direction", "rank"])
        _ = try root.write("unlabelled", [Float](repeating: 0, count: 6), shape: [3, 2])
        return file
    }

    func testEveryLabelledAxisGetsANamedScaleInTheRoot() throws {
        let file = try recordingLikeFile()
        XCTAssertEqual(
            Set(try file.attachDimensionScales()), ["sample", "class", "fc1_unit", "fc2_unit", "top_direction", "top_rank"])
        try file.close()
        try assertPython(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1], "r")
            def names(path):
                return [dim[0].name for dim in f[path].dims]
            assert names("labels") == ["/sample"], names("labels")
            assert names("logits") == ["/sample", "/class"], names("logits")
            assert names("layers/fc1") == ["/sample", "/fc1_unit"], names("layers/fc1")
            assert names("layers/fc2") == ["/sample", "/fc2_unit"], names("layers/fc2")
            assert names("layers/top/rank") == ["/top_direction", "/top_rank"], names("layers/top/rank")
            assert [len(d) for d in f["unlabelled"].dims] == [0, 0], "an unlabelled dataset is left alone"
            assert sorted(f["layers"]) == ["fc1", "fc2", "top"], "groups keep only their own members"
            for name, length in [("class", 10), ("fc1_unit", 4), ("fc2_unit", 2), ("top_rank", 3)]:
                scale = f[name]
                assert h5py.h5ds.is_scale(scale.id) and scale.shape == (length,) and scale.maxshape == (length,), name
                text = "This is a netCDF dimension but not a netCDF variable." + "%10d" % length
                assert h5py.h5ds.get_scale_name(scale.id).decode() == text, h5py.h5ds.get_scale_name(scale.id)
                assert scale.id.get_storage_size() == 0, "a scale holds no values"
            # The sample axis grows (fc1 is unlimited): an unlimited, empty scale, as netCDF-4 writes one.
            assert f["sample"].shape == (0,) and f["sample"].maxshape == (None,), f["sample"].maxshape
            assert h5py.h5ds.get_scale_name(f["sample"].id).decode().endswith("%10d" % 0)
            """, "the scales")
    }

    func testAttachingAgainAddsOnlyWhatIsNew() throws {
        let file = try recordingLikeFile()
        try file.attachDimensionScales()
        XCTAssertEqual(try file.attachDimensionScales(), [])
        try file.root.write("layers/fc3", [Float](repeating: 3, count: 15), shape: [3, 5]).setDimensionLabels(["sample", "unit"])
        XCTAssertEqual(try file.attachDimensionScales(), ["fc3_unit"])
        try file.close()
        try assertPython(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1], "r")
            assert [len(d) for d in f["layers/fc1"].dims] == [1, 1], "each axis carries its scale once"
            assert [d[0].name for d in f["layers/fc3"].dims] == ["/sample", "/fc3_unit"]
            """, "attaching twice")
    }

    func testAxesOfOneNameAndDifferentLengthsGetTheirDatasetsNames() throws {
        let file = try newFile()
        try file.root.write("runs/a/top", [Int64](repeating: 0, count: 6), shape: [2, 3]).setDimensionLabels(["direction", "rank"])
        try file.root.write("runs/a/bottom", [Int64](repeating: 0, count: 8), shape: [2, 4]).setDimensionLabels(["direction", "rank"])
        _ = try file.root.write("run", [Float](repeating: 0, count: 2), shape: [2])  // a member that is not a scale
        try file.root.write("epsilons", [Float](repeating: 0, count: 2), shape: [2]).setDimensionLabels(["run"])
        XCTAssertEqual(Set(try file.attachDimensionScales()), ["a_direction", "a_top_rank", "a_bottom_rank", "epsilons_run"])
        try file.close()
        try assertPython(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1], "r")
            assert [d[0].name for d in f["runs/a/top"].dims] == ["/a_direction", "/a_top_rank"]
            assert [d[0].name for d in f["runs/a/bottom"].dims] == ["/a_direction", "/a_bottom_rank"]
            assert [d[0].name for d in f["epsilons"].dims] == ["/epsilons_run"]
            assert not h5py.h5ds.is_scale(f["run"].id)
            """, "qualified names")
    }

    func testAReadOnlyFileIsRefused() throws {
        try recordingLikeFile().close()
        let file = try HDF5File.open(path("test.h5"))
        assertHDF5Error(try file.attachDimensionScales(), mentions: "read-only")
    }

    private func assertPython(_ script: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        do {
            try Python.run(script, arguments: [path("test.h5")])
        } catch {
            XCTFail("h5py check of \(what) failed: \(error)", file: file, line: line)
        }
    }
}
