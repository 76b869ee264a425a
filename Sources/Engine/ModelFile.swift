import Files
import Foundation
import HDF5

/// What a model file records besides the weights: how the network was built and trained,
/// and how well it did.
public struct ModelMetadata: Sendable {
    /// The architecture spec (`fc100-100-10`).
    public var architecture: String
    /// The hidden nonlinearity of fully connected nets.
    public var activation: String
    /// Maxout pieces (maxout architectures).
    public var maxoutPieces: Int = 5
    /// One example's shape.
    public var inputShape: [Int]
    /// The class names, index order.
    public var classNames: [String]
    /// The data set trained on.
    public var dataset: String
    /// SHA-256 of the training images' content.
    public var datasetSHA256: String = ""
    /// The training settings.
    public var training: TrainingConfiguration
    /// `all`, `P1` or `P2`.
    public var trainSubset: TrainingSubset = .all
    /// Training examples held out for validation.
    public var validationCount: Int = 0
    /// Error on the training examples after training (inference mode).
    public var trainError: Double = .nan
    /// Error on the test split after training.
    public var testError: Double = .nan
    /// Per-epoch summaries.
    public var history: [EpochSummary] = []
    /// The tool version that wrote the file (filled in when loading).
    public var toolVersion: String = ToolInfo.version
    /// When the file was written (filled in when loading).
    public var created: String = ""
    /// SHA-256 of the whole file (filled in when loading).
    public var sha256: String = ""
    /// The file an imported network came from (nil for networks trained here).
    public var source: ModelSource?

    /// Metadata for a model of `architecture` trained on `dataset` with `training`.
    public init(architecture: String, activation: String, inputShape: [Int], classNames: [String], dataset: String, training: TrainingConfiguration) {
        self.architecture = architecture
        self.activation = activation
        self.inputShape = inputShape
        self.classNames = classNames
        self.dataset = dataset
        self.training = training
    }
}

/// Model files (`format = "neuron-probe/model"`): the network's layers and weights with the
/// architecture, training configuration, seed and final errors, in HDF5 that h5py reads
/// without the tool. The layout is in docs/model-file.md.
public enum ModelFile {
    /// The value of the root `format` attribute.
    public static var format: String { FileKind.model.format }
    /// The layout version this code writes and the newest it reads.
    public static var formatVersion: Int { FileKind.model.version }

    /// Writes `model` and `metadata` to `path`, through a temporary file beside it that is
    /// renamed into place only when complete.
    /// - Throws: `NetworkError.invalidModelFile` when the directory is missing or a weight is not finite; HDF5 errors.
    public static func save(_ model: Sequential, metadata: ModelMetadata, to path: String) throws {
        try model.checkFinite()
        try AtomicFile.write(to: path, kind: .model) { temporary in
            let file = try HDF5File.create(temporary)
            let root = file.root
            try FileStamp.stamp(root, kind: .model, engine: .current)
            try root.setAttribute("architecture", metadata.architecture)
            try root.setAttribute("activation", metadata.activation)
            try root.setAttribute("maxout_pieces", Int64(metadata.maxoutPieces))
            try root.setAttribute("input_shape", metadata.inputShape.map(Int64.init))
            try root.setAttribute("layer_names", model.layerNames)
            try root.setAttribute("class_names", metadata.classNames)
            try root.setAttribute("dataset", metadata.dataset)
            try root.setAttribute("dataset_sha256", metadata.datasetSHA256)
            try root.setAttribute("train_error", metadata.trainError)
            try root.setAttribute("test_error", metadata.testError)

            let layers = try root.createGroup("layers")
            for (index, layer) in model.layers.enumerated() {
                let group = try layers.createGroup(layer.name)
                try group.setAttribute("kind", layer.kind.rawValue)
                try group.setAttribute("index", Int64(index))
                for (key, value) in layer.configuration.sorted(by: { $0.key < $1.key }) {
                    if key == "rate" { try group.setAttribute(key, value) } else { try group.setAttribute(key, Int64(value)) }
                }
                for parameter in layer.parameters {
                    _ = try group.write(parameter.name, parameter.value.scalars, shape: parameter.value.shape)
                }
            }

            let training = try root.createGroup("training")
            let t = metadata.training
            try training.setAttribute("optimizer", metadata.source == nil ? t.optimizer.rawValue : "none")
            try training.setAttribute("learning_rate", Double(t.effectiveLearningRate))
            try training.setAttribute("momentum", Double(t.momentum))
            try training.setAttribute("batch_size", Int64(t.batchSize))
            try training.setAttribute("epochs", Int64(t.epochs))
            try training.setAttribute("pretrain_epochs", Int64(metadata.architecture.hasPrefix("ae") ? t.pretrainEpochs : 0))
            try training.setAttribute("weight_decay", t.weightDecay.description)
            try training.setAttribute("seed", Int64(bitPattern: t.seed))
            try training.setAttribute("train_subset", metadata.trainSubset.rawValue)
            try training.setAttribute("validation", Int64(metadata.validationCount))
            try training.setAttribute("adversarial", t.adversarialEpsilon.map { "fgsm:\($0)" } ?? "none")
            try training.setAttribute("alpha", Double(t.adversarialAlpha))
            let history = try training.createGroup("history")
            let h = metadata.history
            _ = try history.write("epoch", h.map { Int64($0.epoch) }, shape: [h.count])
            try history.setAttribute("phases", h.map(\.phase))
            _ = try history.write("loss", h.map(\.loss), shape: [h.count])
            _ = try history.write("accuracy", h.map { $0.accuracy ?? .nan }, shape: [h.count])
            _ = try history.write("validation_loss", h.map { $0.validationLoss ?? .nan }, shape: [h.count])
            _ = try history.write("validation_accuracy", h.map { $0.validationAccuracy ?? .nan }, shape: [h.count])
            _ = try history.write("seconds", h.map(\.seconds), shape: [h.count])
            if let source = metadata.source { try write(source, to: root) }
            try file.close()
        }
    }

