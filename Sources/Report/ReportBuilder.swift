import Activations
import Attacks
import Engine
import Files
import Foundation

/// Turns the files a report is made from into its results (results.json) and its document, one
/// section per kind of input given: models as Szegedy et al.'s Table 1, units against random
/// directions (§3, Figures 1–2), stability (FGSM, L-BFGS with its noise control, transfer as Table
/// 2, Lipschitz bounds as Table 5, adversarial training), and the provenance of every number.
public struct ReportBuilder {
    /// The inputs, read.
    public let inputs: ReportInputs
    /// The results being built; tables name their numbers by paths into it.
    var results: ReportResults
    /// Charts made so far, for unique ids.
    var chartCount = 0
    /// The experiment of `probe reproduce` the report leads with, if any.
    public var experiment: ReportResults.ExperimentEntry?

    /// The stages of the run the report ends (`probe demo`, `probe reproduce`), for its provenance.
    public var stages: [RunManifest.Stage]? {
        get { results.provenance.stages }
        set { results.provenance.stages = newValue }
    }

    /// A builder over `inputs` for a report made by `commandLine`.
    public init(inputs: ReportInputs, commandLine: String, system: SystemDescription = .current) {
        self.inputs = inputs
        results = ReportResults(
            provenance: ReportResults.Provenance(
                toolVersion: ToolInfo.version, commit: ToolInfo.commit, created: ToolInfo.timestamp(), commandLine: commandLine,
                cpu: system.processor.model, blasKernel: system.blasKernel.kernel, cores: system.cores),
            inputs: inputs.files, headlines: [], notes: inputs.notes, models: [], comparisons: [], units: [], attacks: [], transfer: [],
            lipschitz: [])
    }

    /// The report's document and results.
    public static func build(_ inputs: ReportInputs, commandLine: String, system: SystemDescription = .current) throws -> (
        document: ReportDocument, results: ReportResults
    ) {
        var builder = ReportBuilder(inputs: inputs, commandLine: commandLine, system: system)
        return try builder.build()
    }

    /// The report's document and results, led by the experiment when there is one.
    public mutating func build() throws -> (document: ReportDocument, results: ReportResults) {
        var sections: [ReportDocument.Section] = []
        if let experiment {
            results.experiment = experiment
            sections.append(experimentSection(experiment))
        }
        collectAttacks()
        if !inputs.models.isEmpty { sections.append(modelsSection()) }
        if !inputs.units.isEmpty { sections.append(try unitsSection()) }
        if !inputs.attacks.isEmpty || !inputs.transfers.isEmpty || !inputs.lipschitz.isEmpty { sections.append(try stabilitySection()) }
        if !results.notes.isEmpty {
            sections.append(ReportDocument.Section(title: "Not shown", id: "not-shown", blocks: results.notes.map { .paragraph($0) }))
        }
        sections.append(provenanceSection())
        let title = experiment.map { "neuron-probe: \($0.id), \($0.title)" } ?? "neuron-probe report"
        return (ReportDocument(title: title, headlines: results.headlines, sections: sections), results)
    }

    /// The experiment's table beside the paper's (paper | this run | Δ per column), its checks and its protocol.
    func experimentSection(_ experiment: ReportResults.ExperimentEntry) -> ReportDocument.Section {
        var blocks: [ReportDocument.Block] = []
        if experiment.tables.contains(where: { !$0.comparable }) {
            blocks.append(
                .banner("Not comparable in value: this run's data set is not the paper's (MNIST). Compare the shape and ordering, not the values."))
        }
        for (t, table) in experiment.tables.enumerated() {
            var header = [""]
            for column in table.columns { header += ["\(column): paper", "this run", "Δ"] }
            let rows = table.rows.enumerated().map { r, row -> [ReportCell] in
                var cells = [ReportCell(row.label)]
                for c in table.columns.indices {
                    let key = "experiment.tables.\(t).rows.\(r)"
                    let percent = table.percent[c]
                    let format = percent ? "%.3f" : "%.4g"
                    cells.append(.number(row.paper[c], key: "\(key).paper.\(c)", percent: percent, format: format))
                    cells.append(.number(row.ours[c], key: "\(key).ours.\(c)", percent: percent, format: format))
                    if let paper = row.paper[c], let ours = row.ours[c], paper.isFinite, ours.isFinite {
                        cells.append(ReportCell(percent ? String(format: "%+.1f pt", 100 * (ours - paper)) : String(format: "%+.4g", ours - paper)))
                    } else {
                        cells.append("–")
                    }
                }
                return cells
            }
            blocks.append(.table(ReportTable(caption: "\(table.source) (paper | this run | Δ)", header: header, rows: rows)))
        }
        if !experiment.checks.isEmpty {
            blocks.append(
                .table(
                    ReportTable(
                        caption: "Checks (probe reproduce --check)", header: ["check", "held", "numbers"],
                        rows: experiment.checks.map { [ReportCell($0.name), ReportCell($0.passed ? "yes" : "NO"), ReportCell($0.detail)] })))
        }
        blocks.append(
            .table(
                ReportTable(
                    caption: "Protocol: the choices the paper leaves open (\(experiment.budget) budget in this run)",
                    header: ["choice", "quick", "paper", "why"],
                    rows: experiment.protocolChoices.map { [ReportCell($0.name), ReportCell($0.quick), ReportCell($0.paper), ReportCell($0.why)] })))
        return ReportDocument.Section(title: "Reproduction: \(experiment.id)", id: "reproduction", blocks: blocks)
    }

