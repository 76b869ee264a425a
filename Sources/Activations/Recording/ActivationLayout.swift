import Files
import HDF5
import Engine

/// The layout of activation files (`format = "neuron-probe/activations"`), shared by the writer
/// (`Recorder`) and the reader (`ActivationFile`); docs/activation-file.md documents it.
public enum ActivationLayout {
    /// The value of the root `format` attribute.
    public static var format: String { FileKind.activations.format }
    /// The layout version written, and the newest read.
    public static var formatVersion: Int { FileKind.activations.version }
    /// Rows between checkpoints: the recording is flushed, and `rows_complete` advanced, at
    /// multiples of this many rows, so that every chunk is written once, when full.
    public static let checkpointRows = 8192

    /// The chunk shape of a dataset of per-example shape `rowShape` (element size `bytes`).
    ///
    /// Dense layers (N, units) are chunked as (R, 16) with R = 8192 rows: reading a block of
    /// rows touches one band of ⌈units/16⌉ chunks, reading one unit over all samples touches
    /// ⌈N/8192⌉ chunks of 512 KiB instead of the whole dataset. Convolutional layers
    /// (N, C, H, W) are chunked as (R, 1, H, W), one feature map over R ≈ 512 KiB / (H·W·4)
    /// samples (a power of two, at least 16). Per-example vectors (labels, indices) use 8192 rows.
    /// A recording of fewer rows uses the next power of two above its row count instead (at least 16),
    /// so small files do not carry mostly empty chunks.
    public static func chunk(rowShape: [Int], bytes: Int, rows planned: Int = Int.max) -> [Int] {
        var cap = 16
        while cap < min(planned, checkpointRows) { cap *= 2 }
        switch rowShape.count {
        case 0:
            return [cap]
        case 1:
            return [cap, max(1, min(rowShape[0], 16))]
        default:
            // One (H, W) plane per chunk row: a feature map of (N, C, H, W), an image of (N, H, W).
            let plane = rowShape.suffix(2).reduce(1, *) * bytes
            var rows = 16
            while rows * 2 * plane <= 512 * 1024 && rows * 2 <= cap { rows *= 2 }
            return [rows] + (rowShape.count == 2 ? rowShape : [1] + Array(rowShape.dropFirst()))
        }
    }

    /// Chunk-cache size that holds one band of chunks (all chunks touched by `chunk[0]` rows),
    /// so batches fill chunks in memory and each is compressed once.
    public static func cache(rowShape: [Int], chunk: [Int], bytes: Int) -> ChunkCache {
        let band = chunk[0] * max(1, rowShape.reduce(1, *)) * bytes
        return ChunkCache(bytes: max(band + band / 4, 1 << 20))
    }

    /// The axis labels of a layer dataset of `rank` axes (HDF5 dimension labels).
    public static func axisLabels(rank: Int) -> [String] {
        switch rank {
        case 2: return ["sample", "unit"]
        case 4: return ["sample", "channel", "height", "width"]
        default: return ["sample"] + (1..<max(rank, 1)).map { "axis\($0)" }
        }
    }

    /// The layers recorded by `--layers all`: every layer except those that only copy their input at
    /// inference (flatten, dropout).
    public static func defaultLayers(of model: Sequential) -> [String] {
        model.layers.filter { !$0.kind.copiesInputAtInference }.map(\.name)
    }
}
