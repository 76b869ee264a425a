/// The hidden-unit nonlinearity of a fully connected architecture.
public enum Activation: String, CaseIterable, Sendable {
    case sigmoid, relu, tanh

    func layer(_ index: Int) -> Layer {
        switch self {
        case .sigmoid: return Sigmoid(name: "sigmoid\(index)")
        case .relu: return ReLU(name: "relu\(index)")
        case .tanh: return Tanh(name: "tanh\(index)")
        }
    }
}

/// A network architecture by name, as in the papers, or as a spec string:
///
/// | spec | network |
/// | --- | --- |
/// | `fc10` | softmax regression (Szegedy et al. 2014, Table 1, FC10(λ)) |
/// | `fc100-100-10`, `fc200-200-10`, `fc123-456-10`, any `fcA-B-…-K` | fully connected, sigmoid hidden units by default (Szegedy Table 1) |
/// | `ae400-10`, `aeN-K` | an N-unit sigmoid autoencoder pre-trained on reconstruction, then a softmax on its code (Szegedy Table 1, AE400-10) |
/// | `maxout240-240-10`, `maxoutA-B-K` | maxout layers of 5 pieces with dropout (Goodfellow et al. 2015 §5–6) |
/// | `conv` | Madry et al.'s MNIST network: conv 5x5×32, pool 2, conv 5x5×64, pool 2, fc 1024, 10 (same padding, ReLU) |
/// | `conv-small` | the same with 8 and 16 maps and fc 128, for quick runs |
public struct Architecture: Equatable, Sendable {
    /// The kind of network a spec names.
    public enum Family: Equatable, Sendable {
        /// Fully connected with these layer widths (the last is the class count).
        case fullyConnected([Int])
        /// Autoencoder code width, then class count.
        case autoencoder(code: Int, classes: Int)
        /// Maxout widths (units after the max), then the class count.
        case maxout([Int])
        /// A convolutional net with these channel counts and hidden width.
        case convolutional(channels: [Int], hidden: Int, classes: Int)
    }

    /// The spec string the architecture was parsed from (`fc100-100-10`).
    public let spec: String
    /// What the spec describes.
    public let family: Family
    /// The hidden nonlinearity of fully connected and autoencoder nets.
    public let activation: Activation
    /// Linear pieces per maxout unit.
    public let maxoutPieces: Int

    /// The architectures the papers used, by name.
    public static let named = ["fc10", "fc100-100-10", "fc200-200-10", "fc123-456-10", "ae400-10", "maxout240-240-10", "conv", "conv-small"]

    /// Parses a named architecture or a spec string.
    /// - Throws: `NetworkError.unknownArchitecture` saying what is accepted.
    public init(_ spec: String, activation: Activation? = nil, maxoutPieces: Int = 5) throws {
        self.spec = spec
        self.maxoutPieces = maxoutPieces
        let usage =
            "unknown architecture '\(spec)': use one of \(Architecture.named.joined(separator: ", ")), or a spec like fc300-100-10, ae200-10, maxout100-100-10"
        func widths(_ prefix: String) throws -> [Int] {
            let parts = spec.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            let numbers = parts.compactMap { Int($0) }
            guard !parts.isEmpty, numbers.count == parts.count, numbers.allSatisfy({ $0 >= 1 && $0 <= 1_000_000 }) else {
                throw NetworkError.unknownArchitecture(usage)
            }
            return numbers
        }
        switch spec {
        case "conv":
            family = .convolutional(channels: [32, 64], hidden: 1024, classes: 10)
        case "conv-small":
            family = .convolutional(channels: [8, 16], hidden: 128, classes: 10)
        case _ where spec.hasPrefix("maxout"):
            let w = try widths("maxout")
            guard w.count >= 2 else { throw NetworkError.unknownArchitecture(usage) }
            family = .maxout(w)
        case _ where spec.hasPrefix("ae"):
            let w = try widths("ae")
            guard w.count == 2 else { throw NetworkError.unknownArchitecture(usage) }
            family = .autoencoder(code: w[0], classes: w[1])
        case _ where spec.hasPrefix("fc"):
            family = .fullyConnected(try widths("fc"))
        default:
            throw NetworkError.unknownArchitecture(usage)
        }
        guard maxoutPieces >= 1 else { throw NetworkError.unknownArchitecture("maxout pieces must be at least 1, given \(maxoutPieces)") }
        if let activation, case .fullyConnected = family {
            self.activation = activation
        } else if let activation {
            throw NetworkError.unknownArchitecture(
                "activation \(activation.rawValue) applies to fc architectures only; \(spec) has fixed nonlinearities (\(Architecture.hiddenUnits(of: family, .sigmoid)))"
            )
        } else {
            self.activation = .sigmoid
        }
    }

