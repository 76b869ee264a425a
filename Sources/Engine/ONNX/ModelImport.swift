import Files
import Foundation

/// Where an imported network came from, as its model file records it in `/source`.
public struct ModelSource: Sendable, Equatable {
    /// `onnx`.
    public var format = "onnx"
    /// The imported file's name (without its folder).
    public var file: String
    /// SHA-256 of the imported file.
    public var sha256: String
    /// The program that wrote it (`pytorch 2.13.0`).
    public var producer: String
    /// Its default-domain operator set.
    public var opset: Int64
    /// What the import changed (a batch norm folded, a softmax dropped).
    public var notes: [String]
    /// The per-channel mean put in front of the network (empty: none).
    public var mean: [Float] = []
    /// The per-channel std put in front of the network (empty: none).
    public var std: [Float] = []
}

/// The normalisation an imported network expects of its inputs, `(x − mean) / std` per channel,
/// so that it can be put inside the network and every pixel stays in [0, 1] (issue 14, point 2).
public struct InputNormalization: Sendable, Equatable {
    /// One mean per channel (or one for all).
    public var mean: [Float]
    /// One positive std per channel (or one for all).
    public var std: [Float]

    /// A normalisation by `mean` and `std`.
    /// - Throws: `ONNXError.cannotImport` when the lists differ in length or a std is not positive.
    public init(mean: [Float], std: [Float]) throws {
        guard !mean.isEmpty, mean.count == std.count else {
            throw ONNXError.cannotImport("--mean has \(mean.count) values and --std \(std.count); give one per channel to both")
        }
        guard std.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw ONNXError.cannotImport("every --std must be positive and every --mean finite (given mean \(mean), std \(std))")
        }
        self.mean = mean
        self.std = std
    }

    /// The normalisation an ONNX file's metadata gives (`mean` and `std` entries of
    /// `metadata_props`, numbers separated by commas, optionally in brackets), if it gives one.
    public init?(metadata: [String: String]) throws {
        guard let mean = metadata["mean"], let std = metadata["std"] else { return nil }
        func numbers(_ text: String, _ key: String) throws -> [Float] {
            let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]() ")).split(separator: ",")
            let values = parts.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, values.count == parts.count else {
                throw ONNXError.cannotImport("its metadata's \(key) '\(text)' is not a list of numbers")
            }
            return values
        }
        try self.init(mean: numbers(mean, "mean"), std: numbers(std, "std"))
    }
}

/// An ONNX file that cannot be imported: its path and why, in one line.
public struct ModelImportError: Error, CustomStringConvertible {
    /// The ONNX file.
    public let path: String
    /// What is wrong with it.
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Turns ONNX files into networks with model-file metadata, for `probe import` and for every
/// command given an .onnx file where a model file goes.
public enum ModelImport {
    /// Whether `path` names an ONNX file (by its extension).
    public static func isONNX(_ path: String) -> Bool { path.lowercased().hasSuffix(".onnx") }

    /// The network of the ONNX file at `path`, with `normalization` (or its metadata's) as its first
    /// layer, and the metadata a model file records: architecture `onnx:<graph>`, the class names
    /// given or `0`…`K−1`, and the source's sha256, producer and operator set.
    /// - Throws: `ONNXError` (or `ProtobufError`) in one line saying what is wrong.
    public static func load(
        _ path: String, normalization: InputNormalization? = nil, classNames: [String]? = nil
    ) throws -> (model: Sequential, metadata: ModelMetadata) {
        do {
            return try importing(path, normalization: normalization, classNames: classNames)
        } catch let error as ONNXError {
            throw ModelImportError(path: path, reason: "\(error)")
        } catch let error as ProtobufError {
            throw ModelImportError(path: path, reason: "not an ONNX model: \(error)")
        }
    }

