import CLBFGSB
import Dispatch
import Foundation
import Network

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
public struct BoxLBFGS: Sendable {
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

    /// The default search: 100 iterations, 10 values of c from c = 1.
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
        /// Examples whose gradient was not finite.
        public var failed: [Int]
    }

    /// Attacks a batch towards `targets`.
    /// - Parameter progress: called with (c-steps done, c-steps in all).
    public func attack(model: Sequential, images: Tensor, targets: [Int], progress: (Int, Int) -> Void = { _, _ in }) -> Result {
        let n = images.batchSize, m = images.rowSize
        let examples = (0..<n).map { i in
            ExampleSearch(clean: images.scalars[(i * m)..<((i + 1) * m)].map(Double.init), target: targets[i], c: initialC, history: history)
        }
        for step in 0..<cSearchSteps {
            let active = examples.filter { !$0.settled }
            if active.isEmpty { break }
            for e in active { e.start() }
            var running = active
            while !running.isEmpty {
                // Each example runs setulb_ until it needs f and g, or stops.
                DispatchQueue.concurrentPerform(iterations: running.count) { running[$0].advance(maxIterations: maxIterations) }
                let waiting = running.filter(\.needsEvaluation)
                if !waiting.isEmpty { evaluate(waiting, model: model, shape: images.shape, m: m) }
                running = running.filter { !$0.stopped }
            }
            judge(active, model: model, shape: images.shape, m: m)
            for e in active { e.nextC(tolerance: bracketTolerance) }
            progress(step + 1, cSearchSteps)
        }
        var adversarial = [Float](repeating: 0, count: n * m)
        for (i, e) in examples.enumerated() {
            let best = e.best ?? e.x
            for j in 0..<m { adversarial[i * m + j] = Float(best[j]) }
        }
        return Result(adversarial: Tensor(shape: images.shape, scalars: adversarial), iterations: examples.map(\.iterations),
                      cLow: examples.map(\.cLow), cHigh: examples.map(\.cHigh),
                      failed: examples.indices.filter { examples[$0].nonFinite })
    }

    /// f and g for every waiting example, in one forward/backward pass.
    private func evaluate(_ waiting: [ExampleSearch], model: Sequential, shape: [Int], m: Int) {
        var batch = [Float](repeating: 0, count: waiting.count * m)
        batch.withUnsafeMutableBufferPointer { batch in
            for (row, e) in waiting.enumerated() {
                e.x.withUnsafeBufferPointer { x in
                    for j in 0..<m { batch[row * m + j] = Float(x[j]) }
                }
            }
        }
        let result = model.inputGradient(Tensor(shape: [waiting.count] + shape.dropFirst(), scalars: batch), labels: waiting.map(\.target))
        for (row, e) in waiting.enumerated() {
            e.receive(loss: Double(result.losses[row]), gradient: result.gradient.scalars[(row * m)..<((row + 1) * m)])
        }
    }

    /// Classifies each run's final iterate (clipped to the box) and updates the bracket.
    private func judge(_ examples: [ExampleSearch], model: Sequential, shape: [Int], m: Int) {
        var batch = [Float](repeating: 0, count: examples.count * m)
        for (row, e) in examples.enumerated() {
            // NOTE: L-BFGS-B can leave the box by rounding; the judged image is clipped.
            for j in 0..<m { batch[row * m + j] = min(max(Float(e.x[j]), 0), 1) }
        }
        let predicted = Trainer.argmax(model.predict(Tensor(shape: [examples.count] + shape.dropFirst(), scalars: batch)))
        for (row, e) in examples.enumerated() { e.record(success: predicted[row] == e.target) }
    }
}