    /// Throws unless `metadata.architecture` builds the layers the file holds: same names, kinds and
    /// parameter shapes (a file whose spec and weights disagree would be reported as what it is not).
    static func checkArchitecture(of model: Sequential, against metadata: ModelMetadata, path: String) throws {
        let spec = metadata.architecture
        if spec.hasPrefix("onnx:") {
            // An imported network has no spec to rebuild: its layers are what the import made.
            guard let source = metadata.source, source.format == "onnx" else {
                throw NetworkError.invalidModelFile("\(path): its architecture '\(spec)' is imported but the file has no /source group")
            }
            guard source.mean.isEmpty == (model.layers.first?.kind != .normalize) else {
                throw NetworkError.invalidModelFile("\(path): /source records a normalisation the layers do not start with (or the reverse)")
            }
            return
        }
        let architecture: Architecture
        do {
            architecture =
                try (try? Architecture(spec, activation: Activation(rawValue: metadata.activation), maxoutPieces: metadata.maxoutPieces))
                ?? Architecture(spec, maxoutPieces: metadata.maxoutPieces)
        } catch {
            throw NetworkError.invalidModelFile("\(path): its architecture '\(spec)' is not one this version builds: \(error)")
        }
        var generator = SeededGenerator(seed: 0)
        let built = try architecture.build(inputShape: metadata.inputShape, generator: &generator)
        func signature(_ model: Sequential) -> [String] {
            model.layers.map { layer in "\(layer.name):\(layer.kind.rawValue):\(layer.parameters.map(\.value.shape))" }
        }
        guard signature(built) == signature(model) else {
            throw NetworkError.invalidModelFile(
                "\(path): its architecture '\(spec)' does not match the layers it holds (\(model.layerNames.joined(separator: ", "))); the file was altered or damaged"
            )
        }
    }

