import Files
import Foundation
import HDF5
import Engine

/// Where an attack's clean images came from: the model and the data, as the root attributes of an
/// attack file record them beside the method and its settings (`AttackResult`).
public struct AttackProvenance: Sendable {
    /// The model file's path, as given.
    public var modelFile: String
    /// SHA-256 of the model file.
    public var modelSHA256: String
    /// The model's architecture spec.
    public var modelArchitecture: String
    /// The data set's name.
    public var dataset: String
    /// The split the examples come from.
    public var split: DatasetSplit
    /// The seed of the attack's random choices (targets, random starts, noise).
    public var seed: UInt64
    /// The class names.
    public var classNames: [String]
    /// The slice of the examples this file holds (`--shard I/N`), nil for the whole run.
    public var shard: Shard?
    /// Examples of the whole run (after `--limit`, before any shard).
    public var totalExamples: Int?

    /// The model, data and seed, as every file records them.
    public var origin: Provenance {
        Provenance(
            modelFile: modelFile, modelSHA256: modelSHA256, modelArchitecture: modelArchitecture, dataset: dataset,
            split: RecordedSplit(split), seed: seed, classNames: classNames)
    }

    /// Everything an attack file records about its origin.
    public init(
        modelFile: String, modelSHA256: String, modelArchitecture: String, dataset: String, split: DatasetSplit, seed: UInt64,
        classNames: [String], shard: Shard? = nil, totalExamples: Int? = nil
    ) {
        self.modelFile = modelFile
        self.modelSHA256 = modelSHA256
        self.modelArchitecture = modelArchitecture
        self.dataset = dataset
        self.split = split
        self.seed = seed
        self.classNames = classNames
        self.shard = shard
        self.totalExamples = totalExamples
    }
}

/// One attack run over the same examples: an ε of FGSM, or the whole L-BFGS or noise run.
public struct AttackRun: Sendable {
    /// The L∞ radius of an FGSM-family run (NaN for other methods).
    public var epsilon: Float
    /// The judged outcome.
    public var outcome: AdversarialOutcome
    /// Optimiser iterations per example (0 where not applicable).
    public var iterations: [Int]
    /// The bracket [c_low, c_high] of Szegedy's c search per example (NaN where not applicable).
    public var cLow: [Double]
    /// See `cLow`.
    public var cHigh: [Double]
    /// Examples whose gradient was not finite (left unchanged).
    public var failed: [Int]

    /// A run with no optimiser bookkeeping (FGSM, noise).
    public init(epsilon: Float, outcome: AdversarialOutcome, failed: [Int] = []) {
        let n = outcome.success.count
        self.init(
            epsilon: epsilon, outcome: outcome, iterations: [Int](repeating: 0, count: n),
            cLow: [Double](repeating: .nan, count: n), cHigh: [Double](repeating: .nan, count: n), failed: failed)
    }

    /// A run with iterations and c brackets (L-BFGS).
    public init(epsilon: Float, outcome: AdversarialOutcome, iterations: [Int], cLow: [Double], cHigh: [Double], failed: [Int]) {
        self.epsilon = epsilon
        self.outcome = outcome
        self.iterations = iterations
        self.cLow = cLow
        self.cHigh = cHigh
        self.failed = failed
    }
}

/// Attack files (`format = "neuron-probe/attack"`): adversarial (or noise) images with their
/// examples, targets, success, distortions and predictions; docs/attack-file.md.
public enum AttackFile {
    /// The value of the root `format` attribute.
    public static var format: String { FileKind.attack.format }
    /// The layout version written and read.
    public static var formatVersion: Int { FileKind.attack.version }

