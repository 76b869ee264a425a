import ArgumentParser
import Foundation
import Report

/// `probe demo`: the whole story on Fashion-MNIST in a few minutes, ending with the report.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Both findings on Fashion-MNIST in a few minutes on 2 cores, ending with DIR/report.html.",
        discussion: """
            Trains softmax regression (λ = 1e-4 and 1e-2), fc100-100-10 and fc200-200-10 (10 epochs each), records \
            fc100-100-10's activations over the 10,000 test images, tests its units against random directions (Szegedy et \
            al. §3), attacks two models with FGSM at five radii (Goodfellow et al. §4) and every model with box-constrained \
            L-BFGS on 500 images, beside Gaussian noise of the same size (Szegedy §4), measures transfer across the models \
            (Table 2) and their Lipschitz bounds (Table 5), and writes the report. Models are reused from DIR/models.
            """)

    @Option(name: [.short, .customLong("output")], help: "The run directory.")
    var output = "runs/demo"

    @Option(name: .long, help: "The data set (fashion-mnist, or mnist where it is installed).")
    var dataset = "fashion-mnist"

    @OptionGroup(title: "Where to find the data set") var data: DataDirectoryOption

    @Flag(name: .long, help: "Continue an interrupted run in DIR, keeping the files it finished.")
    var resume = false

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let progress = StageProgress(quiet: outputOptions.quiet)
        let pipeline = try Pipeline(
            directory: URL(fileURLWithPath: output), experiment: "demo", dataset: dataset, budget: "quick", protocolChoices: [:], search: data.search,
            resume: resume, observe: progress.handle)
        let began = Date()
        let inputs: [String]
        do {
            inputs = try Demo.run(pipeline)
        } catch {
            pipeline.abandon()
            throw error
        }
        let commandLine = CommandLine.arguments.joined(separator: " ")
        let (written, _) = try pipeline.report(inputs: inputs, commandLine: commandLine)
        try pipeline.writeManifest()
        if outputOptions.json {
            try printJSON(written)
            return
        }
        for headline in written.headlines { print(headline) }
        print(String(format: "demo finished in %.0f s", Date().timeIntervalSince(began)))
        print(written.html)
    }
}
