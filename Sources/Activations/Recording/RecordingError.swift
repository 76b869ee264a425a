/// Errors of recording, reading and merging activation files.
public enum RecordingError: Error, CustomStringConvertible, Equatable {
    /// A setting that cannot work.
    case invalidSetting(String)
    /// A file that is not what the command needs.
    case invalidFile(String)
    /// A partial file of an interrupted recording is in the way; it can be resumed or deleted.
    case partialRecordingExists(partial: String)
    /// The partial file of the target is being written by another process right now.
    case partialInUse(partial: String)
    /// The run was interrupted after `done` of `total` rows; the partial file keeps the first `kept`
    /// and can be resumed.
    case interrupted(done: Int, total: Int, partial: String, kept: Int)

    public var description: String {
        switch self {
        case .invalidSetting(let m), .invalidFile(let m): return m
        case .partialRecordingExists(let partial):
            return "\(partial) holds an interrupted recording; resume it to continue, or delete it to start over"
        case .partialInUse(let partial):
            return "\(partial) is being written by another process right now; wait for that recording to finish, or record to another file"
        case .interrupted(let done, let total, let partial, let kept):
            return "interrupted after \(done) of \(total) rows; \(partial) keeps the first \(kept): resume the same recording to finish"
        }
    }
}
