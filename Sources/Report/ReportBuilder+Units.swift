import Activations
import Foundation

extension ReportBuilder {
    /// Units against random directions, per layer (Szegedy et al. 2014 §3, Figures 1–2; Bau et al.
    /// 2017's rotation test): the verdict, the statistics, the top images, the distributions.
    mutating func unitsSection() throws -> ReportDocument.Section {
        var blocks: [ReportDocument.Block] = [
            .paragraph(
                "For every live unit e_i and for random directions v of the same layer, the held-out images with the largest ⟨φ(x), e_i⟩ and ⟨φ(x), v⟩ (Szegedy et al. 2014, §3), and how coherent each top set is: label purity (share of the most common label), label entropy (bits, lower is more coherent) and the mean pixel cosine similarity. Szegedy et al. showed image grids only; the tests below put numbers on their claim."
            )
        ]
        for (fileIndex, units) in inputs.units.enumerated() {
            let contents = units.contents
            results.units.append(
                ReportResults.UnitsEntry(
                    file: contents.path, architecture: contents.modelArchitecture,
                    layers: contents.layers.map { UnitsLayerSummary($0, topK: contents.topK) }))
            for (layerIndex, layer) in contents.layers.enumerated() {
                let key = "units.\(fileIndex).layers.\(layerIndex)"
                let verdict = layer.statisticalVerdict
                results.headlines.append("\(contents.modelArchitecture) " + verdict.headline)
                blocks.append(.heading("\(contents.modelArchitecture), layer \(layer.layer) (\(Self.name(contents.path)))"))
                blocks.append(.paragraph(layer.verdict))
                blocks.append(.table(statisticsTable(layer, verdict: verdict, key: key)))
                if let images = units.images {
                    let activations = try units.activations.map { try ActivationFile(path: $0) }
                    let raster = try UnitsFigure.render(layer, images: images, maps: activations.map { file in { try file.rows($0, $1..<($1 + 1)) } })
                    let image = ReportImage(
                        name: "units-\(fileIndex + 1)-\(layer.layer).png", png: try PNGWriter.encode(raster),
                        alt: "Top \(min(9, contents.topK)) images of 8 unit directions and 8 random directions of \(layer.layer)",
                        width: raster.width, height: raster.height)
                    blocks.append(
                        .image(
                            image,
                            caption:
                                "Top-activating images of \(layer.layer): rows with a white marker are unit directions e_i (evenly spread over the live units), rows with a grey marker random directions v; most activating first (Szegedy et al.'s Figures 1–2)."
                                + (layer.unitKind == .channel && units.activations != nil
                                    ? " Each image carries its direction's activation map, upsampled: colour images are dimmed where it is low, grey ones tinted orange where it is high (as Network Dissection shows its masks)."
                                    : "")
                        ))
                }
                for measure in layer.comparisons.map(\.measure) {
                    var series = [
                        SVGChart.Series(name: "units", y: values(layer.units, measure)),
                        SVGChart.Series(name: "random directions", y: values(layer.random, measure)),
                    ]
                    if let pca = layer.principalComponents { series.append(SVGChart.Series(name: "principal components", y: values(pca, measure))) }
                    blocks.append(
                        .chart(
                            SVGChart(
                                id: chartID("\(layer.layer)-\(measure)"), title: "\(layer.layer): \(measure) of the top-\(contents.topK) sets",
                                xTitle: measure == "entropy"
                                    ? "label entropy (bits)" : measure == "cosine" ? "pixel cosine similarity" : "label purity",
                                yTitle: "share of directions", kind: .ecdf(series: series))))
                }
                if let detectors = layer.detectors, !detectors.rotated.isEmpty {
                    let categories = ["units"] + detectors.rotated.indices.map { "rot. \($0 + 1)" }
                    blocks.append(
                        .chart(
                            SVGChart(
                                id: chartID("\(layer.layer)-detectors"),
                                title: String(
                                    format: "%@: detectors (top-%d purity ≥ %.2f), natural basis vs rotated bases", layer.layer, contents.topK,
                                    detectors.threshold),
                                xTitle: "basis", yTitle: "detectors",
                                kind: .bars(
                                    categories: categories,
                                    series: [SVGChart.Series(name: "detectors", y: ([detectors.natural] + detectors.rotated).map(Double.init))]))))
                }
            }
        }
        return ReportDocument.Section(title: "Units vs random directions (Szegedy et al. 2014, §3)", id: "units", blocks: blocks)
    }

    /// A family's values of `measure`.
    func values(_ set: DirectionSet, _ measure: String) -> [Double] {
        measure == "purity" ? set.purity : measure == "entropy" ? set.entropy : set.cosine
    }

    /// Each measure's means with intervals, its test before and after Holm's correction, and its effect size.
    func statisticsTable(_ layer: UnitsLayerResult, verdict: UnitsVerdict, key: String) -> ReportTable {
        let rows = layer.comparisons.enumerated().map { index, c -> [ReportCell] in
            let k = "\(key).comparisons.\(index)", s = "\(key).statistics.measures.\(index)"
            let measure = verdict.measures[index]
            return [
                ReportCell(c.measure),
                .number(c.units.mean, key: "\(k).units.mean"), .number(c.units.low, key: "\(k).units.low"),
                .number(c.units.high, key: "\(k).units.high"),
                .number(c.random.mean, key: "\(k).random.mean"), .number(c.random.low, key: "\(k).random.low"),
                .number(c.random.high, key: "\(k).random.high"),
                .number(c.test.pValue, key: "\(k).p_value", format: "%.2g"), .number(measure.holmPValue, key: "\(s).holm_p_value", format: "%.2g"),
                .number(c.test.cliffsDelta, key: "\(k).cliffs_delta", format: "%+.3f"), ReportCell(measure.effectSize),
                ReportCell(measure.significant ? (measure.unitsAhead ? "units" : "random") : "neither"),
            ]
        }
        return ReportTable(
            caption: String(
                format:
                    "%@: units (%d) vs random directions (%d), two-sided Mann–Whitney, Holm-corrected at α = %g; detectable |δ| at 80%% power: %.2f",
                layer.layer, layer.units.top.count, layer.random.top.count, verdict.alpha, verdict.detectableCliffsDelta),
            header: [
                "measure", "units mean", "95% low", "95% high", "random mean", "95% low", "95% high", "p", "Holm p", "Cliff's δ", "effect",
                "more coherent",
            ],
            rows: rows)
    }
}
