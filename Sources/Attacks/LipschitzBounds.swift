import Foundation
import Engine

/// An upper bound on one layer's Lipschitz constant in the L2 norm (Szegedy et al. 2014, §4.3).
public struct LayerLipschitz: Sendable, Codable, Equatable {
    /// The layer's name.
    public var layer: String
    /// Its kind.
    public var kind: LayerKind
    /// The bound: ‖φ(x) − φ(y)‖ ≤ bound · ‖x − y‖.
    public var bound: Double
    /// How it was obtained.
    public var method: String
}

/// The Lipschitz bounds of a model's layers and their product, which bounds the whole network's
/// constant: what `probe lipschitz` prints and a report renders as Table 5.
public struct LipschitzReport: Sendable, Codable, Equatable {
    /// The model file.
    public var model: String
    /// SHA-256 of the model file ("" when not known).
    public var modelSHA256: String
    /// The model's architecture spec ("" when not known).
    public var architecture: String
    /// The product of the layers' bounds.
    public var product: Double
    /// Every layer's bound, in order.
    public var layers: [LayerLipschitz]

    /// The bounds of `network`, read from the model file at `model` (sha256 `modelSHA256`, architecture `architecture`).
    public init(model: String, network: Sequential, modelSHA256: String = "", architecture: String = "") {
        self.init(model: model, modelSHA256: modelSHA256, architecture: architecture, layers: LipschitzBounds.bounds(of: network))
    }

    /// A report of `layers`' bounds, their product computed.
    public init(model: String, modelSHA256: String, architecture: String, layers: [LayerLipschitz]) {
        self.model = model
        self.modelSHA256 = modelSHA256
        self.architecture = architecture
        self.layers = layers
        product = layers.reduce(1.0) { $0 * $1.bound }
    }

    private enum CodingKeys: String, CodingKey {
        case model, modelSHA256 = "model_sha256", architecture, product, layers
    }
}

/// Per-layer upper Lipschitz bounds and their product (Szegedy et al. §4.3, Table 5):
/// dense layers by their largest singular value; convolutions by the Fourier bound sup_ξ ‖Â(ξ)‖
/// over the spatial frequencies ξ of the input grid, Â(ξ) the (out × in) matrix of the kernels'
/// discrete Fourier transforms (exact for circular convolution, an upper bound for zero padding and
/// for strides > 1); ReLU, maxout, tanh ≤ 1; sigmoid ≤ 1/4; average pooling ≤ ⌈size/stride⌉/size
/// (Schur's test); an input normalisation 1/min std; max-pooling ≤ ⌈size/stride⌉ (1 for
/// windows that do not overlap: each input sits in at most ⌈size/stride⌉² windows). Singular values
/// are LAPACK `dgesvd`'s, in double precision from the float32 weights, raised by `rounding` so
/// that a bound never falls below the exact norm by rounding.
public enum LipschitzBounds {
    /// The relative margin every singular value is raised by: far above `dgesvd`'s relative error
    /// (a few units of 2⁻⁵³ times the matrix size), far below anything a report shows.
    public static let rounding = 1e-12

    /// The bound of every layer of `model`.
    public static func bounds(of model: Sequential) -> [LayerLipschitz] {
        let shapes = [model.inputShape] + model.layerOutputShapes()
        return model.layers.enumerated().map { index, layer in
            func bound(_ value: Double, _ method: String) -> LayerLipschitz {
                LayerLipschitz(layer: layer.name, kind: layer.kind, bound: value, method: method)
            }
            switch layer.kind {
            case .dense:
                guard let dense = layer as? Dense else { preconditionFailure("\(layer.name): of kind dense but not a Dense layer") }
                let w = dense.weight.value
                let largest = LinearAlgebra.singularValues(w.scalars.map(Double.init), rows: w.shape[0], columns: w.shape[1]).first ?? 0
                return bound(largest * (1 + rounding), "largest singular value")
            case .conv2d:
                guard let conv = layer as? Conv2D else { preconditionFailure("\(layer.name): of kind conv2d but not a Conv2D layer") }
                let (h, w) = (shapes[index][1] + 2 * conv.padding, shapes[index][2] + 2 * conv.padding)
                return bound(fourierBound(conv, height: h, width: w), "Fourier bound over the \(h)x\(w) padded grid")
            case .sigmoid: return bound(0.25, "max of σ′ = 1/4")
            case .maxpool2d:
                guard let pool = layer as? MaxPool2D else { preconditionFailure("\(layer.name): of kind maxpool2d but not a MaxPool2D layer") }
                let overlap = (pool.size + pool.stride - 1) / pool.stride
                return bound(Double(overlap), overlap == 1 ? "non-expansive (windows do not overlap)" : "each input in at most \(overlap)² windows")
            case .avgpool2d:
                guard let pool = layer as? AvgPool2D else { preconditionFailure("\(layer.name): of kind avgpool2d but not an AvgPool2D layer") }
                // Schur's test: rows of the averaging matrix sum to 1, columns to at most ⌈size/stride⌉²/size².
                let overlap = (pool.size + pool.stride - 1) / pool.stride
                return bound(Double(overlap) / Double(pool.size), "Schur test: √(row sum · column sum) = ⌈size/stride⌉/size")
            case .normalize:
                guard let normalize = layer as? Normalize else { preconditionFailure("\(layer.name): of kind normalize but not a Normalize layer") }
                return bound(Double(normalize.std.value.scalars.map { 1 / $0 }.max() ?? 1), "1 / smallest std")
            // Flatten and dropout are the identity at inference.
            case .relu, .tanh, .maxout, .flatten, .dropout: return bound(1, "non-expansive")
            }
        }
    }

    /// sup over frequencies of the largest singular value of the kernels' DFT matrix on an h×w grid.
    static func fourierBound(_ conv: Conv2D, height h: Int, width w: Int) -> Double {
        let out = conv.outChannels, input = conv.inChannels, k = conv.kernel
        let weights = conv.weight.value.scalars.map(Double.init)
        var best = 0.0
        for u in 0..<h {
            for v in 0..<w {
                // Â[o][i] = Σ_{a,b} W[o][i][a][b] · exp(−2πi (u·a/h + v·b/w))
                var re = [Double](repeating: 0, count: out * input), im = re
                for a in 0..<k {
                    for b in 0..<k {
                        let angle = -2 * Double.pi * (Double(u * a) / Double(h) + Double(v * b) / Double(w))
                        let (c, s) = (cos(angle), sin(angle))
                        for o in 0..<out {
                            for i in 0..<input {
                                let weight = weights[((o * input + i) * k + a) * k + b]
                                re[o * input + i] += weight * c
                                im[o * input + i] += weight * s
                            }
                        }
                    }
                }
                best = max(best, largestSingularValue(re: re, im: im, rows: out, columns: input))
            }
        }
        return best * (1 + rounding)
    }

    /// The largest singular value of a complex (rows × columns) matrix A = R + iI: that of the real
    /// (2·rows × 2·columns) matrix [[R, −I], [I, R]], which has each singular value of A twice.
    static func largestSingularValue(re: [Double], im: [Double], rows: Int, columns: Int) -> Double {
        var real = [Double](repeating: 0, count: 4 * rows * columns)
        let width = 2 * columns
        for r in 0..<rows {
            for c in 0..<columns {
                let (x, y) = (re[r * columns + c], im[r * columns + c])
                real[r * width + c] = x
                real[r * width + columns + c] = -y
                real[(rows + r) * width + c] = y
                real[(rows + r) * width + columns + c] = x
            }
        }
        return LinearAlgebra.singularValues(real, rows: 2 * rows, columns: width).first ?? 0
    }
}
