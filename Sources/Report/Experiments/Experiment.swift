import Activations
import Attacks
import Engine
import Files
import Foundation

/// How much of an experiment `probe reproduce` runs: `quick` (minutes on 2 cores) or `paper`
/// (the paper's sizes where it states them).
public enum Budget: String, Sendable, CaseIterable, Codable {
    case quick, paper

    /// `quick` under the quick budget, else `paper`.
    public func pick<T>(_ quick: T, _ paper: T) -> T { self == .quick ? quick : paper }
}

/// One choice a paper leaves open, named with the value each budget takes and why.
public struct ProtocolChoice: Sendable, Encodable {
    /// What is chosen ("optimiser").
    public var name: String
    /// Its value under the quick budget.
    public var quick: String
    /// Its value under the paper budget.
    public var paper: String
    /// Why, or what the paper says.
    public var why: String

    /// A choice `name` of `quick` or `paper`, because `why`.
    public init(_ name: String, quick: String, paper: String? = nil, why: String) {
        self.name = name
        self.quick = quick
        self.paper = paper ?? quick
        self.why = why
    }
}

/// What an experiment's stages produced: the files its report is made of, its table beside the
/// paper's, and the findings of the paper it checked.
public struct ExperimentOutcome: Sendable {
    /// The neuron-probe files the report reads.
    public var inputs: [String]
    /// The paper's tables beside ours (Tables 3 and 4 are two).
    public var tables: [PaperTable]
    /// The paper's findings that must hold on any data, checked.
    public var findings: [ExperimentCheck]

    /// An outcome of `inputs`, `tables` and `findings`.
    public init(inputs: [String], tables: [PaperTable], findings: [ExperimentCheck]) {
        self.inputs = inputs
        self.tables = tables
        self.findings = findings
    }
}

/// An experiment of `probe reproduce`: a table or figure of one of the papers, its protocol (every
/// choice the paper leaves open, named), how long it takes, and its stages.
public struct Experiment: Sendable {
    /// The id (`szegedy2014-table1`).
    public var id: String
    /// What it reproduces, in a line.
    public var title: String
    /// The choices the paper leaves open.
    public var choices: [ProtocolChoice]
    /// Its wall time on Fashion-MNIST on 2 cores (AMD EPYC, OpenBLAS Zen), in seconds: quick, paper.
    public var seconds: (quick: Int, paper: Int)
    /// Runs the stages.
    public var run: @Sendable (Pipeline, Budget) throws -> ExperimentOutcome

    /// The protocol as a Markdown document: what protocols/ID.md holds.
    public var protocolMarkdown: String {
        var lines = [
            "# \(id): protocol", "", title, "",
            "Every choice the paper leaves open, with the value `probe reproduce \(id)` takes under each budget. Generated from",
            "the experiment's definition (Sources/Report/Experiments/ExperimentRegistry.swift); `Tests/ReportTests` checks that this",
            "file and the definition agree, and every run logs these choices in its manifest.json.", "",
            "| choice | quick | paper | why |", "| --- | --- | --- | --- |",
        ]
        lines += choices.map { "| \($0.name) | \($0.quick) | \($0.paper) | \($0.why) |" }
        lines += [
            "",
            "Time on Fashion-MNIST, 2 cores (AMD EPYC, OpenBLAS Zen): quick about \(Self.duration(seconds.quick)), paper about \(Self.duration(seconds.paper)).",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// "40 s", "3 min", "1.5 h".
    public static func duration(_ seconds: Int) -> String {
        seconds < 120
            ? "\(seconds) s" : seconds < 5400 ? "\(Int((Double(seconds) / 60).rounded())) min" : String(format: "%.1f h", Double(seconds) / 3600)
    }
}

/// What `probe reproduce` returns: the table beside the paper's, every check, and the files written.
public struct ReproductionResult: Sendable, Encodable {
    /// The experiment.
    public var experiment: String
    /// The run directory.
    public var directory: String
    /// The paper's tables beside ours.
    public var tables: [PaperTable]
    /// Artefact checks and the paper's findings (with --check).
    public var checks: [ExperimentCheck]
    /// The report.
    public var report: String
    /// Whether every check held.
    public var passed: Bool
}

/// Runs one experiment into its run directory: its stages, the checks, and the report led by the
/// paper's table beside ours.
public enum Reproduction {
    /// Runs `experiment` on `dataset` under `budget` into `directory` (models shared in its parent's
    /// `models/`), checking the artefacts and the paper's findings when `check` is set.
    public static func run(
        _ experiment: Experiment, budget: Budget, dataset: String, directory: URL, search: DataSearchPaths, resume: Bool, check: Bool,
        commandLine: String, observe: @escaping (PipelineEvent) -> Void = { _ in }
    ) throws -> ReproductionResult {
        var choices = Dictionary(uniqueKeysWithValues: experiment.choices.map { ($0.name, budget.pick($0.quick, $0.paper)) })
        choices["data set"] = dataset
        let pipeline = try Pipeline(
            directory: directory, experiment: experiment.id, dataset: dataset, budget: budget.rawValue, protocolChoices: choices, search: search,
            resume: resume, sharedModels: true, observe: observe)
        let outcome: ExperimentOutcome
        do {
            outcome = try experiment.run(pipeline, budget)
        } catch {
            pipeline.abandon()
            throw error
        }
        var checks: [ExperimentCheck] = []
        if check {
            checks = try artefactChecks(outcome.inputs, pipeline: pipeline) + outcome.findings
        }
        let loaded = try ReportInputs.load(outcome.inputs, search: search)
        var builder = ReportBuilder(inputs: loaded, commandLine: commandLine)
        builder.stages = pipeline.manifest.stages
        builder.experiment = ReportResults.ExperimentEntry(
            id: experiment.id, title: experiment.title, budget: budget.rawValue, tables: outcome.tables, checks: checks,
            protocolChoices: experiment.choices)
        let (document, results) = try builder.build()
        let written = try ReportWriter.write(document, results: results, to: directory.path, inputs: outcome.inputs)
        try pipeline.writeManifest()
        return ReproductionResult(
            experiment: experiment.id, directory: directory.path, tables: outcome.tables, checks: checks, report: written.html,
            passed: checks.allSatisfy(\.passed))
    }

    /// The artefact checks of every attack, units and Lipschitz file among `inputs`.
    static func artefactChecks(_ inputs: [String], pipeline: Pipeline) throws -> [ExperimentCheck] {
        var checks: [ExperimentCheck] = []
        let test = try pipeline.test(limit: nil).images
        for path in inputs {
            let (file, format) = try NeuronProbeFile.open(path)
            try file.close()
            switch FileKind(format: format) {
            case .attack:
                let contents = try AttackFile.read(path)
                checks += ArtefactChecks.attack(contents, clean: test.images.gathering(rows: contents.indices))
            case .units:
                let contents = try UnitsFile.read(path)
                checks += try ArtefactChecks.units(contents, activations: try ActivationFile(path: contents.activationsFile))
            case .lipschitz:
                let report = try LipschitzFile.read(path)
                let (model, _) = try ModelFile.load(report.model)
                checks.append(ArtefactChecks.lipschitz(report, model: model, images: test.images.rows(0..<min(400, test.count))))
            default: break
            }
        }
        return checks
    }
}
