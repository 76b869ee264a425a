/// What a training step minimises: given a batch, its loss and the parameter gradients. The plain
/// objective is the cross-entropy of the batch; adversarial training (Goodfellow et al. 2015, §6)
/// lives with the attacks, in `Attacks.AdversarialTraining`.
public protocol TrainingObjective: Sendable {
    /// The batch's cross-entropy (for the epoch's loss and accuracy) and the gradient of the objective
    /// for every parameter of every layer.
    func gradients(_ model: Sequential, images: Tensor, labels: [Int], generator: inout SeededGenerator)
        -> (loss: SoftmaxCrossEntropy.Result, parameters: [[Tensor]])
}

/// The mean cross-entropy of the batch.
public struct CrossEntropyObjective: TrainingObjective {
    /// The plain objective.
    public init() {}

    public func gradients(_ model: Sequential, images: Tensor, labels: [Int], generator: inout SeededGenerator)
        -> (loss: SoftmaxCrossEntropy.Result, parameters: [[Tensor]])
    {
        model.trainingGradients(images, labels: labels, generator: &generator)
    }
}
