/// What the units analysis found for one layer, without the per-direction arrays (those stay in
/// the units file): the figures `probe units` prints and a report renders. Values that are not
/// finite (an interval over no direction, a p-value without a test) are written as null.
public struct UnitsLayerSummary: Encodable, Sendable {
    /// The layer's result.
    public var result: UnitsLayerResult
    /// The k of the top-k images each direction was judged by.
    public var topK: Int

    /// The summary of `result`, whose directions were judged by their `topK` images.
    public init(_ result: UnitsLayerResult, topK: Int) {
        self.result = result
        self.topK = topK
    }

    private enum Keys: String, CodingKey {
        case layer, unit, pool, units, samples, deadUnits = "dead_units", liveUnits = "live_units", randomDirections = "random_directions"
        case topK = "top_k", verdict, statistics, comparisons, detectors
        case measure, random, u, pValue = "p_value", auc, cliffsDelta = "cliffs_delta"
        case mean, low, high, threshold, rotated, rotatedMean = "rotated_mean", rotatedSD = "rotated_sd"
    }

    private static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(result.layer, forKey: .layer)
        try container.encode(result.unitKind.rawValue, forKey: .unit)
        try container.encode(result.pool?.rawValue, forKey: .pool)
        try container.encode(result.unitCount, forKey: .units)
        try container.encode(result.sampleCount, forKey: .samples)
        try container.encode(result.deadUnits, forKey: .deadUnits)
        try container.encode(result.units.top.count, forKey: .liveUnits)
        try container.encode(result.random.top.count, forKey: .randomDirections)
        try container.encode(topK, forKey: .topK)
        try container.encode(result.verdict, forKey: .verdict)
        try container.encode(result.statisticalVerdict, forKey: .statistics)
        var comparisons = container.nestedUnkeyedContainer(forKey: .comparisons)
        for c in result.comparisons {
            var entry = comparisons.nestedContainer(keyedBy: Keys.self)
            try entry.encode(c.measure, forKey: .measure)
            for (key, interval) in [(Keys.units, c.units), (Keys.random, c.random)] {
                var nested = entry.nestedContainer(keyedBy: Keys.self, forKey: key)
                try nested.encode(Self.finite(interval.mean), forKey: .mean)
                try nested.encode(Self.finite(interval.low), forKey: .low)
                try nested.encode(Self.finite(interval.high), forKey: .high)
            }
            try entry.encode(Self.finite(c.test.u), forKey: .u)
            try entry.encode(Self.finite(c.test.pValue), forKey: .pValue)
            try entry.encode(Self.finite(c.test.auc), forKey: .auc)
            try entry.encode(Self.finite(c.test.cliffsDelta), forKey: .cliffsDelta)
        }
        if let d = result.detectors {
            var detectors = container.nestedContainer(keyedBy: Keys.self, forKey: .detectors)
            try detectors.encode(d.threshold, forKey: .threshold)
            try detectors.encode(d.natural, forKey: .units)
            try detectors.encode(d.rotated, forKey: .rotated)
            try detectors.encode(Self.finite(d.rotatedMean), forKey: .rotatedMean)
            try detectors.encode(Self.finite(d.rotatedSD), forKey: .rotatedSD)
        }
    }
}

/// What `probe units --json` prints: the results file, the pictures drawn, and each layer's summary.
public struct UnitsRunSummary: Encodable, Sendable {
    /// The units file written.
    public var results: String
    /// The image grids written, one per layer (none without images).
    public var pictures: [String]
    /// Each analysed layer.
    public var layers: [UnitsLayerSummary]

    /// The summary of a run that wrote `results` and `pictures`.
    public init(results: String, pictures: [String], layers: [UnitsLayerSummary]) {
        self.results = results
        self.pictures = pictures
        self.layers = layers
    }
}
