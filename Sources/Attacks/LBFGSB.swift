import CLBFGSB

/// L-BFGS-B 3.0 (Byrd, Lu, Nocedal and Zhu 1995; Morales and Nocedal 2011), liblbfgsb's `setulb_`
/// (the code SciPy's fmin_l_bfgs_b drives), for one problem in the box [0, 1]^n, spoken to by
/// reverse communication: `step` runs the optimiser until it asks for f and g at `x`, has taken an
/// iterate, or stops; `provide` answers its request. Many problems advance in lockstep this way,
/// their f and g computed in one batched forward and backward pass.
final class LBFGSB {
    /// What the optimiser wants next.
    enum Request {
        /// f and g at `x` (task `FG`).
        case evaluation
        /// Nothing: it has taken a new iterate `x` (task `NEW_X`).
        case newIterate
        /// Nothing more: converged, stopped in the line search, or an error or warning.
        case stopped
    }

    /// The current iterate (the point to evaluate after `.evaluation`).
    var x: [Double]
    private let n: Int32
    private var m: Int32
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

    /// A problem in n = `start.count` variables from `start`, keeping `history` correction pairs.
    init(start: [Double], history: Int) {
        let size = start.count
        x = start
        n = Int32(size)
        m = Int32(history)
        g = [Double](repeating: 0, count: size)
        lower = [Double](repeating: 0, count: size)
        upper = [Double](repeating: 1, count: size)
        nbd = [Int32](repeating: 2, count: size)  // 2: bounded below and above
        wa = [Double](repeating: 0, count: 2 * history * size + 5 * size + 11 * history * history + 8 * history)
        iwa = [Int32](repeating: 0, count: 3 * size)
    }

    /// Starts a new run from the current `x` (task `START`), forgetting the curvature pairs.
    func restart() { setTask("START") }

    /// Calls `setulb_` once more and says what it asks for.
    func step(factr: Double, pgtol: Double) -> Request {
        var factr = factr, pgtol = pgtol
        var iprint: Int32 = -1
        var size = n
        setulb_(&size, &m, &x, lower, upper, nbd, &f, &g, &factr, &pgtol, &wa, &iwa, &task, &iprint, &csave, &lsave, &isave, &dsave, 60, 60)
        if taskStarts(with: "FG") { return .evaluation }
        if taskStarts(with: "NEW_X") { return .newIterate }
        return .stopped
    }

    /// Answers an `.evaluation` request: `body` writes g at `x` and returns f.
    func provide(_ body: (_ x: UnsafeBufferPointer<Double>, _ g: UnsafeMutableBufferPointer<Double>) -> Double) {
        f = x.withUnsafeBufferPointer { x in g.withUnsafeMutableBufferPointer { g in body(x, g) } }
    }

    private func setTask(_ text: String) {
        task = [CChar](repeating: 32, count: 60)
        for (i, byte) in text.utf8.prefix(60).enumerated() { task[i] = CChar(bitPattern: byte) }
    }

    private func taskStarts(with prefix: String) -> Bool {
        zip(prefix.utf8, task).allSatisfy { UInt8(bitPattern: $1) == $0 }
    }
}
