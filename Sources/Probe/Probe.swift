import ArgumentParser
import Network

/// The `probe` command: tests, on real networks and data, where meaning lives in a network
/// (Szegedy et al. 2014 §3) and how stable it is (Szegedy §4, Goodfellow et al. 2015).
@main
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe neural networks for the intriguing properties of Szegedy et al. (2014) and Goodfellow et al. (2015).",
        discussion: """
            Train the networks of the papers on Fashion-MNIST or MNIST, evaluate them, and manage the data sets.
            Every command that prints results prints them as JSON with --json.
            """,
        version: ToolInfo.version,
        subcommands: [Train.self, Eval.self, Record.self, Units.self, Attack.self, Transfer.self, Lipschitz.self, Inspect.self, Merge.self, DataCommand.self])
}
