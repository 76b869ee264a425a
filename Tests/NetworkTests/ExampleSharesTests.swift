import XCTest
@testable import Network

/// Batches split into one share of examples per core give each example what it gets alone.
final class ExampleSharesTests: XCTestCase {
    private func model(_ spec: String) throws -> Sequential {
        var generator = SeededGenerator(seed: 5)
        return try Architecture(spec).build(inputShape: [784], generator: &generator)
    }

    func testABatchIsSplitIntoSharesWhenItIsLargeEnough() {
        XCTAssertEqual(ExampleParallel.shareCount(of: 1), 1)
        XCTAssertEqual(ExampleParallel.shareCount(of: 64), min(ExampleParallel.workers, 64 / ExampleParallel.minimumShare))
    }

    func testInputGradientOfABatchEqualsEachExampleAlone() throws {
        let network = try model("fc30-20-10")
        let x = randomTensor([41, 784], seed: 7, low: 0, high: 1)
        let labels = (0..<41).map { $0 % 10 }
        let batch = network.inputGradient(x, labels: labels)
        XCTAssertEqual(batch.gradient.shape, [41, 784])
        XCTAssertEqual(batch.logits.shape, [41, 10])
        for i in [0, 20, 21, 40] {
            let alone = network.inputGradient(x.rows(i..<(i + 1)), labels: [labels[i]])
            XCTAssertEqual(batch.losses[i], alone.losses[0], accuracy: 1e-5 * max(1, abs(alone.losses[0])))
            for j in 0..<10 { XCTAssertEqual(batch.logits.scalars[i * 10 + j], alone.logits.scalars[j], accuracy: 1e-5) }
            for j in 0..<784 {
                XCTAssertEqual(batch.gradient.scalars[i * 784 + j], alone.gradient.scalars[j], accuracy: 1e-6)
            }
        }
    }

    func testPredictOfABatchEqualsEachExampleAloneInOrder() throws {
        let network = try model("fc30-10")
        let x = randomTensor([37, 784], seed: 8, low: 0, high: 1)
        let batch = network.predict(x, batchSize: 16)
        XCTAssertEqual(batch.shape, [37, 10])
        for i in 0..<37 {
            let alone = network.forward(x.rows(i..<(i + 1))).output
            for j in 0..<10 { XCTAssertEqual(batch.scalars[i * 10 + j], alone.scalars[j], accuracy: 1e-5) }
        }
    }

    func testForwardInSharesCoversEveryRowOnce() throws {
        let network = try model("fc30-10")
        let images = randomTensor([50, 784], seed: 9, low: 0, high: 1)
        var covered = [Int](repeating: 0, count: 50)
        let lock = NSLock()
        network.forwardInShares(rows: 10..<45, of: images) { first, trace in
            let expected = network.forward(images.rows((10 + first)..<(10 + first + trace.output.batchSize))).output
            lock.lock()
            for row in first..<(first + trace.output.batchSize) { covered[10 + row] += 1 }
            for (a, b) in zip(trace.output.scalars, expected.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
            lock.unlock()
        }
        XCTAssertEqual(covered, (0..<50).map { (10..<45).contains($0) ? 1 : 0 })
    }

    func testSharesInsideAShareRunOnOneThread() {
        var inner: [Range<Int>] = []
        let lock = NSLock()
        ExampleParallel.forEachShare(of: 64) { _, _ in
            ExampleParallel.forEachShare(of: 32) { range, _ in
                lock.lock()
                inner.append(range)
                lock.unlock()
            }
        }
        XCTAssertEqual(inner.count, ExampleParallel.shareCount(of: 64))
        XCTAssertTrue(inner.allSatisfy { $0 == 0..<32 })
    }
}
