import Foundation

/// Runs Python scripts for the tests' independent checks (h5py, NumPy, SciPy, the standard library),
/// with the `python3` on PATH: the interpreter scripts/setup.sh installs packages into.
public enum Python {
    /// A script that exited with a non-zero status.
    public struct Failure: Error, CustomStringConvertible {
        /// The exit status (127: python3 not found).
        public let status: Int32
        /// What the script wrote on stdout and stderr.
        public let output: String

        public var description: String {
            status == 127
                ? "python3 was not found on PATH; install python3 with numpy, scipy and h5py (bash scripts/setup.sh)"
                : "python3 exited with \(status) (install what an ImportError names with bash scripts/setup.sh): \(output)"
        }
    }

    /// Runs `script` with `arguments`; returns its stdout, trimmed.
    /// - Throws: `Python.Failure` with the output when it exits with a non-zero status.
    @discardableResult
    public static func run(_ script: String, arguments: [String] = []) throws -> String {
        let run = try Subprocess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments)
        guard run.status == 0 else { throw Failure(status: run.status, output: run.stdout + run.stderr) }
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
