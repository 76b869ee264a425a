import Foundation

/// Trains a classifier with minibatch gradient descent; the same engine as every other command.
public struct Trainer {
    /// The run's settings.
    public let configuration: TrainingConfiguration
    /// What each step minimises.
    public let objective: TrainingObjective

    /// A trainer for `configuration` that minimises `objective` (the batch's cross-entropy unless told
    /// otherwise; `AdversarialTraining.trainer(configuration:)` builds one for adversarial training).
    public init(configuration: TrainingConfiguration, objective: TrainingObjective = CrossEntropyObjective()) {
        self.configuration = configuration
        self.objective = objective
    }

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
    /// - Throws: `TrainingError.diverged` when the loss becomes NaN or infinite;
    ///   `TrainingError.invalidSetting` when the configuration asks for adversarial training and the
    ///   objective is the plain one.
    public func train(
        _ model: Sequential, images: Tensor, labels: [Int], validation: (images: Tensor, labels: [Int])? = nil,
        generator: inout SeededGenerator, progress: (TrainingProgress) -> Void = { _ in },
        epochEnded: (EpochSummary) -> Void = { _ in }
    ) throws -> [EpochSummary] {
        try configuration.validate()
        try configuration.weightDecay.check(against: model)
        if configuration.adversarialEpsilon != nil, objective is CrossEntropyObjective {
            throw TrainingError.invalidSetting(
                "the configuration asks for adversarial training but the objective is plain cross-entropy; build the trainer with AdversarialTraining.trainer(configuration:)"
            )
        }
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
                let step = objective.gradients(model, images: x, labels: y, generator: &generator)
                let loss = step.loss
                var gradients = step.parameters
                addWeightDecay(model, &gradients)
                optimizer.update(parameters, gradients: gradients.flatMap { $0 })
                let batchLoss = loss.losses.reduce(0.0) { $0 + Double($1) }
                guard batchLoss.isFinite else {
                    throw TrainingError.diverged(
                        "training diverged in epoch \(epoch): the loss became \(batchLoss); lower the learning rate (now \(configuration.effectiveLearningRate))"
                    )
                }
                lossSum += batchLoss
                correct += zip(Softmax.argmax(loss.probabilities), y).filter { $0 == $1 }.count
                seen += batch.count
                first += batch.count
                progress(
                    TrainingProgress(
                        phase: "train", epoch: epoch, epochs: configuration.epochs, examplesDone: seen,
                        examplesTotal: order.count, loss: Float(lossSum / Double(seen)), accuracy: Float(correct) / Float(seen)))
            }
            var summary = EpochSummary(
                epoch: epoch, phase: "train", loss: Float(lossSum / Double(seen)),
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
                    throw TrainingError.diverged("autoencoder pre-training diverged in epoch \(epoch); lower the learning rate")
                }
                lossSum += Double(loss.loss) * Double(batch.count)
                seen += batch.count
                first += batch.count
                progress(
                    TrainingProgress(
                        phase: "pretrain", epoch: epoch, epochs: configuration.pretrainEpochs, examplesDone: seen,
                        examplesTotal: order.count, loss: Float(lossSum / Double(seen)), accuracy: nil))
            }
            summaries.append(
                EpochSummary(
                    epoch: epoch, phase: "pretrain", loss: Float(lossSum / Double(seen)), accuracy: nil,
                    seconds: Date().timeIntervalSince(start)))
            epochEnded(summaries.last!)
        }
        for layer in encoder { for parameter in layer.parameters { parameter.trainable = false } }
        return summaries
    }

    /// Loss, accuracy, mean confidence and predictions of `model` on a labelled set (inference mode).
    public static func evaluate(
        _ model: Sequential, images: Tensor, labels: [Int], batchSize: Int = 1000, keepLogits: Bool = false, keepInputGradients: Bool = false
    ) -> Evaluation {
        var lossSum = 0.0, confidence = 0.0, correct = 0
        var predictions: [Int] = []
        var logitRows: [[Float]] = [], gradientRows: [[Float]] = []
        predictions.reserveCapacity(labels.count)
        var first = 0
        while first < labels.count {
            let end = min(first + batchSize, labels.count)
            let batch = images.rows(first..<end), batchLabels = Array(labels[first..<end])
            let logits = model.forward(batch).output
            let result = SoftmaxCrossEntropy.evaluate(logits: logits, labels: batchLabels)
            let predicted = Softmax.argmax(result.probabilities)
            for (i, p) in predicted.enumerated() {
                confidence += Double(result.probabilities.scalars[i * result.probabilities.rowSize + p])
                if p == labels[first + i] { correct += 1 }
            }
            lossSum += result.losses.reduce(0.0) { $0 + Double($1) }
            predictions += predicted
            if keepLogits { logitRows += (0..<(end - first)).map { Array(logits.scalars[($0 * logits.rowSize)..<(($0 + 1) * logits.rowSize)]) } }
            if keepInputGradients {
                let gradient = model.inputGradient(batch, labels: batchLabels).gradient
                gradientRows += (0..<(end - first)).map { Array(gradient.scalars[($0 * gradient.rowSize)..<(($0 + 1) * gradient.rowSize)]) }
            }
            first = end
        }
        let n = Double(max(labels.count, 1))
        return Evaluation(
            count: labels.count, loss: Float(lossSum / n), accuracy: Float(Double(correct) / n),
            meanConfidence: Float(confidence / n), predictions: predictions,
            logits: keepLogits ? logitRows : nil, inputGradients: keepInputGradients ? gradientRows : nil)
    }
}
