import Foundation
import HDF5
import TestSupport
import XCTest

/// Reads files this module writes with h5py, as the project's users do.
///
/// Needs python3 with h5py; fails, rather than skips, without them (CI installs h5py).
final class H5pyInteropTests: HDF5TestCase {
    func testH5pyReadsStringsLabelsScalesAndChunkedDataset() throws {
        let filePath = path("interop.h5")
        do {
            let root = try HDF5File.create(filePath).root
            try root.setAttribute("format", "neuron-probe/activations")
            try root.setAttribute("classes", ["T-shirt/top", "Trouser", "µ"])
            try root.setAttribute("format_version", 1)
            try root.setAttribute("epsilon", [0.5, 0.25] as [Float])
            let layer = try root.createGroup("layers/fc1")
            let activations = try layer.createDataset(
                "activations", of: Float.self, shape: [0, 3], maxShape: [nil, 3], chunk: [4, 3], compression: .shuffleGzip(level: 4))
            try activations.append(rows: (0..<9).map { Float($0) * 0.5 })
            try activations.append(rows: (9..<15).map { Float($0) * 0.5 })
            try activations.setDimensionLabels(["sample", "unit"])
            try activations.setAttribute("units", "relu")
            let sampleIndex = try layer.write("sample_index", [10, 11, 12, 13, 14] as [Int], shape: [5])
            try sampleIndex.makeDimensionScale(named: "sample")
            try activations.attachDimensionScale(sampleIndex, toAxis: 0)
            try root.createSoftLink("latest", target: "/layers/fc1")
        }
        try runPython(
            """
            import sys
            try:
                import h5py
                import numpy as np
            except ImportError as error:
                print(f"h5py is not installed ({error}); install it with `pip install h5py` or `apt install python3-h5py`")
                sys.exit(3)
            with h5py.File(sys.argv[1], "r") as f:
                assert type(f.attrs["format"]) is str, type(f.attrs["format"])
                assert f.attrs["format"] == "neuron-probe/activations"
                assert [str(c) for c in f.attrs["classes"]] == ["T-shirt/top", "Trouser", "µ"], f.attrs["classes"]
                assert f.attrs["format_version"] == 1 and f.attrs["format_version"].dtype == np.int64
                assert f.attrs["epsilon"].dtype == np.float32 and list(f.attrs["epsilon"]) == [0.5, 0.25]
                d = f["layers/fc1/activations"]
                assert d.shape == (5, 3), d.shape
                assert d.maxshape == (None, 3), d.maxshape
                assert d.chunks == (4, 3), d.chunks
                assert d.compression == "gzip" and d.shuffle, (d.compression, d.shuffle)
                assert d.dtype == np.float32, d.dtype
                assert np.array_equal(d[()], np.arange(15, dtype=np.float32).reshape(5, 3) * 0.5), d[()]
                assert [dim.label for dim in d.dims] == ["sample", "unit"], [dim.label for dim in d.dims]
                assert type(d.attrs["units"]) is str and d.attrs["units"] == "relu"
                assert list(d.dims[0][0][()]) == [10, 11, 12, 13, 14], d.dims[0][0][()]
                assert f["latest/activations"].shape == (5, 3)
            print("ok")
            """, arguments: [filePath])
    }

    func testH5pyReadsVirtualDatasetAsOneConcatenatedDataset() throws {
        var sources: [VirtualSource] = []
        for (index, rows) in [3, 4, 2].enumerated() {
            let first = sources.last?.rows.upperBound ?? 0
            let values = (first * 5..<(first + rows) * 5).map { Float($0) * 0.5 }
            try HDF5File.create(path("shard\(index).h5")).root.write("layers/fc1", values, shape: [rows, 5])
            sources.append(VirtualSource(file: "shard\(index).h5", dataset: "/layers/fc1", rows: first..<(first + rows), sourceShape: [rows, 5]))
        }
        try HDF5File.create(path("merged.h5")).root.createVirtualDataset("layers/fc1", of: Float.self, shape: [9, 5], sources: sources)
        // h5py runs in this process's working directory, not the files' one, so the relative names must resolve against merged.h5's.
        try runPython(
            """
            import sys
            try:
                import h5py
                import numpy as np
            except ImportError as error:
                print(f"h5py is not installed ({error}); install it with `pip install h5py` or `apt install python3-h5py`")
                sys.exit(3)
            with h5py.File(sys.argv[1], "r") as f:
                d = f["layers/fc1"]
                assert d.is_virtual, "not virtual"
                assert d.shape == (9, 5), d.shape
                assert d.dtype == np.float32, d.dtype
                assert np.array_equal(d[()], np.arange(45, dtype=np.float32).reshape(9, 5) * 0.5), d[()]
                assert [s.file_name for s in d.virtual_sources()] == ["shard0.h5", "shard1.h5", "shard2.h5"], d.virtual_sources()
            print("ok")
            """, arguments: [path("merged.h5")])
    }

