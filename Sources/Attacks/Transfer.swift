import Engine

/// The error each model makes on each set of adversarial (or noise) examples, shaped like
/// Szegedy et al.'s Table 2: one row per set, one column per model.
public struct TransferMatrix: Sendable {
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
