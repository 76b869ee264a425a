import Foundation

/// The update rule a training run uses.
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// SGD with momentum.
    case sgd
    /// Adam.
    case adam

    /// The default step size for this rule.
    public var defaultLearningRate: Float { self == .sgd ? 0.05 : 0.002 }
}

/// L2 weight decay, `J + (λ/2)‖W‖²` over the weights (not biases), with one λ for all
/// layers or one per layer, as Szegedy et al.'s FC10(λ) networks set it.
public struct WeightDecay: Equatable, Sendable, CustomStringConvertible {
    /// λ for layers not listed in `perLayer`.
    public var base: Float
    /// λ for named layers.
    public var perLayer: [String: Float]

    /// No weight decay.
    public static let none = WeightDecay(base: 0, perLayer: [:])

    /// Decay `base` on every layer but those in `perLayer`.
    public init(base: Float, perLayer: [String: Float] = [:]) {
        self.base = base
        self.perLayer = perLayer
    }

    /// Parses `1e-4` (all layers) or `fc1=1e-3,fc3=1e-4` (listed layers; others 0) or both (`1e-5,fc1=1e-3`).
    /// - Throws: `TrainingError.invalidSetting` naming the bad part.
    public init(parsing text: String) throws {
        base = 0
        perLayer = [:]
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=")
            if pieces.count == 1, let value = Float(pieces[0]), value >= 0, value.isFinite {
                base = value
            } else if pieces.count == 2, let value = Float(pieces[1]), value >= 0, value.isFinite {
                perLayer[String(pieces[0])] = value
            } else {
                throw TrainingError.invalidSetting("weight decay '\(part)' is not a non-negative number or LAYER=NUMBER (e.g. 1e-4 or fc1=1e-3,fc2=1e-4)")
            }
        }
    }

    /// λ for the layer called `layer`.
    public func coefficient(for layer: String) -> Float { perLayer[layer] ?? base }

    public var description: String {
        ([base == 0 && !perLayer.isEmpty ? nil : "\(base)"] + perLayer.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            .compactMap { $0 }.joined(separator: ",")
    }
}

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
        guard epochs >= 1 else { throw TrainingError.invalidSetting("--epochs must be at least 1, given \(epochs)") }
        guard batchSize >= 1 else { throw TrainingError.invalidSetting("--batch-size must be at least 1, given \(batchSize)") }
        guard effectiveLearningRate > 0, effectiveLearningRate.isFinite else {
            throw TrainingError.invalidSetting("--learning-rate must be a positive number, given \(effectiveLearningRate)")
        }
        guard momentum >= 0, momentum < 1 else { throw TrainingError.invalidSetting("momentum must lie in [0, 1), given \(momentum)") }
        guard pretrainEpochs >= 0 else { throw TrainingError.invalidSetting("--pretrain-epochs must be at least 0") }
        if let epsilon = adversarialEpsilon, !(epsilon >= 0 && epsilon <= 1) {
            throw TrainingError.invalidSetting("--adversarial fgsm:\(epsilon): ε must lie in [0, 1]")
        }
        guard adversarialAlpha >= 0, adversarialAlpha <= 1 else { throw TrainingError.invalidSetting("--alpha must lie in [0, 1]") }
    }
}

/// Errors of a training run.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A setting that cannot work.
    case invalidSetting(String)
    /// The loss became NaN or infinite.
    case diverged(String)

    public var description: String {
        switch self {
        case .invalidSetting(let m), .diverged(let m): return m
        }
    }
}

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

/// Trains a classifier with minibatch gradient descent; the same engine as every other command.
public struct Trainer {
    /// The run's settings.
    public let configuration: TrainingConfiguration

    /// A trainer for `configuration`.
    public init(configuration: TrainingConfiguration) { self.configuration = configuration }

    private func makeOptimizer() -> Optimizer {
        switch configuration.optimizer {
        case .sgd: return SGD(learningRate: configuration.effectiveLearningRate, momentum: configuration.momentum)
        case .adam: return Adam(learningRate: configuration.effectiveLearningRate)
        }
    }

    /// Adds the weight-decay gradient λW to each decaying parameter's gradient.
    private func addWeightDecay(_ model: Sequential, _ gradients: inout [[Tensor]]) {
        for (l, layer) in model.layers.enumerated() {
            let lambda = configuration.weightDecay.coefficient(for: layer.name)
            guard lambda > 0 else { continue }
            for (p, parameter) in layer.parameters.enumerated() where parameter.decays {
                gradients[l][p].scalars.withUnsafeMutableBufferPointer { g in
                    parameter.value.scalars.withUnsafeBufferPointer { w in
                        for j in 0..<g.count { g[j] += lambda * w[j] }
                    }
                }
            }
        }
    }

