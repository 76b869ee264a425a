/// The kinds of layer the engine has, named as model files and activation files write them
/// (`kind` attributes). Code that treats kinds differently switches over all of them, so a new
/// kind cannot be given a Lipschitz bound, an initialisation or a nonlinearity by accident.
public enum LayerKind: String, CaseIterable, Sendable, Codable {
    case dense, conv2d, maxpool2d, avgpool2d, maxout, dropout, relu, sigmoid, tanh, flatten, normalize

    /// The nonlinearity the layer applies, as recorded on its activation dataset: the function for
    /// activation layers, `max` for pooling, `none` for affine and reshaping layers.
    public var nonlinearity: String {
        switch self {
        case .relu, .sigmoid, .tanh, .maxout: return rawValue
        case .maxpool2d: return "max"
        case .avgpool2d: return "mean"
        case .dense, .conv2d, .dropout, .flatten, .normalize: return "none"
        }
    }

    /// Whether the layer only copies (or reshapes) its input at inference, so that recording it
    /// would store the layer before it again.
    public var copiesInputAtInference: Bool {
        switch self {
        case .flatten, .dropout: return true
        case .dense, .conv2d, .maxpool2d, .avgpool2d, .maxout, .relu, .sigmoid, .tanh, .normalize: return false
        }
    }
}
