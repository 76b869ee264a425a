import Files
import Foundation
import HDF5
import Engine

/// Joins the shard files of one recording (`probe record --shard I/N`) into a single activation
/// file whose datasets are HDF5 virtual datasets pointing into the shards: no activation is copied,
/// and h5py sees one (N, units) dataset per layer.
public enum ShardMerger {
    /// Merges `shards` into `output`.
    /// - Throws: `RecordingError.invalidFile` when a file is not a complete activation file or the
    ///   shards do not fit together (other model, data, split or layers; a missing, repeated or
    ///   overlapping slice), saying which and why.
    public static func merge(_ shards: [String], into output: String) throws {
        guard !shards.isEmpty else { throw RecordingError.invalidSetting("give the shard files to merge") }
        let files = try shards.map { try ActivationFile(path: $0) }.sorted { $0.metadata.firstRow < $1.metadata.firstRow }
        let first = files[0].metadata
        for file in files.dropFirst() {
            let m = file.metadata
            for (what, a, b) in [
                ("model", m.modelSHA256, first.modelSHA256),
                ("data set", m.dataset + " " + m.datasetSHA256, first.dataset + " " + first.datasetSHA256),
                ("split", m.split.rawValue, first.split.rawValue),
                ("layers", m.layerNames.joined(separator: ","), first.layerNames.joined(separator: ",")),
                ("total rows", "\(m.totalRows)", "\(first.totalRows)"),
            ] where a != b {
                throw RecordingError.invalidFile(
                    "\(file.path) and \(files[0].path) do not belong to one recording: their \(what) differ (\(a) vs \(b))")
            }
        }
        let counts = Set(files.map { $0.metadata.shard.split(separator: "/").last.map(String.init) ?? "" })
        guard counts == ["\(files.count)"] else {
            throw RecordingError.invalidFile(
                "the shards say they are \(counts.sorted().joined(separator: ", ")) slices, but \(files.count) files were given; pass every shard once"
            )
        }
        var next = 0
        for file in files {
            guard file.metadata.firstRow == next else {
                let problem =
                    file.metadata.firstRow > next
                    ? "rows \(next)..<\(file.metadata.firstRow) are in no shard" : "rows from \(file.metadata.firstRow) are in two shards"
                throw RecordingError.invalidFile("the shards do not fit together: \(problem) (at \(file.path))")
            }
            next += file.count
        }
        guard next == first.totalRows else {
            throw RecordingError.invalidFile("the shards hold \(next) of the recording's \(first.totalRows) rows; a shard is missing")
        }

        // Shards are named relative to the merged file, so that the two can move together.
        let outputDirectory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        func reference(_ path: String) -> String { LinkedFile.relativeName(of: path, from: outputDirectory) }
        let sources = try files.map { file -> (file: String, rows: Range<Int>, handle: HDF5File) in
            (reference(file.path), file.metadata.firstRow..<(file.metadata.firstRow + file.count), try HDF5File.open(file.path))
        }
        try AtomicFile.write(to: output, kind: .activations) { temporary in
            let merged = try HDF5File.create(temporary)
            let root = merged.root
            let shardRoot = sources[0].handle.root
            for name in try shardRoot.attributeNames() {
                try root.copyAttribute(name, from: shardRoot)
            }
            try MergedShards.stamp(root, shards: files.map(\.path), output: output)
            try root.setAttribute("rows", Int64(next))
            try root.setAttribute("rows_complete", Int64(next))
            try root.setAttribute("first_row", Int64(0))
            // The settings of the whole recording: every row, merged from the shards.
            var settings = try shardRoot.stringAttribute("settings").split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if settings.count == 10 {
                settings[4] = "\(0..<next)"
                settings[9] = "merged from \(files.count) shards"
            }
            try root.setAttribute("settings", settings.joined(separator: "|"))
            var paths = ["labels", "indices", "logits"] + first.layerNames.map { "layers/\($0)" }
            if shardRoot.contains("images") { paths.append("images") }
            _ = try root.createGroup("layers")
            for path in paths {
                let info = try shardRoot.datasetInfo(path)
                let rowShape = Array(info.shape.dropFirst())
                let virtualSources = sources.map {
                    VirtualSource(file: $0.file, dataset: "/" + path, rows: $0.rows, sourceShape: [$0.rows.count] + rowShape)
                }
                guard try MergedShards.stitch(path, shape: [next] + rowShape, sources: virtualSources, like: shardRoot, into: root) else {
                    throw RecordingError.invalidFile("\(files[0].path): /\(path) holds \(info.typeDescription), not an activation file's type")
                }
            }
            try merged.attachDimensionScales()
            try merged.close()
        }
    }
}
