import Foundation

/// Where training stands, for progress bars.
public struct TrainingProgress: Sendable {
    /// What is being trained ("pretrain" or "train").
    public var phase: String
    /// 1-based epoch.
    public var epoch: Int
    /// Number of epochs in this phase.
    public var epochs: Int
    /// Examples seen so far in this epoch.
    public var examplesDone: Int
    /// Examples per epoch.
    public var examplesTotal: Int
    /// Mean loss over the epoch so far.
    public var loss: Float
    /// Accuracy over the epoch so far (nil for reconstruction).
    public var accuracy: Float?
}

/// The summary of one epoch.
public struct EpochSummary: Sendable, Codable {
    /// 1-based epoch.
    public var epoch: Int
    /// "pretrain" or "train".
    public var phase: String
    /// Mean training loss over the epoch (with dropout active, before weight decay).
    public var loss: Float
    /// Training accuracy over the epoch, counted during the pass (nil when pre-training).
    public var accuracy: Float?
    /// Loss on the held-out validation examples, if any.
    public var validationLoss: Float?
    /// Accuracy on the held-out validation examples, if any.
    public var validationAccuracy: Float?
    /// Wall-clock time of the epoch.
    public var seconds: Double
}

/// What a training run produced: the model file, its errors and every epoch's figures, as
/// `probe train --json` prints them (values that are not finite as null).
public struct TrainingSummary: Encodable, Sendable {
    /// The model file written.
    public var model: String
    /// The architecture spec.
    public var architecture: String
    /// The data set trained on.
    public var dataset: String
    /// The run's seed.
    public var seed: UInt64
    /// Trainable parameters.
    public var parameters: Int
    /// Error on the training examples.
    public var trainError: Double
    /// Error on the test split.
    public var testError: Double
    /// Accuracy on the test split.
    public var testAccuracy: Double
    /// Every epoch, pre-training first.
    public var epochs: [EpochSummary]

    /// A summary of the run that wrote `model`.
    public init(
        model: String, architecture: String, dataset: String, seed: UInt64, parameters: Int, trainError: Double,
        testError: Double, testAccuracy: Double, epochs: [EpochSummary]
    ) {
        self.model = model
        self.architecture = architecture
        self.dataset = dataset
        self.seed = seed
        self.parameters = parameters
        self.trainError = trainError
        self.testError = testError
        self.testAccuracy = testAccuracy
        self.epochs = epochs
    }

    private enum Keys: String, CodingKey {
        case model, architecture, dataset, seed, parameters, trainError = "train_error", testError = "test_error"
        case testAccuracy = "test_accuracy", epochs, epoch, phase, loss, accuracy, validationAccuracy = "validation_accuracy", seconds
    }

    private static func finite<Value: BinaryFloatingPoint>(_ value: Value?) -> Value? { value.flatMap { $0.isFinite ? $0 : nil } }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(model, forKey: .model)
        try container.encode(architecture, forKey: .architecture)
        try container.encode(dataset, forKey: .dataset)
        try container.encode(seed, forKey: .seed)
        try container.encode(parameters, forKey: .parameters)
        // The errors are shares counted in Float32 (`Evaluation`): written as the Float32 they were.
        try container.encode(Self.finite(trainError).map(Float.init), forKey: .trainError)
        try container.encode(Self.finite(testError).map(Float.init), forKey: .testError)
        try container.encode(Self.finite(testAccuracy).map(Float.init), forKey: .testAccuracy)
        var list = container.nestedUnkeyedContainer(forKey: .epochs)
        for e in epochs {
            var entry = list.nestedContainer(keyedBy: Keys.self)
            try entry.encode(e.epoch, forKey: .epoch)
            try entry.encode(e.phase, forKey: .phase)
            // NOTE: Float32 values are written as Float32, so JSON holds the shortest decimal that reads back as the stored value.
            try entry.encode(Self.finite(e.loss), forKey: .loss)
            try entry.encode(Self.finite(e.accuracy), forKey: .accuracy)
            try entry.encode(Self.finite(e.validationAccuracy), forKey: .validationAccuracy)
            try entry.encode(e.seconds, forKey: .seconds)
        }
    }
}
