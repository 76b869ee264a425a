import Engine

extension BoxLBFGS {
    /// lbfgs.
    public var method: String { "lbfgs" }

    /// The target, the search's settings and the objective, as the attack file records them.
    public var parameters: [String: String] {
        [
            "target": target.description, "max_iterations": "\(maxIterations)", "c_search_steps": "\(cSearchSteps)",
            "initial_c": "\(initialC)", "factr": "\(convergenceFactor)", "pgtol": "\(projectedGradientTolerance)",
            "objective": "squared L2 + c * cross-entropy(target)",
        ]
    }

    /// Draws each example's target, then searches every example, `batchSize` at a time, and judges the result.
    /// - Throws: `SettingProblem` for the target `.none` (the search needs a class to reach) or a batch size below 1,
    ///   and what `AttackTarget.targets` refuses.
    public func run(model: Sequential, examples all: AttackExamples, seed: UInt64, progress: (Int, Int) -> Void = { _, _ in }) throws -> AttackResult
    {
        let (examples, skipped) = target.attackable(all)
        guard batchSize >= 1 else { throw SettingProblem("batch size", "\(batchSize)", "must be at least 1") }
        guard let targets = try target.targets(for: examples.labels, indices: examples.indices, classes: model.classCount, seed: seed) else {
            throw SettingProblem("target", "none", "cannot be reached: Szegedy's L-BFGS attack needs a target class (random, next or a class index)")
        }
        let n = examples.count
        var adversarial: [Float] = [], iterations: [Int] = [], cLow: [Double] = [], cHigh: [Double] = [], failed: [Int] = []
        for batch in Batches.ranges(count: n, size: batchSize) {
            let result = attack(
                model: model, images: examples.images.rows(batch), targets: Array(targets[batch]),
                progress: { step, steps in progress(batch.lowerBound + batch.count * step / steps, n) })
            adversarial += result.adversarial.scalars
            iterations += result.iterations
            cLow += result.cLow
            cHigh += result.cHigh
            failed += result.failed.map { $0 + batch.lowerBound }
        }
        let outcome = AdversarialJudge.judge(
            model: model, clean: examples.images, adversarial: Tensor(shape: examples.images.shape, scalars: adversarial),
            labels: examples.labels, targets: targets)
        let run = AttackRun(epsilon: .nan, outcome: outcome, iterations: iterations, cLow: cLow, cHigh: cHigh, failed: failed)
        return AttackResult(method: method, parameters: parameters, examples: examples, targets: targets, runs: [run], skipped: skipped)
    }
}
