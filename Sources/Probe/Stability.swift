import ArgumentParser
import Activations
import Attacks
import Foundation
import Engine
import Files

/// `probe transfer`: how adversarial examples made on one model fare on others (Szegedy et al. Tables 2–4).
struct Transfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The error each model makes on each set of adversarial (or noise) examples: a matrix shaped like Szegedy et al.'s Table 2.",
        discussion:
            "Rows: each run of each attack file; columns: the models. Models trained on the disjoint halves P1 and P2 (probe train --train-subset) give Tables 3 and 4."
    )

    @Argument(help: "Attack files (probe attack …).")
    var attacks: [String]

    @Option(name: .long, parsing: .upToNextOption, help: "The models to evaluate.")
    var models: [String]

    @Option(name: .long, parsing: .unconditional, help: "Rescale each perturbation to this per-pixel RMS first (Table 4's amplified rows, e.g. 0.1).")
    var amplify: Float?

    @OptionGroup(title: "Where to find the clean images (the clean-error columns, and --amplify)") var data: DataDirectoryOption

    @Option(name: [.short, .customLong("output")], help: "Also write the matrix to this transfer file (for probe report).")
    var output: String?

    @OptionGroup var jsonOutput: JSONOption

    func validate() throws {
        guard !attacks.isEmpty else { throw ValidationError("give at least one attack file") }
        guard !models.isEmpty else { throw ValidationError("give at least one model with --models") }
        if let amplify, !(amplify > 0 && amplify <= 1) { throw ValidationError("--amplify must lie in (0, 1]") }
        if let output { try checkOutputPath(output, inputs: attacks + models) }
    }

    func run() throws {
        let loaded = try models.map { path -> (name: String, model: Sequential, sha: String) in
            let (model, metadata) = try ModelFile.load(path)
            return (URL(fileURLWithPath: path).lastPathComponent, model, metadata.sha256)
        }
        var sets: [TransferSet] = [], attackFiles: [String] = []
        for path in attacks {
            let contents = try AttackFile.read(path)
            if !loaded.contains(where: { $0.sha == contents.modelSHA256 }) {
                note(
                    "warning: \(path) was made on a model (sha256 \(contents.modelSHA256.prefix(12))…, \(contents.modelArchitecture)) that is none of --models; its row measures pure transfer"
                )
            }
            // The clean images give the clean-error rows; only --amplify cannot do without them.
            var clean: Tensor?
            do {
                clean = try DatasetRegistry.standard.load(contents.dataset, split: contents.split, search: data.search).images.gathering(
                    rows: contents.indices)
            } catch  where amplify == nil {
                note(
                    "note: the clean images of \(path) were not found, so its clean-error row is left out: \(CommandLineWording.message(for: error) ?? "\(error)")"
                )
            }
            sets += TransferSet.runs(of: contents, amplifiedTo: amplify, clean: clean)
            attackFiles += [String](repeating: path, count: contents.epsilons.count)
        }
        let matrix = TransferMatrix.compute(sets: sets, models: loaded.map { ($0.name, $0.model) })
        let report = TransferReport(matrix: matrix, amplify: amplify.map { Double($0) })
        if let output {
            try TransferFile.write(
                report,
                sources: TransferFile.Sources(
                    attackFiles: attackFiles, attackSHA256: try attackFiles.map { try Checksum.sha256(ofFile: $0) }, modelFiles: models,
                    modelSHA256: loaded.map(\.sha)), to: output)
        }
        if jsonOutput.json {
            try printJSON(report)
            return
        }
        let width = max(12, matrix.sets.map(\.count).max() ?? 0) + 2
        func cell(_ text: String) -> String { text.padding(toLength: 16, withPad: " ", startingAt: 0) }
        print("error".padding(toLength: width, withPad: " ", startingAt: 0) + matrix.models.map(cell).joined() + "distortion")
        for (index, name) in matrix.sets.enumerated() {
            print(
                name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + matrix.error[index].map { cell(String(format: "%.1f%%", 100 * $0)) }.joined()
                    + String(format: "%.4f", matrix.distortion[index]))
            if !matrix.cleanError[index].isEmpty {
                print(
                    "  clean".padding(toLength: width, withPad: " ", startingAt: 0)
                        + matrix.cleanError[index].map { cell(String(format: "%.1f%%", 100 * $0)) }.joined())
            }
        }
        if let output { print("wrote \(output)") }
    }
}

/// `probe lipschitz`: upper bounds on each layer's Lipschitz constant (Szegedy et al. §4.3, Table 5).
struct Lipschitz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upper Lipschitz bounds of each layer of a model and their product (Szegedy et al. 2014, §4.3, Table 5).")

    @Argument(help: "The model file.")
    var model: String

    @Option(name: [.short, .customLong("output")], help: "Also write the bounds to this Lipschitz file (for probe report).")
    var output: String?

    @OptionGroup var jsonOutput: JSONOption

    func validate() throws {
        if let output { try checkOutputPath(output, inputs: [model]) }
    }

    func run() throws {
        let (network, metadata) = try ModelFile.load(model)
        let report = LipschitzReport(model: model, network: network, modelSHA256: metadata.sha256, architecture: metadata.architecture)
        if let output { try LipschitzFile.write(report, to: output) }
        if jsonOutput.json {
            try printJSON(report)
            return
        }
        for b in report.layers {
            print(
                b.layer.padding(toLength: 12, withPad: " ", startingAt: 0) + b.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + String(format: "%10.4f  ", b.bound) + b.method)
        }
        print(String(format: "product: %.4g (an upper bound on the whole network's Lipschitz constant)", report.product))
        if let output { print("wrote \(output)") }
    }
}
