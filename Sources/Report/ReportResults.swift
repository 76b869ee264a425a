import Activations
import Attacks
import Engine
import Files
import Foundation

/// Everything a report shows, as numbers: written as `results.json` beside the report and embedded
/// in report.html. Every number in the report's tables is one of these, named by its path
/// (`models.0.test_error`).
public struct ReportResults: Encodable, Sendable {
    /// What made the report and where.
    public struct Provenance: Encodable, Sendable {
        /// The neuron-probe version.
        public var toolVersion: String
        /// The git commit of the build, when the binary runs from its checkout.
        @NullWhenAbsent public var commit: String?
        /// When the report was made.
        public var created: String
        /// The command line that made it.
        public var commandLine: String
        /// The CPU model.
        public var cpu: String
        /// The OpenBLAS kernel in use.
        public var blasKernel: String
        /// Cores available.
        public var cores: Int
        /// For a report of `probe demo` or `probe reproduce`: every stage of the run, with its settings and time.
        public var stages: [RunManifest.Stage]?

        private enum CodingKeys: String, CodingKey {
            case toolVersion = "tool_version", commit, created, commandLine = "command_line", cpu, blasKernel = "blas_kernel", cores, stages
        }
    }

    /// One model as Szegedy's Table 1 lists it.
    public struct ModelEntry: Encodable, Sendable {
        /// The model file.
        public var file: String
        /// Its architecture spec.
        public var architecture: String
        /// Its weight decay, as trained (`1e-4`, `fc1=1e-3,fc2=1e-4`).
        public var weightDecay: String
        /// The data set it was trained on, and its content's sha256.
        public var dataset: String
        /// See `dataset`.
        public var datasetSHA256: String
        /// SHA-256 of the model file.
        public var sha256: String
        /// The training seed.
        public var seed: UInt64
        /// ε of adversarial training (Goodfellow §6), nil when trained without.
        @NullWhenAbsent public var adversarialEpsilon: Double?
        /// Error on the training and the test set, as recorded at training.
        @NullWhenAbsent public var trainError: Double?
        /// See `trainError`.
        @NullWhenAbsent public var testError: Double?
        /// The mean distortion of the successful L-BFGS examples made on it (the report's inputs), nil without.
        @NullWhenAbsent public var meanMinimalDistortion: Double?
        /// The L-BFGS attack file that distortion comes from.
        @NullWhenAbsent public var lbfgsFile: String?

        private enum CodingKeys: String, CodingKey {
            case file, architecture, weightDecay = "weight_decay", dataset, datasetSHA256 = "dataset_sha256", sha256, seed
            case adversarialEpsilon = "adversarial_epsilon", trainError = "train_error", testError = "test_error"
            case meanMinimalDistortion = "mean_minimal_distortion", lbfgsFile = "lbfgs_file"
        }
    }

    /// One of our numbers beside the paper's.
    public struct PaperComparison: Encodable, Sendable {
        /// The paper and table ("Szegedy et al. 2014, Table 1").
        public var source: String
        /// The paper's row ("FC10(1e-4)").
        public var paperRow: String
        /// Our file the number comes from.
        public var file: String
        /// What is compared ("test error").
        public var measure: String
        /// The paper's value.
        public var paper: Double
        /// Ours, nil when not measured.
        @NullWhenAbsent public var ours: Double?
        /// ours − paper.
        @NullWhenAbsent public var delta: Double?
        /// Whether the two were measured on the same data set (the paper's is MNIST).
        public var comparable: Bool

        private enum CodingKeys: String, CodingKey { case source, paperRow = "paper_row", file, measure, paper, ours, delta, comparable }
    }

    /// The units analysis of one file.
    public struct UnitsEntry: Encodable, Sendable {
        /// The units file.
        public var file: String
        /// Its model's architecture.
        public var architecture: String
        /// Each layer: its summary (with the verdict's statistics).
        public var layers: [UnitsLayerSummary]
    }

    /// One attack file.
    public struct AttackEntry: Encodable, Sendable {
        /// The attack file.
        public var file: String
        /// fgsm, bim, pgd, lbfgs or noise.
        public var method: String
        /// The model it was made on: its file, sha256 and architecture.
        public var modelFile: String
        /// See `modelFile`.
        public var modelSHA256: String
        /// See `modelFile`.
        public var modelArchitecture: String
        /// The data set and split of its examples.
        public var dataset: String
        /// See `dataset`.
        public var split: String
        /// For a noise control, the file it matches.
        @NullWhenAbsent public var matches: String?
        /// Examples attacked.
        public var examples: Int
        /// Each run's summary.
        public var runs: [AttackRunSummary]

        private enum CodingKeys: String, CodingKey {
            case file, method, modelFile = "model_file", modelSHA256 = "model_sha256", modelArchitecture = "model_architecture"
            case dataset, split, matches, examples, runs
        }
    }

    /// A result file read whole: its path beside its result's own keys (a transfer matrix, Lipschitz bounds).
    public struct FileEntry<Result: Encodable & Sendable>: Encodable, Sendable {
        /// The file.
        public var file: String
        /// What it holds.
        public var report: Result

        public func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(file, forKey: .file)
        }
        private enum Key: String, CodingKey { case file }
    }

    /// One transfer file.
    public typealias TransferEntry = FileEntry<TransferReport>
    /// One Lipschitz file.
    public typealias LipschitzEntry = FileEntry<LipschitzReport>

    /// The experiment of `probe reproduce` a report leads with.
    public struct ExperimentEntry: Encodable, Sendable {
        /// Its id.
        public var id: String
        /// What it reproduces.
        public var title: String
        /// The budget run.
        public var budget: String
        /// The paper's tables beside ours.
        public var tables: [PaperTable]
        /// The checks made (with --check).
        public var checks: [ExperimentCheck]
        /// The protocol.
        public var protocolChoices: [ProtocolChoice]

        private enum CodingKeys: String, CodingKey { case id, title, budget, tables, checks, protocolChoices = "protocol" }
    }

    /// `neuron-probe/report`.
    public var format = "neuron-probe/report"
    /// The experiment, for a report of `probe reproduce`.
    public var experiment: ExperimentEntry?
    /// What made the report.
    public var provenance: Provenance
    /// The input files.
    public var inputs: [ReportInputs.InputFile]
    /// One line per experiment.
    public var headlines: [String]
    /// What could not be shown, and why.
    public var notes: [String]
    /// The models.
    public var models: [ModelEntry]
    /// Our numbers beside the papers'.
    public var comparisons: [PaperComparison]
    /// The units analyses.
    public var units: [UnitsEntry]
    /// The attack files.
    public var attacks: [AttackEntry]
    /// The transfer matrices.
    public var transfer: [TransferEntry]
    /// The Lipschitz bounds.
    public var lipschitz: [LipschitzEntry]

    private enum CodingKeys: String, CodingKey {
        case format, experiment, provenance, inputs, headlines, notes, models, comparisons, units, attacks, transfer, lipschitz
    }

    /// The JSON text: pretty, key-sorted, slashes unescaped, numbers that are not finite as null.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
