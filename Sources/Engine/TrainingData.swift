/// Labelled examples as a tensor of images and their labels.
public struct LabeledTensor: Sendable {
    /// The images, (N, …).
    public var images: Tensor
    /// One label per image.
    public var labels: [Int]

    /// `images` labelled `labels`.
    public init(images: Tensor, labels: [Int]) {
        self.images = images
        self.labels = labels
    }
}

/// The examples a new model is trained on, held out from and tested on, with the data set they
/// come from as its model file records it.
public struct TrainingData: Sendable {
    /// The data set's name.
    public var dataset: String
    /// The sha256 of its training images' content.
    public var datasetSHA256: String
    /// Its class names, in label order.
    public var classNames: [String]
    /// The shape of one image, (C, H, W).
    public var inputShape: [Int]
    /// Which part of the training split is trained on (all, or one of Szegedy's halves P1 and P2).
    public var subset: TrainingSubset
    /// The examples trained on.
    public var training: LabeledTensor
    /// The examples held out from the end of the subset, reported each epoch; nil for none.
    public var validation: LabeledTensor?
    /// The test split.
    public var test: LabeledTensor

    /// The data of a training run.
    public init(
        dataset: String, datasetSHA256: String, classNames: [String], inputShape: [Int], subset: TrainingSubset, training: LabeledTensor,
        validation: LabeledTensor?, test: LabeledTensor
    ) {
        self.dataset = dataset
        self.datasetSHA256 = datasetSHA256
        self.classNames = classNames
        self.inputShape = inputShape
        self.subset = subset
        self.training = training
        self.validation = validation
        self.test = test
    }
}
