import Activations
import Attacks
import Engine
import Foundation

extension ReportBuilder {
    /// Stability (Szegedy et al. 2014 §4, Goodfellow et al. 2015): each attack file's runs, error and
    /// confidence against ε, clean | perturbation | adversarial examples, L-BFGS against its noise
    /// control, transfer (Table 2), Lipschitz bounds (Table 5) and adversarial training (§6).
    mutating func stabilitySection() throws -> ReportDocument.Section {
        var blocks: [ReportDocument.Block] = []
        if !inputs.attacks.isEmpty {
            blocks.append(.heading("Attacks"))
            blocks.append(.table(attacksTable()))
            blocks += epsilonCurves()
            blocks += fgsmComparison()
            blocks += noiseControl()
            for (index, attack) in inputs.attacks.enumerated() where attack.contents.method != "noise" {
                if let table = try examplesTable(attack, index: index) { blocks.append(.imageTable(table)) }
            }
        }
        blocks += adversarialTraining()
        for (index, transfer) in inputs.transfers.enumerated() { blocks += transferBlocks(transfer, index: index) }
        if !inputs.lipschitz.isEmpty { blocks += lipschitzBlocks() }
        return ReportDocument.Section(title: "Stability (Szegedy et al. 2014 §4, Goodfellow et al. 2015)", id: "stability", blocks: blocks)
    }

    /// How a run is named: `fgsm ε=0.25 on fc10.h5`.
    func runName(_ entry: ReportResults.AttackEntry, _ run: AttackRunSummary) -> String {
        entry.method + (run.epsilon.map { String(format: " ε=%g", $0) } ?? "") + " on \(modelLabel(sha256: entry.modelSHA256, file: entry.modelFile))"
    }

    mutating func attacksTable() -> ReportTable {
        var rows: [[ReportCell]] = []
        for (i, entry) in results.attacks.enumerated() {
            for (r, run) in entry.runs.enumerated() {
                let key = "attacks.\(i).runs.\(r)"
                rows.append([
                    ReportCell(Self.name(entry.file)), ReportCell(entry.method),
                    ReportCell(modelLabel(sha256: entry.modelSHA256, file: entry.modelFile)),
                    .number(run.epsilon.map(Self.decimal), key: "\(key).epsilon", format: "%g"),
                    .number(Double(entry.examples), key: "attacks.\(i).examples", format: "%.0f"),
                    .number(run.cleanErrorRate, key: "\(key).clean_error_rate", percent: true),
                    .number(run.errorRate, key: "\(key).error_rate", percent: true),
                    .number(run.successRate, key: "\(key).success_rate", percent: true),
                    .number(run.meanConfidence, key: "\(key).mean_confidence"),
                    .number(run.meanDistortion, key: "\(key).mean_distortion", format: "%.4f"),
                    .number(run.meanDistortionSuccessful, key: "\(key).mean_distortion_successful", format: "%.4f"),
                ])
            }
            if let headline = attackHeadline(entry) { results.headlines.append(headline) }
        }
        return ReportTable(
            caption:
                "Every attack run: error on the adversarial (or noise) examples, success at the attack's goal, mean confidence of the prediction, mean per-pixel RMS distortion",
            header: [
                "file", "method", "model", "ε", "examples", "clean error", "error", "success", "confidence", "distortion", "distortion (successful)",
            ],
            rows: rows)
    }

    /// One line for an attack file: its error over its radii, or an L-BFGS run's success and
    /// minimal distortion; nil for a noise control, and for an attack that one matches (whose
    /// line the control's gives, beside the noise).
    func attackHeadline(_ entry: ReportResults.AttackEntry) -> String? {
        let controlled = results.attacks.contains { $0.method == "noise" && $0.matches.map(Self.name) == Self.name(entry.file) }
        guard entry.method != "noise", !controlled, let first = entry.runs.first, let last = entry.runs.last else { return nil }
        let model = modelLabel(sha256: entry.modelSHA256, file: entry.modelFile)
        if let low = first.epsilon, let high = last.epsilon, entry.runs.count > 1 {
            return String(
                format: "%@ on %@: error %.1f%% at ε=%g to %.1f%% at ε=%g (clean %.1f%%), mean confidence %.2f to %.2f", entry.method, model,
                100 * first.errorRate, low, 100 * last.errorRate, high, 100 * first.cleanErrorRate, first.meanConfidence, last.meanConfidence)
        }
        return runName(entry, first)
            + String(
                format: ": error %.1f%% (clean %.1f%%), success %.1f%%, mean distortion %.4f, mean confidence %.2f", 100 * first.errorRate,
                100 * first.cleanErrorRate, 100 * first.successRate, first.meanDistortion ?? .nan, first.meanConfidence)
    }

