import Foundation

/// How well a classifier does on a labelled set.
public struct Evaluation: Sendable, Codable {
    /// Number of examples.
    public var count: Int
    /// Mean softmax cross-entropy.
    public var loss: Float
    /// Share classified correctly.
    public var accuracy: Float
    /// Share classified wrongly (1 − accuracy).
    public var error: Float { 1 - accuracy }
    /// Mean probability given to the predicted class.
    public var meanConfidence: Float
    /// The predicted class of each example.
    public var predictions: [Int]
}
