import Foundation
import XCTest
@testable import Attacks
@testable import Engine

/// Szegedy §4.3's per-layer bounds against brute-force operator norms of small layers.
final class LipschitzBoundsTests: XCTestCase {
    /// The largest singular value of a matrix by brute force: sqrt of the top eigenvalue of MᵀM (LAPACK ssyevd).
    private func operatorNorm(_ m: Tensor) -> Double {
        Double(LinearAlgebra.symmetricEigen(LinearAlgebra.matmul(m, m, transposeA: true)).values.last!).squareRoot()
    }

    private func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.nextGaussian() })
    }

    func testADenseBoundIsTheOperatorNorm() throws {
        let dense = Dense(name: "fc1", inputs: 12, outputs: 7)
        dense.weight.value = random([7, 12], seed: 1)
        let model = try Sequential(inputShape: [12], layers: [dense])
        let bound = LipschitzBounds.bounds(of: model)[0].bound
        XCTAssertEqual(bound, operatorNorm(dense.weight.value), accuracy: 1e-3 * bound)
    }

    /// The matrix of the circular convolution of a 1-channel-in layer on an h×w grid.
    private func circularMatrix(_ conv: Conv2D, h: Int, w: Int) -> Tensor {
        let (out, input, k) = (conv.outChannels, conv.inChannels, conv.kernel)
        var m = [Float](repeating: 0, count: out * h * w * input * h * w)
        let columns = input * h * w
        for o in 0..<out {
            for y in 0..<h {
                for x in 0..<w {
                    let row = (o * h + y) * w + x
                    for i in 0..<input {
                        for a in 0..<k {
                            for b in 0..<k {
                                let column = (i * h + (y + a) % h) * w + (x + b) % w
                                m[row * columns + column] += conv.weight.value.scalars[((o * input + i) * k + a) * k + b]
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [out * h * w, columns], scalars: m)
    }

    func testTheFourierBoundIsTheNormOfTheCircularConvolution() {
        let conv = Conv2D(name: "conv1", inChannels: 2, outChannels: 3, kernel: 3)
        conv.weight.value = random([3, 2, 3, 3], seed: 2)
        let bound = LipschitzBounds.fourierBound(conv, height: 6, width: 5)
        let brute = operatorNorm(circularMatrix(conv, h: 6, w: 5))
        XCTAssertEqual(bound, brute, accuracy: 1e-3 * brute)
    }

    func testTheFourierBoundBoundsTheZeroPaddedConvolution() throws {
        let conv = Conv2D(name: "conv1", inChannels: 2, outChannels: 2, kernel: 3, padding: 1)
        conv.weight.value = random([2, 2, 3, 3], seed: 3)
        let model = try Sequential(inputShape: [2, 5, 5], layers: [conv])
        // The layer's matrix, column by column from basis images (bias zero).
        var g = SeededGenerator(seed: 0)
        var columns: [[Float]] = []
        for j in 0..<50 {
            var e = Tensor.zeros([1, 2, 5, 5])
            e.scalars[j] = 1
            columns.append(conv.forward(e, mode: .inference, generator: &g).output.scalars)
        }
        let rows = columns[0].count
        let matrix = Tensor(shape: [rows, 50], scalars: (0..<rows).flatMap { r in columns.map { $0[r] } })
        let bound = LipschitzBounds.bounds(of: model)[0].bound
        XCTAssertLessThanOrEqual(operatorNorm(matrix), bound * (1 + 1e-4))
    }

    func testElementwiseBoundsAndTheirProduct() throws {
        var g = SeededGenerator(seed: 4)
        let model = try Architecture("conv-small").build(inputShape: [1, 28, 28], generator: &g)
        let bounds = LipschitzBounds.bounds(of: model)
        XCTAssertEqual(bounds.map(\.kind), model.layers.map(\.kind))
        XCTAssertTrue(bounds.filter { ["relu", "maxpool2d", "flatten"].contains($0.kind.rawValue) }.allSatisfy { $0.bound == 1 })
        let sigmoidNet = try Architecture("fc20-10").build(inputShape: [1, 28, 28], generator: &g)
        XCTAssertEqual(LipschitzBounds.bounds(of: sigmoidNet)[1].bound, 0.25)
    }
}
