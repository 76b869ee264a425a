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
/// dense layers by their largest singular value (LAPACK `sgesvd`); convolutions by the Fourier bound
/// sup_ξ ‖Â(ξ)‖ over the spatial frequencies ξ of the input grid, Â(ξ) the (out × in) matrix of the
/// kernels' discrete Fourier transforms (exact for circular convolution, an upper bound for zero
/// padding and for strides > 1); ReLU, max-pooling, maxout, tanh ≤ 1; sigmoid ≤ 1/4.
public enum LipschitzBounds {
    /// Relative tolerance of the power iterations on the Fourier matrices.
    public static let tolerance = 1e-7

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
                return bound(Double(LinearAlgebra.singularValues(dense.weight.value).first ?? 0), "largest singular value")
            case .conv2d:
                guard let conv = layer as? Conv2D else { preconditionFailure("\(layer.name): of kind conv2d but not a Conv2D layer") }
                let (h, w) = (shapes[index][1] + 2 * conv.padding, shapes[index][2] + 2 * conv.padding)
                return bound(fourierBound(conv, height: h, width: w), "Fourier bound over the \(h)x\(w) padded grid")
            case .sigmoid: return bound(0.25, "max of σ′ = 1/4")
            // Flatten and dropout are the identity at inference.
            case .relu, .tanh, .maxpool2d, .maxout, .flatten, .dropout: return bound(1, "non-expansive")
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
        return best
    }

    /// The largest singular value of a complex (rows × columns) matrix, by power iteration on AᴴA.
    static func largestSingularValue(re: [Double], im: [Double], rows: Int, columns: Int) -> Double {
        var xr = [Double](repeating: 1, count: columns), xi = [Double](repeating: 0.5, count: columns)
        var estimate = 0.0
        for _ in 0..<1000 {
            // y = A x
            var yr = [Double](repeating: 0, count: rows), yi = yr
            for r in 0..<rows {
                for c in 0..<columns {
                    let (ar, ai) = (re[r * columns + c], im[r * columns + c])
                    yr[r] += ar * xr[c] - ai * xi[c]
                    yi[r] += ar * xi[c] + ai * xr[c]
                }
            }
            // z = Aᴴ y
            var zr = [Double](repeating: 0, count: columns), zi = zr
            for r in 0..<rows {
                for c in 0..<columns {
                    let (ar, ai) = (re[r * columns + c], -im[r * columns + c])
                    zr[c] += ar * yr[r] - ai * yi[r]
                    zi[c] += ar * yi[r] + ai * yr[r]
                }
            }
            let norm = zip(zr, zi).reduce(0.0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }.squareRoot()
            let xNorm = zip(xr, xi).reduce(0.0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }.squareRoot()
            guard norm > 0, xNorm > 0 else { return 0 }
            let next = (norm / xNorm).squareRoot()  // ‖AᴴA x‖/‖x‖ → σ_max²
            xr = zr.map { $0 / norm }
            xi = zi.map { $0 / norm }
            if abs(next - estimate) <= tolerance * next { return next }
            estimate = next
        }
        return estimate
    }
}
