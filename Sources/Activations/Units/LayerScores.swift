import Engine

/// What one unit of a layer is (issue 14, point 4).
public enum UnitKind: String, Sendable, CaseIterable, Codable {
    /// A channel of a (C, H, W) map, its activation pooled over the positions: Network Dissection's
    /// unit (Bau et al. 2017) and every later study's. The default for 4-D layers.
    case channel
    /// Each value of the layer, C·H·W of them for a map (the only kind of a dense layer).
    case position
}

/// How a channel's map becomes one number per image.
public enum SpatialPool: String, Sendable, CaseIterable, Codable {
    /// The largest activation anywhere in the map (the channel "fires somewhere").
    case max
    /// The mean over the map.
    case mean
}

/// The scores of a layer's units, and of any direction of their space, over the recorded rows.
/// For position units the layer is read whole (N × C·H·W floats, as before channel units existed);
/// for channel units it is read in blocks of rows and a direction v of the channel space scores an
/// image by pooling ⟨φ(x)[:, p], v⟩ over the positions p — the rotated basis of Bau et al. §3.2 is
/// applied at every position before pooling, as theirs is before thresholding.
struct LayerScores {
    let file: ActivationFile
    let layer: String
    /// Rows.
    let count: Int
    /// The dimension of the direction space: values per row, or channels.
    let units: Int
    /// Positions per channel (1 for position units).
    let positions: Int
    let kind: UnitKind
    let pool: SpatialPool
    /// Position units: the whole layer, (N, units).
    private let activations: Tensor?

    /// The scores of `layer` with units of `kind` (channels only for (N, C, H, W) layers).
    /// - Throws: `SettingProblem` for channel units of a layer without channels; file errors.
    init(file: ActivationFile, layer: String, kind: UnitKind, pool: SpatialPool) throws {
        let info = try file.layer(layer)
        (self.file, self.layer, self.kind, self.pool, count) = (file, layer, kind, pool, file.count)
        switch kind {
        case .position:
            units = info.units
            positions = 1
            activations = try file.rows(layer, 0..<file.count).reshaped([file.count, info.units])
        case .channel:
            guard info.shape.count == 4 else {
                throw SettingProblem(
                    "unit", "channel",
                    "needs a layer of (channels, height, width) maps; \(layer) has shape \(Array(info.shape.dropFirst())): use --unit position")
            }
            units = info.shape[1]
            positions = info.shape[2] * info.shape[3]
            activations = nil
        }
    }

    /// Rows per block: about 8 M floats of the layer at a time.
    private var blockRows: Int { max(1, 8_000_000 / max(units * positions, 1)) }

    /// Each unit's score over the rows, (units, N): the layer's values, or each channel's pooled map.
    func unitScores() throws -> Tensor {
        if let activations { return UnitsAnalysis.transpose(activations) }
        var out = [Float](repeating: 0, count: units * count)
        try file.forEachBatch(layer, size: blockRows) { range, batch in
            batch.scalars.withUnsafeBufferPointer { values in
                for (b, row) in range.enumerated() {
                    for c in 0..<units {
                        out[c * count + row] = pooled(values.baseAddress! + (b * units + c) * positions)
                    }
                }
            }
        }
        return Tensor(shape: [units, count], scalars: out)
    }

    /// The score of each direction (the rows of `directions`, (D, units)) over the rows, (D, N).
    func scores(_ directions: Tensor) throws -> Tensor {
        if let activations { return LinearAlgebra.matmul(directions, activations, transposeB: true) }
        let d = directions.batchSize
        var out = [Float](repeating: 0, count: d * count)
        try file.forEachBatch(layer, size: blockRows) { range, batch in
            for (b, row) in range.enumerated() {
                // (D, positions) = directions (D, C) · the image's maps (C, positions), then pooled per direction.
                let maps = Tensor(shape: [units, positions], scalars: Array(batch.scalars[(b * units * positions)..<((b + 1) * units * positions)]))
                let projected = LinearAlgebra.matmul(directions, maps)
                projected.scalars.withUnsafeBufferPointer { values in
                    for direction in 0..<d { out[direction * count + row] = pooled(values.baseAddress! + direction * positions) }
                }
            }
        }
        return Tensor(shape: [d, count], scalars: out)
    }

    /// The pooled value of `positions` values.
    private func pooled(_ values: UnsafePointer<Float>) -> Float {
        switch pool {
        case .max:
            var best = values[0]
            for p in 1..<positions where values[p] > best { best = values[p] }
            return best
        case .mean:
            var sum: Double = 0
            for p in 0..<positions { sum += Double(values[p]) }
            return Float(sum / Double(positions))
        }
    }
}
