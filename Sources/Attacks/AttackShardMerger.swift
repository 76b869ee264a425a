import Engine
import Files
import Foundation
import HDF5

/// Joins the shard files of one attack (`probe attack … --shard I/N`) into one attack file whose
/// datasets are HDF5 virtual datasets pointing into the shards, stitched along the sample axis (the
/// first axis of per-example datasets, the second of the (runs, samples, …) ones): no image is
/// copied, and h5py, `probe transfer` and `probe report` read the merged file as one attack.
public enum AttackShardMerger {
    /// Datasets with one entry per example.
    static let perExample = ["indices", "labels", "targets", "pred_clean"]
    /// Datasets of shape (runs, examples, …).
    static let perRunAndExample = [
        "adversarial", "success", "distortion", "l2", "linf", "pred_adv", "confidence", "iterations", "c_low", "c_high", "failed",
    ]
    /// Root attributes that may differ between the shards of one attack.
    static let perShard: Set<String> = [
        "created", "command_line", "tool_version", "blas_kernel", "blas_kernel_selection", "shard", "first_example", "model_file",
    ]

    /// Merges the attack files `shards` into `output`.
    /// - Throws: `AttackError.invalidFile` when a file is not an attack shard or the shards are not
    ///   the slices of one attack (another method, setting, model, data, seed or ε; a missing or
    ///   repeated slice), saying which and why.
    public static func merge(_ shards: [String], into output: String) throws {
        guard !shards.isEmpty else { throw AttackError.invalidSetting("give the shard files to merge") }
        struct Part {
            let path: String, shard: Shard, first: Int, count: Int, skipped: [Int64], root: Group, file: HDF5File
        }
        let parts = try shards.map { path -> Part in
            let file = try NeuronProbeFile.open(path, as: .attack)
            let root = file.root
            let text = root.hasAttribute("shard") ? try root.stringAttribute("shard") : "1/1"
            guard text != "merged" else { throw AttackError.invalidFile("\(path) is itself a merge of shards; merge the shard files themselves") }
            let shard = try Shard(parsing: text)
            let skipped = root.contains("skipped_indices") ? try root.openDataset("skipped_indices", of: Int64.self).read() : []
            return Part(
                path: path, shard: shard, first: Int(try root.attribute("first_example", as: Int64.self)),
                count: try root.datasetInfo("indices").shape[0], skipped: skipped, root: root, file: file)
        }.sorted { $0.shard.index < $1.shard.index }
        let first = parts[0]
        let total = Int(try first.root.attribute("total_examples", as: Int64.self))
        let attributes = try first.root.attributeNames().filter { !perShard.contains($0) }
        for part in parts.dropFirst() {
            for name in attributes {
                let a = part.root.hasAttribute(name) ? "\(try part.root.attributeValue(name))" : "none"
                let b = "\(try first.root.attributeValue(name))"
                guard a == b else {
                    throw AttackError.invalidFile("\(part.path) and \(first.path) are not shards of one attack: their \(name) differ (\(a) vs \(b))")
                }
            }
            // Bit for bit: L-BFGS and noise runs carry NaN.
            guard
                try part.root.openDataset("epsilons", of: Float.self).read().map(\.bitPattern)
                    == first.root.openDataset("epsilons", of: Float.self).read().map(\.bitPattern)
            else {
                throw AttackError.invalidFile("\(part.path) and \(first.path) are not shards of one attack: their ε differ")
            }
        }
        let counts = Set(parts.map(\.shard.count))
        guard counts == [parts.count], parts.map(\.shard.index) == Array(1...parts.count) else {
            throw AttackError.invalidFile(
                "the shards are \(parts.map(\.shard.description).joined(separator: ", ")) of an attack in \(counts.sorted().map(String.init).joined(separator: ", ")) slices; pass every shard once"
            )
        }
        for part in parts
        where part.first != part.shard.rows(of: total).lowerBound || part.count + part.skipped.count != part.shard.rows(of: total).count {
            throw AttackError.invalidFile("\(part.path) does not hold the examples of shard \(part.shard) of \(total); it was altered")
        }
        let n = parts.reduce(0) { $0 + $1.count }
        let outputDirectory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var offsets: [Int] = []
        var next = 0
        for part in parts {
            offsets.append(next)
            next += part.count
        }
        try AtomicFile.writeHDF5(to: output, kind: .attack, engine: .current) { root in
            for name in try first.root.attributeNames() { try root.copyAttribute(name, from: first.root) }
            try MergedShards.stamp(root, shards: parts.map(\.path), output: output)
            try root.setAttribute("first_example", Int64(0))
            let epsilons = try first.root.openDataset("epsilons", of: Float.self)
            try root.write("epsilons", try epsilons.read(), shape: epsilons.shape).setDimensionLabels(["run"])
            if first.root.contains("skipped_indices") {
                let skipped = parts.flatMap(\.skipped)
                try root.write("skipped_indices", skipped, shape: [skipped.count]).setDimensionLabels(["skipped"])
            }
            for (names, axis) in [(perExample, 0), (perRunAndExample, 1)] {
                for name in names {
                    let shape = try first.root.datasetInfo(name).shape
                    var whole = shape
                    whole[axis] = n
                    let sources = try zip(parts, offsets).filter { $0.0.count > 0 }.map { part, offset -> VirtualSource in
                        var partShape = whole
                        partShape[axis] = part.count
                        guard try part.root.datasetInfo(name).shape == partShape else {
                            throw AttackError.invalidFile(
                                "\(part.path): /\(name) has shape \(try part.root.datasetInfo(name).shape), not \(partShape)")
                        }
                        return VirtualSource(
                            file: LinkedFile.relativeName(of: part.path, from: outputDirectory), dataset: "/" + name,
                            rows: offset..<(offset + part.count), sourceShape: partShape, axis: axis)
                    }
                    guard try MergedShards.stitch(name, shape: whole, sources: sources, like: first.root, into: root) else {
                        throw AttackError.invalidFile(
                            "\(first.path): /\(name) holds \(try first.root.datasetInfo(name).typeDescription), not an attack file's type")
                    }
                }
            }
        }
        for part in parts { try part.file.close() }
    }

}
