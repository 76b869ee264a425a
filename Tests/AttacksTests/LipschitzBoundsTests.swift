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

    func testAnAveragePoolBoundIsNeverBelowItsOperatorNorm() throws {
        for (size, stride) in [(2, 2), (3, 2), (3, 1)] {
            let pool = AvgPool2D(name: "pool", size: size, stride: stride)
            let model = try Sequential(inputShape: [1, 7, 7], layers: [pool])
            var g = SeededGenerator(seed: 0)
            let columns: [[Float]] = (0..<49).map { j in
                var e = Tensor.zeros([1, 1, 7, 7])
                e.scalars[j] = 1
                return pool.forward(e, mode: .inference, generator: &g).output.scalars
            }
            let rows = columns[0].count
            let matrix = Tensor(shape: [rows, 49], scalars: (0..<rows).flatMap { r in columns.map { $0[r] } })
            let bound = LipschitzBounds.bounds(of: model)[0].bound
            XCTAssertLessThanOrEqual(operatorNorm(matrix), bound * (1 + 1e-6), "size \(size), stride \(stride)")
            XCTAssertLessThanOrEqual(bound, 1, "averaging never expands: size \(size), stride \(stride)")
        }
    }

    func testANormalizationIsBoundedByOneOverItsSmallestStd() throws {
        let model = try Sequential(inputShape: [3, 2, 2], layers: [Normalize(name: "n", mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 0.2])])
        XCTAssertEqual(LipschitzBounds.bounds(of: model)[0].bound, 5, accuracy: 1e-6)
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

    /// ‖M‖₂ in double precision by power iteration on MᵀM, which approaches it from below.
    private func normFromBelow(_ m: Tensor) -> Double {
        let (rows, columns) = (m.shape[0], m.shape[1])
        let a = m.scalars.map(Double.init)
        // A random start: a constant vector is an eigenvector of a circulant matrix's zero frequency and would stay there.
        var g = SeededGenerator(seed: 99)
        var x = (0..<columns).map { _ in Double(g.nextGaussian()) }
        var estimate = 0.0
        for iteration in 0..<5000 {
            let y = (0..<rows).map { r in (0..<columns).reduce(0.0) { $0 + a[r * columns + $1] * x[$1] } }
            let z = (0..<columns).map { c in (0..<rows).reduce(0.0) { $0 + a[$1 * columns + c] * y[$1] } }
            let norm = z.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            let next = (y.reduce(0.0) { $0 + $1 * $1 } / x.reduce(0.0) { $0 + $1 * $1 }).squareRoot()
            x = z.map { $0 / norm }
            // The Rayleigh quotients rise monotonically to the norm; stop once they stand still.
            if iteration >= 100 && next - estimate <= 1e-15 * next { return max(next, estimate) }
            estimate = next
        }
        return estimate
    }

    func testADenseBoundIsNeverBelowTheNormInDoublePrecision() throws {
        for seed in UInt64(10)..<UInt64(15) {
            let dense = Dense(name: "fc1", inputs: 30, outputs: 20)
            dense.weight.value = random([20, 30], seed: seed)
            let model = try Sequential(inputShape: [30], layers: [dense])
            let bound = LipschitzBounds.bounds(of: model)[0].bound
            let norm = normFromBelow(dense.weight.value)
            XCTAssertGreaterThanOrEqual(bound, norm, "seed \(seed)")
            XCTAssertEqual(bound, norm, accuracy: 1e-9 * norm)
        }
    }

    func testAConvBoundIsNeverBelowTheNormOfItsCircularConvolution() {
        let conv = Conv2D(name: "conv1", inChannels: 2, outChannels: 3, kernel: 3)
        conv.weight.value = random([3, 2, 3, 3], seed: 7)
        let bound = LipschitzBounds.fourierBound(conv, height: 6, width: 5)
        let norm = normFromBelow(circularMatrix(conv, h: 6, w: 5))
        XCTAssertGreaterThanOrEqual(bound, norm)
        XCTAssertEqual(bound, norm, accuracy: 1e-6 * norm)
    }

    func testOverlappingMaxPoolingIsBoundedByItsOverlapAndTheBoundHolds() throws {
        let pool = MaxPool2D(name: "pool1", size: 3, stride: 2)
        let model = try Sequential(inputShape: [1, 7, 7], layers: [pool])
        let bound = LipschitzBounds.bounds(of: model)[0].bound
        XCTAssertEqual(bound, 2, "windows of 3 every 2 pixels: each input in at most 2×2 windows")
        // A spike where four windows meet moves four outputs: the ratio reaches 2, the bound.
        var g = SeededGenerator(seed: 0)
        var x = Tensor.zeros([1, 1, 7, 7])
        let y = x
        x.scalars[2 * 7 + 2] = 1
        let (px, py) = (pool.forward(x, mode: .inference, generator: &g).output, pool.forward(y, mode: .inference, generator: &g).output)
        let ratio = zip(px.scalars, py.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
        XCTAssertEqual(ratio, 2, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(ratio, bound)
    }
}