    /// Trains `model` on `images`/`labels`, shuffling every epoch, and reports each epoch.
    /// - Parameters:
    ///   - validation: held-out examples evaluated after every epoch.
    ///   - generator: the run's random stream (shuffling and dropout).
    ///   - progress: called after every batch.
    ///   - epochEnded: called with each epoch's summary as soon as it is known.
    /// - Throws: `TrainingError.diverged` when the loss becomes NaN or infinite.
    public func train(
        _ model: Sequential, images: Tensor, labels: [Int], validation: (images: Tensor, labels: [Int])? = nil,
        generator: inout SeededGenerator, progress: (TrainingProgress) -> Void = { _ in },
        epochEnded: (EpochSummary) -> Void = { _ in }
    ) throws -> [EpochSummary] {
        try configuration.validate()
        precondition(images.batchSize == labels.count, "Trainer: \(images.batchSize) images but \(labels.count) labels")
        var optimizer = makeOptimizer()
        let parameters = model.layers.flatMap(\.parameters)
        var summaries: [EpochSummary] = []
        var x = Tensor(shape: [0], scalars: [])  // every batch's images, in one reused buffer
        for epoch in 1...configuration.epochs {
            let start = Date()
            var order = Array(0..<images.batchSize)
            order.shuffle(using: &generator)
            var lossSum = 0.0, correct = 0, seen = 0
            var first = 0
            while first < order.count {
                let batch = Array(order[first..<min(first + configuration.batchSize, order.count)])
                images.gather(rows: batch, into: &x)
                let y = batch.map { labels[$0] }
                let loss: SoftmaxCrossEntropy.Result
                var gradients: [[Tensor]]
                if let epsilon = configuration.adversarialEpsilon {
                    let trace = model.forward(x, mode: .training, generator: &generator)
                    loss = SoftmaxCrossEntropy.evaluate(logits: trace.output, labels: y)
                    gradients = adversarialGradients(model, x: x, labels: y, trace: trace, loss: loss, epsilon: epsilon, generator: &generator)
                } else {
                    (loss, gradients) = model.trainingGradients(x, labels: y, generator: &generator)
                }
                addWeightDecay(model, &gradients)
                optimizer.update(parameters, gradients: gradients.flatMap { $0 })
                let batchLoss = loss.losses.reduce(0.0) { $0 + Double($1) }
                guard batchLoss.isFinite else {
                    throw TrainingError.diverged("training diverged in epoch \(epoch): the loss became \(batchLoss); lower --learning-rate (now \(configuration.effectiveLearningRate))")
                }
                lossSum += batchLoss
                correct += zip(Trainer.argmax(loss.probabilities), y).filter { $0 == $1 }.count
                seen += batch.count
                first += batch.count
                progress(TrainingProgress(phase: "train", epoch: epoch, epochs: configuration.epochs, examplesDone: seen,
                                          examplesTotal: order.count, loss: Float(lossSum / Double(seen)), accuracy: Float(correct) / Float(seen)))
            }
            var summary = EpochSummary(epoch: epoch, phase: "train", loss: Float(lossSum / Double(seen)),
                                       accuracy: Float(correct) / Float(seen), seconds: Date().timeIntervalSince(start))
            if let validation, validation.labels.count > 0 {
                let result = Trainer.evaluate(model, images: validation.images, labels: validation.labels)
                summary.validationLoss = result.loss
                summary.validationAccuracy = result.accuracy
            }
            summaries.append(summary)
            epochEnded(summary)
        }
        return summaries
    }

