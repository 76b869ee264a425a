import Foundation

/// The one check every output of every command passes before any work starts, so that nothing a
/// user has is lost: an output must have a file name, must not be a directory, must lie in a
/// directory that exists and can be written, and must not be one of the command's inputs (the same
/// file by device and inode, whatever name reaches it).
public enum OutputGuard {
    /// Checks `output` against `inputs` (files the command reads; ones that do not exist are ignored).
    /// - Throws: `OutputProblem` saying what is wrong.
    public static func check(_ output: String, against inputs: [String] = []) throws {
        guard !output.isEmpty else { throw OutputProblem.noName(path: output) }
        guard !output.hasSuffix("/") else { throw OutputProblem.isDirectory(path: output) }
        let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputProblem.missingDirectory(path: output, directory: directory)
        }
        guard access(directory, W_OK | X_OK) == 0 else { throw OutputProblem.unwritableDirectory(path: output, directory: directory) }
        guard let target = identity(of: output) else { return }
        guard !target.isDirectory else { throw OutputProblem.isDirectory(path: output) }
        if let input = inputs.first(where: { identity(of: $0).map { $0.device == target.device && $0.inode == target.inode } ?? false }) {
            throw OutputProblem.isInput(path: output, input: input)
        }
    }

    /// The device, inode and kind of the file at `path` (following links), or nil when there is none.
    private static func identity(of path: String) -> (device: UInt64, inode: UInt64, isDirectory: Bool)? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return (UInt64(status.st_dev), UInt64(status.st_ino), (status.st_mode & S_IFMT) == S_IFDIR)
    }
}

/// What is wrong with an output, found before any work.
public enum OutputProblem: Error, Equatable, CustomStringConvertible {
    /// An empty name.
    case noName(path: String)
    /// The name of a directory (or one ending in `/`).
    case isDirectory(path: String)
    /// Its directory does not exist.
    case missingDirectory(path: String, directory: String)
    /// Its directory cannot be written by this user.
    case unwritableDirectory(path: String, directory: String)
    /// It is one of the command's inputs.
    case isInput(path: String, input: String)

    public var description: String {
        switch self {
        case .noName: return "the output has no name; name a file to write"
        case .isDirectory(let path): return "cannot write \(path): it is a directory; name a file inside it"
        case .missingDirectory(let path, let directory): return "cannot write \(path): the directory \(directory) does not exist; create it first"
        case .unwritableDirectory(let path, let directory): return "cannot write \(path): the directory \(directory) is not writable"
        case .isInput(let path, let input):
            return "cannot write \(path): it is the input \(input), which writing would destroy"
        }
    }
}
