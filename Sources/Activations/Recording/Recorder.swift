import Dispatch
import Files
import Foundation
import HDF5
import Engine

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
        guard !requested.isEmpty else {
            throw SettingProblem("layers", "", "names no layer; give one or more of \(model.layerNames.joined(separator: ", ")) (or all)")
        }
        for name in requested where !model.layerNames.contains(name) {
            throw SettingProblem("layers", name, "names no layer of the model; its layers are \(model.layerNames.joined(separator: ", ")) (or all)")
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
    /// - Returns: what was written: rows, layers, wall time and the file's size.
    /// - Throws: `RecordingError`: `.invalidSetting` for bad settings or a partial file that does not match,
    ///   `.interrupted`, and `.invalidFile` for any failure while recording (a full disk), after removing the partial file.
    @discardableResult
    public func record(
        _ input: RecordingInput, to path: String, resume: Bool = false,
        shouldStop: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> RecordingSummary {
        let began = Date()
        guard options.batchSize >= 1 else { throw SettingProblem("batch size", "must be at least 1") }
        if case .shuffleGzip = options.compression {
            throw RecordingError.invalidSetting("the recorder writes none or gzip chunks; shuffle+gzip is not supported")
        }
        try AtomicFile.requireDirectory(of: path)
        let layers = try selectedLayers(of: input.model)
        let rows = options.shard?.rows(of: input.indices.count) ?? 0..<input.indices.count
        if let shard = options.shard, rows.isEmpty {
            throw SettingProblem(
                "shard", shard.description, "holds none of the \(input.indices.count) rows: a recording of N rows splits into at most N shards")
        }
        let partial = Recorder.partialPath(for: path)
        let fingerprint = try settingsFingerprint(input, layers: layers, rows: rows)

        let writer: ActivationWriter
        if FileManager.default.fileExists(atPath: partial) {
            guard !Recorder.isLockedByAnotherProcess(partial) else { throw RecordingError.partialInUse(partial: partial) }
            guard resume else {
                throw RecordingError.partialRecordingExists(partial: partial)
            }
            writer = try ActivationWriter(resuming: partial, fingerprint: fingerprint)
        } else {
            do {
                writer = try ActivationWriter(
                    creating: partial, input: input, layers: layers, rows: rows, options: options,
                    fingerprint: fingerprint)
            } catch {
                // A full disk can fail the file's creation itself: what was created goes too.
                try? FileManager.default.removeItem(atPath: partial)
                throw RecordingError.invalidFile("recording to \(path) failed, the partial file was removed: \(error)")
            }
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
                    try writer.append(
                        labels: recordRows.map { input.images.labels[$0] }, indices: recordRows.map { input.indices[$0] },
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
                throw RecordingError.interrupted(done: done, total: rows.count, partial: partial, kept: kept)
            }
            try writer.finish()
        } catch let interrupted as RecordingError where { if case .interrupted = interrupted { return true } else { return false } }() {
            throw interrupted
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw RecordingError.invalidFile("recording to \(path) failed, the partial file was removed: \(error)")
        }
        guard rename(partial, path) == 0 else {
            throw RecordingError.invalidFile("cannot move \(partial) to \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return RecordingSummary(file: path, rows: rows.count, layers: layers, seconds: Date().timeIntervalSince(began), bytes: bytes)
    }

    /// Whether another process holds a lock on `path`: HDF5 locks every file it writes for as long
    /// as the file is open, so a partial file that is locked belongs to a recording still running.
    static func isLockedByAnotherProcess(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// Parses the `compression` attribute of a partial recording.
    static func parseCompressionAttribute(_ text: String) throws -> Compression {
        guard let compression = Compression(text: text) else {
            throw RecordingError.invalidFile("unknown compression '\(text)' in a partial recording; delete it and record again")
        }
        return compression
    }

    /// A string that changes whenever a setting that shapes the file changes; a partial file is
    /// resumed only under the same fingerprint.
    private func settingsFingerprint(_ input: RecordingInput, layers: [String], rows: Range<Int>) throws -> String {
        [
            input.metadata.sha256, input.dataset, input.datasetSHA256, input.split.rawValue, "\(rows)", layers.joined(separator: ","),
            "\(options.compression)", "\(options.withImages)", "\(options.batchSize)", options.shard?.description ?? "whole",
        ]
        .joined(separator: "|")
    }
}
