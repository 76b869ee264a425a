extension Compression {
    /// The text form files record in their `compression` attribute and `--compression` takes:
    /// `none`, `gzip:LEVEL`, `shuffle+gzip:LEVEL`.
    public var text: String {
        switch self {
        case .none: return "none"
        case .gzip(let level): return "gzip:\(level)"
        case .shuffleGzip(let level): return "shuffle+gzip:\(level)"
        }
    }

    /// Parses the text form (bare `gzip` is level 4, h5py's default); nil for anything else,
    /// including a level outside 0-9.
    public init?(text: String) {
        if text == "none" { self = .none; return }
        if text == "gzip" { self = .gzip(level: 4); return }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let level = Int(parts[1]), (0...9).contains(level) else { return nil }
        switch parts[0] {
        case "gzip": self = .gzip(level: level)
        case "shuffle+gzip": self = .shuffleGzip(level: level)
        default: return nil
        }
    }
}
