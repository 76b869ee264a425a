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

    @OptionGroup(title: "Where to find the clean images (needed with --amplify)") var data: DataDirectoryOption

    @OptionGroup var jsonOutput: JSONOption

    func validate() throws {
        guard !attacks.isEmpty else { throw ValidationError("give at least one attack file") }
        guard !models.isEmpty else { throw ValidationError("give at least one model with --models") }
        if let amplify, !(amplify > 0 && amplify <= 1) { throw ValidationError("--amplify must lie in (0, 1]") }
    }

    func run() throws {
        let loaded = try models.map { path -> (name: String, model: Sequential, sha: String) in
            let (model, metadata) = try ModelFile.load(path)
            return (URL(fileURLWithPath: path).lastPathComponent, model, metadata.sha256)
        }
        var sets: [TransferSet] = []
        for path in attacks {
            let contents = try AttackFile.read(path)
            if !loaded.contains(where: { $0.sha == contents.modelSHA256 }) {
                note(
                    "warning: \(path) was made on a model (sha256 \(contents.modelSHA256.prefix(12))…, \(contents.modelArchitecture)) that is none of --models; its row measures pure transfer"
                )
            }
            let clean = try amplify.map { _ in
                try DatasetRegistry.standard.load(contents.dataset, split: contents.split, search: data.search).images.gathering(
                    rows: contents.indices)
            }
            sets += TransferSet.runs(of: contents, amplifiedTo: amplify, clean: clean)
        }
        let matrix = TransferMatrix.compute(sets: sets, models: loaded.map { ($0.name, $0.model) })
        if jsonOutput.json {
            try printJSON(TransferReport(matrix: matrix, amplify: amplify.map { Double($0) }))
            return
        }
        let width = max(12, matrix.sets.map(\.count).max() ?? 0) + 2
        print(
            "error".padding(toLength: width, withPad: " ", startingAt: 0)
                + matrix.models.map { $0.padding(toLength: 16, withPad: " ", startingAt: 0) }.joined())
        for (name, row) in zip(matrix.sets, matrix.error) {
            print(
                name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + row.map { String(format: "%.1f%%", 100 * $0).padding(toLength: 16, withPad: " ", startingAt: 0) }.joined())
        }
    }
}

/// `probe lipschitz`: upper bounds on each layer's Lipschitz constant (Szegedy et al. §4.3, Table 5).
struct Lipschitz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upper Lipschitz bounds of each layer of a model and their product (Szegedy et al. 2014, §4.3, Table 5).")

    @Argument(help: "The model file.")
    var model: String

    @OptionGroup var jsonOutput: JSONOption

    func run() throws {
        let (network, _) = try ModelFile.load(model)
        let report = LipschitzReport(model: model, network: network)
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
    }
}
