import Engine

/// The error each model makes on each set of adversarial (or noise) examples, shaped like
/// Szegedy et al.'s Table 2: one row per set, one column per model.
public struct TransferMatrix: Sendable, Codable, Equatable {
    /// Row names (the attack files).
    public var sets: [String]
    /// Column names (the models).
    public var models: [String]
    /// error[set][model]: the share of the set's images the model misclassifies.
    public var error: [[Double]]

    /// Evaluates every model on every set.
    public static func compute(sets: [(name: String, images: Tensor, labels: [Int])], models: [(name: String, model: Sequential)]) -> TransferMatrix {
        TransferMatrix(
            sets: sets.map(\.name), models: models.map(\.name),
            error: sets.map { set in
                models.map { entry in
                    let predicted = Softmax.argmax(entry.model.predict(set.images))
                    return Double(zip(predicted, set.labels).filter { $0 != $1 }.count) / Double(max(set.labels.count, 1))
                }
            })
    }
}

/// A transfer matrix with how its sets were made: what `probe transfer` prints and a report
/// renders as Table 2.
public struct TransferReport: Sendable, Codable, Equatable {
    /// The error of every model on every set.
    public var matrix: TransferMatrix
    /// The RMS distortion every adversarial set was scaled to, or nil for the sets as made.
    public var amplify: Double?

    /// The report of `matrix`, its sets amplified to `amplify`.
    public init(matrix: TransferMatrix, amplify: Double?) {
        self.matrix = matrix
        self.amplify = amplify
    }

    private enum CodingKeys: String, CodingKey { case models, sets, error, amplify }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        matrix = TransferMatrix(
            sets: try container.decode([String].self, forKey: .sets), models: try container.decode([String].self, forKey: .models),
            error: try container.decode([[Double]].self, forKey: .error))
        amplify = try container.decodeIfPresent(Double.self, forKey: .amplify)
    }

    /// The matrix's fields at the top level beside `amplify` (null when not amplified), as `probe transfer --json` writes them.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(matrix.models, forKey: .models)
        try container.encode(matrix.sets, forKey: .sets)
        try container.encode(matrix.error, forKey: .error)
        try container.encode(amplify, forKey: .amplify)
    }
}
