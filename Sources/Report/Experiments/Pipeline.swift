import Activations
import Attacks
import Engine
import Files
import Foundation

/// What a pipeline tells its caller as it goes: a stage began, advanced, or ended.
public enum PipelineEvent: Sendable {
    /// A stage began; `total` units of `unit` are to be done.
    case began(stage: String, total: Int, unit: String)
    /// The running stage has done `done` of `total`.
    case progress(done: Int, total: Int)
    /// The stage ended after `seconds`, or kept an earlier run's file (`reused`).
    case ended(stage: String, seconds: Double, reused: Bool)
}

/// The stages of an experiment run in one directory, each writing the same files the matching
/// `probe` command writes: train (models kept in `models/`, keyed by their settings, and reused),
/// record, units, attacks, transfer, Lipschitz bounds and the report. A stage whose file exists is
/// reused only with `resume` (or for models, always); `manifest.json` logs every stage.
public final class Pipeline {
    /// The run directory.
    public let directory: URL
    /// The data set every stage uses.
    public let dataset: String
    /// Where data sets are looked for.
    public let search: DataSearchPaths
    /// Whether files of an earlier, interrupted run are kept.
    public let resume: Bool
    /// Where models are kept, relative to the run directory (`models/`, or `../models/` to share
    /// them between the experiments of one runs/ directory).
    public let models: String
    /// The log of the run so far.
    public private(set) var manifest: RunManifest
    private let observe: (PipelineEvent) -> Void
    /// The stages an earlier run of this directory logged (with `resume`).
    private let earlier: [RunManifest.Stage]
    /// The directories this pipeline made (the run directory, the models directory), to remove if it writes nothing.
    private let created: [URL]
    private var trainingData: TrainingData?
    private var testImages: RecordedImages?
    private var trainingCount: Int?

    /// A pipeline writing into `directory` (created) for `experiment` on `dataset`.
    /// - Throws: `ReportError.unreadable` when the directory holds another run and `resume` is not set.
    public init(
        directory: URL, experiment: String, dataset: String, budget: String, protocolChoices: [String: String], search: DataSearchPaths,
        resume: Bool, sharedModels: Bool = false, observe: @escaping (PipelineEvent) -> Void = { _ in }
    ) throws {
        self.directory = directory
        models = sharedModels ? "../models/" : "models/"
        self.dataset = dataset
        self.search = search
        self.resume = resume
        self.observe = observe
        let manifestURL = directory.appendingPathComponent("manifest.json")
        if FileManager.default.fileExists(atPath: manifestURL.path) && !resume {
            throw ReportError.unreadable(
                "\(directory.path) holds an earlier run (manifest.json): add --resume to continue it, or choose another -o")
        }
        created = [directory, directory.appendingPathComponent(models).standardizedFileURL].filter {
            !FileManager.default.fileExists(atPath: $0.path)
        }
        try AtomicFile.makeDirectory(directory.path)
        try AtomicFile.makeDirectory(directory.appendingPathComponent(models).standardizedFileURL.path)
        earlier = (try? JSONDecoder().decode(RunManifest.self, from: Data(contentsOf: manifestURL)))?.stages ?? []
        manifest = RunManifest(
            experiment: experiment, dataset: dataset, budget: budget, protocolChoices: protocolChoices, toolVersion: ToolInfo.version,
            blasKernel: EngineStamp.current.blasKernel, started: ToolInfo.timestamp(), stages: [])
    }

    /// The path of `name` in the run directory.
    public func path(_ name: String) -> String { directory.appendingPathComponent(name).standardizedFileURL.path }

    /// Runs `body` as the stage `name` writing `outputs`, unless they exist and may be reused; logs it.
    private func stage(
        _ name: String, settings: [String: String], outputs: [String], reuse: Bool, total: Int = 1, unit: String = "step", _ body: () throws -> Void
    ) throws {
        let exists = outputs.allSatisfy { FileManager.default.fileExists(atPath: path($0)) }
        if exists && reuse {
            observe(.ended(stage: name, seconds: 0, reused: true))
            // The time it took when it was made, where an earlier run of this directory logged it.
            let seconds = earlier.first { $0.name == name && $0.outputs == outputs && !$0.reused }?.seconds ?? 0
            manifest.stages.append(RunManifest.Stage(name: name, settings: settings, outputs: outputs, seconds: seconds, reused: true))
            return
        }
        for output in outputs where FileManager.default.fileExists(atPath: path(output)) { try FileManager.default.removeItem(atPath: path(output)) }
        let began = Date()
        observe(.began(stage: name, total: total, unit: unit))
        try body()
        let seconds = Date().timeIntervalSince(began)
        observe(.ended(stage: name, seconds: seconds, reused: false))
        manifest.stages.append(RunManifest.Stage(name: name, settings: settings, outputs: outputs, seconds: seconds, reused: false))
        try writeManifest()
    }

