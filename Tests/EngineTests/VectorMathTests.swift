import Foundation
import XCTest
@testable import Engine

/// The eight-lane exponential and sigmoid against libm in double precision.
final class VectorMathTests: XCTestCase {
    /// A grid over [−87, 88] and a few special values; not a multiple of 8, so the padded tail is used.
    private let arguments: [Float] = stride(from: -87.0, through: 88.0, by: 0.0173).map { Float($0) } + [0, -0, 1e-30, -1e-30, 88, -87.33]

    private func apply(_ f: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void, _ x: [Float]) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { source in y.withUnsafeMutableBufferPointer { f(source, $0) } }
        return y
    }

    func testExpIsWithinTwoUlpOfTheExactValue() {
        XCTAssertEqual(arguments.count % 8 == 0, false, "the tail path must be exercised")
        let y = apply(VectorMath.exp, arguments)
        for (x, value) in zip(arguments, y) {
            let exact = Foundation.exp(Double(x))
            let ulp = Double(Float(exact).ulp)
            XCTAssertLessThanOrEqual(abs(Double(value) - exact), 2 * ulp, "exp(\(x)) = \(value), exact \(exact)")
        }
    }

    func testExpOfArgumentsOutsideTheRangeIsFiniteAndClamped() {
        let y = apply(VectorMath.exp, [-1000, -100, 100, 1000, .infinity, -.infinity])
        XCTAssertTrue(y.allSatisfy { $0.isFinite && $0 > 0 }, "\(y)")
        XCTAssertLessThan(y[0], 1.2e-38 * 1.01)
        XCTAssertGreaterThan(y[3], 1.6e38)
    }

    func testSigmoidMatchesTheDoublePrecisionValue() {
        let y = apply(VectorMath.sigmoid, arguments)
        for (x, value) in zip(arguments, y) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            XCTAssertLessThanOrEqual(abs(Double(value) - exact), 3 * Double(Float(exact).ulp) + 1e-38, "σ(\(x)) = \(value), exact \(exact)")
        }
    }

    func testSigmoidSaturatesToExactlyOneAndZero() {
        let y = apply(VectorMath.sigmoid, [20, 100, -200])
        XCTAssertEqual(y[0], 1)
        XCTAssertEqual(y[1], 1)
        XCTAssertLessThan(y[2], 1e-37)
    }

    func testTheSigmoidLayerUsesTheVectorisedFunctionOnEveryValue() {
        // A batch of 3 × 7 values: 21 is not a multiple of the lane count.
        let x = Tensor(shape: [3, 7], scalars: (0..<21).map { Float($0) * 0.9 - 9 })
        var generator = SeededGenerator(seed: 1)
        let y = Sigmoid(name: "s").forward(x, mode: .inference, generator: &generator).output
        for (input, output) in zip(x.scalars, y.scalars) {
            XCTAssertEqual(Double(output), 1 / (1 + Foundation.exp(-Double(input))), accuracy: 2e-7)
        }
    }
}
