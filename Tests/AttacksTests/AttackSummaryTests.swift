import XCTest
@testable import Attacks
@testable import Engine

/// The figures an attack prints, from its per-example outcome.
final class AttackSummaryTests: XCTestCase {
    private func run(epsilon: Float) -> AttackRun {
        let outcome = AdversarialOutcome(
            adversarial: Tensor.zeros([4, 1]), success: [true, false, true, false], distortion: [0.1, 0.2, 0.3, 0.4],
            l2: [0, 0, 0, 0], linf: [0, 0, 0, 0], predictedClean: [0, 1, 2, 0], predictedAdversarial: [1, 1, 0, 2],
            confidence: [0.5, 0.6, 0.7, 0.8])
        return AttackRun(epsilon: epsilon, outcome: outcome, failed: [3])
    }

    func testTheRatesAndMeansAreThoseOfTheExamples() {
        let summary = AttackRunSummary(run(epsilon: 0.25), labels: [0, 1, 1, 0])
        XCTAssertEqual(summary.epsilon, 0.25)
        XCTAssertEqual(summary.successRate, 0.5)
        XCTAssertEqual(summary.errorRate, 0.75)  // 1≠0, 1=1, 0≠1, 2≠0
        XCTAssertEqual(summary.cleanErrorRate, 0.25)  // only 2≠1
        XCTAssertEqual(summary.meanDistortion!, 0.25, accuracy: 1e-7)
        XCTAssertEqual(summary.meanDistortionSuccessful!, 0.2, accuracy: 1e-7)
        XCTAssertEqual(summary.meanConfidence, 0.65, accuracy: 1e-7)
        XCTAssertEqual(summary.failed, 1)
    }

    func testARunWithoutARadiusWritesItsEpsilonAsNull() throws {
        let summary = AttackSummary(file: "a.h5", method: "lbfgs", runs: [run(epsilon: .nan)], labels: [0, 1, 1, 0])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any]
        let first = (object?["runs"] as? [[String: Any]])?.first
        XCTAssertTrue(first?["epsilon"] is NSNull, "\(String(describing: first))")
        XCTAssertEqual(object?["examples"] as? Int, 4)
        XCTAssertEqual(
            Set(first?.keys.map { $0 } ?? []),
            [
                "epsilon", "success_rate", "error_rate", "clean_error_rate", "mean_distortion",
                "mean_distortion_successful", "mean_confidence", "failed",
            ])
    }
}
