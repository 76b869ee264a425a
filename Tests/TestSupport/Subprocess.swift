import Foundation

/// The one way the tests run another program to completion (`probe`, `python3`): both output pipes
/// are drained at once, so a child that writes much on stderr never blocks on a full pipe.
public enum Subprocess {
    /// What a finished run produced.
    public struct Result: Sendable {
        /// The exit status (the signal number for a child killed by a signal).
        public var status: Int32
        /// Everything written on stdout.
        public var stdout: String
        /// Everything written on stderr.
        public var stderr: String
    }

    /// Runs `executable` with `arguments` and `environment` (the tests' own when nil) and waits for it.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let errors = Box()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errors.data = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors.data, as: UTF8.self))
    }
}
