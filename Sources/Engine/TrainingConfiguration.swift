import Foundation

/// Everything that fixes a training run; stored in the model file.
public struct TrainingConfiguration: Sendable {
    /// Passes over the training set.
    public var epochs = 5
    /// Examples per gradient step.
    public var batchSize = 128
    /// The update rule.
    public var optimizer = OptimizerKind.adam
    /// The step size; nil means the optimiser's default.
    public var learningRate: Float?
    /// Momentum of SGD.
    public var momentum: Float = 0.9
    /// L2 weight decay.
    public var weightDecay = WeightDecay.none
    /// The seed of every random choice (initial weights, shuffling, dropout).
    public var seed: UInt64 = 1
    /// Epochs of reconstruction pre-training for autoencoder architectures.
    public var pretrainEpochs = 5
    /// Adversarial training (Goodfellow et al. 2015, §6): the FGSM radius ε, or nil for plain training.
    public var adversarialEpsilon: Float?
    /// The weight α of the clean loss in J̃ = α·J(x) + (1 − α)·J(x + ε·sign(∇ₓJ)).
    public var adversarialAlpha: Float = 0.5

    /// The step size in force.
    public var effectiveLearningRate: Float { learningRate ?? optimizer.defaultLearningRate }

    /// The default configuration.
    public init() {}

    /// Throws when a setting cannot work, saying which and why.
    public func validate() throws {
        guard epochs >= 1 else { throw SettingProblem("epochs", "must be at least 1, given \(epochs)") }
        guard batchSize >= 1 else { throw SettingProblem("batch size", "must be at least 1, given \(batchSize)") }
        guard effectiveLearningRate > 0, effectiveLearningRate.isFinite else {
            throw SettingProblem("learning rate", "must be a positive number, given \(effectiveLearningRate)")
        }
        guard momentum >= 0, momentum < 1 else { throw SettingProblem("momentum", "\(momentum)", "must lie in [0, 1)") }
        guard pretrainEpochs >= 0 else { throw SettingProblem("pre-training epochs", "must be at least 0") }
        if let epsilon = adversarialEpsilon, !(epsilon >= 0 && epsilon <= 1) {
            throw SettingProblem("adversarial", "fgsm:\(epsilon)", "has an ε outside [0, 1]")
        }
        guard adversarialAlpha >= 0, adversarialAlpha <= 1 else { throw SettingProblem("alpha", "must lie in [0, 1]") }
    }
}

/// Which part of a training set a run uses: all of it, or one of Szegedy et al.'s (§4.2) two
/// disjoint halves, P1 (the first half of the examples) and P2 (the second half).
public enum TrainingSubset: String, CaseIterable, Sendable {
    case all, P1, P2

    /// The example indices of this subset of a set of `count` examples.
    public func indices(count: Int) -> Range<Int> {
        switch self {
        case .all: return 0..<count
        case .P1: return 0..<(count / 2)
        case .P2: return (count / 2)..<count
        }
    }
}
