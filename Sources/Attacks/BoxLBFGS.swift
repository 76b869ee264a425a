import Dispatch
import Foundation
import Engine

/// Szegedy et al.'s (2014, §4.1) box-constrained L-BFGS attack: for each example x and target t,
/// ```
/// minimise  ‖x′ − x‖₂² + c · J(θ, x′, t)   subject to  x′ ∈ [0, 1]^m
/// ```
/// (Szegedy's c·|r| + loss_f(x + r, l), with c moved onto the loss as Foolbox 2 does), solved by
/// L-BFGS-B 3.0 (`setulb_` of liblbfgsb, the code SciPy's fmin_l_bfgs_b drives), and a search
/// over c for the smallest c whose solution is classified as t: the smallest distortion.
///
/// Every example keeps its own L-BFGS-B state and c. They advance in lockstep: each round the
/// examples that asked for f and g ("FG") are evaluated in one batched forward/backward pass, and
/// the `setulb_` calls of independent examples run on all cores.
public struct BoxLBFGS: DatasetAttack {
    /// What each example aims for over a whole set of examples (`run`): a class, never `.none`.
    public var target = AttackTarget.random
    /// Examples optimised in lockstep by `run`.
    public var batchSize = 250
    /// L-BFGS-B iterations per c.
    public var maxIterations = 100
    /// Values of c tried per example (growing or shrinking by 10 until bracketed, then bisecting).
    public var cSearchSteps = 10
    /// The first c.
    public var initialC = 1.0
    /// Stop bisecting once c_high / c_low < 1 + bracketTolerance.
    public var bracketTolerance = 0.25
    /// L-BFGS-B's history length m.
    public var history = 10
    /// L-BFGS-B's `factr`: a run ends when f falls by less than factr × machine ε (2.2·10⁻¹⁶) relative
    /// to its size in one iteration. SciPy's default is 10⁷; 10¹⁰ (a relative change of 2·10⁻⁶)
    /// ends runs that only polish f in its sixth digit.
    public var convergenceFactor = 1e10
    /// L-BFGS-B's `pgtol`: a run ends when no component of the projected gradient exceeds it.
    /// SciPy's default is 10⁻⁵; 10⁻³ stops where a pixel still moving would move by less than
    /// about 1/2000 (the distance term's gradient is 2r), far below one grey level (1/255).
    public var projectedGradientTolerance = 1e-3

    /// The default search: random targets, 100 iterations, 10 values of c from c = 1, factr 10¹⁰, pgtol 10⁻³.
    public init() {}

    /// What the search found for each example.
    public struct Result: Sendable {
        /// The adversarial image from the smallest successful c, or the last iterate where none succeeded.
        public var adversarial: Tensor
        /// L-BFGS-B iterations spent, over all values of c.
        public var iterations: [Int]
        /// The largest c that failed (0 if none did).
        public var cLow: [Double]
        /// The smallest c that succeeded (∞ if none did).
        public var cHigh: [Double]
        /// Examples whose objective or gradient was not finite (stopped there, reported, the others go on).
        public var failed: [Int]
    }