/// One example's L-BFGS-B state and c search.
final class ExampleSearch: @unchecked Sendable {
    let clean: [Double]
    let target: Int
    private let n: Int32
    private var m: Int32
    var x: [Double]
    private var g: [Double]
    private var f = 0.0
    private let lower: [Double]
    private let upper: [Double]
    private let nbd: [Int32]
    private var wa: [Double]
    private var iwa: [Int32]
    private var task = [CChar](repeating: 32, count: 60)
    private var csave = [CChar](repeating: 32, count: 60)
    private var lsave = [Int32](repeating: 0, count: 4)
    private var isave = [Int32](repeating: 0, count: 44)
    private var dsave = [Double](repeating: 0, count: 29)
    private(set) var c: Double
    private var iterationsThisRun = 0
    private(set) var iterations = 0
    private(set) var needsEvaluation = false
    private(set) var stopped = true
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
        n = Int32(clean.count)
        m = Int32(history)
        x = clean
        g = [Double](repeating: 0, count: clean.count)
        lower = [Double](repeating: 0, count: clean.count)
        upper = [Double](repeating: 1, count: clean.count)
        nbd = [Int32](repeating: 2, count: clean.count)
        let size = clean.count
        wa = [Double](repeating: 0, count: 2 * history * size + 5 * size + 11 * history * history + 8 * history)
        iwa = [Int32](repeating: 0, count: 3 * size)
    }

    private func setTask(_ text: String) {
        task = [CChar](repeating: 32, count: 60)
        for (i, byte) in text.utf8.prefix(60).enumerated() { task[i] = CChar(bitPattern: byte) }
    }

    private func taskStarts(with prefix: String) -> Bool {
        zip(prefix.utf8, task).allSatisfy { UInt8(bitPattern: $1) == $0 }
    }

    /// Starts an L-BFGS-B run at the current c from the current iterate (a warm start).
    func start() {
        setTask("START")
        iterationsThisRun = 0
        stopped = false
        needsEvaluation = false
    }

    /// Calls setulb_ until it asks for f and g, or the run ends.
    func advance(maxIterations: Int) {
        guard !stopped, !needsEvaluation else { return }
        var factr = 1e7, pgtol = 1e-5
        var iprint: Int32 = -1
        while true {
            var size = n
            setulb_(&size, &m, &x, lower, upper, nbd, &f, &g, &factr, &pgtol, &wa, &iwa, &task, &iprint, &csave, &lsave, &isave, &dsave, 60, 60)
            if taskStarts(with: "FG") {
                needsEvaluation = true
                return
            }
            if taskStarts(with: "NEW_X") {
                iterationsThisRun += 1
                iterations += 1
                if iterationsThisRun >= maxIterations {
                    stopped = true
                    return
                }
                continue
            }
            // CONV, ABNORMAL_TERMINATION_IN_LNSRCH, ERROR or WARNING: this run is over.
            stopped = true
            return
        }
    }

    /// f(x′) = ‖x′ − x‖₂² + c·J(x′, t) and its gradient, from the target loss and its input gradient.
    func receive(loss: Double, gradient: ArraySlice<Float>) {
        needsEvaluation = false
        guard loss.isFinite, gradient.allSatisfy({ $0.isFinite }) else {
            nonFinite = true
            stopped = true
            settled = true
            return
        }
        var distance = 0.0
        let weight = c
        x.withUnsafeBufferPointer { x in
            clean.withUnsafeBufferPointer { clean in
                g.withUnsafeMutableBufferPointer { g in
                    gradient.withUnsafeBufferPointer { dJ in
                        for j in 0..<g.count {
                            let r = x[j] - clean[j]
                            distance += r * r
                            g[j] = 2 * r + weight * Double(dJ[j])
                        }
                    }
                }
            }
        }
        f = distance + c * loss
    }

    /// Updates the bracket with the outcome of the run at the current c.
    func record(success: Bool) {
        if success {
            if c < cHigh {
                cHigh = c
                best = x.map { min(max($0, 0), 1) }
            }
        } else {
            cLow = max(cLow, c)
        }
    }

    /// Chooses the next c: ×10 until a success, ÷10 until a failure, then geometric bisection.
    func nextC(tolerance: Double) {
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
