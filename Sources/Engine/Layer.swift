/// A trainable array of a layer (a weight matrix, a bias vector) with its name.
///
/// A class so that optimisers and model files refer to the same storage the layer reads.
public final class Parameter {
    /// The parameter's name within its layer (`weight`, `bias`); `<layer>/<name>` is its path in a model file.
    public let name: String
    /// The current values.
    public var value: Tensor
    /// Whether L2 weight decay applies (weights yes, biases no).
    public let decays: Bool
    /// Whether the optimiser updates it (false for a frozen, pre-trained encoder).
    public var trainable: Bool = true

    /// A parameter named `name` holding `value`.
    public init(name: String, value: Tensor, decays: Bool) {
        self.name = name
        self.value = value
        self.decays = decays
    }
}

/// What a layer's forward pass keeps for its backward pass: its input, its output, and,
/// for layers that choose (max-pooling, maxout) or sample (dropout), that choice.
public struct LayerCache {
    /// The batch the layer received.
    public var input: Tensor
    /// The batch the layer produced (its tap).
    public var output: Tensor
    /// Positions chosen in the forward pass (argmax of a pool or a maxout group).
    var choices: [Int32] = []
    /// The dropout mask, already scaled by 1/(1-rate).
    var mask: [Float] = []
}

/// The result of a layer's backward pass: the gradient with respect to its input batch
/// and, in the order of `Layer.parameters`, with respect to each of its parameters.
public struct LayerGradients {
    /// dLoss/dInput, same shape as the input; nil when the caller did not ask for it.
    public var input: Tensor?
    /// dLoss/dParameter for each parameter, summed over the batch.
    public var parameters: [Tensor]
}

/// Whether a forward pass is for training (dropout active) or for inference.
public enum ForwardMode {
    /// Inference: dropout is the identity.
    case inference
    /// Training: dropout draws its masks from the generator.
    case training
}

/// One layer of a sequential network: a forward rule and, beside it, its backward rule.
///
/// Layers hold parameters but no per-batch state: what backward needs travels in the
/// `LayerCache` that forward returns, so one model can serve several batches at once.
public protocol Layer: AnyObject {
    /// The layer's name in the network (`fc1`, `relu1`, `conv2`): its tap name and its group in model files.
    var name: String { get set }
    /// The kind of layer as written in model files (`dense`, `conv2d`, `relu`, …).
    var kind: LayerKind { get }
    /// The layer's parameters, in a fixed order.
    var parameters: [Parameter] { get }
    /// Integer and real settings that, with `kind`, rebuild the layer (written as model-file attributes).
    var configuration: [String: Double] { get }
    /// The per-example output shape for a per-example input shape.
    /// - Throws: `NetworkError.shapeMismatch` naming the layer when the input does not fit.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    /// The layer applied to a batch; `generator` is used only by layers that sample.
    func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> LayerCache
    /// Gradients of the loss with respect to the input and the parameters, given the gradient
    /// with respect to the output and the cache of the matching forward pass.
    func backward(_ outputGradient: Tensor, cache: LayerCache, needsInputGradient: Bool) -> LayerGradients
    /// The gradient with respect to the input alone, for attacks: layers with parameters skip their
    /// parameter gradients.
    func inputGradient(_ outputGradient: Tensor, cache: LayerCache) -> Tensor
}

extension Layer {
    public func inputGradient(_ outputGradient: Tensor, cache: LayerCache) -> Tensor {
        backward(outputGradient, cache: cache, needsInputGradient: true).input!
    }

    public var parameters: [Parameter] { [] }
    public var configuration: [String: Double] { [:] }
}

/// Errors of building, checking and loading networks.
public enum NetworkError: Error, CustomStringConvertible, Equatable {
    /// A layer received an input shape it cannot take.
    case shapeMismatch(String)
    /// An architecture name or spec string that cannot be parsed.
    case unknownArchitecture(String)
    /// A layer name that the network does not have.
    case unknownLayer(String, available: [String])
    /// A parameter holds NaN or infinity.
    case nonFiniteParameter(String)
    /// A model file that cannot be read as a neuron-probe model.
    case invalidModelFile(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let m): return m
        case .unknownArchitecture(let m): return m
        case .unknownLayer(let name, let available):
            return "no layer named '\(name)'; the network has: \(available.joined(separator: ", "))"
        case .nonFiniteParameter(let m): return m
        case .invalidModelFile(let m): return m
        }
    }
}

/// A fresh array of `count` Floats that `body` writes in full (no zero-filling first); arrays of
/// several MiB are advised huge pages before they are written (`HugePages`).
@inline(__always)
func makeScalars(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
        body(buffer)
        initialized = count
    }
}