    /// A chart id unique in the report: `fig-N-slug`.
    mutating func chartID(_ slug: String) -> String {
        chartCount += 1
        let clean = slug.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return "fig-\(chartCount)-\(clean)"
    }

    /// A Float as the Double its shortest decimal names (0.05, not 0.05000000074505806): the value
    /// results.json holds for it, since JSON writes a Float that way.
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    /// `value` when finite, else nil.
    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    /// How a model is named in the report: its architecture, with its weight decay and adversarial
    /// training when it has them (`fc10 λ=1e-4`); its file name when no model file among the inputs
    /// has `sha256`, or when two share the label.
    func modelLabel(sha256: String, file: String) -> String {
        func label(_ m: ModelMetadata) -> String {
            var text = m.architecture
            if m.training.weightDecay != .none { text += " λ=" + Self.decay(m.training.weightDecay) }
            if let epsilon = m.training.adversarialEpsilon { text += String(format: " adv. ε=%g", epsilon) }
            if m.trainSubset != .all { text += " (\(m.trainSubset.rawValue))" }
            return text
        }
        guard let model = inputs.models.first(where: { $0.metadata.sha256 == sha256 }) else { return Self.name(file) }
        let text = label(model.metadata)
        let shared = inputs.models.filter { label($0.metadata) == text && $0.metadata.sha256 != sha256 }
        return shared.isEmpty ? text : "\(text) (\(Self.name(model.path)))"
    }

    /// A weight decay as a paper writes it: `1e-4`, `0.01`, `fc1=1e-3,fc2=1e-4`.
    static func decay(_ decay: WeightDecay) -> String {
        func short(_ value: Float) -> String {
            guard value != 0, abs(value) < 1e-3 else { return String(format: "%g", value) }
            let text = String(format: "%.0e", value)  // 1e-04
            return text.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e+")
        }
        let layers = decay.perLayer.sorted { $0.key < $1.key }.map { "\($0.key)=\(short($0.value))" }
        return ([decay.base != 0 || layers.isEmpty ? short(decay.base) : nil].compactMap { $0 } + layers).joined(separator: ",")
    }

    /// A file's name without its directory.
    static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

    /// Whether a data set's numbers compare in value with the papers' (measured on MNIST).
    static func comparable(_ dataset: String) -> Bool { dataset == PublishedNumbers.dataset }

    /// The banner shown above a table whose rows sit beside the paper's, when the data sets differ.
    static func notComparableBanner(_ datasets: [String]) -> ReportDocument.Block? {
        let other = Array(Set(datasets.filter { !comparable($0) })).sorted()
        guard !other.isEmpty else { return nil }
        return .banner(
            "Not comparable in value: these numbers were measured on \(other.joined(separator: ", ")), the paper's on MNIST. Compare their shape and ordering, not their values."
        )
    }

    /// Appends a comparison of `ours` with the paper's `paper` and returns its index.
    mutating func compare(source: String, row: String, file: String, measure: String, paper: Double, ours: Double?, dataset: String) -> Int {
        results.comparisons.append(
            ReportResults.PaperComparison(
                source: source, paperRow: row, file: file, measure: measure, paper: paper, ours: ours, delta: ours.map { $0 - paper },
                comparable: Self.comparable(dataset)))
        return results.comparisons.count - 1
    }

    /// The three cells paper | this run | Δ of comparison `index`, as percentages or plain numbers.
    func comparisonCells(_ index: Int, percent: Bool) -> [ReportCell] {
        let c = results.comparisons[index]
        let key = "comparisons.\(index)"
        var delta = ReportCell.number(c.delta, key: key + ".delta", percent: percent, format: "%+.3f")
        if percent, let value = c.delta, value.isFinite { delta.text = String(format: "%+.1f pt", 100 * value) }
        return [
            .number(c.paper, key: key + ".paper", percent: percent), .number(c.ours, key: key + ".ours", percent: percent), delta,
        ]
    }

    // MARK: Models (Szegedy et al. 2014, Table 1)

    /// The attack files' entries in the results, in input order.
    mutating func collectAttacks() {
        results.attacks = inputs.attacks.map { attack in
            let c = attack.contents
            let runs = (0..<c.epsilons.count).map { AttackRunSummary(c.run($0), labels: c.labels) }
            return ReportResults.AttackEntry(
                file: c.path, method: c.method, modelFile: c.modelFile, modelSHA256: c.modelSHA256, modelArchitecture: c.modelArchitecture,
                dataset: c.dataset, split: c.split.rawValue, matches: c.matches, examples: c.labels.count, runs: runs)
        }
    }

