import ArgumentParser
import Activations
import Foundation
import Engine
import Report
import Files

extension UnitKind: ExpressibleByArgument {}
extension SpatialPool: ExpressibleByArgument {}

/// `probe units`: units versus random directions, measured (Szegedy et al. 2014 §3).
struct Units: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test whether single units are more semantically coherent than random directions (Szegedy et al. 2014, §3).",
        discussion: """
            For every live unit e_i of a layer, K random directions v ~ N(0, I) and R random rotations of the whole basis,
            finds the top-k recorded images by ⟨φ(x), d⟩, measures how coherent each set is (label purity and entropy,
            pixel cosine similarity), and compares units with random directions: bootstrap 95% intervals, a two-sided
            Mann–Whitney U test with AUC, and Bau et al.'s detector count against rotated bases. The held-out set is the
            recorded split (record the test split, as Szegedy did). Results go to their own HDF5 file (docs/units-file.md);
            the activation file is only read.
            """)

    @Argument(help: "The activation file (written by probe record).")
    var activations: String

    @Option(name: .long, help: "The layer to analyse (comma-separated for several).")
    var layer: String

    @Option(name: .long, help: "What a unit is: channel (a map pooled over positions; the default for conv layers) or position (every value).")
    var unit: UnitKind?

    @Option(name: .long, help: "How a channel's map becomes one score per image: max or mean.")
    var pool = SpatialPool.max

    @Option(name: .long, parsing: .unconditional, help: "Random directions K (default: as many as the layer has live units).")
    var random: Int?

    @Option(name: .long, parsing: .unconditional, help: "Top images per direction for the statistics.")
    var top = 100

    @Option(name: .long, parsing: .unconditional, help: "Random rotations of the whole basis for the detector count.")
    var rotations = 10

    @Option(name: .long, parsing: .unconditional, help: "Also analyse this many principal components of the activations.")
    var pca = 0

    @Option(name: .long, parsing: .unconditional, help: "Top-k purity at or above which a direction counts as a detector.")
    var threshold = 0.8

    @Option(name: .long, parsing: .unconditional, help: "The seed of the random directions, rotations and bootstrap.")
    var seed: UInt64 = 1

    @OptionGroup(title: "Where to find the data set's images when the activation file holds none") var data: DataDirectoryOption

    @Option(name: [.short, .customLong("output")], help: "The results file (default: beside the activation file, NAME.units.h5).")
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        if let random, random < 1 { throw ValidationError("--random must be at least 1: the comparison needs random directions") }
        guard rotations >= 0 else { throw ValidationError("--rotations must not be negative") }
        guard pca >= 0 else { throw ValidationError("--pca must not be negative") }
        guard threshold > 0 && threshold <= 1 else { throw ValidationError("--threshold must lie in (0, 1]") }
        guard !layerNames.isEmpty else { throw ValidationError("--layer '\(layer)' names no layer; give one or more recorded layers") }
        let results = output ?? UnitsFile.defaultPath(for: activations)
        for path in [results] + layerNames.map({ UnitsFigure.path(beside: results, layer: $0) }) {
            try checkOutputPath(path, inputs: [activations])
        }
    }

    func run() throws {
        let file = try ActivationFile(path: activations)
        let layers = layerNames
        for name in layers { _ = try file.layer(name) }
        let output = self.output ?? UnitsFile.defaultPath(for: activations)

        if !file.hasLabels { note("\(activations) has no labels: only the label-free pixel measure is used") }
        let images = imagesOfRows(file)
        if images == nil { note("no images for \(activations) (record with --with-images, or pass --data-dir): the pixel measure is left out") }

        let options = analysisOptions
        let results = try layers.map { name in
            let bar = ProgressBar("units \(name)", total: 1, unit: "dir", quiet: outputOptions.quiet)
            defer { bar.finish() }
            return try UnitsAnalysis.run(
                file: file, layer: name, images: images?.pixels, options: options, progress: { done, total in bar.update(done, total: total) })
        }
        let figures =
            try images.map {
                try UnitsFigure.outputs(results, images: $0, beside: output, maps: { try file.rows($0, $1..<($1 + 1)) })
            } ?? []
        try AtomicFile.write(
            [try UnitsFile.output(results, activations: file, activationsPath: activations, options: options, to: output)] + figures)
        let pictures = figures.map(\.path)
        if outputOptions.json {
            try printJSON(UnitsRunSummary(results: output, pictures: pictures, layers: results.map { UnitsLayerSummary($0, topK: top) }))
        } else {
            for result in results { print(table(result)) }
            print("wrote \(([output] + pictures).joined(separator: ", "))")
        }
    }

    /// The layers of --layer.
    private var layerNames: [String] { layer.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    /// The analysis's settings from the options.
    private var analysisOptions: UnitsAnalysisOptions {
        var options = UnitsAnalysisOptions()
        options.randomDirections = random
        options.topK = top
        options.rotations = rotations
        options.principalComponents = pca
        options.seed = seed
        options.purityThreshold = threshold
        options.unit = unit
        options.pool = pool
        return options
    }

    /// The images of the file's rows, or nil (with a note) when they cannot be had.
    private func imagesOfRows(_ file: ActivationFile) -> ImageBytes? {
        do {
            return try RecordedImages.pixels(of: file, search: data.search)
        } catch {
            note("cannot read the images of \(file.metadata.dataset): \(CommandLineWording.message(for: error) ?? "\(error)")")
            return nil
        }
    }

    private func table(_ r: UnitsLayerResult) -> String {
        func cell(_ i: Interval) -> String { String(format: "%.3f [%.3f, %.3f]", i.mean, i.low, i.high) }
        var lines = [
            "layer \(r.layer): \(r.liveUnitsDescription) (\(r.deadUnits.count) dead), \(r.random.top.count) random directions, \(r.sampleCount) images, top \(top)"
        ]
        lines.append(
            "  measure   " + "units [95% CI]".padding(toLength: 26, withPad: " ", startingAt: 0)
                + "random [95% CI]".padding(toLength: 26, withPad: " ", startingAt: 0) + "p          Holm p     Cliff's δ  effect")
        let verdict = r.statisticalVerdict
        for (c, v) in zip(r.comparisons, verdict.measures) {
            lines.append(
                "  " + c.measure.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + cell(c.units).padding(toLength: 26, withPad: " ", startingAt: 0)
                    + cell(c.random).padding(toLength: 26, withPad: " ", startingAt: 0)
                    + String(format: "%-10.2g %-10.2g %+-10.3f ", c.test.pValue, v.holmPValue, c.test.cliffsDelta) + v.effectSize)
        }
        if let d = r.detectors, !d.rotated.isEmpty {
            lines.append(
                String(
                    format: "  detectors (purity ≥ %.2f): %d units vs %.1f ± %.1f in %d rotated bases",
                    d.threshold, d.natural, d.rotatedMean, d.rotatedSD.isNaN ? 0 : d.rotatedSD, d.rotated.count))
        }
        lines.append("  " + r.verdict)
        return lines.joined(separator: "\n")
    }
}