    /// Attacks a batch towards `targets`.
    ///
    /// Examples do not wait for each other between values of c: each round, the examples that
    /// asked for f and g share one batched forward/backward pass, and those whose run at their
    /// current c has ended one forward pass that classifies their clipped iterates; then each example, on
    /// all cores, takes its answer and runs `setulb_` (or starts its next c) until it needs the
    /// network again. A search is therefore as long as its own runs, not the slowest example's.
    /// - Parameter progress: called with (examples whose search is over, examples in all).
    public func attack(model: Sequential, images: Tensor, targets: [Int], progress: (Int, Int) -> Void = { _, _ in }) -> Result {
        let n = images.batchSize, m = images.rowSize
        let examples = (0..<n).map { i in
            ExampleSearch(clean: images.scalars[(i * m)..<((i + 1) * m)].map(Double.init), target: targets[i], c: initialC, history: history)
        }
        for e in examples { e.start() }
        var active = cSearchSteps > 0 ? examples : []
        var answers: Evaluation?
        while !active.isEmpty {
            DispatchQueue.concurrentPerform(iterations: active.count) { i in
                let e = active[i]
                if let answers, let row = e.evaluationRow {
                    e.evaluationRow = nil
                    if e.needsEvaluation {
                        e.receive(loss: Double(answers.losses[row]), gradient: answers.gradient, row: row)
                    } else {
                        e.conclude(success: answers.predictions[row] == e.target, searchSteps: cSearchSteps, tolerance: bracketTolerance)
                    }
                }
                e.advance(maxIterations: maxIterations, factr: convergenceFactor, pgtol: projectedGradientTolerance)
            }
            let asking = active.filter(\.needsEvaluation), judged = active.filter(\.needsJudgement)
            for (row, e) in asking.enumerated() { e.evaluationRow = row }
            for (row, e) in judged.enumerated() { e.evaluationRow = row }
            answers = asking.isEmpty && judged.isEmpty ? nil : evaluate(asking, judged: judged, model: model, shape: images.shape, m: m)
            active = active.filter { !$0.settled }
            progress(n - active.count, n)
        }
        var adversarial = [Float](repeating: 0, count: n * m)
        for (i, e) in examples.enumerated() {
            let best = e.best ?? e.x
            for j in 0..<m { adversarial[i * m + j] = Float(best[j]) }
        }
        return Result(
            adversarial: Tensor(shape: images.shape, scalars: adversarial), iterations: examples.map(\.iterations),
            cLow: examples.map(\.cLow), cHigh: examples.map(\.cHigh),
            failed: examples.indices.filter { examples[$0].nonFinite })
    }

    /// One round's answers: row k of `losses` and `gradient` for the k-th example that asked for f
    /// and g, row k of `predictions` for the k-th example whose run waits to be judged.
    private struct Evaluation {
        var losses: [Float]
        var gradient: [Float]
        var predictions: [Int]
    }

    /// The target loss and its input gradient at the iterate of every example that asked (one
    /// forward/backward pass), and the predicted class of every example whose run ended, at its
    /// iterate clipped to the box (one forward pass: L-BFGS-B can leave the box by rounding; the
    /// judged image is clipped).
    private func evaluate(_ asking: [ExampleSearch], judged: [ExampleSearch], model: Sequential, shape: [Int], m: Int) -> Evaluation {
        func batch(_ examples: [ExampleSearch], clip: Bool) -> Tensor {
            let scalars = [Float](unsafeUninitializedCapacity: examples.count * m) { batch, initialized in
                DispatchQueue.concurrentPerform(iterations: examples.count) { row in
                    examples[row].x.withUnsafeBufferPointer { x in
                        for j in 0..<m { batch[row * m + j] = clip ? PixelBox.clip(Float(x[j])) : Float(x[j]) }
                    }
                }
                initialized = examples.count * m
            }
            return Tensor(shape: [examples.count] + shape.dropFirst(), scalars: scalars)
        }
        var answers = Evaluation(losses: [], gradient: [], predictions: [])
        if !asking.isEmpty {
            let result = model.inputGradient(batch(asking, clip: false), labels: asking.map(\.target))
            (answers.losses, answers.gradient) = (result.losses, result.gradient.scalars)
        }
        if !judged.isEmpty {
            answers.predictions = Softmax.argmax(model.predict(batch(judged, clip: true), batchSize: judged.count))
        }
        return answers
    }
}

