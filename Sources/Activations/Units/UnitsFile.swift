import Files
import Foundation
import HDF5
import Engine

/// Units-analysis results files (`format = "neuron-probe/units"`): every direction, its top and
/// bottom images, its coherence, and the comparison, so that anyone can recompute every number
/// from this file and the activation file it links to. Layout: docs/units-file.md.
public enum UnitsFile {
    /// The value of the root `format` attribute.
    public static var format: String { FileKind.units.format }
    /// The layout version written.
    public static var formatVersion: Int { FileKind.units.version }

    /// The default results path beside an activation file: `acts.h5` → `acts.units.h5`.
    public static func defaultPath(for activations: String) -> String {
        let url = URL(fileURLWithPath: activations)
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(stem + ".units.h5").path
    }

    /// Writes `results` (one per layer) for the activation file at `activationsPath` to `path`,
    /// through a temporary file checked and renamed when complete. The activation file is only read.
    public static func write(
        _ results: [UnitsLayerResult], activations: ActivationFile, activationsPath: String,
        options: UnitsAnalysisOptions, to path: String
    ) throws {
        try AtomicFile.write([output(results, activations: activations, activationsPath: activationsPath, options: options, to: path)])
    }

    /// The units file of `results` as one output of a set written together (with its figures).
    public static func output(
        _ results: [UnitsLayerResult], activations: ActivationFile, activationsPath: String,
        options: UnitsAnalysisOptions, to path: String
    ) throws -> AtomicFile.Output {
        let activationsSHA = try Checksum.sha256(ofFile: activationsPath)
        // The virtual datasets name the activation file relative to the results file, so that the two can move together.
        let linkTarget = LinkedFile.relativeName(of: activationsPath, from: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        let writeFile = { (temporary: String) throws in
            let file = try HDF5File.create(temporary)
            let root = file.root
            try FileStamp.stamp(root, kind: .units, engine: .current)
            try Provenance(
                modelSHA256: activations.metadata.modelSHA256, modelArchitecture: activations.metadata.modelArchitecture,
                split: activations.metadata.split, seed: options.seed,
                derivedFrom: ("activations", activationsPath, activationsSHA)
            ).write(to: root)
            try root.setAttribute("top_k", Int64(options.topK))
            try root.setAttribute("picture_k", Int64(options.pictureK))
            try root.setAttribute("rotations", Int64(options.rotations))
            try root.setAttribute("purity_threshold", options.purityThreshold)
            try root.setAttribute("bootstrap_resamples", Int64(options.bootstrapResamples))
            try root.setAttribute("layers", results.map(\.layer))
            let units = try root.createGroup("units")
            for result in results {
                let group = try units.createGroup(result.layer)
                try group.setAttribute("units", Int64(result.unitCount))
                try group.setAttribute("unit", result.unitKind.rawValue)
                try group.setAttribute("pool", result.pool?.rawValue ?? "none")
                try group.setAttribute("samples", Int64(result.sampleCount))
                // A dataset, not an attribute: there may be none, and several clients refuse empty array attributes.
                try group.write("dead_units", result.deadUnits.map(Int64.init), shape: [result.deadUnits.count]).setDimensionLabels(["dead_unit"])
                try group.setAttribute("labels_available", Int64(result.labelsAvailable ? 1 : 0))
                try group.setAttribute("images_available", Int64(result.imagesAvailable ? 1 : 0))
                try group.setAttribute("verdict", result.verdict)
                // A virtual dataset, not an external link: netCDF-C (netCDF4-python, ncdump) cannot open a
                // file with a link to a dataset whose dimension scales live in another file.
                let shape = try activations.layer(result.layer).shape
                let source = VirtualSource(file: linkTarget, dataset: "/layers/\(result.layer)", rows: 0..<shape[0], sourceShape: shape)
                try group.createVirtualDataset("activations", of: Float.self, shape: shape, sources: [source])
                    .setDimensionLabels(ActivationLayout.axisLabels(rank: shape.count))
                try group.write("class_selectivity", result.classSelectivity, shape: [result.unitCount]).setDimensionLabels(["unit"])
                try write(result.units, into: try group.createGroup("units"))
                try write(result.random, into: try group.createGroup("random"))
                if let pca = result.principalComponents { try write(pca, into: try group.createGroup("pca")) }
                let rotations = try group.createGroup("rotations")
                for (r, set) in result.rotations.enumerated() { try write(set, into: try rotations.createGroup("\(r + 1)")) }
                let comparison = try group.createGroup("comparison")
                for c in result.comparisons {
                    let measure = try comparison.createGroup(c.measure)
                    for (name, value) in [
                        ("units_mean", c.units.mean), ("units_low", c.units.low), ("units_high", c.units.high),
                        ("random_mean", c.random.mean), ("random_low", c.random.low), ("random_high", c.random.high),
                        ("u", c.test.u), ("p_value", c.test.pValue), ("z", c.test.z), ("auc", c.test.auc),
                        ("cliffs_delta", c.test.cliffsDelta),
                    ] {
                        try measure.setAttribute(name, value)
                    }
                }
                if let d = result.detectors {
                    let detectors = try group.createGroup("detectors")
                    try detectors.setAttribute("threshold", d.threshold)
                    try detectors.setAttribute("natural", Int64(d.natural))
                    try detectors.write("rotated", d.rotated.map(Int64.init), shape: [d.rotated.count]).setDimensionLabels(["rotation"])
                }
            }
            try file.attachDimensionScales()
            try file.close()
        }
        return AtomicFile.Output(path: path, write: writeFile, verify: { try NeuronProbeFile.open($0, as: .units).close() })
    }

    private static func write(_ set: DirectionSet, into group: Group) throws {
        let m = set.top.count
        let k = set.top.first?.count ?? 0
        try group.setAttribute("name", set.name)
        try group.write("directions", set.directions.scalars, shape: set.directions.shape).setDimensionLabels(["direction", "unit"])
        if !set.unitIndices.isEmpty { try group.write("unit_indices", set.unitIndices.map(Int64.init), shape: [m]).setDimensionLabels(["direction"]) }
        let top = try group.write("top", set.top.flatMap { $0.map(Int64.init) }, shape: [m, k])
        try top.setDimensionLabels(["direction", "rank"])
        let bottom = try group.write("bottom", set.bottom.flatMap { $0.map(Int64.init) }, shape: [m, k])
        try bottom.setDimensionLabels(["direction", "rank"])
        for (name, values) in [("purity", set.purity), ("entropy", set.entropy), ("cosine", set.cosine)] {
            try group.write(name, values, shape: [m]).setDimensionLabels(["direction"])
        }
    }
}
