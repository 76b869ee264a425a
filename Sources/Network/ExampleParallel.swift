import CBLAS
import Dispatch
import Foundation

/// Splits a batch into contiguous shares of examples worked on by all cores at once, for layers
/// whose products are too small for OpenBLAS to spread over threads well (im2col convolutions).
///
/// NOTE: while the shares run, OpenBLAS is set to one thread so each core runs its own
/// single-threaded sgemm rather than two multi-threaded ones that spin waiting for each other.
enum ExampleParallel {
    /// The number of cores used.
    static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Below this many examples per share the batch is not split.
    static let minimumShare = 8
    private static let lock = NSLock()

    /// How many shares `batch` examples are split into.
    static func shareCount(of batch: Int) -> Int { max(1, min(workers, batch / minimumShare)) }

    private static let insideShareKey = "neuron-probe.ExampleParallel.insideShare"

    /// Whether the calling thread is running a share already (its work must not be split again).
    private static var insideShare: Bool {
        get { Thread.current.threadDictionary[insideShareKey] != nil }
        set { Thread.current.threadDictionary[insideShareKey] = newValue ? true : nil }
    }

    /// Calls `body` once per share with its range of examples and its index, concurrently.
    /// Called again from inside a share, it runs `body` once over the whole batch on that thread.
    static func forEachShare(of batch: Int, shares requested: Int? = nil, _ body: (Range<Int>, Int) -> Void) {
        let shares = requested.map { max(1, min($0, batch)) } ?? shareCount(of: batch)
        guard shares > 1, !insideShare else {
            body(0..<batch, 0)
            return
        }
        lock.lock()
        let threads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        DispatchQueue.concurrentPerform(iterations: shares) { share in
            insideShare = true
            defer { insideShare = false }
            body((batch * share / shares)..<(batch * (share + 1) / shares), share)
        }
        openblas_set_num_threads(threads)
        lock.unlock()
    }

    /// Calls `body` once per share with its range of examples, concurrently.
    static func forEachShare(of batch: Int, _ body: (Range<Int>) -> Void) {
        forEachShare(of: batch) { range, _ in body(range) }
    }
}
