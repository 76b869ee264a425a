import Foundation
import XCTest
@testable import Activations

/// The recording's work on every core: every piece computed once, batches written in order, at
/// most `lookahead` batches computed ahead of the writes, and a stop or a failed write ends the run.
final class RecordingScheduleTests: XCTestCase {
    private struct Failure: Error {}

    /// What a run did, recorded under a lock.
    private final class Log: @unchecked Sendable {
        let lock = NSLock()
        var computed: [[Int]] = []
        var writes: [(batch: Int, pieces: [String])] = []
        var aheadOfWrites: [Int] = []
        var progress: [Int] = []
        var progressOnCaller = true

        func locked<R>(_ body: () -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body()
        }
    }

    private func run(
        _ counts: [Int], lookahead: Int = 3, failAt: Int? = nil, stopAfter: Int? = nil,
        log: Log
    ) throws -> Int {
        let schedule = RecordingSchedule<String>(pieceCounts: counts, lookahead: lookahead)
        log.computed = counts.map { [Int](repeating: 0, count: $0) }
        let caller = Thread.current
        return try schedule.run(
            forward: { batch, piece in
                log.locked {
                    log.computed[batch][piece] += 1
                    log.aheadOfWrites.append(batch - log.writes.count)
                }
                usleep(UInt32.random(in: 0...300))
                return "\(batch).\(piece)"
            },
            write: { batch, pieces in
                if batch == failAt { throw Failure() }
                log.locked { log.writes.append((batch, pieces)) }
            },
            shouldStop: { log.locked { stopAfter.map { log.writes.count >= $0 } ?? false } },
            progress: { written in
                log.locked {
                    log.progress.append(written)
                    log.progressOnCaller = log.progressOnCaller && Thread.current == caller
                }
            })
    }

    func testEveryPieceIsComputedOnceAndBatchesAreWrittenInOrderWithTheirPiecesInOrder() throws {
        let counts = [2, 2, 1, 3, 2, 2, 2, 1]
        let log = Log()
        XCTAssertEqual(try run(counts, log: log), counts.count)
        XCTAssertEqual(log.computed, counts.map { [Int](repeating: 1, count: $0) })
        XCTAssertEqual(log.writes.map(\.batch), Array(counts.indices))
        for (batch, pieces) in log.writes {
            XCTAssertEqual(pieces, (0..<counts[batch]).map { "\(batch).\($0)" })
        }
    }

    func testNoPieceIsComputedMoreThanTheLookaheadAheadOfTheWrites() throws {
        let log = Log()
        _ = try run([Int](repeating: 2, count: 20), lookahead: 2, log: log)
        XCTAssertEqual(log.aheadOfWrites.count, 40)
        XCTAssertLessThan(log.aheadOfWrites.max()!, 2)
    }

    func testProgressCountsWrittenBatchesOnTheCallingThreadUpToAll() throws {
        let log = Log()
        _ = try run([Int](repeating: 2, count: 12), log: log)
        XCTAssertTrue(log.progressOnCaller)
        XCTAssertEqual(log.progress.last, 12)
        XCTAssertEqual(log.progress, log.progress.sorted())
        XCTAssertEqual(Set(log.progress).count, log.progress.count, "each count is reported once")
    }

    func testAStopEndsTheRunWithTheBatchesWrittenSoFar() throws {
        let log = Log()
        let written = try run([Int](repeating: 2, count: 200), stopAfter: 5, log: log)
        XCTAssertGreaterThanOrEqual(written, 5)
        XCTAssertLessThan(written, 200)
        XCTAssertEqual(log.writes.map(\.batch), Array(0..<written))
    }

    func testAFailedWriteIsRethrownAndNoLaterBatchIsWritten() {
        let log = Log()
        XCTAssertThrowsError(try run([Int](repeating: 2, count: 30), failAt: 7, log: log)) { error in
            XCTAssertTrue(error is Failure)
        }
        XCTAssertEqual(log.writes.map(\.batch), Array(0..<7))
    }
}
