import CZlib
import Foundation

/// gzip decompression through zlib's `inflate`, for the gzip'd IDX files.
///
/// Internal: callers turn `Gzip.Failure` into a `DatasetError` that names the file.
enum Gzip {
    /// zlib refused the stream; `reason` is zlib's message or what was wrong.
    struct Failure: Error {
        var reason: String
    }

    /// True when `bytes` start with the gzip magic bytes 1f 8b.
    static func isGzip<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var it = bytes.makeIterator()
        return it.next() == 0x1f && it.next() == 0x8b
    }

    /// The decompressed content of a gzip file (all its members, as `gzip -d` does).
    /// - Throws: `Gzip.Failure` when the stream is damaged, cut short, or followed by bytes that are not gzip.
    static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        // ISIZE (the last four bytes, little-endian) is the uncompressed size mod 2^32 of the
        // last member: a good first guess for the capacity, never trusted beyond that.
        if input.count >= 18 {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            output.reserveCapacity(min(isize, 1 << 30))
        }

        var stream = z_stream()
        // 16 + MAX_WBITS: accept a gzip header and trailer, not a raw zlib stream.
        var status = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Failure(reason: "inflateInit2 failed with code \(status)") }
        defer { inflateEnd(&stream) }

        let chunkSize = 1 << 18
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try input.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress else { throw Failure(reason: "the file is empty") }
            var consumed = 0
            while true {
                // zlib's avail_in is 32-bit; feed at most 1 GiB at a time.
                let feed = min(src.count - consumed, 1 << 30)
                stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                stream.avail_in = uInt(feed)
                repeat {
                    status = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(chunkSize)
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                    let produced = chunkSize - Int(stream.avail_out)
                    output.append(contentsOf: chunk[0..<produced])
                    switch status {
                    case Z_OK, Z_STREAM_END:
                        break
                    case Z_BUF_ERROR where stream.avail_in == 0:
                        // Input exhausted in the middle of a stream: handled after the loop.
                        break
                    default:
                        throw Failure(reason: zlibMessage(stream, status))
                    }
                } while status == Z_OK && stream.avail_out == 0
                consumed += feed - Int(stream.avail_in)

                if status == Z_STREAM_END {
                    let rest = src[consumed...]
                    if rest.isEmpty { return }
                    // NOTE: a gzip file may hold several members back to back (pigz, `cat a.gz b.gz`);
                    // gzip -d concatenates them, and so do we. Anything else after the end is damage.
                    guard isGzip(rest) else {
                        throw Failure(reason: "\(rest.count) bytes of trailing data after the gzip stream")
                    }
                    status = inflateReset(&stream)
                    guard status == Z_OK else { throw Failure(reason: zlibMessage(stream, status)) }
                    continue
                }
                if consumed >= src.count {
                    throw Failure(reason: "unexpected end of the compressed data (the download is incomplete)")
                }
            }
        }
        return output
    }

    private static func zlibMessage(_ stream: z_stream, _ status: Int32) -> String {
        if let msg = stream.msg { return String(cString: msg) + " (zlib code \(status))" }
        return "zlib code \(status)"
    }
}