    func testVirtualDatasetWrittenByH5pyListsItsSourcesAndReads() throws {
        try runPython(
            """
            import os, sys
            try:
                import h5py
                import numpy as np
            except ImportError as error:
                print(f"h5py is not installed ({error}); install it with `pip install h5py` or `apt install python3-h5py`")
                sys.exit(3)
            os.chdir(sys.argv[1])
            layout = h5py.VirtualLayout(shape=(5, 2), dtype=np.float64)
            for name, rows, first in [("a.h5", 2, 0), ("b.h5", 3, 2)]:
                with h5py.File(name, "w") as f:
                    f["x"] = np.arange(first * 2, (first + rows) * 2, dtype=np.float64).reshape(rows, 2)
                layout[first:first + rows] = h5py.VirtualSource(name, "x", shape=(rows, 2))
            with h5py.File("merged.h5", "w") as f:
                f.create_virtual_dataset("all", layout, fillvalue=-1)
            print("ok")
            """, arguments: [directory.path])
        let dataset = try HDF5File.open(path("merged.h5")).root.openDataset("all", of: Double.self)
        XCTAssertTrue(dataset.isVirtual)
        XCTAssertEqual(try dataset.read(), (0..<10).map(Double.init))
        XCTAssertEqual(
            try dataset.virtualSources(),
            [
                VirtualSource(file: "a.h5", dataset: "x", rows: 0..<2, sourceShape: [2, 2]),
                VirtualSource(file: "b.h5", dataset: "x", rows: 2..<5, sourceShape: [3, 2]),
            ])
    }

    func testAttributeValueReadsWhatH5pyWrites() throws {
        try runPython(
            """
            import sys
            try:
                import h5py
                import numpy as np
            except ImportError as error:
                print(f"h5py is not installed ({error}); install it with `pip install h5py` or `apt install python3-h5py`")
                sys.exit(3)
            with h5py.File(sys.argv[1], "w") as f:
                f.attrs["text"] = "µm"
                f.attrs["count"] = 7
                f.attrs["scale"] = np.float32(0.5)
                f.attrs["names"] = ["a", "bc"]
                f.attrs["sizes"] = np.array([[1, 2], [3, 4]], dtype=np.uint8)
                f.attrs["raw"] = np.bytes_(b"fixed")
                f.attrs["flag"] = True
                f.attrs["nothing"] = h5py.Empty("f4")
            print("ok")
            """, arguments: [path("attrs.h5")])
        let root = try HDF5File.open(path("attrs.h5")).root
        XCTAssertEqual(try root.attributeValue("text"), .string("µm"))
        XCTAssertEqual(try root.attributeValue("count"), .integer(7))
        XCTAssertEqual(try root.attributeValue("scale"), .real(0.5))
        XCTAssertEqual(try root.attributeValue("names"), .strings(["a", "bc"]))
        XCTAssertEqual(try root.attributeValue("sizes"), .integers([1, 2, 3, 4]))
        XCTAssertEqual(try root.attributeValue("raw"), .string("fixed"))
        XCTAssertEqual(try root.attributeValue("flag"), .other("enum"))
        XCTAssertEqual(try root.attributeValue("nothing"), .other("empty float32"))
    }

    /// Runs `script` with python3 and fails the test, naming what to install, unless it exits 0.
    private func runPython(_ script: String, arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        do {
            try Python.run(script, arguments: arguments)
        } catch let failure as Python.Failure where failure.status == 3 {
            XCTFail(failure.output, file: file, line: line)
        } catch {
            XCTFail("h5py check failed: \(error)", file: file, line: line)
        }
    }
}
