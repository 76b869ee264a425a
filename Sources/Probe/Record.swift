import ArgumentParser
import Activations
import Dispatch
import Foundation
import HDF5
import Engine
import Files

extension RecordedSplit: ExpressibleByArgument {}

/// `probe record`: streams a model's activations over a data set into an activation file.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a model's activations at every layer over a data set into a self-describing HDF5 file.",
        discussion: """
            The file is written batch by batch into chunked datasets (docs/activation-file.md), under a temporary
            name beside the output that is renamed when complete. An interrupted recording keeps its checkpoints
            in .NAME.partial; run the same command with --resume to finish it. --shard I/N records the I-th of N
            contiguous slices; `probe merge` joins the shards into one file.
            """)

    @Argument(help: "The model file (written by probe train).")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(name: .long, help: "The split to record: test, train, or all (train then test).")
    var split = RecordedSplit.test

    @Option(name: .long, parsing: .unconditional, help: "Record only the first N images of the split.")
    var limit: Int?

    @Option(name: .long, help: "Comma-separated layer names to record, or all (every layer but flatten and dropout).")
    var layers = "all"

    @Flag(name: .long, help: "Also store the images (uint8), so the file alone serves the analysis.")
    var withImages = false

    @Option(name: .long, help: "Chunk compression: none, gzip or gzip:LEVEL (1-9).")
    var compression = "none"

    @Option(name: .long, parsing: .unconditional, help: "Images per forward pass.")
    var batchSize = 1024

    @Option(name: .long, help: "Record only the I-th of N contiguous slices of the rows (e.g. 2/4), for job arrays.")
    var shard: String?

    @Flag(name: .long, help: "Continue an interrupted recording from its last checkpoint.")
    var resume = false

    @Option(name: [.short, .customLong("output")], help: "The activation file to write.")
    var output: String

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard layers == "all" || !layerList.isEmpty else { throw ValidationError("--layers '\(layers)' names no layer; give layer names or all") }
        _ = try Record.parseCompression(compression)
        if let shard { _ = try Shard(parsing: shard) }
        try checkOutputPath(output, inputs: [model])
    }

    /// Parses `none`, `gzip` or `gzip:LEVEL` with LEVEL 1-9, the choices `--compression` offers.
    static func parseCompression(_ text: String) throws -> Compression {
        switch Compression(text: text) {
        case .none?: return .none
        case .gzip(let level)? where level >= 1: return .gzip(level: level)
        default: throw ValidationError("--compression \(text) is not none, gzip or gzip:LEVEL with LEVEL 1-9")
        }
    }

    func run() throws {
        let (network, metadata) = try ModelFile.load(model)
        let datasetName = data.dataset ?? metadata.dataset
        var source = try RecordedImages.load(datasetName, split: split, search: data.search)
        try source.images.requireInputs(of: network, named: model)
        source.images = source.images.prefix(limit)
        let input = RecordingInput(modelPath: model, model: network, metadata: metadata, source: source, split: split, dataset: datasetName)

        let stop = InterruptFlag()
        let bar = ProgressBar("record", total: source.images.count, unit: "img", quiet: outputOptions.quiet)
        let summary: RecordingSummary
        do {
            summary = try Recorder(options: recordingOptions()).record(
                input, to: output, resume: resume, shouldStop: { stop.isSet },
                progress: { done, total in bar.update(done, total: total) })
        } catch let interrupted as RecordingError where CommandLineWording.isInterruption(interrupted) {
            // The shell's convention for a command stopped by a signal: 128 + its number.
            bar.finish()
            note("Error: \(CommandLineWording.message(for: interrupted) ?? interrupted.description)")
            throw ExitCode(128 + (stop.receivedSignal ?? SIGINT))
        }
        bar.finish()
        if outputOptions.json {
            try printJSON(summary)
        } else {
            print(
                "recorded \(summary.rows) images × \(summary.layers.count) layers (\(summary.layers.joined(separator: ", "))) in "
                    + String(format: "%.1f s, %.1f MB", summary.seconds, Double(summary.bytes) / 1e6))
            print("wrote \(summary.file)")
        }
    }

    /// The layers of --layers, blanks dropped.
    private var layerList: [String] { layers.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    /// The recorder's settings from the options.
    private func recordingOptions() throws -> RecordingOptions {
        var options = RecordingOptions()
        options.layers = layers == "all" ? nil : layerList
        options.withImages = withImages
        options.compression = try Record.parseCompression(compression)
        options.batchSize = batchSize
        options.shard = try shard.map(Shard.init(parsing:))
        return options
    }
}

/// Set by SIGINT or SIGTERM, so that long work can checkpoint and stop cleanly.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    /// Starts listening for SIGINT and SIGTERM.
    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.set(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    private func set(_ signalNumber: Int32) {
        lock.lock()
        if received == nil { received = signalNumber }
        lock.unlock()
    }

    /// The first signal that arrived, if any.
    var receivedSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Whether a signal has arrived.
    var isSet: Bool { receivedSignal != nil }
}
