/// Errors of recording, reading and merging activation files.
public enum RecordingError: Error, CustomStringConvertible, Equatable {
    /// A setting that cannot work.
    case invalidSetting(String)
    /// A file that is not what the command needs.
    case invalidFile(String)
    /// The run was interrupted; the partial file can be resumed.
    case interrupted(String)

    public var description: String {
        switch self {
        case .invalidSetting(let m), .invalidFile(let m), .interrupted(let m): return m
        }
    }
}
