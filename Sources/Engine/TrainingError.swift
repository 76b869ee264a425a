import Foundation

/// Errors of a training run.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A setting that cannot work.
    case invalidSetting(String)
    /// The loss became NaN or infinite.
    case diverged(String)

    public var description: String {
        switch self {
        case .invalidSetting(let m), .diverged(let m): return m
        }
    }
}
