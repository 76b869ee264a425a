import Engine

/// FGSM (or its iterative forms, BIM and PGD) at each of several radii ε over the same examples:
/// Goodfellow et al.'s error against ε (2015, §6), one run of the attack file per radius. What
/// `probe attack fgsm` runs.
public struct EpsilonSweep: DatasetAttack {
    /// The attack at each radius, in order.
    public let attacks: [FastGradientSign]
    /// What every example aims for.
    public var target: AttackTarget
    /// Images per gradient pass.
    public var batchSize: Int

    /// The sweep over `epsilons` of an attack of `steps` steps (of `stepSize`, by default ε for
    /// one step and 2.5·ε/steps for more), from a random point of the ball with `randomStart`.
    /// - Throws: `SettingProblem` for no radius, a batch size below 1, or what `FastGradientSign` refuses.
    public init(
        epsilons: [Float], steps: Int = 1, stepSize: Float? = nil, randomStart: Bool = false, target: AttackTarget = .none,
        batchSize: Int = 500
    ) throws {
        guard !epsilons.isEmpty else { throw SettingProblem("epsilon", "must give at least one radius") }
        guard batchSize >= 1 else { throw SettingProblem("batch size", "\(batchSize)", "must be at least 1") }
        attacks = try epsilons.map { try FastGradientSign(epsilon: $0, steps: steps, stepSize: stepSize, randomStart: randomStart) }
        self.target = target
        self.batchSize = batchSize
    }

    /// fgsm for one step, pgd with a random start, bim otherwise.
    public var method: String {
        let first = attacks[0]
        return first.steps == 1 ? "fgsm" : (first.randomStart ? "pgd" : "bim")
    }

    /// ε, the target, steps, the step size of each radius and the random start.
    public var parameters: [String: String] {
        [
            "epsilon": attacks.map { "\($0.epsilon)" }.joined(separator: ","), "target": target.description,
            "steps": "\(attacks[0].steps)", "step_size": attacks.map { "\($0.stepSize)" }.joined(separator: ","),
            "random_start": "\(attacks[0].randomStart)",
        ]
    }

    /// Draws the targets, then runs each radius over every example, `batchSize` at a time.
    public func run(model: Sequential, examples all: AttackExamples, seed: UInt64, progress: (Int, Int) -> Void = { _, _ in }) throws -> AttackResult
    {
        let (examples, skipped) = target.attackable(all)
        let targets = try target.targets(for: examples.labels, indices: examples.indices, classes: model.classCount, seed: seed)
        let n = examples.count
        let runs = attacks.enumerated().map { position, attack in
            // Each radius draws its random starts from its own seed, each example from its row's stream.
            var runSeeds = SeededGenerator(seed: seed, stream: UInt64(position))
            return attack.run(model: model, examples: examples, targets: targets, batchSize: batchSize, seed: runSeeds.next()) { done in
                progress(position * n + done, attacks.count * n)
            }
        }
        return AttackResult(method: method, parameters: parameters, examples: examples, targets: targets, runs: runs, skipped: skipped)
    }
}