    mutating func modelsSection() -> ReportDocument.Section {
        var rows: [[ReportCell]] = []
        for (index, model) in inputs.models.enumerated() {
            let m = model.metadata
            let lbfgs = results.attacks.first { $0.method == "lbfgs" && $0.modelSHA256 == m.sha256 }
            let entry = ReportResults.ModelEntry(
                file: model.path, architecture: m.architecture, weightDecay: Self.decay(m.training.weightDecay), dataset: m.dataset,
                datasetSHA256: m.datasetSHA256, sha256: m.sha256, seed: m.training.seed,
                adversarialEpsilon: m.training.adversarialEpsilon.map(Double.init),
                trainError: Self.finite(m.trainError), testError: Self.finite(m.testError),
                meanMinimalDistortion: lbfgs?.runs.first?.meanDistortionSuccessful, lbfgsFile: lbfgs?.file)
            results.models.append(entry)
            let key = "models.\(index)"
            var row: [ReportCell] = [
                ReportCell(modelLabel(sha256: m.sha256, file: model.path)), ReportCell(m.architecture), ReportCell(entry.weightDecay),
                ReportCell(m.dataset),
            ]
            let paper = PublishedNumbers.table1Row(architecture: m.architecture, weightDecay: Double(m.training.weightDecay.base))
            row.append(ReportCell(paper?.model ?? "–"))
            let measures: [(String, Double?, Double?, Bool, String)] = [
                ("train error", entry.trainError, paper?.trainError, true, "train_error"),
                ("test error", entry.testError, paper?.testError, true, "test_error"),
                ("mean minimal distortion", entry.meanMinimalDistortion, paper?.meanMinimalDistortion, false, "mean_minimal_distortion"),
            ]
            for (measure, ours, published, percent, field) in measures {
                if let published {
                    let c = compare(
                        source: "Szegedy et al. 2014, Table 1", row: paper!.model, file: model.path, measure: measure, paper: published, ours: ours,
                        dataset: m.dataset)
                    row += comparisonCells(c, percent: percent)
                } else {
                    row += ["–", .number(ours, key: "\(key).\(field)", percent: percent, format: "%.4f"), "–"]
                }
            }
            rows.append(row)
            if let paper, let test = entry.testError {
                results.headlines.append(
                    String(
                        format: "%@: test error %.2f%% on %@ (paper, %@ on MNIST: %.2f%%)", modelLabel(sha256: m.sha256, file: model.path),
                        100 * test, m.dataset, paper.model,
                        100 * paper.testError))
            }
        }
        var blocks: [ReportDocument.Block] = []
        if let banner = Self.notComparableBanner(inputs.models.map(\.metadata.dataset)) { blocks.append(banner) }
        blocks.append(
            .table(
                ReportTable(
                    caption: "Models beside Szegedy et al. 2014, Table 1 (paper | this run | Δ)",
                    header: [
                        "model", "architecture", "weight decay", "data set", "paper's model", "train error: paper", "this run", "Δ",
                        "test error: paper", "this run", "Δ", "min. distortion: paper", "this run", "Δ",
                    ], rows: rows)))
        blocks.append(
            .paragraph(
                "Minimal distortion: the mean per-pixel RMS distortion √(Σ(x′−x)²/n) of the successful L-BFGS examples made on the model (an attack file among the inputs); the paper's is the mean minimal distortion that reaches 0% accuracy on the training set. Errors are those recorded when the model was trained."
            ))
        return ReportDocument.Section(title: "Models (Szegedy et al. 2014, Table 1)", id: "models", blocks: blocks)
    }

    // MARK: Provenance

    func provenanceSection() -> ReportDocument.Section {
        let p = results.provenance
        var lines = [
            "neuron-probe \(p.toolVersion)\(p.commit.map { " (commit \($0))" } ?? ""), report made \(p.created)",
            "command: \(p.commandLine)",
            "CPU: \(p.cpu), \(p.cores) cores; OpenBLAS kernel \(p.blasKernel)",
            "",
            "inputs:",
        ]
        for file in results.inputs {
            lines.append(
                "  \(file.kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(file.path)")
            lines.append(
                "      sha256 \(file.sha256), written \(file.created) by neuron-probe \(file.toolVersion), BLAS \(file.blasKernel)\(file.seed.map { ", seed \($0)" } ?? "")"
            )
            if let command = file.commandLine { lines.append("      made by: \(command)") }
        }
        if let stages = p.stages {
            lines += ["", "stages of the run (manifest.json):"]
            for stage in stages {
                lines.append(
                    "  \(stage.name): "
                        + (stage.reused
                            ? "kept from an earlier run" + (stage.seconds > 0 ? String(format: " (%.1f s then)", stage.seconds) : "")
                            : String(format: "%.1f s", stage.seconds)))
            }
            lines.append("")
        }
        for model in results.models {
            lines.append(
                "model \(Self.name(model.file)): \(model.architecture) trained on \(model.dataset) (content sha256 \(model.datasetSHA256)), seed \(model.seed), model sha256 \(model.sha256)"
            )
        }
        return ReportDocument.Section(title: "Provenance", id: "provenance", blocks: [.preformatted(lines.joined(separator: "\n"))])
    }
}
