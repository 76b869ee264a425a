import Foundation
import Engine

/// Settings of the units-versus-random-directions analysis.
public struct UnitsAnalysisOptions: Sendable {
    /// Random directions v ~ N(0, I), normalised; nil means as many as the layer has live units.
    public var randomDirections: Int?
    /// Images per top (and bottom) set for the statistics.
    public var topK = 100
    /// Images per direction in the pictures (Szegedy et al. show 9 or 8).
    public var pictureK = 9
    /// Random rotations of the whole basis for Bau et al.'s detector count.
    public var rotations = 10
    /// Principal components of the activations analysed as a further family of directions.
    public var principalComponents = 0
    /// Seed of the random directions, rotations and bootstrap.
    public var seed: UInt64 = 1
    /// Top-k label purity at or above which a direction counts as a detector.
    public var purityThreshold = 0.8
    /// Bootstrap resamples for the 95% intervals.
    public var bootstrapResamples = 2000
    /// What a unit is; nil: channels of (C, H, W) layers, values of the others.
    public var unit: UnitKind?
    /// How a channel's map is pooled into one score per image.
    public var pool = SpatialPool.max

    /// The defaults: K = units, k = 100, R = 10, threshold 0.8.
    public init() {}
}

/// A family of directions in a layer's activation space (the unit directions e_i, random
/// directions, one rotated basis, principal components) with each direction's top- and
/// bottom-activating images and the coherence of its top set.
public struct DirectionSet: Sendable {
    /// `units`, `random`, `rotation N` or `pca`.
    public var name: String
    /// The directions as rows, (M, units); for the unit family the rows of the identity picked by `unitIndices`.
    public var directions: Tensor
    /// For the unit family: which units (live ones); empty otherwise.
    public var unitIndices: [Int]
    /// For each direction, the rows of the activation file with the largest ⟨φ(x), d⟩, largest first.
    public var top: [[Int]]
    /// For each direction, the rows with the smallest ⟨φ(x), d⟩, smallest first.
    public var bottom: [[Int]]
    /// Share of the most common label in each top set (NaN without labels).
    public var purity: [Double]
    /// Entropy in bits of the labels of each top set (NaN without labels).
    public var entropy: [Double]
    /// Mean pairwise cosine similarity of the pixels of each top set (NaN without images).
    public var cosine: [Double]
}

/// A mean with its bootstrap 95% interval.
public struct Interval: Sendable {
    /// The mean.
    public var mean: Double
    /// The lower end of the interval.
    public var low: Double
    /// The upper end of the interval.
    public var high: Double
}

/// One coherence measure compared between unit directions and random directions.
public struct MeasureComparison: Sendable {
    /// `purity`, `entropy` or `cosine`.
    public var measure: String
    /// Over the unit directions.
    public var units: Interval
    /// Over the random directions.
    public var random: Interval
    /// Two-sided Mann–Whitney U test of units against random directions, with its effect size.
    public var test: MannWhitneyResult
}

/// Bau et al.'s (2017, §3.2) count of detectors in the natural basis against randomly rotated bases.
public struct DetectorCount: Sendable {
    /// The purity threshold.
    public var threshold: Double
    /// Detectors among the unit directions.
    public var natural: Int
    /// Detectors in each rotated basis.
    public var rotated: [Int]
    /// Mean of `rotated`.
    public var rotatedMean: Double { rotated.isEmpty ? .nan : Double(rotated.reduce(0, +)) / Double(rotated.count) }
    /// Sample standard deviation of `rotated`.
    public var rotatedSD: Double {
        guard rotated.count > 1 else { return .nan }
        let m = rotatedMean
        return (rotated.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(rotated.count - 1)).squareRoot()
    }
}

