import Files
import Foundation
import HDF5

/// The first read of every HDF5 input, done in a child process: libhdf5 trusts what a file says
/// about itself, and some damage (a corrupted global heap under a string attribute, a cycle in
/// the metadata) makes it crash or spin rather than return an error. The child runs
/// `probe inspect` on the file (every attribute and every dataset's layout, no data); when it
/// dies by a signal or does not finish, the command stops before any work with one line.
enum InputFileCheck {
    /// Set in the child, so that its own inputs are not checked again.
    static let childVariable = "PROBE_INPUT_CHECK_CHILD"
    /// How long the child may take: reading metadata takes a moment, whatever the size of the data
    /// (`PROBE_INPUT_CHECK_TIMEOUT` seconds where set, for tests).
    static var timeout: TimeInterval {
        ProcessInfo.processInfo.environment["PROBE_INPUT_CHECK_TIMEOUT"].flatMap(TimeInterval.init) ?? 20
    }

    /// Checks every path that names an HDF5 file; others are left to the command's own checks.
    static func check(_ paths: [String]) throws {
        guard ProcessInfo.processInfo.environment[childVariable] == nil else { return }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for path in paths where HDF5File.isHDF5(path) {
            let child = Process()
            child.executableURL = executable
            child.arguments = ["inspect", "--json", path]
            child.environment = ProcessInfo.processInfo.environment.merging([childVariable: "1"]) { $1 }
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            let deadline = Date().addingTimeInterval(timeout)
            while child.isRunning && Date() < deadline { usleep(5_000) }
            if child.isRunning {
                kill(child.processIdentifier, SIGKILL)
                child.waitUntilExit()
                throw CommandError(
                    "\(path) is damaged: reading its metadata does not finish (HDF5 loops on it); replace it with a complete copy or make it again")
            }
            if child.terminationReason == .uncaughtSignal {
                throw CommandError(
                    "\(path) is damaged: reading its metadata crashes the HDF5 library (signal \(child.terminationStatus)); replace it with a complete copy or make it again"
                )
            }
        }
    }
}

/// A command that reads files given on its command line, checked by `InputFileCheck` before it runs.
protocol ReadsFiles {
    /// The files it reads.
    var inputFiles: [String] { get }
}

extension FGSMCommand: ReadsFiles { var inputFiles: [String] { [model] } }
extension LBFGSCommand: ReadsFiles { var inputFiles: [String] { [model] } }
extension NoiseCommand: ReadsFiles { var inputFiles: [String] { [model] + (match.map { [$0] } ?? []) } }
extension Eval: ReadsFiles { var inputFiles: [String] { [model] } }
extension Inspect: ReadsFiles { var inputFiles: [String] { [file] } }
extension Merge: ReadsFiles { var inputFiles: [String] { shards } }
extension Record: ReadsFiles { var inputFiles: [String] { [model] } }
extension Transfer: ReadsFiles { var inputFiles: [String] { attacks + models } }
extension Lipschitz: ReadsFiles { var inputFiles: [String] { [model] } }
extension Units: ReadsFiles { var inputFiles: [String] { [activations] } }
