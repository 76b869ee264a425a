import Files

/// What one attack run achieved over its examples, derived from its per-example outcome (the raw
/// results stay in the attack file): the figures `probe attack` prints and a report reads.
public struct AttackRunSummary: Codable, Sendable, Equatable {
    /// The L∞ radius of an FGSM-family run; nil for L-BFGS and noise.
    @NullWhenAbsent public var epsilon: Float?
    /// The fraction of examples that reached their goal.
    public var successRate: Double
    /// The fraction of adversarial examples the model misclassifies.
    public var errorRate: Double
    /// The fraction of clean examples it misclassifies.
    public var cleanErrorRate: Double
    /// The mean of Szegedy's distortion over every example; nil when not finite.
    @NullWhenAbsent public var meanDistortion: Double?
    /// The mean distortion of the successful examples; nil when there are none.
    @NullWhenAbsent public var meanDistortionSuccessful: Double?
    /// The mean probability the model gives its prediction on the adversarial examples.
    public var meanConfidence: Double
    /// Examples whose gradient was not finite (left unchanged).
    public var failed: Int

    /// The summary of `run` over examples with true labels `labels`.
    public init(_ run: AttackRun, labels: [Int]) {
        let outcome = run.outcome
        let n = Double(max(outcome.success.count, 1))
        let successful = zip(outcome.distortion, outcome.success).filter { $0.1 }.map { Double($0.0) }
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        epsilon = run.epsilon.isFinite ? run.epsilon : nil
        successRate = Double(outcome.success.filter { $0 }.count) / n
        errorRate = Double(zip(outcome.predictedAdversarial, labels).filter { $0 != $1 }.count) / n
        cleanErrorRate = Double(zip(outcome.predictedClean, labels).filter { $0 != $1 }.count) / n
        meanDistortion = finite(outcome.distortion.reduce(0.0) { $0 + Double($1) } / n)
        meanDistortionSuccessful = successful.isEmpty ? nil : finite(successful.reduce(0, +) / Double(successful.count))
        meanConfidence = outcome.confidence.reduce(0.0) { $0 + Double($1) } / n
        failed = run.failed.count
    }

    private enum CodingKeys: String, CodingKey {
        case epsilon, successRate = "success_rate", errorRate = "error_rate", cleanErrorRate = "clean_error_rate",
            meanDistortion = "mean_distortion", meanDistortionSuccessful = "mean_distortion_successful",
            meanConfidence = "mean_confidence", failed
    }
}

/// The summary of an attack file's runs: what `probe attack --json` prints.
public struct AttackSummary: Codable, Sendable, Equatable {
    /// The attack file written.
    public var file: String
    /// fgsm, lbfgs or noise.
    public var method: String
    /// Examples attacked.
    public var examples: Int
    /// Examples left out because their label is the fixed target class.
    public var skipped: Int
    /// One summary per run (per ε for FGSM).
    public var runs: [AttackRunSummary]

    /// The summary of `runs` of `method` over examples labelled `labels`, written to `file`, with `skipped` left out.
    public init(file: String, method: String, runs: [AttackRun], labels: [Int], skipped: Int = 0) {
        self.file = file
        self.method = method
        examples = runs.first?.outcome.success.count ?? 0
        self.skipped = skipped
        self.runs = runs.map { AttackRunSummary($0, labels: labels) }
    }
}
