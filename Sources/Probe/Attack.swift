import ArgumentParser
import Activations
import Attacks
import Foundation
import Engine
import Files

/// `probe attack`: the stability probes of Szegedy et al. (2014) §4 and Goodfellow et al. (2015).
struct Attack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make adversarial (or noise) examples for a model and write them to an attack file.",
        subcommands: [FGSMCommand.self, LBFGSCommand.self, NoiseCommand.self])
}

/// The examples an attack runs on.
struct AttackData: ParsableArguments {
    @OptionGroup var data: DataOptions

    @Option(name: .long, help: "The split to attack: test (the default) or train.")
    var split: DatasetSplit?

    @Option(name: .long, parsing: .unconditional, help: "Attack only the first N images of the split.")
    var limit: Int?

    @Option(name: .long, parsing: .unconditional, help: "The seed of random targets, random starts and noise.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Attack only the I-th of N contiguous slices of the examples (e.g. 2/4), for job arrays; join with probe merge.")
    var shard: String?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let shard { _ = try Shard(parsing: shard) }
    }

    /// Runs `attack` on the first --limit images of the split (those of `source`, the data set and
    /// split of an earlier attack, when given) with a progress bar, writes the attack file `output`
    /// and returns what it holds.
    func run(
        _ attack: DatasetAttack, on modelPath: String, output: String, quiet: Bool, from source: (dataset: String, split: DatasetSplit)? = nil
    ) throws -> AttackSummary {
        let (model, metadata) = try ModelFile.load(modelPath)
        let dataset = source?.dataset ?? data.dataset ?? metadata.dataset, split = source?.split ?? self.split ?? .test
        let set = try DatasetRegistry.standard.load(dataset, split: split, search: data.search).prefix(limit)
        try set.requireInputs(of: model, named: modelPath)
        let slice = try shard.map { try Shard(parsing: $0) }
        let rows = slice?.rows(of: set.count) ?? 0..<set.count
        guard !rows.isEmpty else {
            throw CommandError("--shard \(shard ?? "") holds no example of the \(set.count) attacked: use at most \(set.count) shards")
        }
        let examples = AttackExamples(images: set.images.rows(rows), labels: Array(set.labels[rows]), indices: Array(rows))
        let bar = ProgressBar(attack.method, total: examples.count, unit: "img", quiet: quiet)
        let result = try attack.run(model: model, examples: examples, seed: seed) { done, total in bar.update(done, total: total) }
        bar.finish()
        let provenance = AttackProvenance(
            modelFile: modelPath, modelSHA256: metadata.sha256, modelArchitecture: metadata.architecture,
            dataset: dataset, split: split, seed: seed, classNames: metadata.classNames, shard: slice, totalExamples: set.count)
        try AttackFile.write(result, provenance: provenance, to: output)
        return result.summary(file: output)
    }
}

/// Prints a summary of attack runs as a table or JSON.
func printAttack(_ summary: AttackSummary, json: Bool) throws {
    if json {
        try printJSON(summary)
        return
    }
    for run in summary.runs {
        var line = summary.method
        if let epsilon = run.epsilon { line += String(format: " ε = %.3f", epsilon) }
        line += String(
            format: ": success %.2f%%, error %.2f%% (clean %.2f%%), mean distortion %.4f (successful: %.4f), mean confidence %.3f",
            100 * run.successRate, 100 * run.errorRate, 100 * run.cleanErrorRate,
            run.meanDistortion ?? .nan, run.meanDistortionSuccessful ?? .nan, run.meanConfidence)
        if run.failed > 0 { line += ", \(run.failed) examples with non-finite gradients left unchanged" }
        print(line)
    }
    if summary.skipped > 0 { print("skipped \(summary.skipped) examples whose label is the target class") }
    print("wrote \(summary.file)")
}

/// `probe attack fgsm`.
struct FGSMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fgsm",
        abstract: "FGSM (Goodfellow et al. 2015, eq. 3) and, with --steps, its iterative form (BIM, or PGD with --random-start).")

    @Argument(help: "The model file.")
    var model: String

    @Option(name: .long, parsing: .unconditional, help: "L∞ radii ε, comma-separated (each a run in the file).")
    var epsilon: String

    @Option(name: .long, help: "none (untargeted), next, random, or a class index.")
    var target = "none"

    @Option(name: .long, parsing: .unconditional, help: "Gradient steps (1: FGSM).")
    var steps = 1

    @Option(name: .long, parsing: .unconditional, help: "Step size α of the iterative form (default 2.5·ε/steps).")
    var stepSize: Float?

    @Flag(name: .long, help: "Start from a uniform random point of the ε-ball (PGD).")
    var randomStart = false

    @Option(name: .long, parsing: .unconditional, help: "Images per gradient pass.")
    var batchSize = 500

    @OptionGroup var data: AttackData

    @Option(name: [.short, .customLong("output")], help: "The attack file to write.")
    var output: String

    @OptionGroup var outputOptions: OutputOptions

    func parsedEpsilons() throws -> [Float] {
        // NOTE: empty items are kept, so that "", "," and "0.1,," are refused rather than read as fewer radii.
        try epsilon.split(separator: ",", omittingEmptySubsequences: false).map { text in
            guard let value = Float(text.trimmingCharacters(in: .whitespaces)), value >= 0, value <= 1 else {
                throw ValidationError("--epsilon \(text.isEmpty ? "''" : text) is not a number in [0, 1] (pixels lie in [0, 1])")
            }
            return value
        }
    }

    func validate() throws {
        _ = try parsedEpsilons()
        _ = try AttackTarget(parsing: target)
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        try checkOutputPath(output, inputs: [model])
    }

    func run() throws {
        let sweep = try EpsilonSweep(
            epsilons: parsedEpsilons(), steps: steps, stepSize: stepSize, randomStart: randomStart, target: AttackTarget(parsing: target),
            batchSize: batchSize)
        try printAttack(data.run(sweep, on: model, output: output, quiet: outputOptions.quiet), json: outputOptions.json)
    }
}