/// One example's c search (Szegedy et al. §4.1) over runs of L-BFGS-B on its objective.
final class ExampleSearch: @unchecked Sendable {
    let clean: [Double]
    let target: Int
    private let optimiser: LBFGSB
    /// The current iterate.
    var x: [Double] {
        get { optimiser.x }
        set { optimiser.x = newValue }
    }
    private(set) var c: Double
    private var iterationsThisRun = 0
    private(set) var iterations = 0
    private(set) var needsEvaluation = false
    private(set) var stopped = true
    /// The run at the current c has ended; its clipped iterate waits to be classified.
    private(set) var needsJudgement = false
    /// Values of c whose runs have been judged.
    private(set) var searchSteps = 0
    private(set) var nonFinite = false
    /// Largest failing and smallest succeeding c so far.
    private(set) var cLow = 0.0
    private(set) var cHigh = Double.infinity
    /// The iterate of the smallest successful c.
    private(set) var best: [Double]?
    private(set) var settled = false

    init(clean: [Double], target: Int, c: Double, history: Int) {
        self.clean = clean
        self.target = target
        self.c = c
        optimiser = LBFGSB(start: clean, history: history)
    }

    /// Starts an L-BFGS-B run at the current c from the current iterate (a warm start).
    func start() {
        optimiser.restart()
        iterationsThisRun = 0
        stopped = false
        needsEvaluation = false
    }

    /// Runs L-BFGS-B until it asks for f and g, or the run ends (and waits to be judged).
    func advance(maxIterations: Int, factr: Double, pgtol: Double) {
        guard !stopped, !needsEvaluation else { return }
        defer { if stopped && !settled { needsJudgement = true } }
        while true {
            switch optimiser.step(factr: factr, pgtol: pgtol) {
            case .evaluation:
                needsEvaluation = true
                return
            case .newIterate:
                iterationsThisRun += 1
                iterations += 1
                if iterationsThisRun >= maxIterations {
                    stopped = true
                    return
                }
            case .stopped:
                stopped = true
                return
            }
        }
    }

    /// This example's row in the batch evaluated for it, while it waits for f and g or to be judged.
    var evaluationRow: Int?

    /// f(x′) = ‖x′ − x‖₂² + c·J(x′, t) and its gradient, from the target loss and its input gradient
    /// (row `row` of a batch of gradients).
    func receive(loss: Double, gradient: [Float], row: Int) {
        needsEvaluation = false
        evaluationRow = nil
        var finite = true
        let weight = c
        optimiser.provide { x, g in
            var distance = 0.0
            clean.withUnsafeBufferPointer { clean in
                gradient.withUnsafeBufferPointer { batch in
                    let dJ = batch.baseAddress! + row * g.count
                    for j in 0..<g.count {
                        let r = x[j] - clean[j]
                        distance += r * r
                        g[j] = 2 * r + weight * Double(dJ[j])
                        finite = finite && g[j].isFinite
                    }
                }
            }
            let f = distance + weight * loss
            finite = finite && f.isFinite
            return f
        }
        guard finite else {
            nonFinite = true
            stopped = true
            settled = true
            return
        }
    }

    /// Updates the bracket with the outcome of the run at the current c.
    private func record(success: Bool) {
        if success {
            if c < cHigh {
                cHigh = c
                best = x.map { PixelBox.clip($0) }
            }
        } else {
            cLow = max(cLow, c)
        }
    }

    /// Takes the judgement of the run at the current c, and starts the next c unless the search is
    /// over (after `searchSteps` values, or once the bracket is within `tolerance`).
    func conclude(success: Bool, searchSteps limit: Int, tolerance: Double) {
        needsJudgement = false
        record(success: success)
        nextC(tolerance: tolerance)
        searchSteps += 1
        if searchSteps >= limit { settled = true }
        if !settled { start() }
    }

    /// Chooses the next c: ×10 until a success, ÷10 until a failure, then geometric bisection.
    private func nextC(tolerance: Double) {
        guard !settled else { return }
        if cHigh.isInfinite {
            c *= 10
        } else if cLow == 0 {
            c /= 10
        } else if cHigh / cLow < 1 + tolerance {
            settled = true
        } else {
            c = (cLow * cHigh).squareRoot()
        }
        if let best, !cHigh.isInfinite { x = best }
    }
}
