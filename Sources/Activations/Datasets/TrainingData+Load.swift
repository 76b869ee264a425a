import Engine
import Files

extension TrainingData {
    /// The training split of `dataset`, cut to `subset` with its last `validation` examples held
    /// out, and its test split.
    /// - Throws: `DatasetError` when a split is missing or fails its checks; `SettingProblem` when
    ///   the held-out examples leave none to train on.
    public static func load(
        _ dataset: String, subset: TrainingSubset = .all, validation: Int = 0, search: DataSearchPaths = DataSearchPaths(),
        registry: DatasetRegistry = .standard
    ) throws -> TrainingData {
        let train = try registry.load(dataset, split: .train, search: search)
        let test = try registry.load(dataset, split: .test, search: search)
        let rows = Array(subset.indices(count: train.count))
        guard validation >= 0, validation < rows.count else {
            throw SettingProblem(
                "validation", "\(validation)", "leaves no training examples (the \(subset.rawValue) subset has \(rows.count))")
        }
        func tensor(_ set: LabeledImages) -> LabeledTensor { LabeledTensor(images: set.images, labels: set.labels) }
        return TrainingData(
            dataset: dataset,
            datasetSHA256: try train.contentSHA256 ?? registry.descriptor(named: dataset).file(.train, .images)?.contentSHA256 ?? "",
            classNames: train.classNames, inputShape: train.imageShape, subset: subset,
            training: tensor(train.subset(Array(rows.dropLast(validation)))),
            validation: validation > 0 ? tensor(train.subset(Array(rows.suffix(validation)))) : nil, test: tensor(test))
    }
}