    /// Error and mean confidence against ε for each file with several radii (Goodfellow §4; ART #2301).
    mutating func epsilonCurves() -> [ReportDocument.Block] {
        let swept = results.attacks.filter { entry in entry.runs.filter { $0.epsilon != nil }.count > 1 }
        guard !swept.isEmpty else { return [] }
        func series(_ value: (AttackRunSummary) -> Double) -> [SVGChart.Series] {
            swept.map { entry in
                let runs = entry.runs.filter { $0.epsilon != nil }
                return SVGChart.Series(
                    name: "\(entry.method) on \(entry.modelArchitecture) (\(Self.name(entry.file)))", x: runs.map { Double($0.epsilon!) },
                    y: runs.map(value))
            }
        }
        return [
            .chart(
                SVGChart(
                    id: chartID("error-vs-epsilon"), title: "Error on adversarial examples against ε", xTitle: "ε (L∞ radius)", yTitle: "error",
                    kind: .lines(series: series(\.errorRate)))),
            .chart(
                SVGChart(
                    id: chartID("confidence-vs-epsilon"), title: "Mean confidence on adversarial examples against ε", xTitle: "ε (L∞ radius)",
                    yTitle: "mean confidence", kind: .lines(series: series(\.meanConfidence)))),
        ]
    }

    /// FGSM runs beside Goodfellow et al.'s §4 figures, where the paper has the model and ε.
    mutating func fgsmComparison() -> [ReportDocument.Block] {
        var rows: [[ReportCell]] = []
        var datasets: [String] = []
        for (a, entry) in results.attacks.enumerated() where entry.method == "fgsm" {
            for (r, run) in entry.runs.enumerated() {
                guard let epsilon = run.epsilon, let paper = PublishedNumbers.fgsmRow(architecture: entry.modelArchitecture, epsilon: Double(epsilon))
                else { continue }
                datasets.append(entry.dataset)
                let source = "Goodfellow et al. 2015, §4"
                let e = compare(
                    source: source, row: paper.model, file: entry.file, measure: "error", paper: paper.error, ours: run.errorRate,
                    dataset: entry.dataset)
                let c = compare(
                    source: source, row: paper.model, file: entry.file, measure: "mean confidence", paper: paper.meanConfidence,
                    ours: run.meanConfidence,
                    dataset: entry.dataset)
                rows.append(
                    [
                        ReportCell(Self.name(entry.file)), ReportCell(paper.model),
                        .number(Self.decimal(epsilon), key: "attacks.\(a).runs.\(r).epsilon", format: "%g"),
                    ]
                        + comparisonCells(e, percent: true) + comparisonCells(c, percent: false))
            }
        }
        guard !rows.isEmpty else { return [] }
        var blocks: [ReportDocument.Block] = []
        if let banner = Self.notComparableBanner(datasets) { blocks.append(banner) }
        blocks.append(
            .table(
                ReportTable(
                    caption: "FGSM beside Goodfellow et al. 2015, §4 (paper | this run | Δ)",
                    header: ["file", "paper's model", "ε", "error: paper", "this run", "Δ", "confidence: paper", "this run", "Δ"], rows: rows)))
        return blocks
    }

