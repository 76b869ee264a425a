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
    /// The clean images the set was made from, (N, …), when known: the models' clean error.
    public var clean: Tensor?
    /// The mean per-pixel RMS distortion of the set (Szegedy's distortion column).
    public var distortion: Double

    /// A set `name` of `images` labelled `labels`, made from `clean` with mean distortion `distortion`.
    public init(name: String, images: Tensor, labels: [Int], clean: Tensor? = nil, distortion: Double = .nan) {
        self.name = name
        self.images = images
        self.labels = labels
        self.clean = clean
        self.distortion = distortion
    }

    /// One set per run of the attack file `contents`, with `clean` its clean images when known;
    /// with `amplify`, each perturbation rescaled to that per-pixel RMS (Szegedy et al.'s Table 4).
    /// - Precondition: `clean` is given whenever `amplify` is.
    public static func runs(of contents: AttackFile.Contents, amplifiedTo amplify: Float? = nil, clean: Tensor? = nil) -> [TransferSet] {
        precondition(amplify == nil || clean != nil, "TransferSet.runs: amplifying needs the clean images")
        return zip(contents.epsilons, zip(contents.adversarial, contents.distortion)).map { epsilon, run in
            let (images, distortions) = run
            var name = URL(fileURLWithPath: contents.path).lastPathComponent + " (\(contents.method)"
            name += epsilon.isNaN ? ")" : String(format: " ε=%g)", epsilon)
            let meanDistortion = distortions.reduce(0.0) { $0 + Double($1) } / Double(max(distortions.count, 1))
            guard let amplify, let clean else {
                return TransferSet(name: name, images: images, labels: contents.labels, clean: clean, distortion: meanDistortion)
            }
            return TransferSet(
                name: name + String(format: " ×→%g", amplify), images: GaussianNoise.amplify(clean: clean, adversarial: images, toRMS: amplify),
                labels: contents.labels, clean: clean, distortion: Double(amplify))
        }
    }
}

/// The error each model makes on each set of adversarial (or noise) examples, shaped like
/// Szegedy et al.'s Table 2: one row per set, one column per model, with each set's mean
/// distortion and each model's error on the set's clean images beside it.
public struct TransferMatrix: Sendable, Codable, Equatable {
    /// Row names (the attack files).
    public var sets: [String]
    /// Column names (the models).
    public var models: [String]
    /// error[set][model]: the share of the set's images the model misclassifies.
    public var error: [[Double]]
    /// cleanError[set][model]: the share of the set's clean images the model misclassifies; empty
    /// rows where the clean images were not given.
    public var cleanError: [[Double]]
    /// The mean distortion of each set.
    public var distortion: [Double]

    /// A matrix of `error` over `sets` × `models`, with the clean error and the distortion per set.
    public init(sets: [String], models: [String], error: [[Double]], cleanError: [[Double]], distortion: [Double]) {
        self.sets = sets
        self.models = models
        self.error = error
        self.cleanError = cleanError
        self.distortion = distortion
    }

    /// The share of `images` labelled `labels` that `model` misclassifies.
    static func errorRate(of model: Sequential, on images: Tensor, labels: [Int]) -> Double {
        let predicted = Softmax.argmax(model.predict(images))
        return Double(zip(predicted, labels).filter { $0 != $1 }.count) / Double(max(labels.count, 1))
    }

    /// Evaluates every model on every set, and on the set's clean images where it has them.
    public static func compute(sets: [TransferSet], models: [(name: String, model: Sequential)]) -> TransferMatrix {
        TransferMatrix(
            sets: sets.map(\.name), models: models.map(\.name),
            error: sets.map { set in models.map { errorRate(of: $0.model, on: set.images, labels: set.labels) } },
            cleanError: sets.map { set in set.clean.map { clean in models.map { errorRate(of: $0.model, on: clean, labels: set.labels) } } ?? [] },
            distortion: sets.map(\.distortion))
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

    private enum CodingKeys: String, CodingKey { case models, sets, error, cleanError = "clean_error", distortion, amplify }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        matrix = TransferMatrix(
            sets: try container.decode([String].self, forKey: .sets), models: try container.decode([String].self, forKey: .models),
            error: try container.decode([[Double]].self, forKey: .error),
            cleanError: try container.decode([[Double]].self, forKey: .cleanError),
            distortion: try container.decode([Double?].self, forKey: .distortion).map { $0 ?? .nan })
        amplify = try container.decodeIfPresent(Double.self, forKey: .amplify)
    }

    /// The matrix's fields at the top level beside `amplify`, a distortion that is not finite as null (null when not amplified), as `probe transfer --json` writes them.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(matrix.models, forKey: .models)
        try container.encode(matrix.sets, forKey: .sets)
        try container.encode(matrix.error, forKey: .error)
        try container.encode(matrix.cleanError, forKey: .cleanError)
        try container.encode(matrix.distortion.map { $0.isFinite ? $0 : nil }, forKey: .distortion)
        try container.encode(amplify, forKey: .amplify)
    }
}
