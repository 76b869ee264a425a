import ArgumentParser
import Files
import Foundation
import HDF5
import Engine

/// The `probe` command: tests, on real networks and data, where meaning lives in a network
/// (Szegedy et al. 2014 §3) and how stable it is (Szegedy §4, Goodfellow et al. 2015).
@main
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe neural networks for the intriguing properties of Szegedy et al. (2014) and Goodfellow et al. (2015).",
        discussion: """
            Where meaning lives: train a network of the papers (train, eval), record its activations at every \
            layer into HDF5 (record, merged from shards with merge), and test whether single units are more \
            coherent than random directions (units).
            How stable it is: make adversarial and noise examples (attack fgsm, iterative with --steps; attack lbfgs; attack noise), \
            see how they transfer across models (transfer), and bound each layer's Lipschitz constant (lipschitz).
            Around them: describe any file the tool wrote (inspect), manage the data sets (data) and show what \
            the tool runs on (system). Every command that prints results prints them as JSON with --json.
            """,
        version: ToolInfo.version,
        subcommands: [
            Train.self, Eval.self, Record.self, Units.self, Attack.self, Transfer.self, Lipschitz.self, ReportCommand.self, DemoCommand.self,
            ReproduceCommand.self, ImportCommand.self, Inspect.self, Merge.self,
            DataCommand.self,
            SystemCommand.self,
        ])

    static func main() {
        // First, before any thread or output: OpenBLAS may have fallen back to a generic kernel on a
        // CPU it does not know, and the process is then restarted with a faster one.
        do {
            try BLASKernelSelection.select()
        } catch {
            FileHandle.standardError.write(Data("probe: \(error)\n".utf8))
            Foundation.exit(2)
        }
        // Every command closes the files it writes; a file whose writes failed (a full disk) cannot be
        // closed, and HDF5's own cleanup at exit would crash on it after the error was reported.
        HDF5Library.skipCleanupAtExit()
        // A file-size limit (ulimit -f) then makes a write fail with EFBIG, reported like any other
        // failed write, instead of killing the process with nothing said and a temporary left behind.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot(nil)
            if let reader = command as? ReadsFiles { try InputFileCheck.check(reader.inputFiles) }
            try command.run()
        } catch let problem as SettingProblem {
            // A setting that cannot work is a usage error, found only once the work started: EX_USAGE, as for the options.
            FileHandle.standardError.write(Data("Error: \(CommandLineWording.message(for: problem) ?? problem.description)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: CommandLineWording.message(for: error).map(CommandError.init) ?? error)
        }
    }
}
