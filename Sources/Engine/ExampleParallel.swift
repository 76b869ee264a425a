import CBLAS
import Dispatch
import Foundation

/// Splits a batch into contiguous shares of examples worked on by all cores at once: the
/// convolutions (whose products are too small for OpenBLAS to spread over threads well), and
/// inference and input gradients of any network (examples are independent there).
///
/// The shares run on the calling thread and on persistent worker threads of their own, one per
/// further core, not on Dispatch's pool: when that pool is busy (with a recording's writes or gzip
/// compression) or slow to wake, both shares of a batch may run one after the other on the caller.
///
/// NOTE: while the shares run, OpenBLAS is set to one thread so each core runs its own
/// single-threaded sgemm rather than two multi-threaded ones that spin waiting for each other.
enum ExampleParallel {
    /// The number of cores used.
    static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Below this many examples per share the batch is not split.
    static let minimumShare = 8
    private static let lock = NSLock()
    /// One thread per core beyond the caller's, started on first use.
    private static let helpers = (1..<max(workers, 2)).map { ShareThread(name: "neuron-probe.share.\($0)") }

    /// How many shares `batch` examples are split into.
    static func shareCount(of batch: Int) -> Int { max(1, min(workers, batch / minimumShare)) }

    private static let insideShareKey = "neuron-probe.ExampleParallel.insideShare"

    /// Whether the calling thread is running a share already (its work must not be split again).
    fileprivate static var insideShare: Bool {
        get { Thread.current.threadDictionary[insideShareKey] != nil }
        set { Thread.current.threadDictionary[insideShareKey] = newValue ? true : nil }
    }

    /// Calls `body` once per share with its range of examples and its index, concurrently.
    /// Called again from inside a share, it runs `body` once over the whole batch on that thread.
    static func forEachShare(of batch: Int, _ body: (Range<Int>, Int) -> Void) {
        let shares = shareCount(of: batch)
        guard shares > 1, !insideShare else {
            body(0..<batch, 0)
            return
        }
        func range(_ share: Int) -> Range<Int> { (batch * share / shares)..<(batch * (share + 1) / shares) }
        lock.lock()
        defer { lock.unlock() }
        let threads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(threads) }
        withoutActuallyEscaping(body) { body in
            for share in 1..<shares { helpers[share - 1].start { body(range(share), share) } }
            insideShare = true
            body(range(0), 0)
            insideShare = false
            for share in 1..<shares { helpers[share - 1].wait() }
        }
    }

    /// Calls `body` once per share with its range of examples, concurrently.
    static func forEachShare(of batch: Int, _ body: (Range<Int>) -> Void) {
        forEachShare(of: batch) { range, _ in body(range) }
    }
}

/// The machine's cores, for work that hands out its own tasks to them (the recorder's forward
/// passes and writes) rather than splitting one batch.
public enum Cores {
    /// How many there are.
    public static var count: Int { ExampleParallel.workers }

    /// How many shares, one per core at most, a batch of `examples` is split into for a forward pass
    /// (none smaller than a few examples).
    public static func shares(of examples: Int) -> Int { ExampleParallel.shareCount(of: examples) }

    /// Runs `body(worker)` for every worker `0..<count` at once: worker 0 on the calling thread, the
    /// others on persistent threads of their own. Inside, OpenBLAS runs on one thread and any split
    /// of a batch into shares runs inline, so each worker keeps to its own core. Returns when every
    /// call has; called from inside a share (or on one core), it runs `body(0)` alone.
    public static func run(_ body: (_ worker: Int) -> Void) {
        ExampleParallel.forEachShare(of: count * ExampleParallel.minimumShare) { _, worker in body(worker) }
    }
}

/// A thread that runs one job at a time for `ExampleParallel`, waiting on a semaphore in between.
private final class ShareThread: @unchecked Sendable {
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var job: (() -> Void)?

    init(name: String) {
        let thread = Thread { [unowned self] in
            ExampleParallel.insideShare = true
            while true {
                started.wait()
                job?()
                job = nil
                finished.signal()
            }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Runs `job` on this thread; `wait()` must follow before the next `start`.
    func start(_ job: @escaping () -> Void) {
        self.job = job
        started.signal()
    }

    /// Waits for the job given to `start` to return.
    func wait() { finished.wait() }
}
