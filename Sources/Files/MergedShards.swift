import Foundation
import HDF5

/// The root attributes every merged file (`probe merge` of recordings or of attacks) records about
/// itself and its shards: when and how it was made, the shards relative to it with their sizes,
/// identities and SHA-256, and the BLAS kernel each shard ran on (shards may have run on other
/// machines of a cluster).
public enum MergedShards {
    /// Stamps `root` (of the merged file being written for `output`) with the merge of `shards`.
    /// - Throws: HDF5 or file errors reading a shard or writing an attribute.
    public static func stamp(_ root: Group, shards: [String], output: String) throws {
        try root.setAttribute("created", ToolInfo.timestamp())
        try root.setAttribute("command_line", ToolInfo.commandLine)
        try root.setAttribute("tool_version", ToolInfo.version)
        try root.setAttribute("shard", "merged")
        try LinkedFile.recordShards(shards, on: root, of: output)
        try root.setAttribute("shard_sha256", try shards.map { try Checksum.sha256(ofFile: $0) })
        let kernels = try shards.map { path -> String in
            let shardRoot = try HDF5File.open(path).root
            return shardRoot.hasAttribute("blas_kernel") ? try shardRoot.stringAttribute("blas_kernel") : "unknown"
        }
        var distinct: [String] = []
        for kernel in kernels where !distinct.contains(kernel) { distinct.append(kernel) }
        try root.setAttribute("shard_blas_kernels", kernels)
        try root.setAttribute("blas_kernel", distinct.joined(separator: ", "))
        if distinct.count > 1 {
            try root.setAttribute("blas_kernel_selection", "the shards ran on \(distinct.count) kernels (shard_blas_kernels)")
        }
    }

    /// Copies the attributes and dimension labels of dataset `path` of `source` to `target` (not
    /// HDF5's own dimension-scale bookkeeping, which `attachDimensionScales` writes anew).
    public static func copyDatasetAttributes<T: HDF5Scalar>(_ path: String, from source: Group, of type: T.Type, to target: Dataset<T>) throws {
        let dataset = try source.openDataset(path, of: type)
        for name in try dataset.attributeNames() where !name.hasPrefix("DIMENSION_") && name != "REFERENCE_LIST" && name != "CLASS" {
            try target.copyAttribute(name, from: dataset)
        }
        let labels = try dataset.dimensionLabels()
        if labels.contains(where: { !$0.isEmpty }) { try target.setDimensionLabels(labels) }
    }

    /// The virtual dataset `name` of `root` over `sources`, of the type, attributes and dimension
    /// labels of the same dataset of `like` (a shard's root); false when its type is none a
    /// neuron-probe file stores (the caller says which file, in its own words).
    public static func stitch(_ name: String, shape: [Int], sources: [VirtualSource], like source: Group, into root: Group) throws -> Bool {
        func make<T: HDF5Scalar>(_ type: T.Type) throws {
            let dataset = try root.createVirtualDataset(name, of: type, shape: shape, sources: sources)
            try copyDatasetAttributes(name, from: source, of: type, to: dataset)
        }
        switch try source.datasetInfo(name).typeDescription {
        case "float32": try make(Float.self)
        case "float64": try make(Double.self)
        case "int64": try make(Int64.self)
        case "uint8": try make(UInt8.self)
        default: return false
        }
        return true
    }
}