    /// The parameter gradients of Goodfellow et al.'s (2015, §6) adversarial objective
    /// ```
    /// J̃(θ, x, y) = α·J(θ, x, y) + (1 − α)·J(θ, x + ε·sign(∇ₓJ(θ, x, y)), y)
    /// ```
    /// with the adversarial images made by one FGSM step from the same batch and clipped to [0, 1].
    private func adversarialGradients(
        _ model: Sequential, x: Tensor, labels: [Int], trace: ForwardTrace, loss: SoftmaxCrossEntropy.Result, epsilon: Float,
        generator: inout SeededGenerator
    ) -> [[Tensor]] {
        let alpha = configuration.adversarialAlpha
        let clean = model.backward(trace, outputGradient: loss.gradient, needsInputGradient: true)
        var adversarial = x
        adversarial.scalars.withUnsafeMutableBufferPointer { v in
            clean.input!.scalars.withUnsafeBufferPointer { g in
                for i in 0..<v.count { v[i] = min(max(v[i] + epsilon * (g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)), 0), 1) }
            }
        }
        let adversarialTrace = model.forward(adversarial, mode: .training, generator: &generator)
        let adversarialLoss = SoftmaxCrossEntropy.evaluate(logits: adversarialTrace.output, labels: labels)
        let perturbed = model.backward(adversarialTrace, outputGradient: adversarialLoss.gradient, needsInputGradient: false)
        return zip(clean.parameters, perturbed.parameters).map { a, b in
            zip(a, b).map { ga, gb in
                Tensor(shape: ga.shape, scalars: zip(ga.scalars, gb.scalars).map { alpha * $0 + (1 - alpha) * $1 })
            }
        }
    }

    /// Pre-trains the code layers of an autoencoder architecture on reconstruction (half mean squared
    /// error through `decoder`), then freezes them, so that `train` fits the softmax on the code alone
    /// (Szegedy et al. 2014, Table 1, AE400-10).
    /// - Parameters:
    ///   - model: the classifier; every layer before its last is the encoder.
    ///   - decoder: maps the code back to the input.
    public func pretrainAutoencoder(
        _ model: Sequential, decoder: Sequential, images: Tensor,
        generator: inout SeededGenerator, progress: (TrainingProgress) -> Void = { _ in },
        epochEnded: (EpochSummary) -> Void = { _ in }
    ) throws -> [EpochSummary] {
        try configuration.validate()
        let encoder = Array(model.layers.dropLast())
        let autoencoder = try Sequential(inputShape: model.inputShape, layers: encoder + decoder.layers)
        var optimizer = makeOptimizer()
        let parameters = autoencoder.layers.flatMap(\.parameters)
        var summaries: [EpochSummary] = []
        for epoch in stride(from: 1, through: configuration.pretrainEpochs, by: 1) {
            let start = Date()
            var order = Array(0..<images.batchSize)
            order.shuffle(using: &generator)
            var lossSum = 0.0, seen = 0, first = 0
            while first < order.count {
                let batch = Array(order[first..<min(first + configuration.batchSize, order.count)])
                let x = images.gathering(rows: batch)
                let trace = autoencoder.forward(x, mode: .training, generator: &generator)
                let loss = MeanSquaredError.evaluate(prediction: trace.output, target: x)
                var gradients = autoencoder.backward(trace, outputGradient: loss.gradient, needsInputGradient: false).parameters
                addWeightDecay(autoencoder, &gradients)
                optimizer.update(parameters, gradients: gradients.flatMap { $0 })
                guard loss.loss.isFinite else {
                    throw TrainingError.diverged("autoencoder pre-training diverged in epoch \(epoch); lower --learning-rate")
                }
                lossSum += Double(loss.loss) * Double(batch.count)
                seen += batch.count
                first += batch.count
                progress(TrainingProgress(phase: "pretrain", epoch: epoch, epochs: configuration.pretrainEpochs, examplesDone: seen,
                                          examplesTotal: order.count, loss: Float(lossSum / Double(seen)), accuracy: nil))
            }
            summaries.append(EpochSummary(epoch: epoch, phase: "pretrain", loss: Float(lossSum / Double(seen)), accuracy: nil,
                                          seconds: Date().timeIntervalSince(start)))
            epochEnded(summaries.last!)
        }
        for layer in encoder { for parameter in layer.parameters { parameter.trainable = false } }
        return summaries
    }

    /// The index of the largest value in each row of a (batch, classes) tensor.
    public static func argmax(_ scores: Tensor) -> [Int] {
        let classes = scores.rowSize
        return (0..<scores.batchSize).map { row in
            var best = 0
            for j in 1..<classes where scores.scalars[row * classes + j] > scores.scalars[row * classes + best] { best = j }
            return best
        }
    }

    /// Loss, accuracy, mean confidence and predictions of `model` on a labelled set (inference mode).
    public static func evaluate(_ model: Sequential, images: Tensor, labels: [Int], batchSize: Int = 1000) -> Evaluation {
        var lossSum = 0.0, confidence = 0.0, correct = 0
        var predictions: [Int] = []
        predictions.reserveCapacity(labels.count)
        var first = 0
        while first < labels.count {
            let end = min(first + batchSize, labels.count)
            let logits = model.forward(images.rows(first..<end)).output
            let result = SoftmaxCrossEntropy.evaluate(logits: logits, labels: Array(labels[first..<end]))
            let predicted = argmax(result.probabilities)
            for (i, p) in predicted.enumerated() {
                confidence += Double(result.probabilities.scalars[i * result.probabilities.rowSize + p])
                if p == labels[first + i] { correct += 1 }
            }
            lossSum += result.losses.reduce(0.0) { $0 + Double($1) }
            predictions += predicted
            first = end
        }
        let n = Double(max(labels.count, 1))
        return Evaluation(count: labels.count, loss: Float(lossSum / n), accuracy: Float(Double(correct) / n),
                          meanConfidence: Float(confidence / n), predictions: predictions)
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
