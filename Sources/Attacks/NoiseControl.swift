import Engine

/// Gaussian noise as the control of Szegedy et al.'s Tables 2 and 4, over a whole set of examples:
/// noise of one standard deviation, or of each example's distortion in an earlier attack (on that
/// attack's examples, one run per run of it). What `probe attack noise` runs.
public struct NoiseControl: DatasetAttack {
    /// How large the noise is.
    public enum Size: Sendable {
        /// σ per pixel.
        case standardDeviation(Float)
        /// The per-example distortions of an attack file's runs, read from `path`.
        case matching(AttackFile.Contents)
    }

    /// How large the noise is.
    public var size: Size

    /// Noise of `size`.
    /// - Throws: `SettingProblem` for a standard deviation that is negative or not finite.
    public init(_ size: Size) throws {
        if case .standardDeviation(let sigma) = size, !(sigma >= 0 && sigma.isFinite) {
            throw SettingProblem("standard deviation", "\(sigma)", "must be a non-negative number")
        }
        self.size = size
    }

    /// noise.
    public var method: String { "noise" }

    /// The standard deviation, or the attack file matched.
    public var parameters: [String: String] {
        switch size {
        case .standardDeviation(let sigma): return ["stddev": "\(sigma)"]
        case .matching(let reference): return ["matches": reference.path]
        }
    }

    /// Adds the noise to every example (to those of the matched attack, taken from `examples` by their rows) and judges it.
    /// - Throws: `AttackError.rowsNotLoaded` when the matched attack covers rows that `examples` does not hold.
    public func run(model: Sequential, examples: AttackExamples, seed: UInt64, progress: (Int, Int) -> Void = { _, _ in }) throws -> AttackResult {
        // Each example's noise comes from the stream of its row (each run's from its own seed): the same in any shard.
        func streams(_ examples: AttackExamples, run: Int) -> [SeededGenerator] {
            var runSeed = SeededGenerator(seed: seed, stream: UInt64(run))
            let base = runSeed.next()
            return examples.indices.map { SeededGenerator(seed: base, stream: UInt64($0)) }
        }
        switch size {
        case .standardDeviation(let sigma):
            let noisy = GaussianNoise.perturb(examples.images, stddev: sigma, streams: streams(examples, run: 0))
            let outcome = AdversarialJudge.judge(model: model, clean: examples.images, adversarial: noisy, labels: examples.labels, targets: nil)
            progress(examples.count, examples.count)
            return AttackResult(
                method: method, parameters: parameters, examples: examples, targets: nil, runs: [AttackRun(epsilon: .nan, outcome: outcome)])
        case .matching(let reference):
            guard reference.indices.allSatisfy({ $0 < examples.count }) else {
                throw AttackError.rowsNotLoaded(file: reference.path, loaded: examples.count)
            }
            let matched = examples.subset(reference.indices)
            var runs: [AttackRun] = []
            for (epsilon, distortion) in zip(reference.epsilons, reference.distortion) {
                let noisy = GaussianNoise.perturb(matched.images, matching: distortion, streams: streams(matched, run: runs.count))
                let outcome = AdversarialJudge.judge(model: model, clean: matched.images, adversarial: noisy, labels: matched.labels, targets: nil)
                runs.append(AttackRun(epsilon: epsilon, outcome: outcome))
                progress(runs.count * matched.count, reference.epsilons.count * matched.count)
            }
            return AttackResult(method: method, parameters: parameters, examples: matched, targets: nil, runs: runs)
        }
    }
}
