/// Which examples a recording covers: one split, or `all`, the training split followed by the test
/// split (row i of `all` is training row i for i below the training set's size).
public enum RecordedSplit: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case test, train, all

    /// The recording of one split.
    public init(_ split: DatasetSplit) {
        switch split {
        case .train: self = .train
        case .test: self = .test
        }
    }

    /// The data-set splits it covers, in the order of its rows.
    public var parts: [DatasetSplit] {
        switch self {
        case .test: return [.test]
        case .train: return [.train]
        case .all: return [.train, .test]
        }
    }

    /// "test", "train" or "all".
    public var description: String { rawValue }
}
