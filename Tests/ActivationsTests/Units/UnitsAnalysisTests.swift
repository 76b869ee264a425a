import Files
import Foundation
import HDF5
import Engine
import XCTest
@testable import Activations

/// The units analysis: it finds what is planted in synthetic activations, is fixed by its seed,
/// and refuses impossible settings.
final class UnitsAnalysisTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("units")
    }

    /// Writes an activation file by hand with layer "h" holding `values` (n × units).
    private func writeActivations(
        _ name: String, values: [Float], units: Int, labels: [Int]?, images: [UInt8]? = nil, rowShape: [Int]? = nil
    ) throws -> ActivationFile {
        let path = directory.appendingPathComponent(name).path
        let n = values.count / units
        let file = try HDF5File.create(path)
        let root = file.root
        for (key, value) in [
            ("format", ActivationLayout.format), ("model_file", "m.h5"), ("model_sha256", "x"), ("model_architecture", "synthetic"),
            ("dataset", "synthetic"), ("dataset_sha256", "x"), ("split", "test"), ("shard", "1/1"), ("tool_version", "t"),
            ("created", "now"), ("compression", "none"),
        ] {
            try root.setAttribute(key, value)
        }
        for (key, value) in [("format_version", 1), ("seed", 0), ("first_row", 0), ("total_rows", n), ("rows", n)] {
            try root.setAttribute(key, Int64(value))
        }
        try root.setAttribute("class_names", (0..<10).map { "c\($0)" })
        try root.setAttribute("layer_names", ["h"])
        if let labels { _ = try root.write("labels", labels.map { UInt8($0) }, shape: [n]) }
        _ = try root.write("indices", (0..<n).map(Int64.init), shape: [n])
        if let images { _ = try root.write("images", images, shape: [n, 2, 2]) }
        let layers = try root.createGroup("layers")
        let dataset = try layers.write("h", values, shape: [n] + (rowShape ?? [units]))
        try dataset.setAttribute("kind", "relu")
        try dataset.setAttribute("nonlinearity", "relu")
        try dataset.setAttribute("position", Int64(0))
        try file.close()
        return try ActivationFile(path: path)
    }

    /// 2,000 samples of 10 classes; unit i fires for class i (plus noise); unit 10 is dead.
    private func plantedDetectors(seed: UInt64 = 1) throws -> (ActivationFile, [Int]) {
        var g = SeededGenerator(seed: seed)
        let n = 2000, units = 11
        let labels = (0..<n).map { $0 % 10 }
        var values = [Float](repeating: 0, count: n * units)
        for i in 0..<n {
            for u in 0..<10 { values[i * units + u] = (labels[i] == u ? 3 : 0) + 0.3 * g.nextGaussian() }
            values[i * units + 10] = 0.5
        }
        return (try writeActivations("planted.h5", values: values, units: units, labels: labels), labels)
    }

    private func options(_ configure: (inout UnitsAnalysisOptions) -> Void = { _ in }) -> UnitsAnalysisOptions {
        var o = UnitsAnalysisOptions()
        o.topK = 50
        o.randomDirections = 40
        o.rotations = 5
        o.bootstrapResamples = 500
        configure(&o)
        return o
    }

    /// 40 samples of (3, 2, 3) maps with Gaussian values.
    private func maps() throws -> (ActivationFile, [Float]) {
        var g = SeededGenerator(seed: 5)
        let values = (0..<(40 * 18)).map { _ in g.nextGaussian() }
        return (try writeActivations("maps.h5", values: values, units: 18, labels: (0..<40).map { $0 % 10 }, rowShape: [3, 2, 3]), values)
    }

    func testAChannelDirectionScoresAnImageByItsProjectionAtEveryPositionPooled() throws {
        let (file, values) = try maps()
        let directions = Tensor(shape: [2, 3], scalars: [0.6, -0.8, 0, 0.2, 0.3, -0.9])
        for pool in SpatialPool.allCases {
            let scores = try LayerScores(file: file, layer: "h", kind: .channel, pool: pool).scores(directions)
            XCTAssertEqual(scores.shape, [2, 40])
            for n in 0..<40 {
                for d in 0..<2 {
                    let projections = (0..<6).map { p in
                        (0..<3).reduce(0.0) { $0 + Double(directions.scalars[d * 3 + $1]) * Double(values[n * 18 + $1 * 6 + p]) }
                    }
                    let want = pool == .max ? projections.max()! : projections.reduce(0, +) / 6
                    XCTAssertEqual(Double(scores.scalars[d * 40 + n]), want, accuracy: 1e-5, "\(pool) image \(n) direction \(d)")
                }
            }
        }
    }

    func testAChannelUnitScoresItsPooledMapExactly() throws {
        let (file, values) = try maps()
        let units = try LayerScores(file: file, layer: "h", kind: .channel, pool: .max).unitScores()
        XCTAssertEqual(units.shape, [3, 40])
        for n in 0..<40 {
            for c in 0..<3 { XCTAssertEqual(units.scalars[c * 40 + n], values[(n * 18 + c * 6)..<(n * 18 + c * 6 + 6)].max()!) }
        }
    }

    func testAMapLayerDefaultsToChannelUnitsAndPositionUnitsAreEveryValue() throws {
        let (file, _) = try maps()
        let byChannel = try UnitsAnalysis.run(
            file: file, layer: "h", images: nil,
            options: options {
                $0.topK = 5; $0.randomDirections = 4
            })
        XCTAssertEqual(byChannel.unitKind, .channel)
        XCTAssertEqual(byChannel.pool, .max)
        XCTAssertEqual(byChannel.unitCount, 3)
        XCTAssertEqual(byChannel.rotations.first?.directions.shape, [3, 3])
        let byPosition = try UnitsAnalysis.run(
            file: file, layer: "h", images: nil,
            options: options {
                $0.topK = 5; $0.randomDirections = 4; $0.unit = .position
            })
        XCTAssertEqual(byPosition.unitKind, .position)
        XCTAssertNil(byPosition.pool)
        XCTAssertEqual(byPosition.unitCount, 18)
    }

    func testChannelUnitsOfALayerWithoutMapsAreRefused() throws {
        let (file, _) = try plantedDetectors()
        XCTAssertThrowsError(try UnitsAnalysis.run(file: file, layer: "h", images: nil, options: options { $0.unit = .channel })) {
            XCTAssertTrue("\($0)".contains("use --unit position"), "\($0)")
        }
    }

    func testPlantedClassDetectorsAreFoundMoreCoherentThanRandomDirections() throws {
        let (file, labels) = try plantedDetectors()
        let result = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options())
        XCTAssertEqual(result.deadUnits, [10])
        XCTAssertEqual(result.units.unitIndices, Array(0..<10))
        XCTAssertEqual(result.units.purity, [Double](repeating: 1, count: 10))
        let purity = try XCTUnwrap(result.comparisons.first { $0.measure == "purity" })
        XCTAssertGreaterThan(purity.units.mean, purity.random.mean)
        XCTAssertLessThan(purity.test.pValue, 0.01)
        XCTAssertGreaterThan(purity.test.auc, 0.8)
        XCTAssertEqual(result.detectors?.natural, 10)
        XCTAssertLessThan(result.detectors!.rotatedMean, 10)
        XCTAssertTrue(result.verdict.contains("more coherent"), result.verdict)
        // Unit 3 fires for class 3 only: its selectivity is close to 1.
        XCTAssertGreaterThan(result.classSelectivity[3], 0.9)
        XCTAssertTrue(result.classSelectivity[10].isNaN)
    }

    func testTheFindingOfPlantedDetectorsIsUnitsMoreCoherentOnPurity() throws {
        let (file, labels) = try plantedDetectors()
        let result = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options())
        XCTAssertEqual(result.primaryComparison?.measure, "purity")
        XCTAssertEqual(result.finding, .unitsMoreCoherent)
    }

    func testTheFindingOfUnitsAlongRandomAxesIsNoMeasurableDifference() throws {
        // Activations independent of the labels: neither units nor random directions gather a class.
        var g = SeededGenerator(seed: 4)
        let n = 400
        let values = (0..<(n * 8)).map { _ in g.nextGaussian() }
        let labels = (0..<n).map { _ in Int(g.next() % 10) }
        let file = try writeActivations("noise.h5", values: values, units: 8, labels: labels, images: nil)
        let result = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options())
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(result.primaryComparison).test.pValue, Verdict.significance)
        XCTAssertEqual(result.finding, .noMeasurableDifference)
        XCTAssertTrue(result.verdict.contains("not measurably more coherent"), result.verdict)
    }

    func testTopSetsAreTheLargestProjectionsWithTiesToTheLowerRow() throws {
        let values: [Float] = [1, 5, 5, 2, 5, 0, 3, -1]
        XCTAssertEqual(values.withUnsafeBufferPointer { TopK.largest($0.baseAddress!, count: 8, k: 4) }, [1, 2, 4, 6])
        XCTAssertEqual(values.withUnsafeBufferPointer { TopK.smallest($0.baseAddress!, count: 8, k: 3) }, [7, 5, 0])
        var g = SeededGenerator(seed: 5)
        let many = (0..<5000).map { _ in Float(Int(g.nextUniform() * 100)) }
        let reference = Array((0..<5000).sorted { many[$0] > many[$1] || (many[$0] == many[$1] && $0 < $1) }.prefix(77))
        XCTAssertEqual(many.withUnsafeBufferPointer { TopK.largest($0.baseAddress!, count: 5000, k: 77) }, reference)
    }

    func testTheSameSeedGivesTheSameDirectionsAndNumbers() throws {
        let (file, labels) = try plantedDetectors()
        let a = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options())
        let b = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options())
        let c = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options { $0.seed = 2 })
        XCTAssertEqual(a.random.directions, b.random.directions)
        XCTAssertEqual(a.rotations.map(\.directions), b.rotations.map(\.directions))
        XCTAssertEqual(a.comparisons.map(\.test.pValue), b.comparisons.map(\.test.pValue))
        XCTAssertEqual(a.detectors?.rotated, b.detectors?.rotated)
        XCTAssertNotEqual(a.random.directions, c.random.directions)
    }

    func testRandomDirectionsHaveUnitLength() throws {
        let (file, labels) = try plantedDetectors()
        let result = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options())
        for d in 0..<40 {
            let row = result.random.directions.scalars[(d * 11)..<((d + 1) * 11)]
            XCTAssertEqual(row.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        }
    }

    func testPrincipalComponentsComeLargestFirst() throws {
        var g = SeededGenerator(seed: 2)
        // Variance 9 along unit 0, 1 along unit 1, 0.01 along unit 2.
        let values = (0..<500).flatMap { _ in [3 * g.nextGaussian(), g.nextGaussian(), 0.1 * g.nextGaussian()] }
        let pcs = UnitsAnalysis.principalDirections(Tensor(shape: [500, 3], scalars: values), count: 2)
        XCTAssertEqual(abs(pcs.scalars[0]), 1, accuracy: 0.02)
        XCTAssertEqual(abs(pcs.scalars[4]), 1, accuracy: 0.05)
    }

    func testWithoutLabelsOnlyThePixelMeasureIsCompared() throws {
        var g = SeededGenerator(seed: 3)
        let n = 300
        let values = (0..<(n * 4)).map { _ in g.nextUniform() }
        let images = (0..<(n * 4)).map { _ in UInt8(g.next() % 256) }
        let file = try writeActivations("unlabelled.h5", values: values, units: 4, labels: nil, images: images)
        XCTAssertFalse(file.hasLabels)
        let result = try UnitsAnalysis.run(file: file, layer: "h", labels: nil, classCount: 10, images: images, options: options { $0.topK = 20 })
        XCTAssertEqual(result.comparisons.map(\.measure), ["cosine"])
        XCTAssertNil(result.detectors)
        XCTAssertTrue(result.verdict.contains("no labels"), result.verdict)
    }

    func testPixelCosineOfATopSetIsTheMeanPairwiseCosine() {
        let images: [UInt8] = [1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 2]
        let measure = CoherenceMeasure(labels: nil, classCount: 1, images: images, count: 3)
        let c01 = 1 / Double(2).squareRoot(), c02 = 0.0, c12 = 0.0
        XCTAssertEqual(measure.measure([0, 1, 2]).cosine, (c01 + c02 + c12) / 3, accuracy: 1e-6)
    }

    func testKLargerThanTheSetIsRefused() throws {
        let (file, labels) = try plantedDetectors()
        XCTAssertThrowsError(
            try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options { $0.topK = 5000 })
        ) { error in
            XCTAssertEqual((error as? SettingProblem)?.setting, "top k", "\(error)")
            XCTAssertTrue("\(error)".contains("top k 5000 must lie between 1 and the 2000 samples"), "\(error)")
        }
    }

    func testZeroRandomDirectionsAreRefused() throws {
        let (file, labels) = try plantedDetectors()
        XCTAssertThrowsError(
            try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options { $0.randomDirections = 0 }))
    }

    func testAMissingLayerListsTheRecordedOnes() throws {
        let (file, labels) = try plantedDetectors()
        XCTAssertThrowsError(try UnitsAnalysis.run(file: file, layer: "fc9", labels: labels, classCount: 10, images: nil, options: options())) {
            error in
            XCTAssertTrue("\(error)".contains("it holds h"), "\(error)")
        }
    }

    func testTheResultsFileLinksToTheActivationsAndLeavesThemUntouched() throws {
        let (file, labels) = try plantedDetectors()
        let before = try Checksum.sha256(ofFile: file.path)
        let result = try UnitsAnalysis.run(file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options())
        let out = directory.appendingPathComponent("planted.units.h5").path
        XCTAssertEqual(UnitsFile.defaultPath(for: file.path), out)
        try UnitsFile.write([result], activations: file, activationsPath: file.path, options: options(), to: out)
        XCTAssertEqual(try Checksum.sha256(ofFile: file.path), before)
        let results = try HDF5File.open(out)
        XCTAssertEqual(try results.root.stringAttribute("format"), UnitsFile.format)
        let linked = try results.root.openDataset("units/h/activations", of: Float.self)
        XCTAssertEqual(linked.shape, [2000, 11])
        let top = try results.root.openDataset("units/h/units/top", of: Int64.self)
        XCTAssertEqual(top.shape, [10, 50])
        XCTAssertEqual(try results.root.openDataset("units/h/rotations/5/purity", of: Double.self).shape, [11])
    }

    func testAUnitsFileReadsBackEveryLayerAsTheAnalysisReturnedIt() throws {
        let (file, labels) = try plantedDetectors()
        let result = try UnitsAnalysis.run(
            file: file, layer: "h", labels: labels, classCount: 10, images: nil, options: options { $0.principalComponents = 3 })
        let out = directory.appendingPathComponent("read-back.units.h5").path
        try UnitsFile.write([result], activations: file, activationsPath: file.path, options: options(), to: out)
        let read = try UnitsFile.read(out)
        XCTAssertEqual(read.layers.count, 1)
        let layer = try XCTUnwrap(read.layers.first)
        XCTAssertEqual(layer.layer, result.layer)
        XCTAssertEqual(layer.deadUnits, result.deadUnits)
        XCTAssertEqual(layer.verdict, result.verdict)
        for (got, want) in [
            (layer.units, result.units), (layer.random, result.random), (try XCTUnwrap(layer.principalComponents), result.principalComponents!),
        ] {
            XCTAssertEqual(got.name, want.name)
            XCTAssertEqual(got.top, want.top)
            XCTAssertEqual(got.bottom, want.bottom)
            XCTAssertEqual(got.unitIndices, want.unitIndices)
            XCTAssertEqual(got.directions.scalars, want.directions.scalars)
            XCTAssertEqual(got.purity, want.purity)
        }
        XCTAssertEqual(layer.rotations.map(\.name), result.rotations.map(\.name), "rotated bases in their order, 1 … R")
        XCTAssertEqual(layer.comparisons.map(\.measure), result.comparisons.map(\.measure))
        XCTAssertEqual(layer.comparisons.map(\.test), result.comparisons.map(\.test))
        XCTAssertEqual(layer.detectors?.rotated, result.detectors?.rotated)
        XCTAssertEqual(layer.statisticalVerdict, result.statisticalVerdict)
        XCTAssertEqual(read.topK, 50)
        XCTAssertEqual(read.activationsSHA256, try Checksum.sha256(ofFile: file.path))
    }
}
