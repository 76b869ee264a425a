import Files
import Foundation
import HDF5
import Engine

/// A units file read back (docs/units-file.md): every layer's result as the analysis returned it,
/// and the settings and provenance the report shows.
public struct UnitsFileContents: Sendable {
    /// The file's path.
    public var path: String
    /// The activation file it was computed from, as recorded (relative to where the command ran).
    public var activationsFile: String
    /// SHA-256 of that activation file.
    public var activationsSHA256: String
    /// SHA-256 of the model whose activations were analysed.
    public var modelSHA256: String
    /// That model's architecture.
    public var modelArchitecture: String
    /// The recorded split.
    public var split: String
    /// The seed of the random directions, rotations and bootstrap.
    public var seed: UInt64
    /// k: top images per direction.
    public var topK: Int
    /// Rotated bases per layer.
    public var rotations: Int
    /// The tool version that wrote it, and when.
    public var toolVersion: String
    /// See `toolVersion`.
    public var created: String
    /// Each analysed layer, in the file's order.
    public var layers: [UnitsLayerResult]
}

extension UnitsFile {
    /// Reads every layer of the units file at `path`.
    /// - Throws: `FileFormatError` with one line when it is missing, not HDF5, or not a units file.
    public static func read(_ path: String) throws -> UnitsFileContents {
        let file = try NeuronProbeFile.open(path, as: .units)
        let root = file.root
        let names = try root.stringArrayAttribute("layers")
        let units = try root.openGroup("units")
        let layers = try names.map { try readLayer(try units.openGroup($0), name: $0) }
        return UnitsFileContents(
            path: path, activationsFile: try root.stringAttribute("activations_file"),
            activationsSHA256: try root.stringAttribute("activations_sha256"), modelSHA256: try root.stringAttribute("model_sha256"),
            modelArchitecture: try root.stringAttribute("model_architecture"), split: try root.stringAttribute("split"),
            seed: UInt64(bitPattern: try root.attribute("seed", as: Int64.self)), topK: Int(try root.attribute("top_k", as: Int64.self)),
            rotations: Int(try root.attribute("rotations", as: Int64.self)), toolVersion: try root.stringAttribute("tool_version"),
            created: try root.stringAttribute("created"), layers: layers)
    }

    private static func readLayer(_ group: Group, name: String) throws -> UnitsLayerResult {
        let comparisonGroup = try group.openGroup("comparison")
        let comparisons = try ["purity", "entropy", "cosine"].filter { comparisonGroup.contains($0) }.map { measure in
            let g = try comparisonGroup.openGroup(measure)
            func value(_ key: String) throws -> Double { try g.attribute(key, as: Double.self) }
            return MeasureComparison(
                measure: measure,
                units: Interval(mean: try value("units_mean"), low: try value("units_low"), high: try value("units_high")),
                random: Interval(mean: try value("random_mean"), low: try value("random_low"), high: try value("random_high")),
                test: MannWhitneyResult(
                    u: try value("u"), pValue: try value("p_value"), z: try value("z"), auc: try value("auc"), cliffsDelta: try value("cliffs_delta"))
            )
        }
        var detectors: DetectorCount?
        if group.contains("detectors") {
            let d = try group.openGroup("detectors")
            detectors = DetectorCount(
                threshold: try d.attribute("threshold", as: Double.self), natural: Int(try d.attribute("natural", as: Int64.self)),
                rotated: try d.openDataset("rotated", of: Int64.self).read().map { Int($0) })
        }
        let rotationsGroup = try group.openGroup("rotations")
        let rotationNames = try rotationsGroup.childNames().sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
        // Files written before channel units had only position units.
        let unitKind = group.hasAttribute("unit") ? try group.choiceAttribute("unit", as: UnitKind.self, in: "/units/\(name)") : .position
        let pool = group.hasAttribute("pool") ? SpatialPool(rawValue: try group.stringAttribute("pool")) : nil
        return UnitsLayerResult(
            layer: name, unitKind: unitKind, pool: pool, unitCount: Int(try group.attribute("units", as: Int64.self)),
            sampleCount: Int(try group.attribute("samples", as: Int64.self)),
            deadUnits: try group.openDataset("dead_units", of: Int64.self).read().map { Int($0) },
            units: try readSet(try group.openGroup("units")), random: try readSet(try group.openGroup("random")),
            rotations: try rotationNames.map { try readSet(try rotationsGroup.openGroup($0)) },
            principalComponents: group.contains("pca") ? try readSet(try group.openGroup("pca")) : nil,
            comparisons: comparisons, detectors: detectors,
            classSelectivity: try group.openDataset("class_selectivity", of: Double.self).read(),
            labelsAvailable: try group.attribute("labels_available", as: Int64.self) != 0,
            imagesAvailable: try group.attribute("images_available", as: Int64.self) != 0,
            verdict: try group.stringAttribute("verdict"))
    }

    private static func readSet(_ group: Group) throws -> DirectionSet {
        let directions = try group.openDataset("directions", of: Float.self)
        let top = try group.openDataset("top", of: Int64.self), bottom = try group.openDataset("bottom", of: Int64.self)
        func rows(_ values: [Int64], _ shape: [Int]) -> [[Int]] {
            let k = shape.count > 1 ? shape[1] : 0
            return (0..<shape[0]).map { r in values[(r * k)..<((r + 1) * k)].map { Int($0) } }
        }
        return DirectionSet(
            name: try group.stringAttribute("name"), directions: Tensor(shape: directions.shape, scalars: try directions.read()),
            unitIndices: group.contains("unit_indices") ? try group.openDataset("unit_indices", of: Int64.self).read().map { Int($0) } : [],
            top: rows(try top.read(), top.shape), bottom: rows(try bottom.read(), bottom.shape),
            purity: try group.openDataset("purity", of: Double.self).read(),
            entropy: try group.openDataset("entropy", of: Double.self).read(),
            cosine: try group.openDataset("cosine", of: Double.self).read())
    }
}
