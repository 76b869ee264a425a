import Dispatch
import Foundation
import HDF5
import Network

/// Which split a recording covers: `all` is the training split followed by the test split.
public enum RecordedSplit: String, CaseIterable, Sendable {
    case test, train, all
}

/// The I-th of N contiguous slices of a recording (`--shard I/N`, I counted from 1).
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// 1-based index of this slice.
    public let index: Int
    /// Number of slices.
    public let count: Int

    /// Parses `I/N` with 1 ≤ I ≤ N.
    /// - Throws: `RecordingError.invalidSetting` saying what is accepted.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw RecordingError.invalidSetting("--shard \(text) is not I/N with 1 ≤ I ≤ N (e.g. --shard 2/4)")
        }
        index = i
        count = n
    }

    /// The rows of `total` this slice covers.
    public func rows(of total: Int) -> Range<Int> {
        (total * (index - 1) / count)..<(total * index / count)
    }

    public var description: String { "\(index)/\(count)" }
}

/// Errors of recording, reading and merging activation files.
public enum RecordingError: Error, CustomStringConvertible, Equatable {
    /// A setting that cannot work.
    case invalidSetting(String)
    /// A file that is not what the command needs.
    case invalidFile(String)
    /// The run was interrupted; the partial file can be resumed.
    case interrupted(String)

    public var description: String {
        switch self {
        case .invalidSetting(let m), .invalidFile(let m), .interrupted(let m): return m
        }
    }
}

/// What to record and how.
public struct RecordingOptions: Sendable {
    /// Layer names to record; nil records `ActivationLayout.defaultLayers`.
    public var layers: [String]?
    /// Also store the images as uint8 (N, H, W), so the file alone serves the analysis.
    public var withImages = false
    /// Chunk compression.
    public var compression = Compression.none
    /// Examples per forward pass; a divisor of the checkpoint interval keeps checkpoints on batch edges.
    public var batchSize = 1024
    /// Only this slice of the rows.
    public var shard: Shard?

    /// The default options.
    public init() {}
}

/// The images a recording runs over, with where they come from.
public struct RecordingInput {
    /// The model file's path, as given.
    public var modelPath: String
    /// The network.
    public var model: Sequential
    /// The model file's metadata (sha256, seed, architecture).
    public var metadata: ModelMetadata
    /// The images and labels, in recording order.
    public var images: LabeledImages
    /// The recorded split.
    public var split: RecordedSplit
    /// Each image's row in the split (`all`: train rows, then 60,000 + test rows).
    public var indices: [Int]
    /// The data set's name.
    public var dataset: String
    /// The sha256 of the split's images content ("train+test" pairs joined by "+" for `all`).
    public var datasetSHA256: String

    /// Everything a recording needs.
    public init(modelPath: String, model: Sequential, metadata: ModelMetadata, images: LabeledImages,
                split: RecordedSplit, indices: [Int], dataset: String, datasetSHA256: String) {
        self.modelPath = modelPath
        self.model = model
        self.metadata = metadata
        self.images = images
        self.split = split
        self.indices = indices
        self.dataset = dataset
        self.datasetSHA256 = datasetSHA256
    }
}

/// Streams a network's activations over a data set into an activation file, batch by batch, in
/// bounded memory. The file is built under a temporary name beside the target (`.NAME.partial`) and
/// renamed into place when complete; `resume` continues a partial file from its last checkpoint.
public struct Recorder {
    /// What to record.
    public let options: RecordingOptions

    /// A recorder with `options`.
    public init(options: RecordingOptions) { self.options = options }

