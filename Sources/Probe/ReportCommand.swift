import ArgumentParser
import Foundation
import Report

/// `probe report`: one report of the files given, in Markdown and one self-contained HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report of neuron-probe files: DIR/report.html (self-contained), DIR/report.md with DIR/figures/, DIR/results.json.",
        discussion: """
            Give any of: model files (Szegedy et al.'s Table 1, beside the paper's numbers), units files (units vs random \
            directions, with their top images when the activation file is beside them), attack files (FGSM, L-BFGS and \
            their noise controls: error against ε, clean | perturbation | adversarial examples), transfer files \
            (probe transfer -o: Table 2) and Lipschitz files (probe lipschitz -o: Table 5). Nothing is recomputed; the \
            clean images of attacks are read from their data set (--data-dir).
            """)

    @Argument(help: "The files to report on.")
    var inputs: [String]

    @Option(name: [.short, .customLong("output")], help: "The directory to write the report into (created when missing).")
    var output: String

    @OptionGroup(title: "Where to find the data sets (the clean images of attacks)") var data: DataDirectoryOption

    @OptionGroup var jsonOutput: JSONOption

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one file to report on") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("-o \(output) is a file; give a directory for the report")
        }
    }

    func run() throws {
        let loaded = try ReportInputs.load(inputs, search: data.search)
        let commandLine = CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        let (document, results) = try ReportBuilder.build(loaded, commandLine: commandLine)
        let written = try ReportWriter.write(document, results: results, to: output, inputs: inputs)
        if jsonOutput.json {
            try printJSON(written)
            return
        }
        for headline in written.headlines { print(headline) }
        for note in results.notes { print("not shown: \(note)") }
        print("wrote \(written.html)")
    }
}

extension ReportCommand: ReadsFiles { var inputFiles: [String] { inputs } }