    private static func importing(
        _ path: String, normalization: InputNormalization?, classNames: [String]?
    ) throws -> (model: Sequential, metadata: ModelMetadata) {
        let onnx = try ONNXModel.load(contentsOf: path)
        let imported = try ONNXImport.network(onnx)
        var network = imported.network
        let normalization = try normalization ?? InputNormalization(metadata: onnx.metadata)
        if let normalization {
            let channels = network.inputShape.first ?? 1
            guard normalization.mean.count == channels || normalization.mean.count == 1 else {
                throw ONNXError.cannotImport(
                    "--mean and --std give \(normalization.mean.count) values; the network's input has \(channels) channel\(channels == 1 ? "" : "s")"
                )
            }
            let layer = Normalize(name: "normalize", mean: normalization.mean, std: normalization.std)
            guard !network.layers.contains(where: { $0.name == layer.name }) else {
                throw ONNXError.cannotImport("the network already has a layer named normalize")
            }
            network = try Sequential(inputShape: network.inputShape, layers: [layer] + network.layers)
        }
        let classes = network.outputShape.reduce(1, *)
        let names = classNames ?? (0..<classes).map(String.init)
        guard names.count == classes else {
            throw ONNXError.cannotImport("\(names.count) class names given; the network has \(classes) outputs")
        }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var metadata = ModelMetadata(
            architecture: "onnx:\(onnx.graph.name.isEmpty ? stem : onnx.graph.name)", activation: "imported",
            inputShape: network.inputShape, classNames: names, dataset: "", training: TrainingConfiguration())
        metadata.training.epochs = 0
        metadata.source = ModelSource(
            file: URL(fileURLWithPath: path).lastPathComponent, sha256: try Checksum.sha256(ofFile: path),
            producer: [onnx.producerName, onnx.producerVersion].filter { !$0.isEmpty }.joined(separator: " "),
            opset: onnx.opsets[""] ?? onnx.opsets["ai.onnx"] ?? 0, notes: imported.notes,
            mean: normalization?.mean ?? [], std: normalization?.std ?? [])
        metadata.sha256 = metadata.source!.sha256
        return (network, metadata)
    }
}

/// What `probe import` wrote: the model file and the network it holds.
public struct ImportSummary: Codable, Sendable {
    /// One layer of the imported network.
    public struct LayerSummary: Codable, Sendable {
        /// The layer's name (its group in the model file).
        public let name: String
        /// Its kind (`conv2d`, `dense`, …).
        public let kind: String
        /// One example's output shape.
        public let outputShape: [Int]
        enum CodingKeys: String, CodingKey { case name, kind, outputShape = "output_shape" }
    }

    /// The ONNX file, as given.
    public let source: String
    /// Its SHA-256.
    public let sourceSHA256: String
    /// The program that wrote it.
    public let producer: String
    /// Its default-domain operator set.
    public let opset: Int64
    /// The model file written.
    public let output: String
    /// `onnx:<graph name>`.
    public let architecture: String
    /// One example's shape.
    public let inputShape: [Int]
    /// The network's layers in order.
    public let layers: [LayerSummary]
    /// Trainable values (the frozen normalisation not counted).
    public let parameters: Int
    /// The class names, output order.
    public let classNames: [String]
    /// The normalisation's means (empty: none).
    public let mean: [Float]
    /// The normalisation's standard deviations (empty: none).
    public let std: [Float]
    /// What the import changed.
    public let notes: [String]

    enum CodingKeys: String, CodingKey {
        case source, sourceSHA256 = "source_sha256", producer, opset, output, architecture, inputShape = "input_shape", layers, parameters
        case classNames = "class_names", mean, std, notes
    }
}

extension ModelImport {
    /// Imports the ONNX file at `path` and writes it as the model file `output` (atomically).
    /// - Throws: `ONNXError`/`ProtobufError` for the source, file errors for the output; nothing is
    ///   left at `output` on failure.
    public static func write(
        _ path: String, to output: String, normalization: InputNormalization? = nil, classNames: [String]? = nil
    ) throws -> ImportSummary {
        let (network, metadata) = try load(path, normalization: normalization, classNames: classNames)
        try ModelFile.save(network, metadata: metadata, to: output)
        let source = metadata.source!
        let shapes = network.layerOutputShapes()
        return ImportSummary(
            source: path, sourceSHA256: source.sha256, producer: source.producer, opset: source.opset, output: output,
            architecture: metadata.architecture, inputShape: network.inputShape,
            layers: zip(network.layers, shapes).map { .init(name: $0.name, kind: $0.kind.rawValue, outputShape: $1) },
            parameters: network.layers.flatMap(\.parameters).filter(\.trainable).reduce(0) { $0 + $1.value.count },
            classNames: metadata.classNames, mean: source.mean, std: source.std, notes: source.notes)
    }
}
