/// A new model, from its architecture to the contents of its model file, as `probe train` makes
/// one: built from the seed, pre-trained as an autoencoder where the architecture has a decoder
/// (Szegedy et al.'s AE400-10), trained by `trainer` (plain or adversarial), and measured on its
/// training examples and the test split, the errors of Szegedy's Table 1.
public struct ModelTraining {
    /// The architecture's spec as given (`fc100-100-10`), recorded in the model file.
    public var spec: String
    /// The architecture.
    public var architecture: Architecture
    /// Linear pieces per maxout unit, recorded in the model file.
    public var maxoutPieces: Int
    /// The trainer: its configuration and objective.
    public var trainer: Trainer

    /// Training of `architecture` (given as `spec`) by `trainer`.
    public init(spec: String, architecture: Architecture, maxoutPieces: Int, trainer: Trainer) {
        self.spec = spec
        self.architecture = architecture
        self.maxoutPieces = maxoutPieces
        self.trainer = trainer
    }

    /// Builds, trains and measures a model on `data`; every random choice comes from the trainer's seed.
    /// - Parameters:
    ///   - progress: called during every epoch.
    ///   - epochEnded: called after every epoch, pre-training first.
    /// - Throws: `SettingProblem` when the architecture predicts another number of classes than
    ///   the data set has; what `Trainer` throws.
    public func run(
        on data: TrainingData, progress: (TrainingProgress) -> Void = { _ in }, epochEnded: (EpochSummary) -> Void = { _ in }
    ) throws -> TrainedModel {
        guard architecture.classCount == data.classNames.count else {
            throw SettingProblem(
                "architecture", spec, "predicts \(architecture.classCount) classes, \(data.dataset) has \(data.classNames.count)")
        }
        let configuration = trainer.configuration
        var generator = SeededGenerator(seed: configuration.seed)
        let model = try architecture.build(inputShape: data.inputShape, generator: &generator)
        var history: [EpochSummary] = []
        if let decoder = try architecture.decoder(inputShape: data.inputShape, generator: &generator) {
            history += try trainer.pretrainAutoencoder(
                model, decoder: decoder, images: data.training.images, generator: &generator, progress: progress, epochEnded: epochEnded)
        }
        history += try trainer.train(
            model, images: data.training.images, labels: data.training.labels,
            validation: data.validation.map { ($0.images, $0.labels) }, generator: &generator, progress: progress, epochEnded: epochEnded)

        var metadata = ModelMetadata(
            architecture: spec, activation: architecture.hiddenUnits, inputShape: data.inputShape, classNames: data.classNames,
            dataset: data.dataset, training: configuration)
        metadata.maxoutPieces = maxoutPieces
        metadata.datasetSHA256 = data.datasetSHA256
        metadata.trainSubset = data.subset
        metadata.validationCount = data.validation?.labels.count ?? 0
        metadata.trainError = Double(Trainer.evaluate(model, images: data.training.images, labels: data.training.labels).error)
        let test = Trainer.evaluate(model, images: data.test.images, labels: data.test.labels)
        metadata.testError = Double(test.error)
        metadata.history = history
        return TrainedModel(model: model, metadata: metadata, test: test)
    }
}

/// A model trained by `ModelTraining`: the network, what its model file records, and how it does on the test split.
public struct TrainedModel {
    /// The trained network.
    public var model: Sequential
    /// Its model file's metadata: architecture, data, training settings, errors and history.
    public var metadata: ModelMetadata
    /// Its evaluation on the test split.
    public var test: Evaluation

    /// What `probe train` prints once the model is written to `path`.
    public func summary(file path: String) -> TrainingSummary {
        TrainingSummary(
            model: path, architecture: metadata.architecture, dataset: metadata.dataset, seed: metadata.training.seed,
            parameters: model.parameterCount, trainError: metadata.trainError, testError: metadata.testError,
            testAccuracy: Double(test.accuracy), epochs: metadata.history)
    }
}