    /// What the hidden units are, as recorded in model files: the activation of an fc network,
    /// `sigmoid` for autoencoders, `maxout`, `relu` for the convolutional nets, `none` without hidden layers.
    public var hiddenUnits: String { Architecture.hiddenUnits(of: family, activation) }

    private static func hiddenUnits(of family: Family, _ activation: Activation) -> String {
        switch family {
        case .fullyConnected(let widths): return widths.count > 1 ? activation.rawValue : "none"
        case .autoencoder: return "sigmoid"
        case .maxout: return "maxout"
        case .convolutional: return "relu"
        }
    }

    /// The number of classes the last layer predicts.
    public var classCount: Int {
        switch family {
        case .fullyConnected(let w), .maxout(let w): return w.last!
        case .autoencoder(_, let classes), .convolutional(_, _, let classes): return classes
        }
    }

    /// Whether training starts by pre-training an autoencoder (`ae…` specs).
    public var isAutoencoder: Bool { if case .autoencoder = family { return true } else { return false } }

    /// Builds the classifier with freshly initialised weights.
    /// - Parameters:
    ///   - inputShape: one example's shape, e.g. [1, 28, 28].
    ///   - generator: the source of the initial weights.
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> Sequential {
        let inputs = inputShape.reduce(1, *)
        var layers: [Layer] = []
        switch family {
        case .fullyConnected(let widths):
            var previous = inputs
            for (i, width) in widths.enumerated() {
                layers.append(Dense(name: "fc\(i + 1)", inputs: previous, outputs: width))
                if i < widths.count - 1 { layers.append(activation.layer(i + 1)) }
                previous = width
            }
        case .autoencoder(let code, let classes):
            layers = [
                Dense(name: "fc1", inputs: inputs, outputs: code), Sigmoid(name: "sigmoid1"),
                Dense(name: "fc2", inputs: code, outputs: classes),
            ]
        case .maxout(let widths):
            // NOTE: dropout rates of Goodfellow et al. 2013 on MNIST: 0.2 on the input, 0.5 on hidden layers.
            layers.append(Dropout(name: "dropout0", rate: 0.2))
            var previous = inputs
            for (i, width) in widths.dropLast().enumerated() {
                layers.append(Dense(name: "fc\(i + 1)", inputs: previous, outputs: width * maxoutPieces))
                layers.append(Maxout(name: "maxout\(i + 1)", pieces: maxoutPieces))
                layers.append(Dropout(name: "dropout\(i + 1)", rate: 0.5))
                previous = width
            }
            layers.append(Dense(name: "fc\(widths.count)", inputs: previous, outputs: widths.last!))
        case .convolutional(let channels, let hidden, let classes):
            guard inputShape.count == 3 else {
                throw NetworkError.shapeMismatch("\(spec) needs image inputs (channels, height, width), given shape \(inputShape)")
            }
            var c = inputShape[0], h = inputShape[1], w = inputShape[2]
            for (i, out) in channels.enumerated() {
                layers.append(Conv2D(name: "conv\(i + 1)", inChannels: c, outChannels: out, kernel: 5, stride: 1, padding: 2))
                layers.append(ReLU(name: "relu\(i + 1)"))
                layers.append(MaxPool2D(name: "pool\(i + 1)", size: 2))
                c = out; h /= 2; w /= 2
            }
            layers.append(Flatten(name: "flatten"))
            layers.append(Dense(name: "fc1", inputs: c * h * w, outputs: hidden))
            layers.append(ReLU(name: "relu\(channels.count + 1)"))
            layers.append(Dense(name: "fc2", inputs: hidden, outputs: classes))
        }
        let model = try Sequential(inputShape: inputShape, layers: layers)
        Initializer.initialize(model, generator: &generator)
        return model
    }