/// `probe attack lbfgs`.
struct LBFGSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbfgs",
        abstract: "Szegedy et al.'s box-constrained L-BFGS (§4.1) with the search over c for the smallest distortion.",
        discussion: """
            Minimises ‖x′ − x‖₂² + c·J(θ, x′, t) over x′ ∈ [0, 1]^m with L-BFGS-B (liblbfgsb), for each example's target t;
            c grows ×10 until the result is classified as t, shrinks ÷10 until it is not, then is bisected geometrically
            until c_high/c_low < 1.25 or --c-search-steps values were tried. The file records each example's [c_low, c_high].
            Each run at one c stops after --max-iterations, or when L-BFGS-B's criteria hold: --factr (relative fall of f
            per iteration below factr × 2.2e-16) or --pgtol (largest projected-gradient component). SciPy's defaults are
            1e7 and 1e-5; the defaults here end runs far sooner with the same distortion to 0.1% (bench/RESULTS.md).
            """)

    @Argument(help: "The model file.")
    var model: String

    @Option(name: .long, help: "random (a class other than the label, seeded), next, or a class index.")
    var target = "random"

    @Option(name: .long, parsing: .unconditional, help: "L-BFGS-B iterations per value of c.")
    var maxIterations = 100

    @Option(name: .long, parsing: .unconditional, help: "Values of c tried per example.")
    var cSearchSteps = 10

    @Option(name: .long, parsing: .unconditional, help: "The first value of c.")
    var initialC = 1.0

    @Option(
        name: .long, parsing: .unconditional, help: "L-BFGS-B's factr: stop a run when f falls by less than factr × 2.2e-16 relative to its size.")
    var factr = 1e10

    @Option(name: .long, parsing: .unconditional, help: "L-BFGS-B's pgtol: stop a run when no projected-gradient component exceeds it.")
    var pgtol = 1e-3

    @Option(name: .long, parsing: .unconditional, help: "Examples optimised in lockstep.")
    var batchSize = 250

    @OptionGroup var data: AttackData

    @Option(name: [.short, .customLong("output")], help: "The attack file to write.")
    var output: String

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard try AttackTarget(parsing: target) != .none else {
            throw ValidationError("--target none: Szegedy's L-BFGS attack needs a target (random, next or a class index)")
        }
        guard maxIterations >= 1, cSearchSteps >= 1, batchSize >= 1 else {
            throw ValidationError("--max-iterations, --c-search-steps and --batch-size must be at least 1")
        }
        guard initialC > 0, initialC.isFinite else { throw ValidationError("--initial-c must be positive") }
        guard factr >= 0, factr.isFinite, pgtol >= 0, pgtol.isFinite else {
            throw ValidationError("--factr and --pgtol must be finite and not negative (0 runs every value of c to --max-iterations)")
        }
        try checkOutputPath(output, inputs: [model])
    }

    func run() throws {
        var attack = BoxLBFGS()
        attack.target = try AttackTarget(parsing: target)
        attack.batchSize = batchSize
        attack.maxIterations = maxIterations
        attack.cSearchSteps = cSearchSteps
        attack.initialC = initialC
        attack.convergenceFactor = factr
        attack.projectedGradientTolerance = pgtol
        try printAttack(data.run(attack, on: model, output: output, quiet: outputOptions.quiet), json: outputOptions.json)
    }
}

/// `probe attack noise`.
struct NoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise",
        abstract: "Gaussian noise of a given size, or of each example's adversarial distortion: the control rows of Szegedy et al.'s Tables 2 and 4.")

    @Argument(help: "The model file.")
    var model: String

    @Option(name: .long, parsing: .unconditional, help: "Noise standard deviation per pixel.")
    var stddev: Float?

    @Option(name: .long, help: "An attack file whose per-example distortions (per-pixel RMS) the noise matches, on the same examples.")
    var match: String?

    @OptionGroup var data: AttackData

    @Option(name: [.short, .customLong("output")], help: "The attack file to write.")
    var output: String

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard (stddev == nil) != (match == nil) else { throw ValidationError("give either --stddev or --match") }
        if match != nil && data.shard != nil {
            throw ValidationError("--shard with --match: the matched attack file fixes the examples; match each shard's attack file instead")
        }
        if let stddev, !(stddev >= 0 && stddev.isFinite) { throw ValidationError("--stddev must be a non-negative number") }
        try checkOutputPath(output, inputs: [model] + (match.map { [$0] } ?? []))
    }

    func run() throws {
        guard let match else {
            let noise = try NoiseControl(.standardDeviation(stddev!))
            try printAttack(data.run(noise, on: model, output: output, quiet: outputOptions.quiet), json: outputOptions.json)
            return
        }
        // Matched noise runs on the examples of the attack it matches: its data set and split.
        let reference = try AttackFile.read(match)
        if let split = data.split, split != reference.split {
            throw CommandError("--split \(split) differs from the split of \(match) (\(reference.split)); leave --split out to use the attack's")
        }
        if let dataset = data.data.dataset, dataset != reference.dataset {
            throw CommandError(
                "--dataset \(dataset) differs from the data set of \(match) (\(reference.dataset)); leave --dataset out to use the attack's")
        }
        let summary = try data.run(
            NoiseControl(.matching(reference)), on: model, output: output, quiet: outputOptions.quiet, from: (reference.dataset, reference.split))
        try printAttack(summary, json: outputOptions.json)
    }
}
