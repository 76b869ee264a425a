import CBLAS
import Dispatch
import Foundation
import Synchronization

/// Splits a batch into contiguous shares of examples worked on by all cores at once: training
/// steps without dropout and the convolutions (whose products are too small for OpenBLAS to spread
/// over threads well), inference and input gradients of any network (examples are independent
/// there); and large elementwise passes into parts (`forEachPart`).
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
        forEachShare(of: batch, callsBLAS: true, body)
    }

    /// `forEachShare`, leaving OpenBLAS's thread count alone when `body` makes no product.
    private static func forEachShare(of batch: Int, callsBLAS: Bool, _ body: (Range<Int>, Int) -> Void) {
        let shares = shareCount(of: batch)
        guard shares > 1, !insideShare else {
            body(0..<batch, 0)
            return
        }
        func range(_ share: Int) -> Range<Int> { (batch * share / shares)..<(batch * (share + 1) / shares) }
        lock.lock()
        defer { lock.unlock() }
        let threads = callsBLAS ? openblas_get_num_threads() : 1
        if callsBLAS { openblas_set_num_threads(1) }
        defer { if callsBLAS { openblas_set_num_threads(threads) } }
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

    /// Below this many values an elementwise pass runs on the calling thread alone: handing half
    /// of it to another core costs more than it saves.
    static let minimumParallelValues = 1 << 15

    /// Calls `body` over contiguous parts of `0..<count`, one per core when `count` is at least
    /// `minimumParallelValues` and on the calling thread alone otherwise: for elementwise passes
    /// over large buffers (gathering a batch, summing gradients, an optimiser's update), which one
    /// core cannot run at the memory's speed.
    static func forEachPart(of count: Int, _ body: (Range<Int>) -> Void) {
        guard count >= minimumParallelValues else { return body(0..<count) }
        forEachShare(of: count, callsBLAS: false) { range, _ in body(range) }
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

/// A thread that runs one job at a time for `ExampleParallel`.
///
/// The hand-off spins before it sleeps: a training step hands out several jobs a millisecond, and a
/// thread woken from a semaphore takes 15-20 µs to run again on a virtual machine, as long as a
/// share of a small product. Both sides first poll the shared state for up to `spinLimit`, yielding
/// the core on every poll (as OpenBLAS's own threads wait) so that a spinning thread never holds up
/// another that has work; only then do they sleep on a semaphore, and the other side wakes them.
private final class ShareThread: @unchecked Sendable {
    /// The states of the hand-off.
    private enum State {
        static let idle = 0, posted = 1, done = 2, helperAsleep = 3, callerAsleep = 4
    }
    /// How long either side polls before it sleeps, in nanoseconds.
    private static let spinLimit: UInt64 = 100_000
    private let state = Atomic<Int>(State.idle)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var job: (() -> Void)?

    init(name: String) {
        let thread = Thread { [unowned self] in
            ExampleParallel.insideShare = true
            while true {
                waitForJob()
                job?()
                job = nil
                if state.exchange(State.done, ordering: .acquiringAndReleasing) == State.callerAsleep { finished.signal() }
            }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Whether a job is posted and not yet done. A caller asleep in `wait` has one posted too (it
    /// fell asleep before this thread took the job up).
    private var jobPosted: Bool {
        let current = state.load(ordering: .acquiring)
        return current == State.posted || current == State.callerAsleep
    }

    /// Whether the job given to `start` is done: asleep after `start` means it is, since the thread
    /// sleeps only once it has finished its job.
    private var jobDone: Bool {
        let current = state.load(ordering: .acquiring)
        return current == State.done || current == State.helperAsleep
    }

    /// Polls `ready`, yielding the core between polls, for up to `spinLimit`; whether it came true.
    private func poll(until ready: () -> Bool) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinLimit
        while !ready() {
            if DispatchTime.now().uptimeNanoseconds >= deadline { return false }
            sched_yield()
        }
        return true
    }

    /// Returns once a job is posted: polling first, then asleep until `start` wakes it.
    private func waitForJob() {
        while !poll(until: { jobPosted }) {
            let current = state.load(ordering: .acquiring)
            if current != State.posted, current != State.callerAsleep,
                state.compareExchange(expected: current, desired: State.helperAsleep, ordering: .acquiringAndReleasing).exchanged
            {
                wake.wait()
            }
        }
    }

    /// Runs `job` on this thread; `wait()` must follow before the next `start`.
    func start(_ job: @escaping () -> Void) {
        self.job = job
        if state.exchange(State.posted, ordering: .acquiringAndReleasing) == State.helperAsleep { wake.signal() }
    }

    /// Waits for the job given to `start` to return: polling first, then asleep until the thread
    /// wakes it.
    func wait() {
        while !poll(until: { jobDone }) {
            if state.compareExchange(expected: State.posted, desired: State.callerAsleep, ordering: .acquiringAndReleasing).exchanged {
                finished.wait()
            }
        }
    }
}
