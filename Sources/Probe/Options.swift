import ArgumentParser
import Activations
import Files
import Foundation
import Engine

/// The directory searched first for data sets.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "A directory searched before $PROBE_DATA, ~/.cache/neuron-probe and /usr/share/datasets.")
    var dataDirectory: String?

    /// The search order with `--data-dir` first.
    var search: DataSearchPaths {
        DataSearchPaths(dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) })
    }
}

/// Where the images come from: a registered data set and an optional directory to look in first.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The data set: \(DatasetRegistry.standard.names.joined(separator: ", "))."))
    var dataset: String?

    @OptionGroup var directory: DataDirectoryOption

    /// The search order with `--data-dir` first.
    var search: DataSearchPaths { directory.search }
}

/// Whether results are printed as JSON: every command that prints results takes `--json`.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print the results as JSON on stdout.")
    var json = false
}

/// How the results and the progress of a long command are shown.
struct OutputOptions: ParsableArguments {
    @OptionGroup var jsonOutput: JSONOption

    @Flag(name: .long, help: "Show no progress bar.")
    var quiet = false

    /// Whether results are printed as JSON.
    var json: Bool { jsonOutput.json }
}

/// A path given with -o/--output, checked before any work starts: a file name in a writable
/// directory, and none of the command's `inputs`.
func checkOutputPath(_ path: String, inputs: [String] = []) throws {
    do {
        try OutputGuard.check(path, against: inputs)
    } catch {
        throw ValidationError("\(error); or choose another --output")
    }
}

/// A failure of a command's work (not of its arguments): printed as one line, without the usage text.
struct CommandError: Error, CustomStringConvertible {
    /// What is wrong and what to do.
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints a Codable result as pretty, key-sorted JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value))
    FileHandle.standardOutput.write("\n".data(using: .utf8)!)
}

/// A message on stderr (progress notes that must not mix with --json output).
func note(_ message: String) {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
}

/// Parses a closed choice from its raw value for ArgumentParser.
extension DatasetSplit: ExpressibleByArgument {}
