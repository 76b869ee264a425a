/// The kinds of file neuron-probe writes, each named by its root `format` attribute and read up to
/// the layout version this build writes (docs/model-file.md, activation-file.md, units-file.md,
/// attack-file.md, results-files.md).
public enum FileKind: String, CaseIterable, Sendable {
    case model, activations, units, attack, transfer, lipschitz

    /// The value of the root `format` attribute.
    public var format: String { "neuron-probe/\(rawValue)" }

    /// The layout version written, and the newest one read.
    public var version: Int {
        switch self {
        case .model: return 1
        case .activations: return 1
        case .units: return 2
        case .attack: return 1
        case .transfer: return 1
        case .lipschitz: return 1
        }
    }

    /// How the kind is named in messages: "a neuron-probe activation file".
    public var noun: String { self == .activations ? "activation" : rawValue }

    /// The kind whose `format` attribute is `format`, if any.
    public init?(format: String) {
        guard let kind = FileKind.allCases.first(where: { $0.format == format }) else { return nil }
        self = kind
    }
}
