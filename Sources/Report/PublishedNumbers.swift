/// The papers' published numbers that a report puts beside ours ("paper | this run | Δ"), as
/// ../shared/PAPERS.md transcribes them, each with where it comes from. All are on MNIST.
public enum PublishedNumbers {
    /// The data set every number here was measured on.
    public static let dataset = "mnist"

    /// One row of Szegedy et al. 2014, Table 1.
    public struct Table1Row: Sendable, Codable, Equatable {
        /// The paper's name for the model ("FC10(1e-4)").
        public var model: String
        /// Our architecture spec for it.
        public var architecture: String
        /// The weight decay λ it names (nil: the row does not depend on it).
        public var weightDecay: Double?
        /// Error on the training set.
        public var trainError: Double
        /// Error on the test set.
        public var testError: Double
        /// The mean minimal distortion of L-BFGS's adversarial examples.
        public var meanMinimalDistortion: Double

        private enum CodingKeys: String, CodingKey {
            case model, architecture, weightDecay = "weight_decay", trainError = "train_error", testError = "test_error"
            case meanMinimalDistortion = "mean_minimal_distortion"
        }
    }

    /// Szegedy et al. 2014, Table 1 (arXiv:1312.6199).
    public static let table1: [Table1Row] = [
        Table1Row(model: "FC10(1e-4)", architecture: "fc10", weightDecay: 1e-4, trainError: 0.067, testError: 0.074, meanMinimalDistortion: 0.062),
        Table1Row(model: "FC10(1e-2)", architecture: "fc10", weightDecay: 1e-2, trainError: 0.10, testError: 0.094, meanMinimalDistortion: 0.1),
        Table1Row(model: "FC10(1)", architecture: "fc10", weightDecay: 1, trainError: 0.212, testError: 0.20, meanMinimalDistortion: 0.14),
        Table1Row(
            model: "FC100-100-10", architecture: "fc100-100-10", weightDecay: nil, trainError: 0, testError: 0.0164, meanMinimalDistortion: 0.058),
        Table1Row(
            model: "FC200-200-10", architecture: "fc200-200-10", weightDecay: nil, trainError: 0, testError: 0.0154, meanMinimalDistortion: 0.065),
        Table1Row(model: "AE400-10", architecture: "ae400-10", weightDecay: nil, trainError: 0.0057, testError: 0.019, meanMinimalDistortion: 0.086),
    ]

    /// The Table 1 row of a model of `architecture` trained with weight decay `weightDecay`, if the paper has one.
    public static func table1Row(architecture: String, weightDecay: Double) -> Table1Row? {
        table1.first { row in
            guard row.architecture == architecture else { return false }
            guard let decay = row.weightDecay else { return true }
            return abs(decay - weightDecay) <= 1e-9 * max(1, decay)
        }
    }

    /// Szegedy et al. 2014, Table 2: rows, the model the examples were made for (or the noise);
    /// columns, the models of Table 1 in its order; the last value, the examples' mean distortion.
    public static let table2: [(row: String, error: [Double], distortion: Double)] = [
        ("FC10(1e-4)", [1.0, 0.117, 0.227, 0.02, 0.039, 0.027], 0.062),
        ("FC10(1e-2)", [0.871, 1.0, 0.352, 0.359, 0.273, 0.098], 0.1),
        ("FC10(1)", [0.719, 0.762, 1.0, 0.481, 0.47, 0.344], 0.14),
        ("FC100-100-10", [0.289, 0.137, 0.211, 1.0, 0.066, 0.02], 0.058),
        ("FC200-200-10", [0.382, 0.14, 0.238, 0.203, 1.0, 0.027], 0.065),
        ("AE400-10", [0.234, 0.16, 0.248, 0.094, 0.066, 1.0], 0.086),
        ("Gaussian noise, σ = 0.1", [0.05, 0.101, 0.183, 0, 0, 0.008], 0.1),
        ("Gaussian noise, σ = 0.3", [0.156, 0.113, 0.227, 0.05, 0.043, 0.031], 0.3),
    ]

    /// One FGSM figure of Goodfellow et al. 2015 §4 (arXiv:1412.6572): error and mean confidence at ε.
    public struct FGSMRow: Sendable, Codable, Equatable {
        /// The paper's name for the model.
        public var model: String
        /// Our architecture spec for it.
        public var architecture: String
        /// The L∞ radius.
        public var epsilon: Double
        /// Error on the adversarial test examples.
        public var error: Double
        /// Mean confidence of the model on them.
        public var meanConfidence: Double

        private enum CodingKeys: String, CodingKey { case model, architecture, epsilon, error, meanConfidence = "mean_confidence" }
    }

    /// Goodfellow et al. 2015 §4: shallow softmax and maxout on MNIST, ε = 0.25.
    public static let fgsm: [FGSMRow] = [
        FGSMRow(model: "shallow softmax", architecture: "fc10", epsilon: 0.25, error: 0.999, meanConfidence: 0.793),
        FGSMRow(model: "maxout network", architecture: "maxout240-240-10", epsilon: 0.25, error: 0.894, meanConfidence: 0.976),
    ]

    /// The FGSM figure for `architecture` at `epsilon`, if the paper has one.
    public static func fgsmRow(architecture: String, epsilon: Double) -> FGSMRow? {
        fgsm.first { $0.architecture == architecture && abs($0.epsilon - epsilon) < 1e-6 }
    }

    /// Goodfellow et al. 2015 §6: maxout's error on FGSM examples (ε = 0.25) before and after adversarial training.
    public static let adversarialTraining = (before: 0.894, after: 0.179)

    /// Szegedy et al. 2014, Table 5: upper Lipschitz bounds of AlexNet's layers (ImageNet).
    public static let table5: [(layer: String, size: String, bound: Double)] = [
        ("conv1", "3×11×11×96, stride 4", 2.75), ("conv2", "96×5×5×256", 10), ("conv3", "256×3×3×384", 7),
        ("conv4", "384×3×3×384", 7.5), ("conv5", "384×3×3×256", 11), ("fc1", "9216×4096", 3.12), ("fc2", "4096×4096", 4),
        ("fc3", "4096×1000", 4),
    ]
}
