import Glibc

/// Asks Linux to back a large, not yet written buffer with 2 MiB pages (transparent huge pages,
/// `madvise(MADV_HUGEPAGE)`), for the kernels that only give them on request (`enabled=madvise`,
/// Debian's default).
///
/// A training epoch gathers its batches from random rows of the whole training set; with 4 KiB
/// pages almost every row costs a TLB miss and a page walk (bench/README.md has the measurements).
/// Advice is only advice: where the kernel has no huge pages to give, nothing changes.
enum HugePages {
    /// The page size asked for.
    static let pageSize = 2 << 20

    /// Advises the whole 2 MiB pages inside `buffer`; buffers of less than two pages are left alone.
    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count >= 2 * pageSize else { return }
        let mask = UInt(pageSize - 1)
        let start = (UInt(bitPattern: base) + mask) & ~mask
        let end = UInt(bitPattern: base + buffer.count) & ~mask
        guard end > start, let first = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(first, Int(end - start), MADV_HUGEPAGE)
    }
}
