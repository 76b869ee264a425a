import Engine
import Foundation

/// One row of a transfer matrix: a set of images with their true labels, named for where it came from.
public struct TransferSet: Sendable {
    /// "FILE (method ε=…)", with " ×→RMS" when amplified.
    public var name: String
    /// The images, (N, …).
    public var images: Tensor
    /// Their true labels.
    public var labels: [Int]

    /// A set `name` of `images` labelled `labels`.
    public init(name: String, images: Tensor, labels: [Int]) {
        self.name = name
        self.images = images
        self.labels = labels
    }

    /// One set per run of the attack file `contents`; with `amplify`, each perturbation rescaled
    /// to that per-pixel RMS from `clean`, the attack's clean images (Szegedy et al.'s Table 4).
    /// - Precondition: `clean` is given whenever `amplify` is.
    public static func runs(of contents: AttackFile.Contents, amplifiedTo amplify: Float? = nil, clean: Tensor? = nil) -> [TransferSet] {
        precondition(amplify == nil || clean != nil, "TransferSet.runs: amplifying needs the clean images")
        return zip(contents.epsilons, contents.adversarial).map { epsilon, images in
            var name = URL(fileURLWithPath: contents.path).lastPathComponent + " (\(contents.method)"
            name += epsilon.isNaN ? ")" : String(format: " ε=%g)", epsilon)
            guard let amplify, let clean else { return TransferSet(name: name, images: images, labels: contents.labels) }
            return TransferSet(
                name: name + String(format: " ×→%g", amplify), images: GaussianNoise.amplify(clean: clean, adversarial: images, toRMS: amplify),
                labels: contents.labels)
        }
    }
}

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
    public static func compute(sets: [TransferSet], models: [(name: String, model: Sequential)]) -> TransferMatrix {
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
