import Foundation
import HDF5

/// A file another neuron-probe file reads its data from: a shard of a merged recording, which
/// HDF5 reads through virtual datasets. Its name is stored relative to the file that links it (so
/// the two can move together), with its size, `created` stamp and `settings`, so that a reader can
/// tell a shard that is missing or was replaced from one that is as it was merged. (Hashing every
/// shard on every open would read gigabytes; size, stamp and settings are read in a moment, and
/// `shard_sha256` stays for a full check.)
public struct LinkedFile: Encodable, Equatable, Sendable {
    /// Whether the file is there as it was linked.
    public enum State: String, Encodable, Sendable {
        /// Present, of the size and stamp recorded.
        case present
        /// Not found where the link points.
        case missing
        /// Found, but of another size or stamp: another file now has its name.
        case changed
    }

    /// The name as stored: relative to the linking file's directory (or absolute in older files).
    public var name: String
    /// Where it is looked for.
    public var path: String
    /// What was found there.
    public var state: State

    private enum CodingKeys: String, CodingKey { case name, path, state }

    /// The name of `target` as a file in `directory` links it: relative, `../` where needed.
    public static func relativeName(of target: String, from directory: String) -> String {
        let to = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        let from = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL.pathComponents
        var common = 0
        while common < min(to.count - 1, from.count), to[common] == from[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }

    /// Records `files` as the shards of the file being written at `path`: `shards` (relative
    /// names), `shard_bytes` and `shard_identity` (each shard's `created` and `settings`).
    public static func recordShards(_ files: [String], on root: Group, of path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try root.setAttribute("shards", files.map { relativeName(of: $0, from: directory) })
        try root.setAttribute("shard_bytes", try files.map { Int64(try size(of: $0) ?? -1) })
        try root.setAttribute("shard_identity", try files.map { try identity(of: $0) })
    }

    /// A shard's `created` stamp and `settings`, joined.
    private static func identity(of path: String) throws -> String {
        let root = try HDF5File.open(path).root
        return try root.stringAttribute("created") + " " + (root.hasAttribute("settings") ? root.stringAttribute("settings") : "")
    }

    /// The state of every shard `root` (of the file at `path`) records, or nil when it records none.
    public static func shards(of root: Group, file path: String) throws -> [LinkedFile]? {
        guard root.hasAttribute("shards") else { return nil }
        let names = try root.stringArrayAttribute("shards")
        let bytes = root.hasAttribute("shard_bytes") ? try root.arrayAttribute("shard_bytes", as: Int64.self).map(Int.init) : nil
        let identities = root.hasAttribute("shard_identity") ? try root.stringArrayAttribute("shard_identity") : nil
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try names.enumerated().map { i, name in
            let resolved = name.hasPrefix("/") ? name : directory.appendingPathComponent(name).standardizedFileURL.path
            guard let size = try size(of: resolved) else { return LinkedFile(name: name, path: resolved, state: .missing) }
            let sameSize = bytes.map { $0[i] == size } ?? true
            let sameStamp = identities.map { (try? identity(of: resolved)) == $0[i] } ?? true
            return LinkedFile(name: name, path: resolved, state: sameSize && sameStamp ? .present : .changed)
        }
    }

    /// The size of the file at `path`, nil when there is none.
    private static func size(of path: String) throws -> Int? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
    }
}
