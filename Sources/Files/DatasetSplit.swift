/// The two halves of a data set as published, the training set and the held-out test set: what a
/// file's `split` attribute names when its examples come from one of them.
public enum DatasetSplit: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// The training set (`train-*` files).
    case train
    /// The test set (`t10k-*` files).
    case test

    /// "train" or "test".
    public var description: String { rawValue }
}
