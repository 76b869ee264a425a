import XCTest
@testable import Engine

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

    func testCoresRunsEveryWorkerOnceAtTheSameTimeWithOneBLASThread() {
        var calls = [Int](repeating: 0, count: Cores.count)
        var blasThreads: [Int] = []
        var inner: [Range<Int>] = []
        let lock = NSLock()
        let arrived = DispatchGroup()
        for _ in 0..<Cores.count { arrived.enter() }
        var allArrived = true
        Cores.run { worker in
            arrived.leave()
            // Every worker waits for all the others: this returns only if they run concurrently.
            let together = arrived.wait(timeout: .now() + 10) == .success
            ExampleParallel.forEachShare(of: 64) { range, _ in
                lock.lock()
                inner.append(range)
                lock.unlock()
            }
            lock.lock()
            calls[worker] += 1
            blasThreads.append(LinearAlgebra.threadCount)
            allArrived = allArrived && together
            lock.unlock()
        }
        XCTAssertEqual(calls, [Int](repeating: 1, count: Cores.count))
        XCTAssertTrue(allArrived)
        if Cores.count > 1 { XCTAssertEqual(blasThreads, [Int](repeating: 1, count: Cores.count)) }
        XCTAssertEqual(inner, [Range<Int>](repeating: 0..<64, count: Cores.count), "a share inside a worker runs inline")
    }

    func testPartsOfALargePassCoverEveryValueOnceOnePartPerCore() {
        let count = ExampleParallel.minimumParallelValues + 3
        var parts: [Range<Int>] = []
        let lock = NSLock()
        ExampleParallel.forEachPart(of: count) { part in
            lock.lock()
            parts.append(part)
            lock.unlock()
        }
        parts.sort { $0.lowerBound < $1.lowerBound }
        XCTAssertEqual(parts.count, ExampleParallel.shareCount(of: count))
        XCTAssertEqual(parts.first?.lowerBound, 0)
        XCTAssertEqual(parts.last?.upperBound, count)
        for (a, b) in zip(parts, parts.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
    }

    func testASmallPassRunsWholeOnTheCallingThread() {
        var parts: [Range<Int>] = []
        var threads: [Thread] = []
        ExampleParallel.forEachPart(of: ExampleParallel.minimumParallelValues - 1) { part in
            parts.append(part)
            threads.append(Thread.current)
        }
        XCTAssertEqual(parts, [0..<(ExampleParallel.minimumParallelValues - 1)])
        XCTAssertEqual(threads, [Thread.current])
    }

    func testThousandsOfHandOffsOfEveryLengthRunEveryShareOnceAndReturn() {
        // Jobs shorter and longer than the hand-off's polling, and gaps between calls shorter and
        // longer than it: each side then meets the other polling, asleep, or just falling asleep.
        // A lost wake-up hangs; the calls run on a thread of their own so that a hang fails here.
        let finished = DispatchSemaphore(value: 0)
        var counts = [Int](repeating: 0, count: 3000 * ExampleParallel.shareCount(of: 64))
        let lock = NSLock()
        let caller = Thread {
            var generator = SeededGenerator(seed: 3)
            for call in 0..<3000 {
                let work = [0, 20, 150, 400][Int(generator.next() % 4)]
                ExampleParallel.forEachShare(of: 64) { _, share in
                    if share == call % 2 { usleep(UInt32(work)) }
                    lock.lock()
                    counts[call * ExampleParallel.shareCount(of: 64) + share] += 1
                    lock.unlock()
                }
                usleep(UInt32([0, 5, 300][Int(generator.next() % 3)]))
            }
            finished.signal()
        }
        caller.start()
        guard finished.wait(timeout: .now() + 120) == .success else { return XCTFail("a hand-off never returned") }
        XCTAssertEqual(counts.filter { $0 != 1 }.count, 0, "shares that did not run exactly once")
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
