import Files
import Foundation
import HDF5
import Engine

/// Lipschitz files (`format = "neuron-probe/lipschitz"`): the per-layer upper bounds `probe
/// lipschitz -o` computed (Szegedy et al. §4.3, Table 5), for a report to render; docs/results-files.md.
public enum LipschitzFile {
    /// Writes `report` atomically to `path`.
    public static func write(_ report: LipschitzReport, to path: String) throws {
        try AtomicFile.writeHDF5(to: path, kind: .lipschitz, engine: .current) { root in
            try root.setAttribute("model_file", report.model)
            try root.setAttribute("model_sha256", report.modelSHA256)
            try root.setAttribute("model_architecture", report.architecture)
            try root.setAttribute("product", report.product)
            try root.setAttribute("layer_names", report.layers.map(\.layer))
            try root.setAttribute("layer_kinds", report.layers.map(\.kind.rawValue))
            try root.setAttribute("methods", report.layers.map(\.method))
            try root.write("bound", report.layers.map(\.bound), shape: [report.layers.count]).setDimensionLabels(["layer"])
        }
    }

    /// Reads a Lipschitz file back.
    /// - Throws: `FileFormatError` with one line when it is missing, not HDF5, or not a Lipschitz file.
    public static func read(_ path: String) throws -> LipschitzReport {
        let file = try NeuronProbeFile.open(path, as: .lipschitz)
        let root = file.root
        let names = try root.stringArrayAttribute("layer_names"), methods = try root.stringArrayAttribute("methods")
        let kinds = try root.stringArrayAttribute("layer_kinds").map { raw in
            guard let kind = LayerKind(rawValue: raw) else {
                throw FileFormatError.unknownChoice(
                    path: path, attribute: "layer_kinds", value: raw, known: LayerKind.allCases.map(\.rawValue))
            }
            return kind
        }
        let bounds = try root.openDataset("bound", of: Double.self).read()
        let layers = (0..<names.count).map { LayerLipschitz(layer: names[$0], kind: kinds[$0], bound: bounds[$0], method: methods[$0]) }
        return LipschitzReport(
            model: try root.stringAttribute("model_file"), modelSHA256: try root.stringAttribute("model_sha256"),
            architecture: try root.stringAttribute("model_architecture"), layers: layers)
    }
}
