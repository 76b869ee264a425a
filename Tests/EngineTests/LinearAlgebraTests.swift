import XCTest
@testable import Engine

/// Products, random rotations and eigenvectors through OpenBLAS and its LAPACK.
final class LinearAlgebraTests: XCTestCase {
    func testMatmulMatchesADirectSum() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([4, 2], seed: 2)
        let c = LinearAlgebra.matmul(a, b)
        for i in 0..<3 {
            for j in 0..<2 {
                let direct = (0..<4).reduce(Float(0)) { $0 + a.scalars[i * 4 + $1] * b.scalars[$1 * 2 + j] }
                XCTAssertEqual(c.scalars[i * 2 + j], direct, accuracy: 1e-5)
            }
        }
    }

    func testRandomRotationIsOrthogonal() {
        var g = SeededGenerator(seed: 3)
        let q = LinearAlgebra.randomRotation(size: 50, generator: &g)
        let product = LinearAlgebra.matmul(q, q, transposeB: true)
        for i in 0..<50 {
            for j in 0..<50 { XCTAssertEqual(product.scalars[i * 50 + j], i == j ? 1 : 0, accuracy: 1e-4) }
        }
    }

    func testRandomRotationIsFixedByTheSeed() {
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
        let qa = LinearAlgebra.randomRotation(size: 8, generator: &a)
        XCTAssertEqual(qa, LinearAlgebra.randomRotation(size: 8, generator: &b))
        XCTAssertNotEqual(qa, LinearAlgebra.randomRotation(size: 8, generator: &c))
    }

    func testRandomRotationsAreSpreadLikeTheHaarMeasure() {
        // Under the Haar measure each entry of a 20×20 rotation has mean 0 and variance 1/20.
        var g = SeededGenerator(seed: 4)
        var values: [Float] = []
        for _ in 0..<50 { values += LinearAlgebra.randomRotation(size: 20, generator: &g).scalars }
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1.0 / 20, accuracy: 0.005)
    }

    func testSymmetricEigenvectorsSatisfyTheEigenEquation() {
        let x = randomTensor([30, 6], seed: 5)
        let covariance = LinearAlgebra.matmul(x, x, transposeA: true)
        let (values, vectors) = LinearAlgebra.symmetricEigen(covariance)
        XCTAssertEqual(values, values.sorted())
        for k in 0..<6 {
            let v = Tensor(shape: [6, 1], scalars: Array(vectors.scalars[(k * 6)..<((k + 1) * 6)]))
            let av = LinearAlgebra.matmul(covariance, v)
            for i in 0..<6 { XCTAssertEqual(av.scalars[i], values[k] * v.scalars[i], accuracy: 1e-3 * max(1, abs(values[k]))) }
        }
    }
}
