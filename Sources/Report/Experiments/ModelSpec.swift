import Engine
import Foundation

/// A model an experiment trains: its architecture and every training setting, and the file name
/// it is kept under in a run directory, which names them all, so that a model is trained once and
/// reused by every stage (and every later run) that asks for the same one.
public struct ModelSpec: Sendable, Codable, Equatable {
    /// The architecture spec (`fc100-100-10`).
    public var architecture: String
    /// The hidden units' nonlinearity, nil for the architecture's own.
    public var activation: String?
    /// Weight decay (`1e-4`, or per layer).
    public var weightDecay: String
    /// Training epochs.
    public var epochs: Int
    /// The optimiser (`adam`, `sgd`).
    public var optimizer: String
    /// The learning rate, nil for the optimiser's default.
    public var learningRate: Float?
    /// Examples per step.
    public var batchSize: Int
    /// The training seed.
    public var seed: UInt64
    /// The training subset (`all`, `P1`, `P2`).
    public var trainSubset: String
    /// ε of adversarial training (Goodfellow §6), nil for none.
    public var adversarialEpsilon: Float?
    /// α of adversarial training.
    public var adversarialAlpha: Float
    /// Autoencoder pre-training epochs (ae architectures).
    public var pretrainEpochs: Int

    /// A model of `architecture` with the tool's default training unless stated.
    public init(
        _ architecture: String, activation: String? = nil, weightDecay: String = "0", epochs: Int = 5, optimizer: String = "adam",
        learningRate: Float? = nil, batchSize: Int = 128, seed: UInt64 = 1, trainSubset: String = "all", adversarialEpsilon: Float? = nil,
        adversarialAlpha: Float = 0.5, pretrainEpochs: Int = 5
    ) {
        self.architecture = architecture
        self.activation = activation
        self.weightDecay = weightDecay
        self.epochs = epochs
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.trainSubset = trainSubset
        self.adversarialEpsilon = adversarialEpsilon
        self.adversarialAlpha = adversarialAlpha
        self.pretrainEpochs = pretrainEpochs
    }

    /// The file name in a run's `models/` for this model trained on `dataset`: every setting that
    /// changes the weights is in it (`fc10-wd1e-4-adam-e5-b128-s1-all-fashion-mnist.h5`).
    public func fileName(dataset: String) -> String {
        var parts = [architecture]
        if let activation { parts.append(activation) }
        parts.append("wd" + weightDecay.replacingOccurrences(of: "=", with: "_").replacingOccurrences(of: ",", with: "+"))
        parts.append(optimizer + (learningRate.map { String(format: "-lr%g", $0) } ?? ""))
        parts += ["e\(epochs)", "b\(batchSize)", "s\(seed)", trainSubset]
        if architecture.hasPrefix("ae") { parts.append("pre\(pretrainEpochs)") }
        if let adversarialEpsilon { parts.append(String(format: "adv%g-a%g", adversarialEpsilon, adversarialAlpha)) }
        parts.append(dataset)
        return parts.joined(separator: "-") + ".h5"
    }

    /// The trainer's settings.
    /// - Throws: `SettingProblem` for settings the trainer refuses.
    public func configuration() throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        guard let optimizer = OptimizerKind(rawValue: optimizer) else {
            throw SettingProblem("optimizer", optimizer, "is not one of \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        configuration.optimizer = optimizer
        configuration.learningRate = learningRate
        configuration.weightDecay = try WeightDecay(parsing: weightDecay)
        configuration.seed = seed
        configuration.pretrainEpochs = pretrainEpochs
        configuration.adversarialEpsilon = adversarialEpsilon
        configuration.adversarialAlpha = adversarialAlpha
        try configuration.validate()
        return configuration
    }

    private enum CodingKeys: String, CodingKey {
        case architecture, activation, weightDecay = "weight_decay", epochs, optimizer, learningRate = "learning_rate"
        case batchSize = "batch_size", seed, trainSubset = "train_subset", adversarialEpsilon = "adversarial_epsilon"
        case adversarialAlpha = "adversarial_alpha", pretrainEpochs = "pretrain_epochs"
    }
}
