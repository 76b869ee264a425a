import Engine
import Files

/// The images a recording runs over, with where they come from.
public struct RecordingInput {
    /// The model file's path, as given.
    public var modelPath: String
    /// The network.
    public var model: Sequential
    /// The model file's metadata (sha256, seed, architecture).
    public var metadata: ModelMetadata
    /// The images and labels, in recording order.
    public var images: LabeledImages
    /// The recorded split.
    public var split: RecordedSplit
    /// Each image's row in the split (`all`: train rows, then 60,000 + test rows).
    public var indices: [Int]
    /// The data set's name.
    public var dataset: String
    /// The sha256 of the split's images content ("train+test" pairs joined by "+" for `all`).
    public var datasetSHA256: String

    /// Everything a recording needs.
    public init(
        modelPath: String, model: Sequential, metadata: ModelMetadata, images: LabeledImages,
        split: RecordedSplit, indices: [Int], dataset: String, datasetSHA256: String
    ) {
        self.modelPath = modelPath
        self.model = model
        self.metadata = metadata
        self.images = images
        self.split = split
        self.indices = indices
        self.dataset = dataset
        self.datasetSHA256 = datasetSHA256
    }

    /// A recording of `source`'s images, every one at its row of the split, by the model at `modelPath`.
    public init(modelPath: String, model: Sequential, metadata: ModelMetadata, source: RecordedImages, split: RecordedSplit, dataset: String) {
        self.init(
            modelPath: modelPath, model: model, metadata: metadata, images: source.images, split: split, indices: Array(0..<source.images.count),
            dataset: dataset, datasetSHA256: source.datasetSHA256)
    }
}