    /// Writes `result` (its runs each over the same examples) atomically to `path`.
    public static func write(_ result: AttackResult, provenance: AttackProvenance, to path: String) throws {
        let runs = result.runs, indices = result.examples.indices, labels = result.examples.labels, targets = result.targets
        precondition(!runs.isEmpty, "AttackFile.write: no run")
        try AtomicFile.writeHDF5(to: path, kind: .attack, engine: .current) { root in
            let n = indices.count, e = runs.count
            let imageShape = Array(runs[0].outcome.adversarial.shape.dropFirst())
            try root.setAttribute("method", result.method)
            for (key, value) in result.parameters.sorted(by: { $0.key < $1.key }) { try root.setAttribute(key, value) }
            try provenance.origin.write(to: root)
            let total = provenance.totalExamples ?? n + (result.skipped?.count ?? 0)
            try root.setAttribute("shard", provenance.shard?.description ?? "1/1")
            try root.setAttribute("first_example", Int64(provenance.shard?.rows(of: total).lowerBound ?? 0))
            try root.setAttribute("total_examples", Int64(total))
            try root.write("indices", indices.map(Int64.init), shape: [n]).setDimensionLabels(["sample"])
            try root.write("labels", labels.map(Int64.init), shape: [n]).setDimensionLabels(["sample"])
            try root.write("targets", (targets ?? [Int](repeating: -1, count: n)).map(Int64.init), shape: [n]).setDimensionLabels(["sample"])
            try root.write("pred_clean", runs[0].outcome.predictedClean.map(Int64.init), shape: [n]).setDimensionLabels(["sample"])
            if let skipped = result.skipped {
                try root.write("skipped_indices", skipped.map(Int64.init), shape: [skipped.count]).setDimensionLabels(["skipped"])
            }
            try root.write("epsilons", runs.map(\.epsilon), shape: [e]).setDimensionLabels(["run"])
            let adversarial = try root.createDataset(
                "adversarial", of: Float.self, shape: [e, n] + imageShape,
                chunk: [1, min(n, 256)] + imageShape)
            try adversarial.write(runs.flatMap(\.outcome.adversarial.scalars))
            try adversarial.setDimensionLabels(
                ["run", "sample"] + (imageShape.count == 3 ? ["channel", "height", "width"] : imageShape.indices.map { "axis\($0 + 2)" }))
            func perRun<T: HDF5Scalar>(_ name: String, _ values: (AttackRun) -> [T]) throws {
                try root.write(name, runs.flatMap(values), shape: [e, n]).setDimensionLabels(["run", "sample"])
            }
            try perRun("success") { $0.outcome.success.map { UInt8($0 ? 1 : 0) } }
            try perRun("distortion") { $0.outcome.distortion }
            try perRun("l2") { $0.outcome.l2 }
            try perRun("linf") { $0.outcome.linf }
            try perRun("pred_adv") { $0.outcome.predictedAdversarial.map(Int64.init) }
            try perRun("confidence") { $0.outcome.confidence }
            try perRun("iterations") { $0.iterations.map(Int64.init) }
            try perRun("c_low") { $0.cLow }
            try perRun("c_high") { $0.cHigh }
            try perRun("failed") { run in (0..<n).map { run.failed.contains($0) ? UInt8(1) : 0 } }
        }
    }

