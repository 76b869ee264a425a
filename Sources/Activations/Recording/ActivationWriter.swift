import Dispatch
import Files
import Foundation
import HDF5
import Engine

/// The HDF5 side of a recording: creates or reopens the partial file and appends batches.
final class ActivationWriter {
    private let file: HDF5File
    // NOTE: the datasets are released in close(): HDF5 keeps a file open while any of its objects is.
    private var layerSets: [String: RowSink<Float>] = [:]
    private var logits: RowSink<Float>!
    private var labels: RowSink<UInt8>!
    private var indices: RowSink<Int64>!
    private var images: RowSink<UInt8>?
    private(set) var rowsComplete: Int

    /// Creates a new partial file with every dataset empty.
    init(creating path: String, input: RecordingInput, layers: [String], rows: Range<Int>, options: RecordingOptions, fingerprint: String) throws {
        file = try HDF5File.create(path)
        let root = file.root
        try FileStamp.stamp(root, kind: .activations, engine: .current)
        try Provenance(
            modelFile: input.modelPath, modelSHA256: input.metadata.sha256, modelArchitecture: input.metadata.architecture,
            dataset: input.dataset, datasetSHA256: input.datasetSHA256, split: input.split,
            seed: input.metadata.training.seed, classNames: input.images.classNames
        ).write(to: root)
        try root.setAttribute("layer_names", layers)
        try root.setAttribute("rows", Int64(rows.count))
        try root.setAttribute("first_row", Int64(rows.lowerBound))
        try root.setAttribute("total_rows", Int64(input.indices.count))
        try root.setAttribute("shard", options.shard?.description ?? "1/1")
        try root.setAttribute("compression", options.compression.text)
        try root.setAttribute("batch_size", Int64(options.batchSize))
        try root.setAttribute("settings", fingerprint)
        try root.setAttribute("rows_complete", Int64(0))

        let level = ActivationWriter.gzipLevel(options.compression)
        func growing<T: HDF5Scalar & AdditiveArithmetic>(_ group: Group, _ name: String, _ type: T.Type, rowShape: [Int], labels axisLabels: [String])
            throws -> RowSink<T>
        {
            let chunk = ActivationLayout.chunk(rowShape: rowShape, bytes: MemoryLayout<T>.size, rows: rows.count)
            let dataset = try group.createDataset(
                name, of: type, shape: [0] + rowShape, maxShape: [nil] + rowShape.map { $0 }, chunk: chunk,
                compression: options.compression)
            try dataset.setDimensionLabels(axisLabels)
            return RowSink(dataset, rowsInFile: 0, gzipLevel: level)
        }
        labels = try growing(root, "labels", UInt8.self, rowShape: [], labels: ["sample"])
        indices = try growing(root, "indices", Int64.self, rowShape: [], labels: ["sample"])
        let classes = input.model.classCount
        logits = try growing(root, "logits", Float.self, rowShape: [classes], labels: ["sample", "class"])
        images =
            options.withImages
            ? try input.images.channels == 1
                ? growing(root, "images", UInt8.self, rowShape: [input.images.height, input.images.width], labels: ["sample", "height", "width"])
                : growing(
                    root, "images", UInt8.self, rowShape: input.images.imageShape, labels: ["sample", "channel", "height", "width"])
            : nil
        let group = try root.createGroup("layers")
        let shapes = Dictionary(uniqueKeysWithValues: zip(input.model.layerNames, input.model.layerOutputShapes()))
        for (position, layer) in input.model.layers.enumerated() where layers.contains(layer.name) {
            let rowShape = shapes[layer.name]!
            let sink = try growing(group, layer.name, Float.self, rowShape: rowShape, labels: ActivationLayout.axisLabels(rank: rowShape.count + 1))
            try sink.dataset.setAttribute("kind", layer.kind.rawValue)
            try sink.dataset.setAttribute("nonlinearity", layer.kind.nonlinearity)
            try sink.dataset.setAttribute("position", Int64(position))
            layerSets[layer.name] = sink
        }
        rowsComplete = 0
        try file.flush()
    }

