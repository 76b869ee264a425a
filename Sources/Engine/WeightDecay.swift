import Foundation

/// L2 weight decay, `J + (λ/2)‖W‖²` over the weights (not biases), with one λ for all
/// layers or one per layer, as Szegedy et al.'s FC10(λ) networks set it.
public struct WeightDecay: Equatable, Sendable, CustomStringConvertible {
    /// λ for layers not listed in `perLayer`.
    public var base: Float
    /// λ for named layers.
    public var perLayer: [String: Float]

    /// No weight decay.
    public static let none = WeightDecay(base: 0, perLayer: [:])

    /// Decay `base` on every layer but those in `perLayer`.
    public init(base: Float, perLayer: [String: Float] = [:]) {
        self.base = base
        self.perLayer = perLayer
    }

    /// Parses `1e-4` (all layers) or `fc1=1e-3,fc3=1e-4` (listed layers; others 0) or both (`1e-5,fc1=1e-3`).
    /// - Throws: `TrainingError.invalidSetting` naming the bad part.
    public init(parsing text: String) throws {
        base = 0
        perLayer = [:]
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=")
            if pieces.count == 1, let value = Float(pieces[0]), value >= 0, value.isFinite {
                base = value
            } else if pieces.count == 2, let value = Float(pieces[1]), value >= 0, value.isFinite {
                perLayer[String(pieces[0])] = value
            } else {
                throw TrainingError.invalidSetting(
                    "weight decay '\(part)' is not a non-negative number or LAYER=NUMBER (e.g. 1e-4 or fc1=1e-3,fc2=1e-4)")
            }
        }
    }

    /// Throws unless every layer named in `perLayer` is a layer of `model` with weights.
    /// - Throws: `SettingProblem` naming the first that is not, and the layers that have weights.
    public func check(against model: Sequential) throws {
        let weighted = model.layers.filter { !$0.parameters.isEmpty }.map(\.name)
        for name in perLayer.keys.sorted() where !weighted.contains(name) {
            throw SettingProblem(
                "weight decay", "\(name)=\(perLayer[name]!)", "names no layer with weights; the model's are \(weighted.joined(separator: ", "))")
        }
    }

    /// λ for the layer called `layer`.
    public func coefficient(for layer: String) -> Float { perLayer[layer] ?? base }

    public var description: String {
        ([base == 0 && !perLayer.isEmpty ? nil : "\(base)"] + perLayer.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            .compactMap { $0 }.joined(separator: ",")
    }
}
