import Engine
import HDF5

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
