import ArgumentParser
import Foundation
import Report

/// `probe reproduce`: a table or figure of the papers, from scratch, beside the paper's numbers.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce a table or figure of Szegedy et al. 2014, Goodfellow et al. 2015 or Bau et al. 2017, beside the paper's numbers.",
        discussion: """
            Each experiment follows a protocol that names every choice the paper leaves open (protocols/ID.md; --protocol \
            prints it). Runs go to runs/ID/ (manifest.json, results.json, report.md, report.html); models are trained once \
            and kept in runs/models/ under their settings and data set. --check verifies the files (pixels in [0, 1], \
            ‖r‖∞ ≤ ε, no NaN, distortions recomputed from the images, top sets recomputed, orthonormal rotations, Lipschitz \
            bounds on real pairs) and the paper's findings that must hold on any data, and exits 1 when one fails.
            """)

    @Argument(help: "The experiment (see --list).")
    var experiment: String?

    @Flag(name: .long, help: "List the experiments with the time each takes.")
    var list = false

    @Flag(name: .long, help: "Print the experiment's protocol and stop.")
    var `protocol` = false

    @Option(name: .long, help: "quick (minutes on 2 cores) or paper (the paper's sizes).")
    var budget: Budget = .quick

    @Option(
        name: .long, help: "The data set: fashion-mnist (the default), mnist where its training set is installed, or fashion-mnist-tiny for tests.")
    var dataset = "fashion-mnist"

    @OptionGroup(title: "Where to find the data set") var data: DataDirectoryOption

    @Option(name: [.short, .customLong("output")], help: "The run directory (default runs/ID).")
    var output: String?

    @Flag(name: .long, help: "Continue an interrupted run, keeping the files it finished.")
    var resume = false

    @Flag(name: .long, help: "Check the artefacts and the paper's qualitative findings; exit 1 when one fails.")
    var check = false

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if list { return }
        guard let experiment else { throw ValidationError("name an experiment, or --list them") }
        guard ExperimentRegistry.experiment(experiment) != nil else {
            throw ValidationError(
                "unknown experiment '\(experiment)': use one of \(ExperimentRegistry.all.map(\.id).joined(separator: ", ")) (probe reproduce --list)")
        }
    }

    func run() throws {
        if list {
            if outputOptions.json {
                try printJSON(
                    ExperimentRegistry.all.map {
                        ["id": $0.id, "title": $0.title, "quick_seconds": "\($0.seconds.quick)", "paper_seconds": "\($0.seconds.paper)"]
                    })
                return
            }
            let width = ExperimentRegistry.all.map(\.id.count).max() ?? 0
            print("experiment".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "quick     paper*    what")
            for e in ExperimentRegistry.all {
                print(
                    e.id.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                        + Experiment.duration(e.seconds.quick).padding(toLength: 10, withPad: " ", startingAt: 0)
                        + Experiment.duration(e.seconds.paper).padding(toLength: 10, withPad: " ", startingAt: 0) + e.title)
            }
            print("times: Fashion-MNIST on 2 cores (AMD EPYC, OpenBLAS Zen), release build, each run alone (models it shares with")
            print("another experiment are trained once, in runs/models/); *paper: estimated from the quick runs' sizes")
            return
        }
        let chosen = ExperimentRegistry.experiment(experiment!)!
        if `protocol` {
            print(chosen.protocolMarkdown)
            return
        }
        let directory = URL(fileURLWithPath: output ?? "runs/\(chosen.id)")
        let progress = StageProgress(quiet: outputOptions.quiet)
        let result = try Reproduction.run(
            chosen, budget: budget, dataset: dataset, directory: directory, search: data.search, resume: resume, check: check,
            commandLine: CommandLine.arguments.joined(separator: " "), observe: progress.handle)
        if outputOptions.json {
            try printJSON(result)
        } else {
            for table in result.tables { print(table.text + "\n") }
            for c in result.checks { print("\(c.passed ? "ok    " : "FAILED") \(c.name): \(c.detail)") }
            print(result.report)
        }
        if check && !result.passed { throw ExitCode(1) }
    }
}

extension Budget: ExpressibleByArgument {}
