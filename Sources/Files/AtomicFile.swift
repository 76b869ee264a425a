import Foundation
import HDF5

/// Writes files through temporaries beside their targets that are checked, then renamed into
/// place only when every one is complete: an interrupted or failed write never leaves a partial
/// file under a requested name, and never touches an existing file of that name.
public enum AtomicFile {
    /// One file of a set written together: where it goes, how to write it, and how to check what was written.
    public struct Output {
        /// The target path.
        public var path: String
        /// Writes the file at the temporary path it is given.
        public var write: (String) throws -> Void
        /// Reads the temporary back and throws unless it holds what was written.
        public var verify: (String) throws -> Void

        /// The output `path`, written by `write` and checked by `verify`.
        public init(path: String, write: @escaping (String) throws -> Void, verify: @escaping (String) throws -> Void = { _ in }) {
            self.path = path
            self.write = write
            self.verify = verify
        }
    }

    /// Calls `body` with a temporary path beside `path`, checks the result with `verify`, then renames it to `path`.
    /// - Throws: `AtomicFileError` when the directory is missing, the check fails or the rename does;
    ///   whatever `body` throws (the temporary file is removed).
    public static func write(to path: String, verify: @escaping (String) throws -> Void = { _ in }, _ body: (String) throws -> Void) throws {
        try withoutActuallyEscaping(body) { body in
            try write([Output(path: path, write: body, verify: verify)])
        }
    }

    /// Writes every output to its temporary and checks it, and only then renames them all into
    /// place: when one fails, none is renamed and no temporary is left (a command that writes
    /// several files, results and figures, writes all or none).
    /// - Throws: `AtomicFileError`, or what an output's `write` throws.
    public static func write(_ outputs: [Output]) throws {
        for output in outputs {
            try requireDirectory(of: output.path)
            removeStaleTemporaries(of: output.path)
        }
        var temporaries: [String] = []
        do {
            for output in outputs {
                let temporary = temporaryPath(for: output.path)
                temporaries.append(temporary)
                do {
                    try output.write(temporary)
                } catch let error as HDF5Error {
                    throw AtomicFileError("cannot write \(output.path): \(error.message); check the free space and the file-size limit")
                }
                do {
                    try output.verify(temporary)
                } catch {
                    throw AtomicFileError(
                        "cannot write \(output.path): what was written does not read back (\(error)); check the free space and the file-size limit")
                }
            }
            for (output, temporary) in zip(outputs, temporaries) {
                guard rename(temporary, output.path) == 0 else {
                    throw AtomicFileError("cannot write \(output.path): \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            for temporary in temporaries { try? FileManager.default.removeItem(atPath: temporary) }
            throw error
        }
    }

    /// The temporary beside `path` of this process: `.NAME.tmp-PID`.
    static func temporaryPath(for path: String, process: Int32 = ProcessInfo.processInfo.processIdentifier) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".tmp-\(process)").path
    }

    /// Removes the temporaries beside `path` left by processes that are gone (killed before they
    /// could clean up); those of running processes are theirs.
    static func removeStaleTemporaries(of path: String) {
        let url = URL(fileURLWithPath: path)
        let prefix = "." + url.lastPathComponent + ".tmp-"
        let directory = url.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let process = Int32(name.dropFirst(prefix.count)), process > 0 else { continue }
            if kill(process, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            }
        }
    }
}

extension AtomicFile {
    /// Writes the neuron-probe file `path` of `kind` with `body`, checked before the rename by
    /// opening it again and reading its `format` and `format_version` back.
    public static func write(to path: String, kind: FileKind, _ body: (String) throws -> Void) throws {
        try write(to: path, verify: { try NeuronProbeFile.open($0, as: kind).close() }, body)
    }

    /// Creates the directory `path` (and its parents) unless it exists.
    /// - Throws: `AtomicFileError` in one line when it cannot (a parent is a file, read-only, or missing on a read-only file system).
    public static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw AtomicFileError("cannot use \(path) as a directory: it is a file; choose another") }
            return
        }
        guard mkdirAll(path) else {
            throw AtomicFileError("cannot create the directory \(path): \(String(cString: strerror(errno))); choose another")
        }
    }

    /// mkdir -p, reporting failure through errno.
    private static func mkdirAll(_ path: String) -> Bool {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if parent != path, !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) {
            guard mkdirAll(parent) else { return false }
        }
        return mkdir(path, 0o755) == 0 || errno == EEXIST
    }

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

extension AtomicFile {
    /// Writes the neuron-probe file `path` of `kind`: a new HDF5 file stamped with its kind and
    /// `engine`, filled by `body` through its root group, with a dimension scale on every labelled
    /// axis, then checked and renamed into place.
    public static func writeHDF5(to path: String, kind: FileKind, engine: EngineStamp, _ body: (Group) throws -> Void) throws {
        try write(to: path, kind: kind) { temporary in
            let file = try HDF5File.create(temporary)
            try FileStamp.stamp(file.root, kind: kind, engine: engine)
            try body(file.root)
            try file.attachDimensionScales()
            try file.close()
        }
    }
}
