import Engine

/// What an attack over a set of examples produced: its runs (one per ε for the FGSM family, one
/// for L-BFGS and noise), the examples and targets, and the method's name and settings as the
/// attack file records them. `AttackFile.write` stores it; `summary(file:)` is what `probe attack` prints.
public struct AttackResult: Sendable {
    /// fgsm, bim, pgd, lbfgs or noise.
    public var method: String
    /// The method's settings, name → value (each becomes a root attribute of the attack file).
    public var parameters: [String: String]
    /// The clean examples attacked.
    public var examples: AttackExamples
    /// Each example's target class, or nil for an untargeted attack.
    public var targets: [Int]?
    /// The runs, each over every example.
    public var runs: [AttackRun]
    /// The rows of the examples left out because their label is the fixed target class; nil when
    /// the target leaves none out by design (untargeted, next, random).
    public var skipped: [Int]?

    /// A result of `method` with `parameters`.
    public init(
        method: String, parameters: [String: String], examples: AttackExamples, targets: [Int]?, runs: [AttackRun], skipped: [Int]? = nil
    ) {
        self.method = method
        self.parameters = parameters
        self.examples = examples
        self.targets = targets
        self.runs = runs
        self.skipped = skipped
    }

    /// The figures of every run, as written to `file`.
    public func summary(file: String) -> AttackSummary {
        AttackSummary(file: file, method: method, runs: runs, labels: examples.labels, skipped: skipped?.count ?? 0)
    }
}

/// An attack over a whole set of examples, in batches, with the settings its attack file records:
/// the seam `probe attack` drives (FGSM at several ε, Szegedy's L-BFGS, the noise control), and
/// one a Swift caller can implement for an attack of its own.
public protocol DatasetAttack: Sendable {
    /// The method's name (`method` of the attack file).
    var method: String { get }
    /// The method's settings as the attack file records them.
    var parameters: [String: String] { get }
    /// Attacks every example of `examples` on `model`; every random choice (targets, starts, noise) comes from `seed`.
    /// - Parameter progress: called with (work done, work in all), in examples.
    func run(model: Sequential, examples: AttackExamples, seed: UInt64, progress: (Int, Int) -> Void) throws -> AttackResult
}