/// The whole analysis of one layer.
public struct UnitsLayerResult: Sendable {
    /// The layer's name.
    public var layer: String
    /// What a unit is: a value of the layer, or a channel of its maps.
    public var unitKind: UnitKind
    /// How channel maps were pooled (nil for position units).
    public var pool: SpatialPool?
    /// Units per sample: values, or channels.
    public var unitCount: Int
    /// Samples analysed.
    public var sampleCount: Int
    /// Units constant over the set, left out.
    public var deadUnits: [Int]
    /// The unit directions e_i of the live units.
    public var units: DirectionSet
    /// The random directions.
    public var random: DirectionSet
    /// One family per rotated basis.
    public var rotations: [DirectionSet]
    /// The principal components, if asked for.
    public var principalComponents: DirectionSet?
    /// Units against random directions, one entry per available measure.
    public var comparisons: [MeasureComparison]
    /// The detector count (nil without labels or rotations).
    public var detectors: DetectorCount?
    /// Class selectivity of each unit, (μ_best − μ_rest) / (μ_best + μ_rest) over class means (Morcos et al. 2018); NaN for dead units or when undefined.
    public var classSelectivity: [Double]
    /// Whether labels were available (purity, entropy, selectivity, detectors).
    public var labelsAvailable: Bool
    /// Whether images were available (cosine similarity).
    public var imagesAvailable: Bool
    /// What the numbers do and do not show, in plain words.
    public var verdict: String

    /// The live units in words: "285 live units", or "6 live channels (max over positions)".
    public var liveUnitsDescription: String {
        let live = units.top.count
        switch unitKind {
        case .position: return "\(live) live units"
        case .channel: return "\(live) live channels (each map's \(pool?.rawValue ?? "max") over its positions)"
        }
    }
}

