/// Which split a recording covers: `all` is the training split followed by the test split.
public enum RecordedSplit: String, CaseIterable, Sendable {
    case test, train, all
}
