import XCTest
@testable import Engine

/// Gathering rows, the one copy a training step makes of its batch, and the buffers tensors start from.
final class TensorTests: XCTestCase {
    private func numbered(_ rows: Int, _ columns: Int) -> Tensor {
        Tensor(shape: [rows, 1, columns], scalars: (0..<(rows * columns)).map(Float.init))
    }

    func testGatheringCopiesTheNamedRowsInTheirOrder() {
        let t = numbered(5, 3)
        let g = t.gathering(rows: [4, 0, 4])
        XCTAssertEqual(g.shape, [3, 1, 3])
        XCTAssertEqual(g.scalars, [12, 13, 14, 0, 1, 2, 12, 13, 14])
    }

    func testGatherIntoAFittingDestinationReusesItsStorage() {
        let t = numbered(6, 4)
        var destination = t.gathering(rows: [0, 1])
        let before = destination.scalars.withUnsafeBufferPointer { $0.baseAddress }
        t.gather(rows: [5, 2], into: &destination)
        XCTAssertEqual(destination.scalars.withUnsafeBufferPointer { $0.baseAddress }, before)
        XCTAssertEqual(destination, t.gathering(rows: [5, 2]))
    }

    func testGatherIntoADestinationOfAnotherSizeResizesIt() {
        let t = numbered(6, 4)
        var destination = t.gathering(rows: [0, 1, 2])
        t.gather(rows: [3], into: &destination)
        XCTAssertEqual(destination.shape, [1, 1, 4])
        XCTAssertEqual(destination.scalars, [12, 13, 14, 15])
    }

    func testGatherNeverChangesAnotherHolderOfTheDestinationStorage() {
        let t = numbered(4, 2)
        var destination = t.gathering(rows: [0, 1])
        let kept = destination  // e.g. a layer cache still holding the last batch
        t.gather(rows: [3, 2], into: &destination)
        XCTAssertEqual(kept.scalars, [0, 1, 2, 3])
        XCTAssertEqual(destination.scalars, [6, 7, 4, 5])
    }

    func testALargeGatherSplitOverTheCoresCopiesEveryRowOnceInItsPlace() {
        // 101 rows of 785 values: over `minimumParallelValues`, so each core copies a part, cut
        // inside a row (an odd row count and an odd row size).
        let t = numbered(300, 785)
        let rows = (0..<101).map { ($0 * 37 + 11) % 300 }
        XCTAssertGreaterThanOrEqual(rows.count * 785, ExampleParallel.minimumParallelValues)
        var destination = Tensor(shape: [101, 1, 785], scalars: [Float](repeating: -1, count: 101 * 785))
        t.gather(rows: rows, into: &destination)
        XCTAssertEqual(destination.scalars, rows.flatMap { row in (0..<785).map { Float(row * 785 + $0) } })
    }

    func testALargeTensorBuiltInPlaceHoldsEveryValueWritten() {
        // 12 MiB: large enough to be advised huge pages, which must not change what it holds.
        let count = 3 << 20
        let t = Tensor(shape: [count]) { buffer in
            for i in 0..<count { buffer[i] = Float(i % 1000) }
        }
        XCTAssertEqual(t.count, count)
        XCTAssertTrue((0..<count).allSatisfy { t.scalars[$0] == Float($0 % 1000) })
    }
}
