import CArchive
import Files
import Foundation

/// CIFAR-10's binary version read straight from its published archive, `cifar-10-binary.tar.gz`
/// (libarchive reads the gzip'd tar): each batch file of a split is a run of 3,073-byte records,
/// one label byte then the red, green and blue 32x32 planes, row-major. Nothing is extracted to
/// disk, and the archive's bytes are checked against the registry on every load.
public enum CIFARArchive {
    /// Bytes of one record: the label and three 32x32 planes.
    public static let recordSize = 1 + 3 * 32 * 32

    /// The members `names` of the gzip'd tar in `bytes`, by name.
    /// - Throws: `DatasetError.malformedArchive` naming `path` when it is not a readable .tar.gz.
    static func members(_ names: Set<String>, of bytes: [UInt8], path: String) throws -> [String: [UInt8]] {
        guard let archive = archive_read_new() else { throw DatasetError.malformedArchive(path: path, reason: "libarchive could not start") }
        defer { archive_read_free(archive) }
        archive_read_support_filter_gzip(archive)
        archive_read_support_format_tar(archive)
        func failure(_ what: String) -> DatasetError {
            DatasetError.malformedArchive(
                path: path, reason: "\(what): \(archive_error_string(archive).map { String(cString: $0) } ?? "not a .tar.gz")")
        }
        var found: [String: [UInt8]] = [:]
        try bytes.withUnsafeBytes { buffer in
            guard archive_read_open_memory(archive, buffer.baseAddress, buffer.count) == ARCHIVE_OK else { throw failure("cannot open the archive") }
            var entry: OpaquePointer?
            while true {
                let status = archive_read_next_header(archive, &entry)
                if status == ARCHIVE_EOF { break }
                guard status == ARCHIVE_OK, let entry, let name = archive_entry_pathname(entry).map({ String(cString: $0) }) else {
                    throw failure("a damaged entry")
                }
                guard names.contains(name) else {
                    archive_read_data_skip(archive)
                    continue
                }
                let size = Int(archive_entry_size(entry))
                var data = [UInt8](repeating: 0, count: size)
                var done = 0
                while done < size {
                    let read = data.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress! + done, size - done) }
                    guard read > 0 else { throw failure("\(name) ends early") }
                    done += read
                }
                found[name] = data
            }
        }
        return found
    }

    /// The images and labels of `split` in the archive at `url`, checked against `descriptor`'s checksums.
    /// - Throws: `DatasetError` for a checksum mismatch, an unreadable archive, a missing batch, or a
    ///   batch that is not whole records.
    public static func load(_ url: URL, split: DatasetSplit, descriptor: DatasetDescriptor, verifyChecksums: Bool = true) throws -> LabeledImages {
        guard case .cifarBinary(let members) = descriptor.format, let batches = members[split] else {
            throw DatasetError.malformedArchive(path: url.path, reason: "\(descriptor.name) has no \(split) batches")
        }
        let bytes = try IDXFile.readBytes(url)
        if verifyChecksums, let entry = descriptor.file(split, .images) {
            if case .mismatch(let method, let expected, let actual) = FileCheck.verify(entry, bytes: bytes) {
                throw DatasetError.checksumMismatch(path: url.path, method: method, expected: expected, actual: actual, dataset: descriptor.name)
            }
        }
        let found = try Self.members(Set(batches), of: bytes, path: url.path)
        var pixels: [UInt8] = [], labels: [Int] = []
        for batch in batches {
            guard let data = found[batch] else {
                throw DatasetError.malformedArchive(
                    path: url.path, reason: "it holds no \(batch); is it CIFAR-10's binary version (cifar-10-binary.tar.gz)?")
            }
            guard data.count % recordSize == 0 else {
                throw DatasetError.malformedArchive(
                    path: url.path, reason: "\(batch) holds \(data.count) bytes, not whole \(recordSize)-byte records")
            }
            for start in stride(from: 0, to: data.count, by: recordSize) {
                labels.append(Int(data[start]))
                pixels += data[(start + 1)..<(start + recordSize)]
            }
        }
        var set = try LabeledImages(
            name: descriptor.name, split: split, pixels: pixels, height: 32, width: 32, channels: 3, labels: labels,
            classNames: descriptor.classNames, source: url.path)
        set.contentSHA256 = descriptor.file(split, .images)?.fileSHA256
        return set
    }
}
