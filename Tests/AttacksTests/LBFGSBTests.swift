import XCTest
@testable import Attacks

/// The reverse-communication wrapper of liblbfgsb, on a problem whose box-constrained minimum is known.
final class LBFGSBTests: XCTestCase {
    func testASeparableQuadraticEndsAtItsMinimumClippedToTheBox() {
        // f(x) = Σ (x_j − t_j)²: in [0, 1]^3 the minimum is t clipped to the box, (1, 0, 0.3).
        let t = [1.5, -0.5, 0.3]
        let optimiser = LBFGSB(start: [0.5, 0.5, 0.5], history: 5)
        optimiser.restart()
        var evaluations = 0
        loop: while evaluations < 100 {
            switch optimiser.step(factr: 1e7, pgtol: 1e-10) {
            case .evaluation:
                evaluations += 1
                optimiser.provide { x, g in
                    var f = 0.0
                    for j in 0..<3 {
                        f += (x[j] - t[j]) * (x[j] - t[j])
                        g[j] = 2 * (x[j] - t[j])
                    }
                    return f
                }
            case .newIterate: continue
            case .stopped: break loop
            }
        }
        XCTAssertLessThan(evaluations, 100, "the run never stopped")
        for (x, expected) in zip(optimiser.x, [1, 0, 0.3]) { XCTAssertEqual(x, expected, accuracy: 1e-6) }
    }
}
