import Foundation
import Engine

/// Hands a recording's work to one thread per core (`Cores.run`): the forward passes of each
/// batch's pieces, in any order and at most `lookahead` batches ahead of the writes, and each
/// batch's write, strictly in batch order and one at a time (HDF5 is serial). A worker that
/// finishes a task takes the next one, so the writes take their share of the cores without
/// preempting the forward passes. (A dedicated writer thread made three busy threads on two cores:
/// whichever half of a batch it preempted, the other half's core waited for it.)
final class RecordingSchedule<Piece>: @unchecked Sendable {
    /// One unit of work.
    private enum Task {
        case forward(batch: Int, piece: Int)
        case write(batch: Int, pieces: [Piece])
    }

    private let condition = NSCondition()
    private let pieceCounts: [Int]
    private let lookahead: Int
    /// Every piece of every batch, in order, as (batch, piece): handed out front to back.
    private let order: [(batch: Int, piece: Int)]
    private var handedOut = 0
    private var finished: [Int: [Piece?]] = [:]
    private var written = 0
    private var writing = false
    private var stopped = false
    private var failure: Error?

    /// A schedule of `pieceCounts.count` batches, batch b in `pieceCounts[b]` pieces (at least one).
    init(pieceCounts: [Int], lookahead: Int = 3) {
        precondition(pieceCounts.allSatisfy { $0 >= 1 } && lookahead >= 1, "RecordingSchedule: every batch needs a piece")
        self.pieceCounts = pieceCounts
        self.lookahead = lookahead
        order = pieceCounts.enumerated().flatMap { batch, count in (0..<count).map { (batch, $0) } }
    }

    /// Runs the schedule on every core.
    /// - Parameters:
    ///   - forward: computes piece `piece` of batch `batch`; called concurrently from several threads.
    ///   - write: stores batch `batch` from its pieces, in piece order; called for batch 0, 1, … in turn.
    ///   - shouldStop: polled on the calling thread between tasks (and every 50 ms while it waits); once it
    ///     returns true no new task starts, and the run returns when the running ones have ended.
    ///   - progress: called on the calling thread with the number of batches written so far.
    /// - Returns: the number of batches written: all of them, unless `shouldStop` ended the run first.
    /// - Throws: the first error `write` threw; no task starts after it.
    func run(
        forward: (_ batch: Int, _ piece: Int) -> Piece, write: (_ batch: Int, _ pieces: [Piece]) throws -> Void,
        shouldStop: () -> Bool, progress: (_ batchesWritten: Int) -> Void
    ) throws -> Int {
        var reported = 0
        // Worker 0 is the calling thread: it alone polls and reports.
        func poll() {
            condition.lock()
            let done = written
            condition.unlock()
            if done > reported {
                reported = done
                progress(done)
            }
            if shouldStop() {
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
            }
        }
        Cores.run { worker in
            while let task = next(polling: worker == 0, poll: poll) {
                perform(task, forward: forward, write: write)
            }
        }
        if let failure { throw failure }
        if written > reported { progress(written) }
        return written
    }

    /// The next task for a worker, waiting until one is ready; nil when the run is over for it.
    /// The `polling` worker calls `poll` before it looks and every 50 ms while it waits.
    private func next(polling: Bool, poll: () -> Void) -> Task? {
        if polling { poll() }
        condition.lock()
        while true {
            if stopped || failure != nil || written == pieceCounts.count {
                condition.unlock()
                return nil
            }
            if !writing, let pieces = finished[written], pieces.allSatisfy({ $0 != nil }) {
                writing = true
                finished[written] = nil
                condition.unlock()
                return .write(batch: written, pieces: pieces.map { $0! })
            }
            if handedOut < order.count, order[handedOut].batch < written + lookahead {
                let (batch, piece) = order[handedOut]
                handedOut += 1
                condition.unlock()
                return .forward(batch: batch, piece: piece)
            }
            if polling {
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
                condition.unlock()
                poll()
                condition.lock()
            } else {
                condition.wait()
            }
        }
    }

    private func perform(_ task: Task, forward: (Int, Int) -> Piece, write: (Int, [Piece]) throws -> Void) {
        switch task {
        case .forward(let batch, let piece):
            let result = forward(batch, piece)
            condition.lock()
            finished[batch, default: [Piece?](repeating: nil, count: pieceCounts[batch])][piece] = result
            condition.broadcast()
            condition.unlock()
        case .write(let batch, let pieces):
            var error: Error?
            do { try write(batch, pieces) } catch let thrown { error = thrown }
            condition.lock()
            writing = false
            if let error {
                failure = failure ?? error
            } else {
                written += 1
            }
            condition.broadcast()
            condition.unlock()
        }
    }
}
