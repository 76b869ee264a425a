import Engine

/// The fast gradient sign method of Goodfellow et al. (2015, eq. 3),
/// ```
/// x′ = clip(x + ε · sign(∇ₓ J(θ, x, y)), 0, 1)        untargeted
/// x′ = clip(x − ε · sign(∇ₓ J(θ, x, t)), 0, 1)        towards target t
/// ```
/// and, with `steps > 1`, its iterative form (the basic iterative method of Kurakin et al. 2017,
/// PGD of Madry et al. 2018 with `randomStart`): steps of size α, each followed by projection onto
/// the L∞ ball of radius ε around x and onto [0, 1].
public struct FastGradientSign: Sendable {
    /// The L∞ radius ε.
    public var epsilon: Float
    /// Gradient steps (1: FGSM).
    public var steps: Int
    /// The size α of each step (ε for one step).
    public var stepSize: Float
    /// Start from a uniform random point of the ε-ball (PGD).
    public var randomStart: Bool

    /// An attack of radius `epsilon`; one step of size ε unless told otherwise.
    /// - Throws: `AttackError.invalidSetting` for ε outside [0, 1], steps < 1 or a step size ≤ 0.
    public init(epsilon: Float, steps: Int = 1, stepSize: Float? = nil, randomStart: Bool = false) throws {
        guard epsilon >= 0, epsilon <= 1, epsilon.isFinite else {
            throw SettingProblem("epsilon", "\(epsilon)", "is outside [0, 1]: pixels lie in [0, 1], so larger perturbations mean nothing")
        }
        guard steps >= 1 else { throw SettingProblem("steps", "must be at least 1") }
        let alpha = stepSize ?? (steps == 1 ? epsilon : 2.5 * epsilon / Float(steps))
        guard alpha > 0 || epsilon == 0, alpha.isFinite else { throw SettingProblem("step size", "must be positive") }
        self.epsilon = epsilon
        self.steps = steps
        self.stepSize = alpha
        self.randomStart = randomStart
    }

    /// The adversarial images for a batch, and the examples whose gradient was not finite (left unchanged).
    /// - Parameters:
    ///   - targets: per-example target classes, or nil for the untargeted attack.
    public func perturb(
        model: Sequential, images: Tensor, labels: [Int], targets: [Int]?,
        generator: inout SeededGenerator
    ) -> (adversarial: Tensor, failed: [Int]) {
        var streams = (0..<images.batchSize).map { _ in generator.fork() }
        return perturb(model: model, images: images, labels: labels, targets: targets, streams: &streams)
    }

    /// The adversarial images for a batch, each example's random start (if any) drawn from its own stream.
    func perturb(
        model: Sequential, images: Tensor, labels: [Int], targets: [Int]?, streams: inout [SeededGenerator]
    ) -> (adversarial: Tensor, failed: [Int]) {
        let eps = epsilon
        var x = images
        if randomStart {
            let m = images.rowSize
            x.scalars.withUnsafeMutableBufferPointer { v in
                for i in 0..<v.count { v[i] = PixelBox.clip(v[i] + eps * (2 * streams[i / m].nextUniform() - 1)) }
            }
        }
        let direction: Float = targets == nil ? 1 : -1
        let goal = targets ?? labels
        var failed = Set<Int>()
        for _ in 0..<steps {
            let gradient = model.inputGradient(x, labels: goal).gradient
            FastGradientSign.step(&x, clean: images, gradient: gradient, stepSize: direction * stepSize, epsilon: eps, failed: &failed)
        }
        return (x, failed.sorted())
    }

    /// The attack over every example, `batchSize` at a time, judged: one run of an attack file.
    /// - Parameter progress: called with the examples done so far.
    public func run(
        model: Sequential, examples: AttackExamples, targets: [Int]?, batchSize: Int, seed: UInt64,
        progress: (Int) -> Void = { _ in }
    ) -> AttackRun {
        var adversarial: [Float] = []
        adversarial.reserveCapacity(examples.images.scalars.count)
        var failed: [Int] = []
        for batch in Batches.ranges(count: examples.count, size: batchSize) {
            // NOTE: each example's random start comes from the stream of its row: the same in any shard or batch.
            var streams = examples.indices[batch].map { SeededGenerator(seed: seed, stream: UInt64($0)) }
            let result = perturb(
                model: model, images: examples.images.rows(batch), labels: Array(examples.labels[batch]),
                targets: targets.map { Array($0[batch]) }, streams: &streams)
            adversarial += result.adversarial.scalars
            failed += result.failed.map { $0 + batch.lowerBound }
            progress(batch.upperBound)
        }
        let outcome = AdversarialJudge.judge(
            model: model, clean: examples.images, adversarial: Tensor(shape: examples.images.shape, scalars: adversarial),
            labels: examples.labels, targets: targets)
        return AttackRun(epsilon: epsilon, outcome: outcome, failed: failed)
    }

    /// One step of the method (eq. 3) for every example of a batch: `x + stepSize · sign(gradient)`,
    /// projected onto the L∞ ball of radius `epsilon` around `clean` and onto [0, 1]. Examples whose
    /// gradient is not finite go back to `clean` and join `failed`; those already in it are left alone.
    /// A negative `stepSize` steps towards a target. Adversarial training takes the same step.
    public static func step(_ x: inout Tensor, clean: Tensor, gradient: Tensor, stepSize: Float, epsilon: Float, failed: inout Set<Int>) {
        let m = clean.rowSize
        x.scalars.withUnsafeMutableBufferPointer { v in
            clean.scalars.withUnsafeBufferPointer { clean in
                gradient.scalars.withUnsafeBufferPointer { g in
                    for example in 0..<(m == 0 ? 0 : clean.count / m) where !failed.contains(example) {
                        let range = (example * m)..<((example + 1) * m)
                        if range.contains(where: { !g[$0].isFinite }) {
                            failed.insert(example)
                            for i in range { v[i] = clean[i] }
                            continue
                        }
                        for i in range {
                            // NOTE: sign(0) = 0, as numpy.sign: a pixel with no gradient is left alone.
                            let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
                            v[i] = PixelBox.clip(v[i] + stepSize * s, within: epsilon, of: clean[i])
                        }
                    }
                }
            }
        }
    }
}