/// Szegedy et al. (2014) §3 tested by numbers: are the images that most activate a unit,
/// argmax_x ⟨φ(x), e_i⟩, more semantically related than those that most activate a random
/// direction v? For every unit, K random directions and R rotated bases, it finds the top-k
/// held-out images, measures their coherence (label purity and entropy, pixel cosine similarity),
/// and compares units against random directions with bootstrap intervals, a Mann–Whitney U test and
/// Bau et al.'s detector count.
public enum UnitsAnalysis {
    /// Runs the analysis of `layer` with the file's own labels, when it has them (otherwise only
    /// the pixel measure, from `images`, is computed).
    /// - Parameters:
    ///   - images: the images of the rows as bytes (N·H·W), or nil when unavailable.
    ///   - progress: called with (directions done, directions in all).
    /// - Throws: what `run(file:layer:labels:classCount:images:options:progress:)` throws.
    public static func run(
        file: ActivationFile, layer: String, images: [UInt8]?, options: UnitsAnalysisOptions, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> UnitsLayerResult {
        let labels: [Int]? = file.hasLabels ? try file.labels() : nil
        return try run(
            file: file, layer: layer, labels: labels, classCount: max(file.metadata.classNames.count, (labels?.max() ?? 0) + 1), images: images,
            options: options, progress: progress)
    }

    /// Runs the analysis of `layer`.
    /// - Parameters:
    ///   - file: the activation file (read only).
    ///   - labels: one label per row, or nil when the file has none.
    ///   - images: the images of the rows as bytes (N·H·W), or nil when unavailable.
    ///   - progress: called with (directions done, directions in all).
    /// - Throws: `RecordingError.invalidSetting` for impossible settings (k larger than the set, K = 0, no live unit).
    public static func run(
        file: ActivationFile, layer: String, labels: [Int]?, classCount: Int, images: [UInt8]?, options: UnitsAnalysisOptions,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> UnitsLayerResult {
        let info = try file.layer(layer)
        let unitKind = options.unit ?? (info.shape.count == 4 ? .channel : .position)
        let n = file.count
        guard options.topK >= 1, options.topK <= n else {
            throw SettingProblem("top k", "\(options.topK)", "must lie between 1 and the \(n) samples of \(file.path)")
        }
        if let k = options.randomDirections, k < 1 {
            throw SettingProblem("random directions", "must be at least 1 (given \(k)); the comparison needs random directions")
        }
        guard options.rotations >= 0, options.principalComponents >= 0, options.principalComponents <= info.units else {
            throw SettingProblem("rotations", "must be ≥ 0 and the principal components between 0 and the layer's \(info.units) units")
        }
        let unitsOfLayer = unitKind == .channel && info.shape.count == 4 ? info.shape[1] : info.units
        if options.rotations > 0 && unitsOfLayer > 4096 {
            throw RecordingError.invalidSetting(
                "layer \(layer) has \(unitsOfLayer) values per sample; rotating its whole basis needs \(unitsOfLayer)×\(unitsOfLayer) matrices: ask for 0 rotations"
                    + (info.shape.count == 4 ? ", or take channels as units (--unit channel)" : ""))
        }
        let scores = try LayerScores(file: file, layer: layer, kind: unitKind, pool: options.pool)
        let u = scores.units
        // Each unit's scores over the samples, contiguous: the unit directions' projections.
        let byUnit = try scores.unitScores()
        let dead = (0..<u).filter { unit in
            let column = byUnit.scalars[(unit * n)..<((unit + 1) * n)]
            return column.min() == column.max()
        }
        let live = (0..<u).filter { !Set(dead).contains($0) }
        guard !live.isEmpty else {
            throw RecordingError.invalidSetting("every unit of layer \(layer) is constant over the \(n) samples; there is nothing to compare")
        }
        let measure = CoherenceMeasure(labels: labels, classCount: classCount, images: images, count: n)
        let k = options.topK
        var generator = SeededGenerator(seed: options.seed)
        var randomStream = generator.fork(), rotationStream = generator.fork(), bootstrapStream = generator.fork()
        let randomCount = options.randomDirections ?? live.count
        let total = live.count + randomCount + options.rotations * u + options.principalComponents
        var done = 0
        func report(_ count: Int) {
            done += count
            progress(done, total)
        }

        // Unit directions: their projections are the activations themselves.
        var identity = [Float](repeating: 0, count: live.count * u)
        for (row, unit) in live.enumerated() { identity[row * u + unit] = 1 }
        var unitsSet = DirectionSet(
            name: "units", directions: Tensor(shape: [live.count, u], scalars: identity), unitIndices: live,
            top: [], bottom: [], purity: [], entropy: [], cosine: [])
        byUnit.scalars.withUnsafeBufferPointer { values in
            for unit in live {
                unitsSet.add(values.baseAddress! + unit * n, count: n, k: k, measure: measure)
            }
        }
        report(live.count)

        // Random directions v ~ N(0, I), normalised.
        var randomValues = [Float](repeating: 0, count: randomCount * u)
        for d in 0..<randomCount {
            var norm: Float = 0
            for j in 0..<u {
                let value = randomStream.nextGaussian()
                randomValues[d * u + j] = value
                norm += value * value
            }
            let scale = 1 / max(norm.squareRoot(), .leastNormalMagnitude)
            for j in 0..<u { randomValues[d * u + j] *= scale }
        }
        let randomSet = try family("random", Tensor(shape: [randomCount, u], scalars: randomValues), scores, k: k, measure: measure, report: report)

        var rotationSets: [DirectionSet] = []
        for r in 0..<options.rotations {
            let rotation = LinearAlgebra.randomRotation(size: u, generator: &rotationStream)
            rotationSets.append(try family("rotation \(r + 1)", rotation, scores, k: k, measure: measure, report: report))
        }

        var pcaSet: DirectionSet?
        if options.principalComponents > 0 {
            guard options.principalComponents <= u else {
                throw SettingProblem("principal components", "\(options.principalComponents)", "must not exceed the layer's \(u) units")
            }
            // The principal directions of the units' scores: the activations, or the pooled channel vectors.
            pcaSet = try family(
                "pca", principalDirections(transpose(byUnit), count: options.principalComponents), scores,
                k: k, measure: measure, report: report)
        }

        var comparisons: [MeasureComparison] = []
        for (name, path) in [("purity", \DirectionSet.purity), ("entropy", \DirectionSet.entropy), ("cosine", \DirectionSet.cosine)] {
            let a = unitsSet[keyPath: path], b = randomSet[keyPath: path]
            guard !a.contains(where: \.isNaN), !b.contains(where: \.isNaN) else { continue }
            let ua = Statistics.bootstrapMeanInterval(a, resamples: options.bootstrapResamples, generator: &bootstrapStream)
            let ub = Statistics.bootstrapMeanInterval(b, resamples: options.bootstrapResamples, generator: &bootstrapStream)
            comparisons.append(
                MeasureComparison(
                    measure: name, units: Interval(mean: ua.mean, low: ua.low, high: ua.high),
                    random: Interval(mean: ub.mean, low: ub.low, high: ub.high), test: Statistics.mannWhitneyU(a, b)))
        }
        var detectors: DetectorCount?
        if labels != nil {
            func count(_ set: DirectionSet) -> Int { set.purity.filter { $0 >= options.purityThreshold }.count }
            detectors = DetectorCount(threshold: options.purityThreshold, natural: count(unitsSet), rotated: rotationSets.map(count))
        }
        let selectivity =
            labels.map { classSelectivity(byUnit, labels: $0, classCount: classCount, dead: Set(dead)) }
            ?? [Double](repeating: .nan, count: u)
        var result = UnitsLayerResult(
            layer: layer, unitKind: unitKind, pool: unitKind == .channel ? options.pool : nil, unitCount: u, sampleCount: n, deadUnits: dead,
            units: unitsSet, random: randomSet, rotations: rotationSets,
            principalComponents: pcaSet, comparisons: comparisons, detectors: detectors, classSelectivity: selectivity,
            labelsAvailable: labels != nil, imagesAvailable: images != nil, verdict: "")
        result.verdict = Verdict.text(for: result, architecture: file.metadata.modelArchitecture, split: file.metadata.split, k: k)
        return result
    }

    /// Projects the activations on each row of `directions`, in blocks, and fills a direction set.
    private static func family(
        _ name: String, _ directions: Tensor, _ scores: LayerScores, k: Int, measure: CoherenceMeasure, report: (Int) -> Void
    ) throws -> DirectionSet {
        var set = DirectionSet(name: name, directions: directions, unitIndices: [], top: [], bottom: [], purity: [], entropy: [], cosine: [])
        let n = scores.count, m = directions.batchSize
        // Position units: blocks of directions against the layer in memory; channel units: every direction in one pass over the file.
        let block = scores.kind == .position ? 256 : m
        var first = 0
        while first < m {
            let end = min(first + block, m)
            // (directions in block, N) = D_block · Aᵀ
            let projections = try scores.scores(directions.rows(first..<end))
            projections.scalars.withUnsafeBufferPointer { values in
                for row in 0..<(end - first) { set.add(values.baseAddress! + row * n, count: n, k: k, measure: measure) }
            }
            report(end - first)
            first = end
        }
        return set
    }

    /// The `count` principal directions of the activations (eigenvectors of their covariance with the largest eigenvalues), as rows.
    static func principalDirections(_ activations: Tensor, count: Int) -> Tensor {
        let n = activations.batchSize, u = activations.rowSize
        var centered = activations
        for j in 0..<u {
            var mean: Double = 0
            for i in 0..<n { mean += Double(centered.scalars[i * u + j]) }
            let m = Float(mean / Double(n))
            for i in 0..<n { centered.scalars[i * u + j] -= m }
        }
        let covariance = LinearAlgebra.matmul(centered, centered, transposeA: true)
        let (_, vectors) = LinearAlgebra.symmetricEigen(covariance)
        // Eigenvalues ascend: the last rows are the principal components.
        return vectors.rows((u - count)..<u).gathering(rows: Array((0..<count).reversed()))
    }

    /// (N, U) → (U, N).
    static func transpose(_ matrix: Tensor) -> Tensor {
        let rows = matrix.batchSize, columns = matrix.rowSize
        var out = [Float](repeating: 0, count: rows * columns)
        matrix.scalars.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { t in
                for i in 0..<rows {
                    for j in 0..<columns { t[j * rows + i] = a[i * columns + j] }
                }
            }
        }
        return Tensor(shape: [columns, rows], scalars: out)
    }

    /// Class selectivity of each unit from its activations (rows of `byUnit`).
    static func classSelectivity(_ byUnit: Tensor, labels: [Int], classCount: Int, dead: Set<Int>) -> [Double] {
        let n = labels.count
        var counts = [Double](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return (0..<byUnit.batchSize).map { unit in
            guard !dead.contains(unit) else { return .nan }
            var sums = [Double](repeating: 0, count: classCount)
            for i in 0..<n { sums[labels[i]] += Double(byUnit.scalars[unit * n + i]) }
            let means = (0..<classCount).filter { counts[$0] > 0 }.map { sums[$0] / counts[$0] }
            guard let best = means.indices.max(by: { means[$0] < means[$1] }), means.count > 1 else { return .nan }
            let rest = (means.reduce(0, +) - means[best]) / Double(means.count - 1)
            let denominator = means[best] + rest
            return denominator > 0 ? (means[best] - rest) / denominator : .nan
        }
    }
}

/// The coherence of a set of rows: label purity and entropy, and the mean pairwise cosine
/// similarity of their images' pixels, from precomputed unit-norm pixel vectors.
struct CoherenceMeasure {
    let labels: [Int]?
    let classCount: Int
    /// Unit-norm pixel vectors, one per row (all-zero images stay zero), in Float64: a 28×28 image's
    /// squared norm reaches 5·10⁷, beyond what Float32 adds exactly.
    let normalizedImages: [Double]?
    let pixelsPerImage: Int

    init(labels: [Int]?, classCount: Int, images: [UInt8]?, count: Int) {
        self.labels = labels
        self.classCount = classCount
        pixelsPerImage = images.map { $0.count / max(count, 1) } ?? 0
        normalizedImages = images.map { bytes in
            var values = bytes.map { Double($0) }
            let p = bytes.count / max(count, 1)
            for i in 0..<count {
                var norm = 0.0
                for j in 0..<p { norm += values[i * p + j] * values[i * p + j] }
                let scale = norm > 0 ? 1 / norm.squareRoot() : 0
                for j in 0..<p { values[i * p + j] *= scale }
            }
            return values
        }
    }

    /// Purity, entropy (bits) and mean pairwise cosine of `rows`; NaN where the data is missing.
    func measure(_ rows: [Int]) -> (purity: Double, entropy: Double, cosine: Double) {
        var purity = Double.nan, entropy = Double.nan, cosine = Double.nan
        if let labels {
            let chosen = rows.map { labels[$0] }
            purity = Statistics.purity(ofLabels: chosen)
            entropy = Statistics.entropy(ofLabels: chosen, classes: classCount)
        }
        if let normalizedImages, rows.count > 1 {
            // Mean over pairs i ≠ j of x̂_i·x̂_j = (‖Σ x̂_i‖² − Σ‖x̂_i‖²) / (k(k − 1)).
            var sum = [Double](repeating: 0, count: pixelsPerImage)
            var squares = 0.0
            for row in rows {
                for j in 0..<pixelsPerImage {
                    let v = normalizedImages[row * pixelsPerImage + j]
                    sum[j] += v
                    squares += v * v
                }
            }
            let k = Double(rows.count)
            cosine = (sum.reduce(0) { $0 + $1 * $1 } - squares) / (k * (k - 1))
        }
        return (purity, entropy, cosine)
    }
}

extension DirectionSet {
    /// Adds one direction from its projections onto the N samples.
    mutating func add(_ projections: UnsafePointer<Float>, count: Int, k: Int, measure: CoherenceMeasure) {
        let best = TopK.largest(projections, count: count, k: k)
        top.append(best)
        bottom.append(TopK.smallest(projections, count: count, k: k))
        let values = measure.measure(best)
        purity.append(values.purity)
        entropy.append(values.entropy)
        cosine.append(values.cosine)
    }
}
