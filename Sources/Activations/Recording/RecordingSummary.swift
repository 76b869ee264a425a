/// What a finished recording wrote: what `probe record` prints and a report reads.
public struct RecordingSummary: Codable, Sendable, Equatable {
    /// The activation file.
    public var file: String
    /// Rows recorded.
    public var rows: Int
    /// The layers recorded.
    public var layers: [String]
    /// Wall time of the recording.
    public var seconds: Double
    /// The file's size.
    public var bytes: Int
    /// File bytes per second of recording, in MB/s (0 for an instant one).
    public var megabytesPerSecond: Double

    /// The summary of a recording of `rows` rows of `layers` into `file` (`bytes` large) in `seconds`.
    public init(file: String, rows: Int, layers: [String], seconds: Double, bytes: Int) {
        self.file = file
        self.rows = rows
        self.layers = layers
        self.seconds = seconds
        self.bytes = bytes
        megabytesPerSecond = seconds > 0 ? Double(bytes) / 1e6 / seconds : 0
    }

    private enum CodingKeys: String, CodingKey { case file, rows, layers, seconds, bytes, megabytesPerSecond = "megabytes_per_second" }
}

/// What `probe merge` joined: the merged file, its rows, the shards and the layers.
public struct MergeSummary: Codable, Sendable, Equatable {
    /// The merged activation file.
    public var file: String
    /// Its rows.
    public var rows: Int
    /// Shards joined.
    public var shards: Int
    /// Its layers.
    public var layers: [String]

    /// The summary of a merge of `shards` shards into `file`.
    public init(file: String, rows: Int, shards: Int, layers: [String]) {
        self.file = file
        self.rows = rows
        self.shards = shards
        self.layers = layers
    }
}
