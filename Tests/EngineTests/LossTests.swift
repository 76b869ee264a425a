import XCTest
@testable import Engine

/// Softmax cross-entropy: stable for large logits, gradient exact when the softmax saturates.
final class LossTests: XCTestCase {
    func testCrossEntropyGradientMatchesFiniteDifferences() {
        let logits = randomTensor([4, 6], seed: 1, low: -3, high: 3)
        let labels = [0, 5, 2, 2]
        let analytic = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels).gradient
        assertGradientMatchesFiniteDifferences(
            analytic.scalars, at: logits.scalars,
            loss: { Double(SoftmaxCrossEntropy.evaluate(logits: Tensor(shape: [4, 6], scalars: $0), labels: labels).meanLoss) },
            step: 1e-2, what: "logits")
    }

    func testCrossEntropyMatchesADoublePrecisionReferenceForLargeLogits() {
        let logits: [Float] = [1000, -1000, 0, 500, 999]
        let result = SoftmaxCrossEntropy.evaluate(logits: Tensor(shape: [1, 5], scalars: logits), labels: [4])
        let z = logits.map(Double.init)
        let m = z.max()!
        let reference = m + Foundation.log(z.map { Foundation.exp($0 - m) }.reduce(0, +)) - z[4]
        XCTAssertTrue(result.losses[0].isFinite)
        XCTAssertEqual(Double(result.losses[0]), reference, accuracy: 1e-4)
        XCTAssertEqual(result.probabilities.scalars.reduce(0, +), 1, accuracy: 1e-6)
    }

    func testTrueClassGradientStaysNonZeroWhenTheSoftmaxSaturates() {
        // p_y rounds to exactly 1 in Float32; p_y - 1 would be 0.
        let logits: [Float] = [40, 0, 5]
        let result = SoftmaxCrossEntropy.evaluate(logits: Tensor(shape: [1, 3], scalars: logits), labels: [0], scale: 1)
        XCTAssertEqual(result.probabilities.scalars[0], 1)
        let z = logits.map(Double.init)
        let lse = z[0] + Foundation.log(1 + Foundation.exp(z[1] - z[0]) + Foundation.exp(z[2] - z[0]))
        let others = Foundation.exp(z[1] - lse) + Foundation.exp(z[2] - lse)
        XCTAssertLessThan(result.gradient.scalars[0], 0)
        XCTAssertEqual(Double(result.gradient.scalars[0]), -others, accuracy: others * 1e-5)
        XCTAssertEqual(Double(result.gradient.scalars[2]), Foundation.exp(z[2] - lse), accuracy: others * 1e-5)
    }

    func testMeanSquaredErrorGradientMatchesFiniteDifferences() {
        let target = randomTensor([3, 5], seed: 2, low: 0, high: 1)
        let prediction = randomTensor([3, 5], seed: 3, low: 0, high: 1)
        assertGradientMatchesFiniteDifferences(
            MeanSquaredError.evaluate(prediction: prediction, target: target).gradient.scalars, at: prediction.scalars,
            loss: { Double(MeanSquaredError.evaluate(prediction: Tensor(shape: [3, 5], scalars: $0), target: target).loss) },
            what: "prediction")
    }

    func testSoftmaxProbabilitiesAreTheFloat64SoftmaxEvenForHugeLogits() {
        let logits = Tensor(shape: [3, 4], scalars: [1, 2, 3, 4, 1000, 999, -1000, 0, -5, -5, -5, -5])
        let p = Softmax.probabilities(logits)
        for row in 0..<3 {
            let z = (0..<4).map { Double(logits.scalars[row * 4 + $0]) }
            let top = z.max()!
            let total = z.map { Foundation.exp($0 - top) }.reduce(0, +)
            for j in 0..<4 {
                XCTAssertEqual(Double(p.scalars[row * 4 + j]), Foundation.exp(z[j] - top) / total, accuracy: 1e-6, "row \(row), class \(j)")
            }
        }
    }

    func testArgmaxTakesTheFirstOfEqualScores() {
        XCTAssertEqual(Softmax.argmax(Tensor(shape: [3, 3], scalars: [0, 2, 2, 5, 1, 5, -1, -3, -2])), [1, 0, 0])
    }
}
