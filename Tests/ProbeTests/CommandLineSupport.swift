import Foundation
import TestSupport
import XCTest

/// What a run of the `probe` executable produced.
struct ProbeRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

extension XCTestCase {
    /// The repository root (for the fixtures under data/).
    var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The tiny Fashion-MNIST-shaped fixture set (512 training, 256 test images).
    var fixtureData: String { repositoryRoot.appendingPathComponent("data/fixtures/fashion-mnist-tiny").path }

    /// Runs the built `probe` with `arguments`, with an environment that cannot find data outside the test's reach,
    /// `extra` added and the variables in `unsetting` removed.
    func probe(
        _ arguments: [String], environment extra: [String: String] = [:], unsetting: [String] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> ProbeRun {
        let binary = Bundle.main.bundleURL.appendingPathComponent("probe")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            XCTFail("probe is not built at \(binary.path); run swift build first", file: file, line: line)
            return ProbeRun(status: -1, stdout: "", stderr: "")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PROBE_DATA"] = nil
        for (key, value) in extra { environment[key] = value }
        for key in unsetting { environment[key] = nil }
        let run = try Subprocess.run(binary, arguments, environment: environment)
        return ProbeRun(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }

    /// A fresh temporary directory, removed when the test ends.
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("probe-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Asserts that a run failed with a one-line error mentioning `words`.
    func assertFailsClearly(_ run: ProbeRun, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(run.status, 0, "expected a failure; stdout: \(run.stdout)", file: file, line: line)
        let message = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(message.isEmpty, "no error message on stderr", file: file, line: line)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? ""
        for word in words {
            XCTAssertTrue(firstLine.contains(word), "the error '\(firstLine)' does not mention '\(word)'", file: file, line: line)
        }
    }

    /// Runs a Python script (h5py and NumPy checks, independent of the tool) and asserts it exits 0.
    func assertPythonSucceeds(_ script: String, arguments: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        do {
            try Python.run(script, arguments: arguments)
        } catch {
            XCTFail("\(what): \(error)", file: file, line: line)
        }
    }
}
