/// The I-th of N contiguous slices of a recording or an attack (`--shard I/N`, I counted from 1), for
/// the tasks of a cluster job array.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// 1-based index of this slice.
    public let index: Int
    /// Number of slices.
    public let count: Int

    /// Parses `I/N` with 1 ≤ I ≤ N.
    /// - Throws: `RecordingError.invalidSetting` saying what is accepted.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw SettingProblem("shard", text, "is not I/N with 1 ≤ I ≤ N (e.g. 2/4)")
        }
        index = i
        count = n
    }

    /// The rows of `total` this slice covers.
    public func rows(of total: Int) -> Range<Int> {
        (total * (index - 1) / count)..<(total * index / count)
    }

    public var description: String { "\(index)/\(count)" }
}
