import Foundation

/// The column matrix a thread keeps between convolution calls: im2col's scratch, grown to the
/// largest size asked for and reused, instead of allocated (and its pages faulted in) per call and
/// per share.
final class ColumnScratch {
    private var storage: UnsafeMutablePointer<Float>?
    private var capacity = 0

    private static let key = "neuron-probe.ColumnScratch"

    /// The calling thread's scratch.
    static var current: ColumnScratch {
        let dictionary = Thread.current.threadDictionary
        if let scratch = dictionary[key] as? ColumnScratch { return scratch }
        let scratch = ColumnScratch()
        dictionary[key] = scratch
        return scratch
    }

    /// `count` floats of uninitialised scratch, valid until the next call on this thread.
    func buffer(count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            storage?.deallocate()
            storage = .allocate(capacity: count)
            capacity = count
        }
        return storage!
    }

    deinit { storage?.deallocate() }
}
