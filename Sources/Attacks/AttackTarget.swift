import Engine

/// What an attack aims for: any wrong class (untargeted), or a given target class per example.
public enum AttackTarget: Equatable, Sendable, CustomStringConvertible {
    /// Any class but the true one (maximise J(θ, x, y)).
    case none
    /// The next class, (y + 1) mod classes.
    case next
    /// A class drawn uniformly from the others, with the run's seed.
    case random
    /// This class for every example.
    case label(Int)

    /// Parses `none`, `next`, `random` or a class index.
    /// - Throws: `AttackError.invalidSetting` saying what is accepted.
    public init(parsing text: String) throws {
        switch text {
        case "none": self = .none
        case "next": self = .next
        case "random": self = .random
        default:
            guard let label = Int(text), label >= 0 else {
                throw SettingProblem("target", text, "is not none, next, random or a class index")
            }
            self = .label(label)
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .next: return "next"
        case .random: return "random"
        case .label(let l): return "\(l)"
        }
    }

    /// The examples an attack towards this target can run on, and the rows of those it cannot: a
    /// fixed class is no target for the examples already of that class, which are left out (and
    /// recorded as skipped); every other target takes every example.
    public func attackable(_ examples: AttackExamples) -> (examples: AttackExamples, skipped: [Int]?) {
        guard case .label(let target) = self else { return (examples, nil) }
        let kept = examples.labels.indices.filter { examples.labels[$0] != target }
        let skipped = examples.labels.indices.filter { examples.labels[$0] == target }.map { examples.indices[$0] }
        return (examples.subset(kept), skipped)
    }

    /// The target class of each example, or nil for untargeted attacks. A random target is drawn
    /// from the stream of the example's row (`indices`), so that it is the same in any shard or batch.
    /// - Throws: `AttackError.invalidSetting` when a fixed label is outside the classes or equals an example's true label.
    public func targets(for labels: [Int], indices: [Int], classes: Int, seed: UInt64) throws -> [Int]? {
        switch self {
        case .none: return nil
        case .next: return labels.map { ($0 + 1) % classes }
        case .random:
            return zip(labels, indices).map { y, index in
                var generator = SeededGenerator(seed: seed, stream: UInt64(index))
                let draw = Int(generator.next() % UInt64(classes - 1))
                return draw >= y ? draw + 1 : draw
            }
        case .label(let target):
            guard target < classes else {
                throw SettingProblem("target", "\(target)", "is not a class: the model has classes 0…\(classes - 1)")
            }
            if let index = labels.firstIndex(of: target) {
                throw SettingProblem(
                    "target", "\(target)", "is the true label of example \(index); a targeted attack needs another class (next or random)")
            }
            return labels.map { _ in target }
        }
    }
}

/// Errors of the stability probes.
public enum AttackError: Error, CustomStringConvertible, Equatable {
    /// A setting that cannot work.
    case invalidSetting(String)
    /// A file that is not what the command needs.
    case invalidFile(String)
    /// An attack file covers rows of its split beyond the `loaded` examples given.
    case rowsNotLoaded(file: String, loaded: Int)

    public var description: String {
        switch self {
        case .invalidSetting(let m), .invalidFile(let m): return m
        case .rowsNotLoaded(let file, let loaded): return "\(file) covers rows beyond the \(loaded) images loaded"
        }
    }
}