    /// Removes the directories this pipeline made when nothing was written into them: a run that
    /// fails before its first file leaves nothing under its name.
    public func abandon() {
        for directory in created.reversed() {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            if contents.isEmpty { try? FileManager.default.removeItem(at: directory) }
        }
    }

    /// Writes `manifest.json` (atomically).
    public func writeManifest() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(manifest)
        try AtomicFile.write(to: path("manifest.json")) { try data.write(to: URL(fileURLWithPath: $0)) }
    }

    private func progress(_ done: Int, _ total: Int) { observe(.progress(done: done, total: total)) }

    // MARK: Stages

    /// The model of `spec` trained on the pipeline's data set: `models/NAME.h5`, trained once and reused.
    @discardableResult
    public func model(_ spec: ModelSpec) throws -> String {
        let name = models + spec.fileName(dataset: dataset)
        let settings = [
            "architecture": spec.architecture, "activation": spec.activation ?? "default", "weight_decay": spec.weightDecay,
            "epochs": "\(spec.epochs)",
            "optimizer": spec.optimizer, "learning_rate": spec.learningRate.map { "\($0)" } ?? "default", "batch_size": "\(spec.batchSize)",
            "seed": "\(spec.seed)", "train_subset": spec.trainSubset,
            "adversarial": spec.adversarialEpsilon.map { "epsilon \($0), alpha \(spec.adversarialAlpha)" } ?? "none",
        ]
        try stage("train \(spec.fileName(dataset: dataset))", settings: settings, outputs: [name], reuse: true, total: 1, unit: "img") {
            guard let subset = TrainingSubset(rawValue: spec.trainSubset) else {
                throw SettingProblem("train subset", spec.trainSubset, "is not all, P1 or P2")
            }
            let data = try TrainingData.load(dataset, subset: subset, search: search)
            let architecture = try Architecture(spec.architecture, activation: spec.activation.flatMap(Activation.init(rawValue:)))
            let training = ModelTraining(
                spec: spec.architecture, architecture: architecture, maxoutPieces: 5,
                trainer: AdversarialTraining.trainer(configuration: try spec.configuration()))
            var epochBase = 0
            let trained = try training.run(
                on: data, progress: { p in self.progress(epochBase + p.examplesDone, p.examplesTotal * p.epochs) },
                epochEnded: { e in epochBase = e.epoch * data.training.labels.count })
            try ModelFile.save(trained.model, metadata: trained.metadata, to: path(name))
        }
        return path(name)
    }

    /// Training epochs under `budget`: `paper` for the paper budget; `quick` for the quick one, or
    /// more on a small training set, so that every model sees at least 20,000 examples (a model of
    /// 512 images trained for 5 epochs has taken 20 steps and learnt nothing a paper measures).
    public func epochs(_ budget: Budget, quick: Int, paper: Int) throws -> Int {
        guard budget == .quick else { return paper }
        if trainingCount == nil { trainingCount = try DatasetRegistry.standard.load(dataset, split: .train, search: search).count }
        return max(quick, Int((20_000 / Double(max(trainingCount!, 1))).rounded(.up)))
    }

    /// The test images of the data set, the first `limit`.
    public func test(limit: Int?) throws -> RecordedImages {
        if testImages == nil { testImages = try RecordedImages.load(dataset, split: .test, search: search) }
        var images = testImages!
        images.images = images.images.prefix(limit)
        return images
    }

    /// The activations of `model` over the first `limit` test images, with the images: `name`.
    @discardableResult
    public func record(model: String, limit: Int?, to name: String) throws -> String {
        try stage(
            "record \(name)", settings: ["model": model, "split": "test", "limit": limit.map(String.init) ?? "all"], outputs: [name], reuse: resume,
            total: 1, unit: "img"
        ) {
            let (network, metadata) = try ModelFile.load(model)
            let source = try test(limit: limit)
            let input = RecordingInput(modelPath: model, model: network, metadata: metadata, source: source, split: .test, dataset: dataset)
            var options = RecordingOptions()
            options.withImages = true
            try Recorder(options: options).record(input, to: path(name), progress: progress)
        }
        return path(name)
    }

    /// The units analysis of `layers` of the recording `activations`, with its figures: `name`.
    @discardableResult
    public func units(activations: String, layers: [String], options: UnitsAnalysisOptions, to name: String) throws -> String {
        let settings = [
            "activations": activations, "layers": layers.joined(separator: ","), "top_k": "\(options.topK)",
            "random_directions": options.randomDirections.map(String.init) ?? "as many as live units", "rotations": "\(options.rotations)",
            "pca": "\(options.principalComponents)", "seed": "\(options.seed)", "purity_threshold": "\(options.purityThreshold)",
        ]
        let figures = layers.map { UnitsFigure.path(beside: path(name), layer: $0) }
        try stage(
            "units \(name)", settings: settings, outputs: [name] + figures.map { URL(fileURLWithPath: $0).lastPathComponent }, reuse: resume,
            total: 1, unit: "dir"
        ) {
            let file = try ActivationFile(path: activations)
            let images = try RecordedImages.pixels(of: file, search: search)
            let results = try layers.map { layer in
                try UnitsAnalysis.run(file: file, layer: layer, images: images?.pixels, options: options, progress: progress)
            }
            let pictures =
                try images.map { try UnitsFigure.outputs(results, images: $0, beside: path(name), maps: { try file.rows($0, $1..<($1 + 1)) }) } ?? []
            try AtomicFile.write(
                [try UnitsFile.output(results, activations: file, activationsPath: activations, options: options, to: path(name))] + pictures)
        }
        return path(name)
    }

    /// `attack` on `model` over the first `limit` test images, with `seed`: `name`.
    @discardableResult
    public func attack(_ attack: DatasetAttack, model: String, limit: Int?, seed: UInt64 = 1, to name: String) throws -> String {
        var settings = attack.parameters
        settings["method"] = attack.method
        settings["model"] = model
        settings["limit"] = limit.map(String.init) ?? "all"
        settings["seed"] = "\(seed)"
        try stage("attack \(attack.method) \(name)", settings: settings, outputs: [name], reuse: resume, total: 1, unit: "img") {
            let (network, metadata) = try ModelFile.load(model)
            let set = try test(limit: limit).images
            let examples = AttackExamples(images: set.images, labels: set.labels)
            let result = try attack.run(model: network, examples: examples, seed: seed, progress: progress)
            let provenance = AttackProvenance(
                modelFile: model, modelSHA256: metadata.sha256, modelArchitecture: metadata.architecture, dataset: dataset, split: .test,
                seed: seed, classNames: metadata.classNames)
            try AttackFile.write(result, provenance: provenance, to: path(name))
        }
        return path(name)
    }

    /// The transfer matrix of `attacks` over `models` (perturbations rescaled to `amplify` when given): `name`.
    @discardableResult
    public func transfer(attacks: [String], models: [String], amplify: Float? = nil, to name: String) throws -> String {
        let settings = [
            "attacks": attacks.joined(separator: ","), "models": models.joined(separator: ","), "amplify": amplify.map { "\($0)" } ?? "none",
        ]
        try stage("transfer \(name)", settings: settings, outputs: [name], reuse: resume, total: attacks.count, unit: "file") {
            let loaded = try models.map { try ModelFile.load($0) }
            var sets: [TransferSet] = [], files: [String] = []
            for (index, attackPath) in attacks.enumerated() {
                let contents = try AttackFile.read(attackPath)
                let clean = try DatasetRegistry.standard.load(contents.dataset, split: contents.split, search: search).images.gathering(
                    rows: contents.indices)
                sets += TransferSet.runs(of: contents, amplifiedTo: amplify, clean: clean)
                files += [String](repeating: attackPath, count: contents.epsilons.count)
                progress(index + 1, attacks.count)
            }
            let matrix = TransferMatrix.compute(
                sets: sets, models: zip(models, loaded).map { (URL(fileURLWithPath: $0.0).lastPathComponent, $0.1.model) })
            try TransferFile.write(
                TransferReport(matrix: matrix, amplify: amplify.map(Double.init)),
                sources: TransferFile.Sources(
                    attackFiles: files, attackSHA256: try files.map { try Checksum.sha256(ofFile: $0) }, modelFiles: models,
                    modelSHA256: loaded.map(\.metadata.sha256)), to: path(name))
        }
        return path(name)
    }

    /// The per-layer Lipschitz bounds of `model`: `name`.
    @discardableResult
    public func lipschitz(model: String, to name: String) throws -> String {
        try stage("lipschitz \(name)", settings: ["model": model], outputs: [name], reuse: resume) {
            let (network, metadata) = try ModelFile.load(model)
            try LipschitzFile.write(
                LipschitzReport(model: model, network: network, modelSHA256: metadata.sha256, architecture: metadata.architecture), to: path(name))
        }
        return path(name)
    }

    /// The report of `inputs` in the run directory: report.html, report.md, figures/, results.json.
    public func report(inputs: [String], commandLine: String) throws -> (written: ReportWriter.Written, results: ReportResults) {
        var made: (ReportWriter.Written, ReportResults)?
        try stage("report", settings: ["inputs": inputs.joined(separator: ",")], outputs: ["report.html", "report.md", "results.json"], reuse: false)
        {
            let loaded = try ReportInputs.load(inputs, search: search)
            var builder = ReportBuilder(inputs: loaded, commandLine: commandLine)
            builder.stages = manifest.stages
            let (document, results) = try builder.build()
            made = (try ReportWriter.write(document, results: results, to: directory.path, inputs: inputs), results)
        }
        return made!
    }
}