    /// Each noise control beside the attack it matches: distortions and errors (Szegedy §4.2's control).
    mutating func noiseControl() -> [ReportDocument.Block] {
        var blocks: [ReportDocument.Block] = []
        for (n, noise) in results.attacks.enumerated() where noise.method == "noise" {
            guard let matched = noise.matches,
                let (a, attack) = results.attacks.enumerated().first(where: {
                    Self.name($0.element.file) == Self.name(matched) && $0.element.method != "noise"
                }),
                let noiseRun = noise.runs.first
            else { continue }
            let attackContents = inputs.attacks[a].contents, noiseContents = inputs.attacks[n].contents
            let attackRun = attack.runs[0]
            blocks.append(
                .chart(
                    SVGChart(
                        id: chartID("distortion-\(attack.method)"),
                        title: "Distortion of the \(attack.method) examples on \(attack.modelArchitecture) (the noise matches each)",
                        xTitle: "per-pixel RMS distortion", yTitle: "share of examples",
                        kind: .histogram(
                            series: [
                                SVGChart.Series(
                                    name: "\(attack.method) (\(Self.name(attack.file)))", y: attackContents.distortion[0].map(Double.init))
                            ],
                            bins: 20))))
            let (centres, adversarialError, noiseError) = Self.errorByDistortion(attack: attackContents, noise: noiseContents)
            blocks.append(
                .chart(
                    SVGChart(
                        id: chartID("error-by-distortion-\(attack.method)-noise"),
                        title: "Error by distortion: \(attack.method) against noise of the same size",
                        xTitle: "per-pixel RMS distortion (bin centre)", yTitle: "error",
                        kind: .lines(series: [
                            SVGChart.Series(name: attack.method, x: centres, y: adversarialError),
                            SVGChart.Series(name: "Gaussian noise", x: centres, y: noiseError),
                        ]))))
            blocks.append(
                .chart(
                    SVGChart(
                        id: chartID("error-\(attack.method)-noise"), title: "Error: adversarial examples against noise of the same size",
                        xTitle: "model", yTitle: "error",
                        kind: .bars(
                            categories: [attack.modelArchitecture],
                            series: [
                                SVGChart.Series(name: attack.method, y: [attackRun.errorRate]),
                                SVGChart.Series(name: "Gaussian noise", y: [noiseRun.errorRate]),
                            ]))))
            results.headlines.append(
                String(
                    format: "%@ on %@: %.1f%% error at mean distortion %.4f; Gaussian noise of the same size: %.1f%% (clean %.1f%%)", attack.method,
                    modelLabel(sha256: attack.modelSHA256, file: attack.modelFile), 100 * attackRun.errorRate, attackRun.meanDistortion ?? .nan,
                    100 * noiseRun.errorRate,
                    100 * noiseRun.cleanErrorRate))
        }
        return blocks
    }

