import Foundation
import HDF5
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

    /// Runs `script` with python3 and fails the test, naming what to install, unless it exits 0.
    private func runPython(_ script: String, arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            return XCTFail("cannot run /usr/bin/env python3 (\(error)); install python3 and h5py", file: file, line: line)
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0:
            break
        case 127:
            XCTFail("python3 was not found on PATH; install python3 and h5py (`apt install python3-h5py`)", file: file, line: line)
        case 3:
            XCTFail(text, file: file, line: line)
        default:
            XCTFail("h5py check failed:\n\(text)", file: file, line: line)
        }
    }
}
