import Engine

/// Goodfellow et al.'s (2015, §6) adversarial objective,
/// ```
/// J̃(θ, x, y) = α·J(θ, x, y) + (1 − α)·J(θ, x + ε·sign(∇ₓJ(θ, x, y)), y)
/// ```
/// with the adversarial images made by one FGSM step (`FastGradientSign.step`) from the same batch,
/// as the training objective of a `Trainer`.
public struct AdversarialTraining: TrainingObjective {
    /// The FGSM radius ε.
    public var epsilon: Float
    /// The weight α of the clean loss.
    public var alpha: Float

    /// The objective at radius `epsilon` with clean-loss weight `alpha`.
    public init(epsilon: Float, alpha: Float) {
        self.epsilon = epsilon
        self.alpha = alpha
    }

    /// A trainer for `configuration`: adversarial when it names an ε, plain otherwise.
    public static func trainer(configuration: TrainingConfiguration) -> Trainer {
        guard let epsilon = configuration.adversarialEpsilon else { return Trainer(configuration: configuration) }
        return Trainer(configuration: configuration, objective: AdversarialTraining(epsilon: epsilon, alpha: configuration.adversarialAlpha))
    }

    public func gradients(_ model: Sequential, images x: Tensor, labels: [Int], generator: inout SeededGenerator)
        -> (loss: SoftmaxCrossEntropy.Result, parameters: [[Tensor]])
    {
        let trace = model.forward(x, mode: .training, generator: &generator)
        let loss = SoftmaxCrossEntropy.evaluate(logits: trace.output, labels: labels)
        let clean = model.backward(trace, outputGradient: loss.gradient, needsInputGradient: true)
        var adversarial = x
        var failed = Set<Int>()
        FastGradientSign.step(&adversarial, clean: x, gradient: clean.input!, stepSize: epsilon, epsilon: epsilon, failed: &failed)
        let adversarialTrace = model.forward(adversarial, mode: .training, generator: &generator)
        let adversarialLoss = SoftmaxCrossEntropy.evaluate(logits: adversarialTrace.output, labels: labels)
        let perturbed = model.backward(adversarialTrace, outputGradient: adversarialLoss.gradient, needsInputGradient: false)
        let mixed = zip(clean.parameters, perturbed.parameters).map { a, b in
            zip(a, b).map { ga, gb in
                Tensor(shape: ga.shape, scalars: zip(ga.scalars, gb.scalars).map { alpha * $0 + (1 - alpha) * $1 })
            }
        }
        return (loss, mixed)
    }
}