    /// The temporary file a recording to `path` is built in.
    public static func partialPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".partial").path
    }

    /// The layers `options` selects, checked against the model.
    /// - Throws: `RecordingError.invalidSetting` naming a missing layer and listing the valid ones.
    public func selectedLayers(of model: Sequential) throws -> [String] {
        guard let requested = options.layers else { return ActivationLayout.defaultLayers(of: model) }
        for name in requested where !model.layerNames.contains(name) {
            throw RecordingError.invalidSetting("the model has no layer '\(name)'; its layers are \(model.layerNames.joined(separator: ", ")) (or use --layers all)")
        }
        // Network order, whatever the order asked for.
        return model.layerNames.filter { requested.contains($0) }
    }

    /// Records `input` into `path`.
    /// - Parameters:
    ///   - resume: continue the partial file of an interrupted recording with the same settings.
    ///   - shouldStop: polled on the calling thread between tasks (and every 50 ms while it waits); when it
    ///     returns true the recording lets the running forward passes and write end, drops the batches computed
    ///     but not written, closes the partial file (which keeps everything up to its last checkpoint) and
    ///     throws `.interrupted`.
    ///   - progress: called on the calling thread, as batches are written, with rows written and rows in total.
    /// - Returns: the number of rows recorded.
    /// - Throws: `RecordingError`: `.invalidSetting` for bad settings or a partial file that does not match,
    ///   `.interrupted`, and `.invalidFile` for any failure while recording (a full disk), after removing the partial file.
    @discardableResult
    public func record(
        _ input: RecordingInput, to path: String, resume: Bool = false,
        shouldStop: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Int {
        guard options.batchSize >= 1 else { throw RecordingError.invalidSetting("--batch-size must be at least 1") }
        if case .shuffleGzip = options.compression {
            throw RecordingError.invalidSetting("the recorder writes none or gzip chunks; shuffle+gzip is not supported")
        }
        try AtomicFile.requireDirectory(of: path)
        let layers = try selectedLayers(of: input.model)
        let rows = options.shard?.rows(of: input.indices.count) ?? 0..<input.indices.count
        let partial = Recorder.partialPath(for: path)
        let fingerprint = try settingsFingerprint(input, layers: layers, rows: rows)

        let writer: ActivationWriter
        if FileManager.default.fileExists(atPath: partial) {
            guard resume else {
                throw RecordingError.invalidSetting(
                    "\(partial) holds an interrupted recording; rerun with --resume to continue it, or delete it to start over")
            }
            writer = try ActivationWriter(resuming: partial, fingerprint: fingerprint)
        } else {
            writer = try ActivationWriter(creating: partial, input: input, layers: layers, rows: rows, options: options,
                                          fingerprint: fingerprint)
        }

        let start = rows.lowerBound + writer.rowsComplete
        let batches = stride(from: start, to: rows.upperBound, by: options.batchSize).map { $0..<min($0 + options.batchSize, rows.upperBound) }
        // Each batch in one piece per core, as the shares of one forward pass (small batches stay whole).
        let pieceCounts = batches.map { Cores.shares(of: $0.count) }
        func piece(_ batch: Int, _ piece: Int) -> Range<Int> {
            let range = batches[batch], count = pieceCounts[batch]
            return (range.lowerBound + range.count * piece / count)..<(range.lowerBound + range.count * (piece + 1) / count)
        }
        let schedule = RecordingSchedule<ForwardTrace>(pieceCounts: pieceCounts)
        writer.reserveSpace(rows: rows.upperBound - start)
        do {
            progress(writer.rowsComplete, rows.count)
            let written = try schedule.run(
                forward: { batch, index in input.model.forward(input.images.images.rows(piece(batch, index))) },
                write: { batch, traces in
                    let recordRows = Array(batches[batch])
                    for trace in traces { try writer.append(trace: trace, layers: layers) }
                    try writer.append(labels: recordRows.map { input.images.labels[$0] }, indices: recordRows.map { input.indices[$0] },
                                      images: options.withImages ? input.images : nil, imageRows: recordRows)
                    let end = batches[batch].upperBound - rows.lowerBound
                    if end % ActivationLayout.checkpointRows == 0 || end == rows.count {
                        try writer.checkpoint(rows: end, last: end == rows.count)
                    }
                },
                shouldStop: shouldStop,
                progress: { written in progress(batches[written - 1].upperBound - rows.lowerBound, rows.count) })
            guard written == batches.count else {
                // NOTE: rows after the last checkpoint are dropped: their bands are not whole chunks yet.
                let kept = writer.rowsComplete
                let done = (written == 0 ? start : batches[written - 1].upperBound) - rows.lowerBound
                try writer.close()
                throw RecordingError.interrupted(
                    "interrupted after \(done) of \(rows.count) rows; \(partial) keeps the first \(kept): rerun the same command with --resume to finish")
            }
            try writer.finish()
        } catch RecordingError.interrupted(let message) {
            throw RecordingError.interrupted(message)
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw RecordingError.invalidFile("recording to \(path) failed, the partial file was removed: \(error)")
        }
        guard rename(partial, path) == 0 else {
            throw RecordingError.invalidFile("cannot move \(partial) to \(path): \(String(cString: strerror(errno)))")
        }
        return rows.count
    }

    /// Parses the `compression` attribute written by `ActivationWriter.describe`.
    static func parseCompressionAttribute(_ text: String) throws -> Compression {
        if text == "none" { return .none }
        let parts = text.split(separator: ":")
        if parts.count == 2, let level = Int(parts[1]) {
            if parts[0] == "gzip" { return .gzip(level: level) }
            if parts[0] == "shuffle+gzip" { return .shuffleGzip(level: level) }
        }
        throw RecordingError.invalidFile("unknown compression '\(text)' in a partial recording; delete it and record again")
    }

    /// A string that changes whenever a setting that shapes the file changes; a partial file is
    /// resumed only under the same fingerprint.
    private func settingsFingerprint(_ input: RecordingInput, layers: [String], rows: Range<Int>) throws -> String {
        [input.metadata.sha256, input.dataset, input.datasetSHA256, input.split.rawValue, "\(rows)", layers.joined(separator: ","),
         "\(options.compression)", "\(options.withImages)", "\(options.batchSize)", options.shard?.description ?? "whole"]
            .joined(separator: "|")
    }
}

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
        try FileStamp.stamp(root, format: ActivationLayout.format, version: ActivationLayout.formatVersion)
        try root.setAttribute("model_file", input.modelPath)
        try root.setAttribute("model_sha256", input.metadata.sha256)
        try root.setAttribute("model_architecture", input.metadata.architecture)
        try root.setAttribute("seed", Int64(bitPattern: input.metadata.training.seed))
        try root.setAttribute("dataset", input.dataset)
        try root.setAttribute("dataset_sha256", input.datasetSHA256)
        try root.setAttribute("split", input.split.rawValue)
        try root.setAttribute("class_names", input.images.classNames)
        try root.setAttribute("layer_names", layers)
        try root.setAttribute("rows", Int64(rows.count))
        try root.setAttribute("first_row", Int64(rows.lowerBound))
        try root.setAttribute("total_rows", Int64(input.indices.count))
        try root.setAttribute("shard", options.shard?.description ?? "1/1")
        try root.setAttribute("compression", ActivationWriter.describe(options.compression))
        try root.setAttribute("batch_size", Int64(options.batchSize))
        try root.setAttribute("settings", fingerprint)
        try root.setAttribute("rows_complete", Int64(0))

        let level = ActivationWriter.gzipLevel(options.compression)
        func growing<T: HDF5Scalar & AdditiveArithmetic>(_ group: Group, _ name: String, _ type: T.Type, rowShape: [Int], labels axisLabels: [String]) throws -> RowSink<T> {
            let chunk = ActivationLayout.chunk(rowShape: rowShape, bytes: MemoryLayout<T>.size, rows: rows.count)
            let dataset = try group.createDataset(
                name, of: type, shape: [0] + rowShape, maxShape: [nil] + rowShape.map { $0 }, chunk: chunk,
                compression: options.compression)
            try dataset.setDimensionLabels(axisLabels)
            return RowSink(dataset, rowsInFile: 0, gzipLevel: level)
        }
        labels = try growing(root, "labels", UInt8.self, rowShape: [], labels: ["sample"])
        indices = try growing(root, "indices", Int64.self, rowShape: [], labels: ["sample"])
        let classes = input.model.outputShape.reduce(1, *)
        logits = try growing(root, "logits", Float.self, rowShape: [classes], labels: ["sample", "class"])
        images = options.withImages
            ? try growing(root, "images", UInt8.self, rowShape: [input.images.height, input.images.width], labels: ["sample", "height", "width"])
            : nil
        let group = try root.createGroup("layers")
        let shapes = Dictionary(uniqueKeysWithValues: zip(input.model.layerNames, input.model.layerOutputShapes()))
        for (position, layer) in input.model.layers.enumerated() where layers.contains(layer.name) {
            let rowShape = shapes[layer.name]!
            let sink = try growing(group, layer.name, Float.self, rowShape: rowShape, labels: ActivationLayout.axisLabels(rank: rowShape.count + 1))
            try sink.dataset.setAttribute("kind", layer.kind)
            try sink.dataset.setAttribute("nonlinearity", ActivationLayout.nonlinearity(of: layer.kind))
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
                "\(path) was recorded with other settings (model, data, layers, compression, batch size or shard); rerun with the same ones, or delete it")
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
        let sizes = layerSets.values.map { $0.storedBytes(appending: rows) }
            + [logits.storedBytes(appending: rows), labels.storedBytes(appending: rows), indices.storedBytes(appending: rows),
               images?.storedBytes(appending: rows) ?? 0]
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
            let size = source.height * source.width
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

    static func describe(_ compression: Compression) -> String {
        switch compression {
        case .none: return "none"
        case .gzip(let level): return "gzip:\(level)"
        case .shuffleGzip(let level): return "shuffle+gzip:\(level)"
        }
    }
}
