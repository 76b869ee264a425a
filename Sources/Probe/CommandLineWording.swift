import Activations
import Attacks
import Engine
import Files

/// The CLI's words for the libraries' errors: the libraries say what is wrong in their terms
/// ("batch size must be at least 1"); the CLI names the flag or the command that fixes it.
enum CommandLineWording {
    /// The flag that gives each setting the libraries name in a `SettingProblem`.
    static let flags: [String: String] = [
        "epochs": "--epochs", "batch size": "--batch-size", "learning rate": "--learning-rate",
        "pre-training epochs": "--pretrain-epochs", "adversarial": "--adversarial", "alpha": "--alpha",
        "activation": "--activation", "epsilon": "--epsilon", "steps": "--steps", "step size": "--step-size",
        "target": "--target", "top k": "--top", "random directions": "--random", "rotations": "--rotations",
        "layers": "--layers", "shard": "--shard", "validation": "--validation", "architecture": "--arch", "weight decay": "--weight-decay",
        "momentum": "--momentum",
    ]

    /// How the CLI gives each source of the data search order.
    static func name(_ source: DataLocation.Source) -> String { source == .dataDirectory ? "--data-dir" : source.rawValue }

    /// The CLI's message for `error`, or nil where the library's own says it all.
    static func message(for error: Error) -> String? {
        switch error {
        case let error as DatasetError:
            return error.described(naming: name)
        case let problem as SettingProblem:
            return problem.described(naming: { flags[$0] ?? $0 })
        case let error as FileFormatError:
            return error.description + (error.hint.map { "; \($0)" } ?? "")
        case TrainingError.diverged(let message):
            return message + " with --learning-rate"
        case RecordingError.partialInUse(let partial):
            return "\(partial) is being written by another probe record right now; wait for it to finish, or choose another --output"
        case RecordingError.partialRecordingExists(let partial):
            return "\(partial) holds an interrupted recording; rerun with --resume to continue it, or delete it to start over"
        case RecordingError.interrupted(let done, let total, let partial, let kept):
            return "interrupted after \(done) of \(total) rows; \(partial) keeps the first \(kept): rerun the same command with --resume to finish"
        case AttackError.rowsNotLoaded:
            return "\(error); pass a larger --limit or the same --split"
        default:
            return nil
        }
    }

    /// Whether `error` is a recording stopped by a signal (its exit status is 128 + the signal).
    static func isInterruption(_ error: RecordingError) -> Bool {
        if case .interrupted = error { return true }
        return false
    }
}

extension FileFormatError {
    /// What to do about a file of the wrong kind, in the CLI's words (the library's message says what is wrong).
    var hint: String? {
        switch self {
        case .newerVersion, .unknownChoice, .damaged: return nil
        case .notNeuronProbe: return "use h5dump or h5ls for other files"
        case .missing, .notHDF5, .otherFormat:
            switch kind {
            case .model: return "train one with `probe train --arch fc100-100-10 -o FILE`"
            case .activations: return "record one with `probe record MODEL -o FILE`"
            case .units: return "make one with `probe units ACTIVATIONS -o FILE`"
            case .attack: return "make one with `probe attack fgsm MODEL -o FILE`"
            case .transfer: return "make one with `probe transfer ATTACKS --models MODELS -o FILE`"
            case .lipschitz: return "make one with `probe lipschitz MODEL -o FILE`"
            case nil: return "probe inspect describes files written by neuron-probe"
            }
        }
    }
}
