import Foundation
import HDF5

/// Writes a file through a temporary file beside the target that is renamed into place only when
/// the writer finishes: an interrupted or failed write never leaves a partial file under the
/// requested name, and never touches an existing file of that name.
public enum AtomicFile {
    /// Calls `body` with a temporary path beside `path`, then renames it to `path`.
    /// - Throws: `AtomicFileError` when the directory is missing; whatever `body` throws (the temporary file is removed).
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        try requireDirectory(of: path)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try body(temporary)
            guard rename(temporary, path) == 0 else {
                throw AtomicFileError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}

extension AtomicFile {
    /// Throws unless the directory `path` would be written into exists.
    public static func requireDirectory(of path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AtomicFileError("cannot write \(path): the directory \(directory) does not exist; create it first")
        }
    }
}

/// A file that could not be written.
public struct AtomicFileError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public let description: String
    public init(_ description: String) { self.description = description }
}