    /// The decoder that pre-trains an autoencoder's code: a dense layer back to the input and a sigmoid.
    public func decoder(inputShape: [Int], generator: inout SeededGenerator) throws -> Sequential? {
        guard case .autoencoder(let code, _) = family else { return nil }
        let decoder = try Sequential(
            inputShape: [code],
            layers: [Dense(name: "decoder", inputs: code, outputs: inputShape.reduce(1, *)), Sigmoid(name: "decoder_sigmoid")])
        Initializer.initialize(decoder, generator: &generator)
        return decoder
    }
}

/// Initial weights: uniform with the bound of Glorot and Bengio (2010), sqrt(6 / (fan_in + fan_out)),
/// for layers followed by sigmoid, tanh or the softmax; He et al.'s (2015) sqrt(6 / fan_in) before ReLU
/// and maxout. Biases start at zero.
public enum Initializer {
    /// Initialises every dense and convolutional layer of `model`.
    public static func initialize(_ model: Sequential, generator: inout SeededGenerator) {
        for (i, layer) in model.layers.enumerated() {
            let weight: Parameter
            let fanIn: Int, fanOut: Int
            if let dense = layer as? Dense {
                weight = dense.weight; fanIn = dense.inputCount; fanOut = dense.outputCount
            } else if let conv = layer as? Conv2D {
                let area = conv.kernel * conv.kernel
                weight = conv.weight; fanIn = conv.inChannels * area; fanOut = conv.outChannels * area
            } else {
                continue
            }
            let next = i + 1 < model.layers.count ? model.layers[i + 1].kind : nil
            let bound =
                (next == .relu || next == .maxout)
                ? (6 / Float(fanIn)).squareRoot()
                : (6 / Float(fanIn + fanOut)).squareRoot()
            for j in 0..<weight.value.count {
                weight.value.scalars[j] = (2 * generator.nextUniform() - 1) * bound
            }
        }
    }
}

/// Rebuilds a layer from its kind and configuration, as stored in a model file.
public enum LayerFactory {
    /// The layer of `kind` called `name` with `configuration`, its parameters zero until loaded.
    /// - Throws: `NetworkError.invalidModelFile` for an unknown kind or a missing setting.
    public static func make(kind text: String, name: String, configuration: [String: Double]) throws -> Layer {
        guard let kind = LayerKind(rawValue: text) else {
            throw NetworkError.invalidModelFile("layer \(name) has unknown kind '\(text)' (a newer neuron-probe may have written it)")
        }
        func setting(_ key: String) throws -> Int {
            guard let v = configuration[key], v == v.rounded(), v >= 0 else {
                throw NetworkError.invalidModelFile("layer \(name) (\(kind)) lacks a valid '\(key)' setting")
            }
            return Int(v)
        }
        switch kind {
        case .dense: return Dense(name: name, inputs: try setting("inputs"), outputs: try setting("outputs"))
        case .conv2d:
            return Conv2D(
                name: name, inChannels: try setting("in_channels"), outChannels: try setting("out_channels"),
                kernel: try setting("kernel"), stride: try setting("stride"), padding: try setting("padding"))
        case .maxpool2d: return MaxPool2D(name: name, size: try setting("size"), stride: try setting("stride"))
        case .avgpool2d: return AvgPool2D(name: name, size: try setting("size"), stride: try setting("stride"))
        case .normalize: return Normalize(name: name, channels: try setting("channels"))
        case .maxout: return Maxout(name: name, pieces: try setting("pieces"))
        case .dropout:
            guard let rate = configuration["rate"], rate >= 0, rate < 1 else {
                throw NetworkError.invalidModelFile("layer \(name) (dropout) lacks a valid 'rate' in [0, 1)")
            }
            return Dropout(name: name, rate: Float(rate))
        case .relu: return ReLU(name: name)
        case .sigmoid: return Sigmoid(name: name)
        case .tanh: return Tanh(name: name)
        case .flatten: return Flatten(name: name)
        }
    }
}