    /// An attack file read back: what transfer and the noise control need.
    public struct Contents: Sendable {
        /// The file's path.
        public var path: String
        /// fgsm, bim, pgd, lbfgs or noise.
        public var method: String
        /// The model the attack was made on.
        public var modelSHA256: String
        /// Its architecture.
        public var modelArchitecture: String
        /// The data set and split of the clean images.
        public var dataset: String
        /// The split the clean images come from.
        public var split: DatasetSplit
        /// Rows of the clean images in the split.
        public var indices: [Int]
        /// True labels.
        public var labels: [Int]
        /// Per run: ε (NaN for L-BFGS and noise).
        public var epsilons: [Float]
        /// Per run: the images, (N, …).
        public var adversarial: [Tensor]
        /// Per run: the per-pixel RMS distortion of each example.
        public var distortion: [[Float]]
        /// The model's prediction on each clean example.
        public var predictedClean: [Int] = []
        /// Per run: its prediction on each adversarial example.
        public var predictedAdversarial: [[Int]] = []
        /// Per run: the probability it gives that prediction.
        public var confidence: [[Float]] = []
        /// Per run: whether each example reached the attack's goal.
        public var success: [[Bool]] = []
        /// Per run: the L∞ norm of each perturbation.
        public var linf: [[Float]] = []
        /// The class names.
        public var classNames: [String] = []
        /// The model file's path, as given to the attack.
        public var modelFile: String = ""
        /// The seed of the attack's random choices.
        public var seed: UInt64 = 0
        /// The tool version that wrote the file, and when.
        public var toolVersion: String = ""
        /// See `toolVersion`.
        public var created: String = ""
        /// For a noise control: the attack file whose distortions it matches.
        public var matches: String? = nil
        /// Per run: the examples whose gradient was not finite (left unchanged).
        public var failed: [[Int]] = []

        /// Run `index` as the attack returned it (without the L2 norms, which the summaries do not use).
        public func run(_ index: Int) -> AttackRun {
            AttackRun(
                epsilon: epsilons[index],
                outcome: AdversarialOutcome(
                    adversarial: adversarial[index], success: success[index], distortion: distortion[index], l2: [], linf: linf[index],
                    predictedClean: predictedClean, predictedAdversarial: predictedAdversarial[index], confidence: confidence[index]),
                failed: failed[index])
        }
    }

    /// Reads an attack file.
    /// - Throws: `AttackError.invalidFile` with one line when it is missing, not HDF5, or not an attack file.
    public static func read(_ path: String) throws -> Contents {
        let file = try NeuronProbeFile.open(path, as: .attack)
        let root = file.root
        let images = try root.openDataset("adversarial", of: Float.self)
        let shape = images.shape
        let values = try images.read()
        let perRun = shape.dropFirst().reduce(1, *)
        let n = shape[1]
        func runs<T: HDF5Scalar>(_ name: String, _ type: T.Type) throws -> [[T]] {
            let values = try root.openDataset(name, of: type).read()
            return (0..<shape[0]).map { Array(values[($0 * n)..<(($0 + 1) * n)]) }
        }
        return Contents(
            path: path, method: try root.stringAttribute("method"), modelSHA256: try root.stringAttribute("model_sha256"),
            modelArchitecture: try root.stringAttribute("model_architecture"), dataset: try root.stringAttribute("dataset"),
            split: try root.choiceAttribute("split", as: DatasetSplit.self, in: path),
            indices: try root.openDataset("indices", of: Int64.self).read().map { Int($0) },
            labels: try root.openDataset("labels", of: Int64.self).read().map { Int($0) },
            epsilons: try root.openDataset("epsilons", of: Float.self).read(),
            adversarial: (0..<shape[0]).map { Tensor(shape: Array(shape.dropFirst()), scalars: Array(values[($0 * perRun)..<(($0 + 1) * perRun)])) },
            distortion: try runs("distortion", Float.self),
            predictedClean: try root.openDataset("pred_clean", of: Int64.self).read().map { Int($0) },
            predictedAdversarial: try runs("pred_adv", Int64.self).map { $0.map { Int($0) } },
            confidence: try runs("confidence", Float.self), success: try runs("success", UInt8.self).map { $0.map { $0 != 0 } },
            linf: try runs("linf", Float.self), classNames: try root.stringArrayAttribute("class_names"),
            modelFile: root.hasAttribute("model_file") ? try root.stringAttribute("model_file") : "",
            seed: UInt64(bitPattern: try root.attribute("seed", as: Int64.self)), toolVersion: try root.stringAttribute("tool_version"),
            created: try root.stringAttribute("created"), matches: root.hasAttribute("matches") ? try root.stringAttribute("matches") : nil,
            failed: try runs("failed", UInt8.self).map { flags in flags.indices.filter { flags[$0] != 0 } })
    }
}
