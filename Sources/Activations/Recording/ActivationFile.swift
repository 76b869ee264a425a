import Files
import Foundation
import HDF5
import Engine

/// A recorded activation file opened for reading: its metadata, and each layer's activations by
/// rows, by unit column, or in batches. The API the analysis commands use.
public final class ActivationFile {
    /// What the file says about its recording.
    public struct Metadata: Sendable {
        /// The model file's path, as given to `probe record`.
        public var modelFile: String
        /// SHA-256 of the model file.
        public var modelSHA256: String
        /// The model's architecture spec.
        public var modelArchitecture: String
        /// The model's training seed.
        public var seed: Int64
        /// The data set's name.
        public var dataset: String
        /// SHA-256 of the split's images content.
        public var datasetSHA256: String
        /// The split the rows come from.
        public var split: RecordedSplit
        /// Class names, index order.
        public var classNames: [String]
        /// Recorded layers, network order.
        public var layerNames: [String]
        /// `I/N` of a shard, `1/1` for a whole recording.
        public var shard: String
        /// Where this file's rows start in the whole recording.
        public var firstRow: Int
        /// Rows of the whole recording (all shards).
        public var totalRows: Int
        /// The tool version that wrote it.
        public var toolVersion: String
        /// When it was written.
        public var created: String
        /// none, gzip:L or shuffle+gzip:L.
        public var compression: String
    }

    /// A recorded layer: its name, shape and what it computes.
    public struct LayerInfo: Sendable {
        /// The layer's name in the network.
        public var name: String
        /// (N, units) or (N, C, H, W).
        public var shape: [Int]
        /// What the layer computes.
        public var kind: LayerKind
        /// `relu`, `sigmoid`, `tanh`, `maxout`, `max` or `none`.
        public var nonlinearity: String
        /// Index of the layer in the network.
        public var position: Int
        /// Values per sample.
        public var units: Int { shape.dropFirst().reduce(1, *) }
    }

    /// The file's path.
    public let path: String
    /// The recording's metadata.
    public let metadata: Metadata
    /// Number of samples (rows).
    public let count: Int
    private let file: HDF5File

    /// Opens and validates an activation file.
    /// - Throws: `RecordingError.invalidFile` with one line saying what is wrong (missing, not HDF5,
    ///   another kind of neuron-probe file, a newer format, incomplete).
    public init(path: String) throws {
        self.path = path
        file = try NeuronProbeFile.open(path, as: .activations)
        let root = file.root
        metadata = Metadata(
            modelFile: try root.stringAttribute("model_file"), modelSHA256: try root.stringAttribute("model_sha256"),
            modelArchitecture: try root.stringAttribute("model_architecture"), seed: try root.attribute("seed", as: Int64.self),
            dataset: try root.stringAttribute("dataset"), datasetSHA256: try root.stringAttribute("dataset_sha256"),
            split: try root.choiceAttribute("split", as: RecordedSplit.self, in: path), classNames: try root.stringArrayAttribute("class_names"),
            layerNames: try root.stringArrayAttribute("layer_names"), shard: try root.stringAttribute("shard"),
            firstRow: Int(try root.attribute("first_row", as: Int64.self)), totalRows: Int(try root.attribute("total_rows", as: Int64.self)),
            toolVersion: try root.stringAttribute("tool_version"), created: try root.stringAttribute("created"),
            compression: try root.stringAttribute("compression"))
        // A merged recording reads its rows from its shards: a missing or replaced one would read as
        // fill values (NaN activations, label 0) in every client.
        if let shards = try LinkedFile.shards(of: root, file: path), let broken = shards.first(where: { $0.state != .present }) {
            throw RecordingError.invalidFile(
                broken.state == .missing
                    ? "\(path) is a merged recording whose shard \(broken.name) is missing (looked for \(broken.path)); put it back, or merge the shards again"
                    : "\(path) is a merged recording whose shard \(broken.name) is not the file it was merged from (its size or stamp differs); merge the shards again"
            )
        }
        let planned = Int(try root.attribute("rows", as: Int64.self))
        guard let first = metadata.layerNames.first else {
            throw RecordingError.invalidFile("\(path) records no layer")
        }
        count = try root.datasetInfo(root.contains("labels") ? "labels" : "layers/\(first)").shape[0]
        guard count == planned else {
            throw RecordingError.invalidFile("\(path) holds \(count) of its \(planned) rows: the recording is incomplete; record it again")
        }
    }

