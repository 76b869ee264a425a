/// The consecutive ranges of `size` items (the last one shorter) that cover `0..<count`: how a
/// data set is walked in batches.
public enum Batches {
    /// `0..<size`, `size..<2·size`, …, ending at `count`; none for `count` 0.
    /// - Precondition: `size` ≥ 1.
    public static func ranges(count: Int, size: Int) -> [Range<Int>] {
        precondition(size >= 1, "Batches: size \(size)")
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }
}
