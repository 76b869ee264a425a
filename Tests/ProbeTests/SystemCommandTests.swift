import Foundation
import XCTest

/// `probe system` and the BLAS kernel the tool runs with: a fallback is corrected and checked, the
/// user's OPENBLAS_CORETYPE is respected or refused, and written files record the kernel.
final class SystemCommandTests: XCTestCase {
    /// `probe system --json` with `environment` and, unless it names one, no OPENBLAS_CORETYPE (whatever the
    /// test runner's environment holds), so the tool chooses.
    private func system(_ environment: [String: String] = [:]) throws -> (run: ProbeRun, json: [String: Any]) {
        let run = try probe(
            ["system", "--json"], environment: environment, unsetting: environment["OPENBLAS_CORETYPE"] == nil ? ["OPENBLAS_CORETYPE"] : [])
        XCTAssertEqual(run.status, 0, run.stderr)
        return (run, try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any])
    }

    /// The fastest vector kernel among those `probe system` says this processor runs.
    private func fastestVectorKernel(_ json: [String: Any]) throws -> String {
        let runnable = json["runnable_kernels"] as! [String]
        return try XCTUnwrap(["Cooperlake", "SkylakeX", "Haswell"].first(where: runnable.contains), "this CPU runs no AVX2 kernel: \(runnable)")
    }

    func testItNamesTheToolTheCPUTheLibraryAndTheKernel() throws {
        let (_, json) = try system()
        XCTAssertEqual(json["tool_version"] as? String, "0.1.0")
        let processor = json["processor"] as! [String: Any]
        XCTAssertFalse((processor["vendor"] as! String).isEmpty)
        XCTAssertTrue((processor["features"] as! [String]).contains("sse2"))
        let kernel = (json["blas_kernel"] as! [String: Any])["kernel"] as! String
        XCTAssertTrue((json["blas_library"] as! String).contains("OpenBLAS"))
        XCTAssertTrue((json["blas_library"] as! String).contains(kernel), "the library reports another kernel than \(kernel)")
        XCTAssertGreaterThanOrEqual(json["blas_threads"] as! Int, 1)
    }

    func testAGenericKernelChoiceIsCorrectedToTheFastestVectorKernelAndChecked() throws {
        let (run, json) = try system([BLASSwitch.pretend: "Prescott"])
        let kernel = json["blas_kernel"] as! [String: Any]
        XCTAssertEqual(kernel["selection"] as? String, "corrected")
        XCTAssertEqual(kernel["open_blas_choice"] as? String, "Prescott")
        let expected = try fastestVectorKernel(json)
        XCTAssertEqual(kernel["kernel"] as? String, expected)
        XCTAssertTrue((json["blas_library"] as! String).contains(expected), "OpenBLAS itself reports \(json["blas_library"]!)")
        XCTAssertEqual(run.stderr, "")
    }

    func testAKernelThatFailsItsCheckLeavesOpenBLASsChoiceAndSaysSoOnce() throws {
        let (run, json) = try system([BLASSwitch.pretend: "Prescott", BLASSwitch.failCheck: "1"])
        let kernel = json["blas_kernel"] as! [String: Any]
        XCTAssertEqual(kernel["selection"] as? String, "check-failed")
        XCTAssertEqual(kernel["rejected_kernel"] as? String, try fastestVectorKernel(json))
        let (_, plain) = try system()
        XCTAssertEqual(kernel["kernel"] as? String, (plain["blas_kernel"] as! [String: Any])["kernel"] as? String)
        let lines = run.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("failed its check"), run.stderr)
    }

    func testAKernelTheUserSetIsNeverOverridden() throws {
        let (_, json) = try system(["OPENBLAS_CORETYPE": "Prescott", BLASSwitch.pretend: "Prescott"])
        let kernel = json["blas_kernel"] as! [String: Any]
        XCTAssertEqual(kernel["selection"] as? String, "environment")
        XCTAssertEqual(kernel["kernel"] as? String, "Prescott")
    }

    func testAKernelTheCPUCannotRunIsRefusedBeforeAnyWork() throws {
        let (_, json) = try system()
        let runnable = Set(json["runnable_kernels"] as! [String])
        guard let unrunnable = ["Cooperlake", "SkylakeX", "Bulldozer"].first(where: { !runnable.contains($0) }) else {
            throw XCTSkip("this CPU runs every x86-64 kernel of OpenBLAS")
        }
        let dir = try temporaryDirectory()
        let output = dir.appendingPathComponent("m.h5").path
        let run = try probe(
            ["train", "--arch", "fc10", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "--epochs", "1", "-o", output],
            environment: ["OPENBLAS_CORETYPE": unrunnable])
        XCTAssertEqual(run.status, 2)
        assertFailsClearly(run, mentioning: ["OPENBLAS_CORETYPE=\(unrunnable)", "cannot run"])
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testAnEmptyKernelNameIsRefused() throws {
        // OpenBLAS reads a set but empty OPENBLAS_CORETYPE as a name and forces a kernel of its own.
        let run = try probe(["system"], environment: ["OPENBLAS_CORETYPE": ""])
        XCTAssertEqual(run.status, 2)
        assertFailsClearly(run, mentioning: ["OPENBLAS_CORETYPE is set but empty"])
    }

    func testAnUnknownKernelNameIsRefused() throws {
        let run = try probe(["system"], environment: ["OPENBLAS_CORETYPE": "Pentium9"])
        XCTAssertEqual(run.status, 2)
        assertFailsClearly(run, mentioning: ["OPENBLAS_CORETYPE=Pentium9", "not a kernel"])
    }

    func testAWrittenFileRecordsTheCorrectedKernel() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        let run = try probe(
            ["train", "--arch", "fc10", "--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData, "--epochs", "1", "-o", model, "--quiet"],
            environment: [BLASSwitch.pretend: "Prescott"], unsetting: ["OPENBLAS_CORETYPE"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let (_, json) = try system()
        try assertPythonSucceeds(
            """
            import sys, h5py
            with h5py.File(sys.argv[1], "r") as f:
                kernel, selection = f.attrs["blas_kernel"], f.attrs["blas_kernel_selection"]
                kernel = kernel.decode() if isinstance(kernel, bytes) else kernel
                selection = selection.decode() if isinstance(selection, bytes) else selection
                assert kernel == sys.argv[2], (kernel, sys.argv[2])
                assert "OpenBLAS chose Prescott" in selection, selection
            """, arguments: [model, try fastestVectorKernel(json)], "the model file's blas_kernel attributes")
    }
}

/// The test-only environment switches of the kernel selection (Sources/Engine/BLASKernelSelection.swift).
enum BLASSwitch {
    static let pretend = "NEURON_PROBE_TEST_OPENBLAS_CHOICE"
    static let failCheck = "NEURON_PROBE_TEST_FAIL_KERNEL_CHECK"
}