    /// Facts about the recorded layer `name`.
    /// - Throws: `RecordingError.invalidSetting` listing the recorded layers when `name` is not one.
    public func layer(_ name: String) throws -> LayerInfo {
        let dataset = try layerDataset(name)
        return LayerInfo(
            name: name, shape: dataset.shape, kind: try dataset.choiceAttribute("kind", as: LayerKind.self, in: "\(path), layer \(name),"),
            nonlinearity: try dataset.stringAttribute("nonlinearity"),
            position: Int(try dataset.attribute("position", as: Int64.self)))
    }

    private func layerDataset(_ name: String) throws -> Dataset<Float> {
        guard metadata.layerNames.contains(name) else {
            throw RecordingError.invalidSetting("\(path) has no layer '\(name)'; it holds \(metadata.layerNames.joined(separator: ", "))")
        }
        let info = try file.root.datasetInfo("layers/\(name)")
        // A merged file's layers are virtual: they have no chunks of their own to cache.
        guard let chunk = info.chunk, !info.isVirtual else { return try file.root.openDataset("layers/\(name)", of: Float.self) }
        return try file.root.openDataset(
            "layers/\(name)", of: Float.self,
            chunkCache: ActivationLayout.cache(rowShape: Array(info.shape.dropFirst()), chunk: chunk, bytes: 4))
    }

    /// Whether the file holds the labels (files of other tools may not).
    public var hasLabels: Bool { file.root.contains("labels") }

    /// The labels of all samples.
    public func labels() throws -> [Int] { try file.root.openDataset("labels", of: UInt8.self).read().map(Int.init) }

    /// Each sample's row in the recorded split.
    public func indices() throws -> [Int] { try file.root.openDataset("indices", of: Int64.self).read().map { Int($0) } }

    /// The logits, (N, classes).
    public func logits() throws -> Tensor {
        let dataset = try file.root.openDataset("logits", of: Float.self)
        return Tensor(shape: dataset.shape, scalars: try dataset.read())
    }

    /// Whether the file holds the images.
    public var hasImages: Bool { file.root.contains("images") }

    /// The images as stored, (N, H, W) uint8.
    public func images() throws -> ImageBytes {
        let dataset = try file.root.openDataset("images", of: UInt8.self)
        let shape = dataset.shape
        // (N, H, W) grey, or (N, C, H, W).
        return ImageBytes(
            pixels: try dataset.read(), channels: shape.count == 4 ? shape[1] : 1, height: shape[shape.count - 2], width: shape[shape.count - 1])
    }

    /// Activations of layer `name` for samples `range`, shaped (range.count, …).
    public func rows(_ name: String, _ range: Range<Int>) throws -> Tensor {
        let dataset = try layerDataset(name)
        return Tensor(shape: [range.count] + dataset.shape.dropFirst(), scalars: try dataset.readRows(range))
    }

    /// The activation of one unit (a flat index into the per-sample values) over all samples.
    public func column(_ name: String, unit: Int) throws -> [Float] {
        let dataset = try layerDataset(name)
        let shape = dataset.shape
        if shape.count == 2 { return try dataset.readColumn(unit) }
        // A feature-map position: read the layer band by band.
        let units = shape.dropFirst().reduce(1, *)
        guard unit >= 0 && unit < units else {
            throw RecordingError.invalidSetting("layer \(name) has \(units) units per sample; unit \(unit) does not exist")
        }
        var values: [Float] = []
        values.reserveCapacity(shape[0])
        try forEachBatch(name, size: 4096) { _, batch in
            for row in 0..<batch.batchSize { values.append(batch.scalars[row * units + unit]) }
        }
        return values
    }

    /// Calls `body` with layer `name` in consecutive batches of `size` samples and their row ranges.
    public func forEachBatch(_ name: String, size: Int, _ body: (Range<Int>, Tensor) throws -> Void) throws {
        let dataset = try layerDataset(name)
        let rowShape = Array(dataset.shape.dropFirst())
        var start = 0
        while start < dataset.shape[0] {
            let end = min(start + max(size, 1), dataset.shape[0])
            try body(start..<end, Tensor(shape: [end - start] + rowShape, scalars: try dataset.readRows(start..<end)))
            start = end
        }
    }
}
