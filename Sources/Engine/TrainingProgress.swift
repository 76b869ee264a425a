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