    /// Reopens a partial file whose settings match, cutting every dataset back to its last checkpoint.
    init(resuming path: String, fingerprint: String) throws {
        do {
            file = try HDF5File.open(path, writable: true)
        } catch {
            throw RecordingError.invalidFile("\(path) cannot be resumed (\(error)); delete it and record again")
        }
        let root = file.root
        guard root.hasAttribute("settings"), try root.stringAttribute("settings") == fingerprint else {
            throw RecordingError.invalidSetting(
                "\(path) was recorded with other settings (model, data, layers, compression, batch size or shard); rerun with the same ones, or delete it"
            )
        }
        rowsComplete = Int(try root.attribute("rows_complete", as: Int64.self))
        let level = ActivationWriter.gzipLevel(try Recorder.parseCompressionAttribute(try root.stringAttribute("compression")))
        func reopen<T: HDF5Scalar & AdditiveArithmetic>(_ group: Group, _ name: String, _ type: T.Type) throws -> RowSink<T> {
            let dataset = try group.openDataset(name, of: type)
            try dataset.resize(rows: rowsComplete)
            return RowSink(dataset, rowsInFile: rowsComplete, gzipLevel: level)
        }
        labels = try reopen(root, "labels", UInt8.self)
        indices = try reopen(root, "indices", Int64.self)
        logits = try reopen(root, "logits", Float.self)
        images = root.contains("images") ? try reopen(root, "images", UInt8.self) : nil
        let group = try root.openGroup("layers")
        for name in try root.stringArrayAttribute("layer_names") {
            layerSets[name] = try reopen(group, name, Float.self)
        }
    }

    /// Sets disk space aside for the chunks of `rows` more rows (uncompressed datasets only); `close()`
    /// gives back what the file did not use.
    func reserveSpace(rows: Int) {
        let sizes =
            layerSets.values.map { $0.storedBytes(appending: rows) }
            + [
                logits.storedBytes(appending: rows), labels.storedBytes(appending: rows), indices.storedBytes(appending: rows),
                images?.storedBytes(appending: rows) ?? 0,
            ]
        // Compressed sizes are unknown before: nothing is reserved for a gzip recording.
        let known = sizes.compactMap { $0 }
        guard known.count == sizes.count else { return }
        DiskReservation.reserve(known.reduce(0, +), atEndOf: file.path)
    }

    /// Appends the forward pass of some rows: each recorded layer's output and the logits.
    func append(trace: ForwardTrace, layers: [String]) throws {
        for name in layers { try layerSets[name]!.append(try trace.tap(name).scalars) }
        try logits.append(trace.output.scalars)
    }

    /// Appends the same rows' labels, indices and optionally images.
    func append(labels batchLabels: [Int], indices batchIndices: [Int], images source: LabeledImages?, imageRows: [Int]) throws {
        try labels.append(batchLabels.map { UInt8(truncatingIfNeeded: $0) })
        try indices.append(batchIndices.map(Int64.init))
        if let images, let source {
            let size = source.bytesPerImage
            var pixels: [UInt8] = []
            pixels.reserveCapacity(imageRows.count * size)
            for row in imageRows { pixels += source.pixels[(row * size)..<((row + 1) * size)] }
            try images.append(pixels)
        }
    }

    /// Marks `rows` as complete and flushes, so a crash after this point loses nothing before it.
    /// At a checkpoint every band is whole (the checkpoint interval is a multiple of every chunk's rows),
    /// or the recording is at its end, where the last partial bands are written first.
    func checkpoint(rows: Int, last: Bool = false) throws {
        if last {
            for sink in layerSets.values { try sink.flush() }
            try logits.flush()
            try labels.flush()
            try indices.flush()
            try images?.flush()
        }
        try file.root.setAttribute("rows_complete", Int64(rows))
        try file.flush()
        rowsComplete = rows
    }

    /// Completes the file.
    func finish() throws {
        try file.attachDimensionScales()
        try file.root.setAttribute("created", ToolInfo.timestamp())
        try close()
    }

    func close() throws {
        layerSets = [:]
        (logits, labels, indices, images) = (nil, nil, nil, nil)
        try file.close()
        DiskReservation.releaseUnused(file.path)
    }

    /// The gzip level whose chunks the recorder compresses itself, or nil for uncompressed datasets.
    static func gzipLevel(_ compression: Compression) -> Int? {
        if case .gzip(let level) = compression { return level }
        return nil
    }
}