    /// Reads a model file written by `save`.
    /// - Throws: `NetworkError.invalidModelFile` with one line saying what is wrong (not HDF5, another
    ///   kind of neuron-probe file, a newer format version, a missing weight, a NaN weight).
    /// An ONNX file (`.onnx`) is imported on the fly (`ModelImport.load`), with the normalisation its metadata gives.
    public static func load(_ path: String) throws -> (model: Sequential, metadata: ModelMetadata) {
        if ModelImport.isONNX(path) {
            do {
                return try ModelImport.load(path)
            } catch let error as ModelImportError {
                throw NetworkError.invalidModelFile(error.description)
            }
        }
        let file = try NeuronProbeFile.open(path, as: .model)
        let root = file.root
        let names = try root.stringArrayAttribute("layer_names")
        let layersGroup = try root.openGroup("layers")
        var layers: [Layer] = []
        for name in names {
            guard layersGroup.contains(name) else {
                throw NetworkError.invalidModelFile("\(path): layer '\(name)' is listed in layer_names but /layers/\(name) is missing")
            }
            let group = try layersGroup.openGroup(name)
            var configuration: [String: Double] = [:]
            for key in try group.attributeNames() where key != "kind" && key != "index" {
                configuration[key] = try group.attribute(key, as: Double.self)
            }
            let layer = try LayerFactory.make(kind: try group.stringAttribute("kind"), name: name, configuration: configuration)
            for parameter in layer.parameters {
                guard group.contains(parameter.name) else {
                    throw NetworkError.invalidModelFile("\(path): /layers/\(name)/\(parameter.name) is missing")
                }
                let dataset = try group.openDataset(parameter.name, of: Float.self)
                guard dataset.shape == parameter.value.shape else {
                    throw NetworkError.invalidModelFile(
                        "\(path): /layers/\(name)/\(parameter.name) has shape \(dataset.shape), the layer needs \(parameter.value.shape)")
                }
                parameter.value = Tensor(shape: dataset.shape, scalars: try dataset.read())
            }
            layers.append(layer)
        }
        let inputShape = try root.arrayAttribute("input_shape", as: Int64.self).map { Int($0) }
        let model: Sequential
        do {
            model = try Sequential(inputShape: inputShape, layers: layers)
        } catch {
            throw NetworkError.invalidModelFile("\(path): the layers do not fit together: \(error)")
        }
        do {
            try model.checkFinite()
        } catch {
            throw NetworkError.invalidModelFile("\(path): \(error)")
        }

        let training = try root.openGroup("training")
        var configuration = TrainingConfiguration()
        configuration.optimizer = OptimizerKind(rawValue: try training.stringAttribute("optimizer")) ?? .adam
        configuration.learningRate = Float(try training.attribute("learning_rate", as: Double.self))
        configuration.momentum = Float(try training.attribute("momentum", as: Double.self))
        configuration.batchSize = Int(try training.attribute("batch_size", as: Int64.self))
        configuration.epochs = Int(try training.attribute("epochs", as: Int64.self))
        configuration.pretrainEpochs = Int(try training.attribute("pretrain_epochs", as: Int64.self))
        do {
            configuration.weightDecay = try WeightDecay(parsing: try training.stringAttribute("weight_decay"))
        } catch let error as TrainingError {
            throw NetworkError.invalidModelFile("\(path): /training weight_decay is not readable: \(error)")
        }
        configuration.seed = UInt64(bitPattern: try training.attribute("seed", as: Int64.self))
        if training.hasAttribute("adversarial"), case let text = try training.stringAttribute("adversarial"), text.hasPrefix("fgsm:") {
            configuration.adversarialEpsilon = Float(text.dropFirst(5))
            configuration.adversarialAlpha = Float(try training.attribute("alpha", as: Double.self))
        }

        var metadata = ModelMetadata(
            architecture: try root.stringAttribute("architecture"), activation: try root.stringAttribute("activation"),
            inputShape: inputShape, classNames: try root.stringArrayAttribute("class_names"),
            dataset: try root.stringAttribute("dataset"), training: configuration)
        metadata.maxoutPieces = Int(try root.attribute("maxout_pieces", as: Int64.self))
        if root.contains("source") { metadata.source = try readSource(root.openGroup("source")) }
        try checkArchitecture(of: model, against: metadata, path: path)
        metadata.datasetSHA256 = try root.stringAttribute("dataset_sha256")
        metadata.trainSubset = TrainingSubset(rawValue: try training.stringAttribute("train_subset")) ?? .all
        metadata.validationCount = Int(try training.attribute("validation", as: Int64.self))
        metadata.trainError = try root.attribute("train_error", as: Double.self)
        metadata.testError = try root.attribute("test_error", as: Double.self)
        metadata.toolVersion = try root.stringAttribute("tool_version")
        metadata.created = try root.stringAttribute("created")
        try file.close()
        metadata.sha256 = try Checksum.sha256(ofFile: path)
        return (model, metadata)
    }

    /// `/source`: where an imported network came from.
    private static func write(_ source: ModelSource, to root: Group) throws {
        let group = try root.createGroup("source")
        try group.setAttribute("format", source.format)
        try group.setAttribute("file", source.file)
        try group.setAttribute("sha256", source.sha256)
        try group.setAttribute("producer", source.producer)
        try group.setAttribute("opset", source.opset)
        try group.setAttribute("notes", source.notes)
        try group.setAttribute("mean", source.mean.map(Double.init))
        try group.setAttribute("std", source.std.map(Double.init))
    }

    private static func readSource(_ group: Group) throws -> ModelSource {
        var source = ModelSource(
            file: try group.stringAttribute("file"), sha256: try group.stringAttribute("sha256"), producer: try group.stringAttribute("producer"),
            opset: try group.attribute("opset", as: Int64.self), notes: try group.stringArrayAttribute("notes"),
            mean: try group.arrayAttribute("mean", as: Double.self).map(Float.init),
            std: try group.arrayAttribute("std", as: Double.self).map(Float.init))
        source.format = try group.stringAttribute("format")
        return source
    }
}
