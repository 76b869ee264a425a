import Files
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
    /// Each example's logits, when asked for.
    public var logits: [[Float]]?
    /// Each example's input gradient ∂Lᵢ/∂xᵢ of the cross-entropy at its own label (a saliency
    /// map, the gradient FGSM takes the sign of), flattened, when asked for.
    public var inputGradients: [[Float]]?
}

/// A model's evaluation on a data set split, with what it was evaluated on: what `probe eval`
/// prints and a report puts in Table 1.
public struct ModelEvaluation: Sendable, Encodable {
    /// The model file.
    public var model: String
    /// Its sha256.
    public var modelSHA256: String
    /// Its architecture.
    public var architecture: String
    /// The data set.
    public var dataset: String
    /// The split (train or test).
    public var split: DatasetSplit
    /// The figures.
    public var evaluation: Evaluation
    /// Whether the per-example predictions are part of the result.
    public var includesPredictions: Bool

    /// The evaluation of the model at `model` (described by `metadata`) on `split` of `dataset`.
    public init(model: String, metadata: ModelMetadata, dataset: String, split: DatasetSplit, evaluation: Evaluation, includesPredictions: Bool) {
        self.model = model
        modelSHA256 = metadata.sha256
        architecture = metadata.architecture
        self.dataset = dataset
        self.split = split
        self.evaluation = evaluation
        self.includesPredictions = includesPredictions
    }

    private enum CodingKeys: String, CodingKey {
        case model, modelSHA256 = "model_sha256", architecture, dataset, split, count, error, accuracy
        case meanConfidence = "mean_confidence", loss, predictions, logits, inputGradients = "input_gradients"
    }

    /// The figures at the top level, as `probe eval --json` writes them; predictions only when asked for.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(modelSHA256, forKey: .modelSHA256)
        try container.encode(architecture, forKey: .architecture)
        try container.encode(dataset, forKey: .dataset)
        try container.encode(split, forKey: .split)
        try container.encode(evaluation.count, forKey: .count)
        // NOTE: Float32 values are written as Float32, so JSON holds the shortest decimal that reads back as the stored value.
        try container.encode(evaluation.error, forKey: .error)
        try container.encode(evaluation.accuracy, forKey: .accuracy)
        try container.encode(evaluation.meanConfidence, forKey: .meanConfidence)
        try container.encode(evaluation.loss, forKey: .loss)
        if includesPredictions { try container.encode(evaluation.predictions, forKey: .predictions) }
        try container.encodeIfPresent(evaluation.logits, forKey: .logits)
        try container.encodeIfPresent(evaluation.inputGradients, forKey: .inputGradients)
    }
}
