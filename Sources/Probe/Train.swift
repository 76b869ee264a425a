import ArgumentParser
import Activations
import Attacks
import Foundation
import Engine

extension OptimizerKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension TrainingSubset: ExpressibleByArgument {}

/// `probe train`: trains a named architecture and writes a model file.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network of the papers and write it to a model file.",
        discussion: """
            Architectures: \(Architecture.named.joined(separator: ", ")), or a spec such as fc300-100-10.
            fc and ae networks have sigmoid hidden units (Szegedy et al. 2014, Table 1) unless --activation says otherwise.
            ae networks first pre-train an autoencoder on reconstruction for --pretrain-epochs, then fit the softmax on its code.
            """)

    @Option(name: .long, help: "The architecture: a name from the list below or a spec such as fc300-100-10.")
    var arch: String

    @Option(name: .long, help: "The hidden nonlinearity of fc networks (sigmoid, relu or tanh).")
    var activation: Activation?

    @Option(name: .long, parsing: .unconditional, help: "Linear pieces per maxout unit.")
    var maxoutPieces = 5

    @OptionGroup var data: DataOptions

    @Option(name: .long, parsing: .unconditional, help: "Passes over the training set.")
    var epochs = 5

    @Option(name: .long, parsing: .unconditional, help: "Examples per gradient step.")
    var batchSize = 128

    @Option(name: .long, parsing: .unconditional, help: "The step size (default 0.002 for adam, 0.05 for sgd).")
    var learningRate: Float?

    @Option(name: .long, help: "The update rule: sgd (with momentum) or adam.")
    var optimizer = OptimizerKind.adam

    @Option(name: .long, parsing: .unconditional, help: "Momentum of sgd.")
    var momentum: Float = 0.9

    @Option(name: .long, help: "L2 weight decay λ of J + (λ/2)‖W‖²: one number for every layer, or per layer as fc1=1e-3,fc2=1e-4.")
    var weightDecay = "0"

    @Option(
        name: .long, parsing: .unconditional, help: "The seed of every random choice; the same seed on the same machine gives bit-identical weights.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Train on all training examples or on one of Szegedy's disjoint halves, P1 or P2 (§4.2).")
    var trainSubset = TrainingSubset.all

    @Option(
        name: .long, parsing: .unconditional,
        help: "Training examples held out (from the end of the subset) to report validation loss and accuracy each epoch.")
    var validation = 0

    @Option(name: .long, parsing: .unconditional, help: "Epochs of autoencoder pre-training for ae architectures.")
    var pretrainEpochs = 5

    @Option(name: .long, help: "Adversarial training as Goodfellow et al. §6: fgsm:EPSILON (e.g. fgsm:0.1).")
    var adversarial: String?

    @Option(name: .long, parsing: .unconditional, help: "Weight α of the clean loss in α·J(x) + (1 − α)·J(x + ε·sign(∇ₓJ)).")
    var alpha: Float = 0.5

    @Option(name: [.short, .customLong("output")], help: "The model file to write.")
    var output: String

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard validation >= 0 else { throw ValidationError("--validation must not be negative") }
        guard maxoutPieces >= 1 else { throw ValidationError("--maxout-pieces must be at least 1") }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--learning-rate must be a positive number")
        }
        _ = try Architecture(arch, activation: activation, maxoutPieces: maxoutPieces)
        _ = try WeightDecay(parsing: weightDecay)
        _ = try adversarialEpsilon()
        guard alpha >= 0 && alpha <= 1 else { throw ValidationError("--alpha must lie in [0, 1]") }
        try checkOutputPath(output)
    }

    /// The ε of `--adversarial fgsm:ε`, or nil.
    func adversarialEpsilon() throws -> Float? {
        guard let adversarial else { return nil }
        guard adversarial.hasPrefix("fgsm:"), let epsilon = Float(adversarial.dropFirst(5)), epsilon >= 0, epsilon <= 1 else {
            throw ValidationError("--adversarial \(adversarial) is not fgsm:EPSILON with EPSILON in [0, 1]")
        }
        return epsilon
    }

    func run() throws {
        let examples = try TrainingData.load(
            data.dataset ?? "fashion-mnist", subset: trainSubset, validation: validation, search: data.search)
        let architecture = try Architecture(arch, activation: activation, maxoutPieces: maxoutPieces)
        let training = ModelTraining(
            spec: arch, architecture: architecture, maxoutPieces: maxoutPieces,
            trainer: AdversarialTraining.trainer(configuration: try configuration()))
        let progress = EpochProgress(quiet: outputOptions.quiet, printsEpochs: !outputOptions.json)
        let trained = try training.run(on: examples, progress: progress.update, epochEnded: progress.ended)
        progress.finish()
        try ModelFile.save(trained.model, metadata: trained.metadata, to: output)

        let summary = trained.summary(file: output)
        if outputOptions.json {
            try printJSON(summary)
        } else {
            print(
                String(
                    format: "%@ on %@: train error %.4f, test error %.4f (test accuracy %.2f%%), %d parameters",
                    arch, examples.dataset, summary.trainError, summary.testError, summary.testAccuracy * 100, summary.parameters))
            print("wrote \(output)")
        }
    }

    /// The trainer's settings from the options.
    private func configuration() throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.optimizer = optimizer
        configuration.learningRate = learningRate
        configuration.momentum = momentum
        configuration.weightDecay = try WeightDecay(parsing: weightDecay)
        configuration.seed = seed
        configuration.pretrainEpochs = pretrainEpochs
        configuration.adversarialEpsilon = try adversarialEpsilon()
        configuration.adversarialAlpha = alpha
        try configuration.validate()
        return configuration
    }
}

/// The progress of a training run: a bar per epoch, and a line when each ends.
private final class EpochProgress {
    private let quiet: Bool
    private let printsEpochs: Bool
    private var bar: ProgressBar?

    init(quiet: Bool, printsEpochs: Bool) {
        self.quiet = quiet
        self.printsEpochs = printsEpochs
    }

    func update(_ p: TrainingProgress) {
        if bar == nil { bar = ProgressBar("\(p.phase) epoch \(p.epoch)/\(p.epochs)", total: p.examplesTotal, unit: "img", quiet: quiet) }
        let accuracy = p.accuracy.map { String(format: " acc %.3f", $0) } ?? ""
        bar?.update(p.examplesDone, note: String(format: "loss %.4f", p.loss) + accuracy)
    }

    func ended(_ e: EpochSummary) {
        finish()
        guard printsEpochs else { return }
        var line = String(format: "%@ epoch %d: loss %.4f", e.phase, e.epoch, e.loss)
        if let a = e.accuracy { line += String(format: ", accuracy %.4f", a) }
        if let v = e.validationAccuracy { line += String(format: ", validation accuracy %.4f", v) }
        print(line + String(format: " (%.1f s)", e.seconds))
    }

    func finish() {
        bar?.finish()
        bar = nil
    }
}