    /// The error of an attack and of its matched noise within each of `bins` equal bins of the
    /// attack's distortion (bins without examples left out): (bin centres, attack error, noise error).
    static func errorByDistortion(attack: AttackFile.Contents, noise: AttackFile.Contents, bins: Int = 8) -> ([Double], [Double], [Double]) {
        let distortion = attack.distortion[0].map(Double.init)
        guard let low = distortion.min(), let high = distortion.max(), high > low else { return ([], [], []) }
        let width = (high - low) / Double(bins)
        // The noise control holds the attack's examples in the same order (it matches them row by row).
        let noiseRow = Dictionary(noise.indices.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var centres: [Double] = [], attackError: [Double] = [], noiseError: [Double] = []
        for b in 0..<bins {
            let members = distortion.indices.filter { min(bins - 1, Int((distortion[$0] - low) / width)) == b }
            let matched = members.compactMap { noiseRow[attack.indices[$0]] }
            guard !members.isEmpty, !matched.isEmpty else { continue }
            centres.append(low + (Double(b) + 0.5) * width)
            attackError.append(Double(members.filter { attack.predictedAdversarial[0][$0] != attack.labels[$0] }.count) / Double(members.count))
            noiseError.append(Double(matched.filter { noise.predictedAdversarial[0][$0] != noise.labels[$0] }.count) / Double(matched.count))
        }
        return (centres, attackError, noiseError)
    }

    /// Up to `count` examples of `attack`'s strongest run as clean | perturbation | adversarial
    /// (Szegedy Fig. 5, Goodfellow Fig. 1), successful ones first; nil without its clean images.
    func examplesTable(_ attack: ReportInputs.Attack, index: Int, count: Int = 6) throws -> ReportImageTable? {
        guard let clean = attack.clean else { return nil }
        let c = attack.contents
        let run = c.epsilons.indices.max { (c.epsilons[$0].isNaN ? 0 : c.epsilons[$0]) < (c.epsilons[$1].isNaN ? 0 : c.epsilons[$1]) } ?? 0
        let n = c.labels.count
        let picked = (Array((0..<n).filter { c.success[run][$0] }) + (0..<n).filter { !c.success[run][$0] }).prefix(count)
        let size = clean.count / max(n, 1)
        // (N, C, H, W): grey or RGB.
        let shape = Array(c.adversarial[run].shape.dropFirst())
        guard shape.count == 3, shape[0] == 1 || shape[0] == 3, shape.reduce(1, *) == size else { return nil }
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        func label(_ k: Int) -> String { k >= 0 && k < c.classNames.count ? c.classNames[k] : "class \(k)" }
        func picture(_ values: [Float], _ name: String, _ alt: String) throws -> ReportImage {
            let bytes = ImageBytes(pixels: Raster.grayBytes(fromUnitInterval: values), channels: channels, height: height, width: width).tile(0)
            let raster = try Raster(width: width, height: height, format: channels == 3 ? .rgb : .gray, pixels: bytes).scaled(by: 3)
            return ReportImage(name: name, png: try PNGWriter.encode(raster), alt: alt, width: raster.width, height: raster.height)
        }
        let adversarial = c.adversarial[run].scalars
        var rows: [[ReportImageTable.Cell]] = []
        for example in picked {
            let x = Array(clean.scalars[(example * size)..<((example + 1) * size)])
            let y = Array(adversarial[(example * size)..<((example + 1) * size)])
            let r = zip(y, x).map { $0 - $1 }
            let largest = r.map(abs).max() ?? 0
            let gain = largest > 0 ? 0.5 / largest : 1
            let stem = "attack-\(index + 1)-example-\(c.indices[example])"
            rows.append([
                ReportImageTable.Cell(
                    image: try picture(x, stem + "-clean.png", "clean image \(c.indices[example])"),
                    caption: "\(label(c.labels[example])) → predicted \(label(c.predictedClean[example]))"),
                ReportImageTable.Cell(
                    image: try picture(r.map { 0.5 + gain * $0 }, stem + "-perturbation.png", "perturbation of image \(c.indices[example])"),
                    caption: String(format: "×%.1f (‖r‖∞ = %.3f, RMS %.4f)", gain, largest, c.distortion[run][example])),
                ReportImageTable.Cell(
                    image: try picture(y, stem + "-adversarial.png", "adversarial image \(c.indices[example])"),
                    caption: String(
                        format: "%@ (%.2f)%@", label(c.predictedAdversarial[run][example]), c.confidence[run][example],
                        c.success[run][example] ? "" : ", attack failed")),
            ])
        }
        let epsilon = c.epsilons[run].isNaN ? "" : String(format: ", ε = %g", c.epsilons[run])
        return ReportImageTable(
            caption:
                "\(c.method) on \(c.modelArchitecture)\(epsilon) (\(Self.name(c.path))): clean | perturbation (mid-grey is 0, scaled to be visible) | adversarial, with the true label, the predictions and their confidence",
            header: ["clean", "perturbation", "adversarial"], rows: rows)
    }

    /// Adversarially trained models beside the models of the same architecture trained without,
    /// by their error on FGSM examples of each (Goodfellow et al. 2015, §6).
    mutating func adversarialTraining() -> [ReportDocument.Block] {
        let robust = results.models.filter { $0.adversarialEpsilon != nil }
        guard !robust.isEmpty else { return [] }
        var rows: [[ReportCell]] = []
        for model in robust {
            for baseline in results.models where baseline.architecture == model.architecture && baseline.adversarialEpsilon == nil {
                for (label, entry) in [("before", baseline), ("after", model)] {
                    let m = results.models.firstIndex { $0.file == entry.file }!
                    for (a, attack) in results.attacks.enumerated() where attack.method == "fgsm" && attack.modelSHA256 == entry.sha256 {
                        for (r, run) in attack.runs.enumerated() {
                            rows.append([
                                ReportCell(label), ReportCell(Self.name(entry.file)),
                                ReportCell(entry.adversarialEpsilon.map { String(format: "%g", $0) } ?? "none"),
                                .number(entry.testError, key: "models.\(m).test_error", percent: true),
                                .number(run.epsilon.map(Self.decimal), key: "attacks.\(a).runs.\(r).epsilon", format: "%g"),
                                .number(run.errorRate, key: "attacks.\(a).runs.\(r).error_rate", percent: true),
                                .number(run.meanConfidence, key: "attacks.\(a).runs.\(r).mean_confidence"),
                            ])
                        }
                    }
                }
            }
        }
        guard !rows.isEmpty else { return [] }
        return [
            .heading("Adversarial training (Goodfellow et al. 2015, §6)"),
            .table(
                ReportTable(
                    caption: String(
                        format:
                            "Before and after adversarial training: error on FGSM examples made on each model (paper, maxout on MNIST at ε = 0.25: %.1f%% → %.1f%%)",
                        100 * PublishedNumbers.adversarialTraining.before, 100 * PublishedNumbers.adversarialTraining.after),
                    header: ["", "model", "trained with ε", "test error", "attack ε", "FGSM error", "confidence"], rows: rows)),
        ]
    }

    /// A transfer matrix as Szegedy's Table 2 (with its distortion and clean-error columns) and as a heat map.
    mutating func transferBlocks(_ transfer: (path: String, report: TransferReport, sources: TransferFile.Sources), index: Int) -> [ReportDocument
        .Block]
    {
        results.transfer.append(ReportResults.TransferEntry(file: transfer.path, report: transfer.report))
        let m = transfer.report.matrix
        let key = "transfer.\(results.transfer.count - 1)"
        let columns = zip(transfer.sources.modelSHA256, transfer.sources.modelFiles).map { modelLabel(sha256: $0, file: $1) }
        var rows: [[ReportCell]] = []
        for (s, set) in m.sets.enumerated() {
            rows.append(
                [ReportCell(set)] + m.error[s].enumerated().map { .number($0.element, key: "\(key).error.\(s).\($0.offset)", percent: true) }
                    + [.number(m.distortion[s], key: "\(key).distortion.\(s)", format: "%.4f")])
            if m.cleanError[s].count == m.models.count {
                rows.append(
                    [ReportCell("  clean images of that set")]
                        + m.cleanError[s].enumerated().map { .number($0.element, key: "\(key).clean_error.\(s).\($0.offset)", percent: true) } + ["–"]
                )
            }
        }
        let amplified = transfer.report.amplify.map { String(format: ", perturbations amplified to RMS %g (Table 4)", $0) } ?? ""
        results.headlines.append(
            String(
                format: "transfer (%@): error %.1f%%–%.1f%% over %d sets × %d models", Self.name(transfer.path),
                100 * (m.error.flatMap { $0 }.min() ?? 0),
                100 * (m.error.flatMap { $0 }.max() ?? 0), m.sets.count, m.models.count))
        return [
            .heading("Transfer (Szegedy et al. 2014, Table 2)"),
            .table(
                ReportTable(
                    caption: "Error of each model (columns) on each set of examples (rows)\(amplified), \(Self.name(transfer.path))",
                    header: ["examples ↓ / model →"] + columns + ["distortion"], rows: rows)),
            .chart(
                SVGChart(
                    id: chartID("transfer-\(index + 1)"), title: "Transfer: error of each model on each set", xTitle: "model evaluated",
                    yTitle: "examples made for", kind: .heatMap(rows: m.sets, columns: columns, values: m.error, format: "%.2f"),
                    height: 120 + 34 * m.sets.count)),
            .table(
                ReportTable(
                    caption: "Szegedy et al. 2014, Table 2 (MNIST), for comparison of shape",
                    header: [
                        "made for ↓ / fed to →", "FC10(1e-4)", "FC10(1e-2)", "FC10(1)", "FC100-100-10", "FC200-200-10", "AE400-10", "distortion",
                    ],
                    rows: PublishedNumbers.table2.map { row in
                        [ReportCell(row.row)] + row.error.map { ReportCell(String(format: "%.1f%%", 100 * $0)) } + [
                            ReportCell(String(format: "%g", row.distortion))
                        ]
                    })),
        ]
    }

    /// Each model's per-layer Lipschitz bounds as Szegedy's Table 5, with the paper's AlexNet bounds for shape.
    mutating func lipschitzBlocks() -> [ReportDocument.Block] {
        var blocks: [ReportDocument.Block] = [.heading("Lipschitz bounds (Szegedy et al. 2014, §4.3, Table 5)")]
        for (path, report) in inputs.lipschitz {
            results.lipschitz.append(ReportResults.LipschitzEntry(file: path, report: report))
            let key = "lipschitz.\(results.lipschitz.count - 1)"
            let rows =
                report.layers.enumerated().map { i, layer -> [ReportCell] in
                    [
                        ReportCell(layer.layer), ReportCell(layer.kind.rawValue),
                        .number(layer.bound, key: "\(key).layers.\(i).bound", format: "%.4g"), ReportCell(layer.method),
                    ]
                } + [["product", "", .number(report.product, key: "\(key).product", format: "%.4g"), "an upper bound on the whole network's"]]
            blocks.append(
                .table(
                    ReportTable(
                        caption:
                            "Upper Lipschitz bounds of \(modelLabel(sha256: report.modelSHA256, file: report.model)) (\(Self.name(report.model)))",
                        header: ["layer", "kind", "bound", "how"],
                        rows: rows)))
        }
        results.headlines.append(
            "Lipschitz bounds of whole networks: "
                + inputs.lipschitz.map {
                    String(format: "%@ ≤ %.4g", modelLabel(sha256: $0.report.modelSHA256, file: $0.report.model), $0.report.product)
                }
                .joined(separator: ", "))
        blocks.append(
            .table(
                ReportTable(
                    caption: "Szegedy et al. 2014, Table 5: AlexNet (ImageNet), for comparison of shape", header: ["layer", "size", "bound"],
                    rows: PublishedNumbers.table5.map { [ReportCell($0.layer), ReportCell($0.size), ReportCell(String(format: "%g", $0.bound))] })))
        return blocks
    }
}
