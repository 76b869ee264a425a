import Activations
import Attacks
import Engine
import Foundation

/// The experiments of `probe reproduce`, each a table or figure of Szegedy et al. 2014, Goodfellow
/// et al. 2015 or Bau et al. 2017, with its protocol.
public enum ExperimentRegistry {
    /// Every experiment, in the papers' order.
    public static let all: [Experiment] = [units, table1, table2, tables34, table5, fgsm, advtrain, rotation]

    /// The experiment `id`, if there is one.
    public static func experiment(_ id: String) -> Experiment? { all.first { $0.id == id } }

    // MARK: Shared pieces

    static let training = [
        ProtocolChoice(
            "optimiser", quick: "Adam, learning rate 1e-3, batches of 128",
            why: "Szegedy et al. do not name theirs; Adam trains every model here without tuning"),
        ProtocolChoice(
            "epochs", quick: "5, or as many as make 20,000 examples on a smaller training set", paper: "30", why: "not stated in the paper"),
        ProtocolChoice("seed", quick: "1 (models), 1 (attacks, noise, directions)", why: "fixes every random choice"),
    ]
    static let lbfgs = [
        ProtocolChoice(
            "L-BFGS target rule", quick: "a random class other than the label (seeded)",
            why: "Szegedy et al. §4.1 minimise towards a target l; which l is not stated"),
        ProtocolChoice(
            "L-BFGS search",
            quick:
                "c from 1, ×10 until classified as the target, then geometric bisection to c_high/c_low < 1.25, ≤ 10 values of c; L-BFGS-B ≤ 100 iterations, factr 1e10, pgtol 1e-3",
            why: "the paper's line search on c, with SciPy's L-BFGS-B"),
        ProtocolChoice(
            "examples attacked", quick: "the first 200 test images", paper: "the first 1,000 test images",
            why: "Table 1's distortion is over the training set [S]; attacking held-out images is what users do and what Table 4 does"),
        ProtocolChoice("minimal distortion", quick: "mean √(Σ(x′−x)²/n) of the successful examples", why: "Table 1's \"av. min. distortion\""),
    ]

    /// The models of Szegedy's Table 1 with their weight decay: (paper's name, spec).
    static func table1Models(_ budget: Budget, epochs: Int) -> [(String, ModelSpec)] {
        let sigmoidDecay = "fc1=1e-5,fc2=1e-5,fc3=1e-6"
        return [
            ("FC10(1e-4)", ModelSpec("fc10", weightDecay: "1e-4", epochs: epochs)),
            ("FC10(1e-2)", ModelSpec("fc10", weightDecay: "1e-2", epochs: epochs)),
            ("FC10(1)", ModelSpec("fc10", weightDecay: "1", epochs: epochs)),
            ("FC100-100-10", ModelSpec("fc100-100-10", weightDecay: sigmoidDecay, epochs: epochs)),
            ("FC200-200-10", ModelSpec("fc200-200-10", weightDecay: sigmoidDecay, epochs: epochs)),
            ("AE400-10", ModelSpec("ae400-10", weightDecay: "1e-6", epochs: epochs, pretrainEpochs: budget.pick(2, 10))),
        ]
    }

    static func mean(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) } / Double(max(values.count, 1)) }

    /// The mean distortion of an L-BFGS file's successful examples.
    static func minimalDistortion(_ path: String) throws -> Double? {
        let c = try AttackFile.read(path)
        let successful = zip(c.distortion[0], c.success[0]).filter { $0.1 }.map { Double($0.0) }
        return successful.isEmpty ? nil : successful.reduce(0, +) / Double(successful.count)
    }

    /// The error of `model` (a model file) on `images`.
    static func error(_ model: String, _ images: LabeledTensor) throws -> Double {
        let (network, _) = try ModelFile.load(model)
        return Double(Trainer.evaluate(network, images: images.images, labels: images.labels).error)
    }

    /// The units analysis's settings for a recording of `count` images.
    static func unitsOptions(count: Int, rotations: Int) -> UnitsAnalysisOptions {
        var options = UnitsAnalysisOptions()
        options.topK = min(100, max(5, count / 10))
        options.rotations = rotations
        options.seed = 1
        return options
    }

    static func comparable(_ pipeline: Pipeline) -> Bool { pipeline.dataset == PublishedNumbers.dataset }

    /// The units analyses both §3 experiments run: fc100-100-10's hidden layers (and, under the paper
    /// budget, conv-small's last conv block and hidden layer) over the whole test set, with
    /// `rotations` rotated bases. Returns the files and each network's name with its layers' results.
    static func unitsOfNetworks(_ pipeline: Pipeline, _ budget: Budget, rotations: Int) throws -> (
        inputs: [String], layers: [(network: String, result: UnitsLayerResult)]
    ) {
        let fc = try pipeline.model(ModelSpec("fc100-100-10", epochs: try pipeline.epochs(budget, quick: 5, paper: 30)))
        var networks: [(String, [String], String)] = [(fc, ["sigmoid1", "sigmoid2"], "fc100-100-10")]
        if budget == .paper { networks.append((try pipeline.model(ModelSpec("conv-small", epochs: 10)), ["pool2", "relu3"], "conv-small")) }
        var inputs: [String] = [], layers: [(String, UnitsLayerResult)] = []
        for (model, names, network) in networks {
            let activations = try pipeline.record(model: model, limit: nil, to: "\(network).acts.h5")
            let count = try ActivationFile(path: activations).count
            let unitsFile = try pipeline.units(
                activations: activations, layers: names, options: unitsOptions(count: count, rotations: rotations), to: "\(network).units.h5")
            inputs += [model, unitsFile]
            layers += try UnitsFile.read(unitsFile).layers.map { (network, $0) }
        }
        return (inputs, layers)
    }

    // MARK: Szegedy et al. 2014

    static let units = Experiment(
        id: "szegedy2014-units", title: "Szegedy et al. 2014 §3, Figures 1–2: units against random directions",
        choices: training + [
            ProtocolChoice(
                "network", quick: "fc100-100-10 (sigmoid)", paper: "fc100-100-10 and conv-small",
                why: "Figs 1–2 use an MNIST conv net whose layout is not given"),
            ProtocolChoice("held-out set I", quick: "the whole test set", why: "§3: \"a held-out set\""),
            ProtocolChoice("random directions v", quick: "N(0, I) normalised, as many as live units", why: "the paper's sampling of v is not stated"),
            ProtocolChoice("top images per direction", quick: "100 (a tenth of a smaller set)", why: "the figures show 8; the statistics need more"),
            ProtocolChoice(
                "coherence", quick: "label purity, label entropy, pixel cosine similarity; Mann–Whitney, Holm at α = 0.01",
                why: "the paper judges grids by eye"),
        ], seconds: (quick: 10, paper: 600),
        run: { pipeline, budget in
            let (inputs, layers) = try unitsOfNetworks(pipeline, budget, rotations: budget.pick(5, 10))
            let rows = layers.map { name, layer in
                let purity = layer.comparisons.first { $0.measure == "purity" }
                let verdict = layer.statisticalVerdict
                return PaperTable.Row(
                    label: "\(name) \(layer.layer)", paper: [nil, nil, nil, nil],
                    ours: [purity?.units.mean, purity?.random.mean, verdict.measures.first?.holmPValue, verdict.measures.first?.cliffsDelta])
            }
            let table = PaperTable(
                source: "Szegedy et al. 2014 §3 (no numbers: \"the natural basis is not better than a random basis\")",
                columns: ["purity of units", "purity of random directions", "Holm p", "Cliff's δ"], percent: [false, false, false, false], rows: rows,
                comparable: comparable(pipeline))
            return ExperimentOutcome(inputs: inputs, tables: [table], findings: [])
        })

    static let table1 = Experiment(
        id: "szegedy2014-table1", title: "Szegedy et al. 2014 Table 1: errors and minimal distortion of six models",
        choices: training + lbfgs + [
            ProtocolChoice(
                "weight decay", quick: "as Table 1: FC10 λ = 1e-4, 1e-2, 1; FC100/FC200 fc1, fc2 1e-5 and fc3 1e-6; AE400-10 1e-6", why: "Table 1"),
            ProtocolChoice("autoencoder pre-training", quick: "2 epochs", paper: "10 epochs", why: "not stated"),
        ], seconds: (quick: 45, paper: 1500),
        run: { pipeline, budget in
            var inputs: [String] = [], rows: [PaperTable.Row] = [], distortions: [String: Double] = [:]
            let data = try TrainingData.load(pipeline.dataset, search: pipeline.search)
            for (index, (name, spec)) in table1Models(budget, epochs: try pipeline.epochs(budget, quick: 5, paper: 30)).enumerated() {
                let model = try pipeline.model(spec)
                let attack = try pipeline.attack(BoxLBFGS(), model: model, limit: budget.pick(200, 1000), to: "lbfgs-\(index + 1).h5")
                let (_, metadata) = try ModelFile.load(model)
                let distortion = try minimalDistortion(attack)
                distortions[name] = distortion
                let paper = PublishedNumbers.table1[index]
                rows.append(
                    PaperTable.Row(
                        label: name, paper: [paper.trainError, paper.testError, paper.meanMinimalDistortion],
                        ours: [try error(model, data.training), metadata.testError, distortion]))
                inputs += [model, attack]
            }
            let fc10 = ["FC10(1e-4)", "FC10(1e-2)", "FC10(1)"].map { distortions[$0] ?? .nan }
            let findings = [
                ExperimentCheck(
                    "FC10(1), the most regularised, needs the largest minimal distortion of the softmax models",
                    passed: fc10[2] > fc10[0] && fc10[2] > fc10[1],
                    detail: String(format: "FC10(1e-4) %.4f, FC10(1e-2) %.4f, FC10(1) %.4f", fc10[0], fc10[1], fc10[2]))
            ]
            let table = PaperTable(
                source: "Szegedy et al. 2014, Table 1", columns: ["train error", "test error", "av. min. distortion"], percent: [true, true, false],
                rows: rows, comparable: comparable(pipeline))
            return ExperimentOutcome(inputs: inputs, tables: [table], findings: findings)
        })

    static let table2 = Experiment(
        id: "szegedy2014-table2", title: "Szegedy et al. 2014 Table 2: cross-model generalisation of adversarial examples",
        choices: training + lbfgs + [
            ProtocolChoice(
                "Gaussian noise", quick: "σ = 0.1 and σ = 0.3 per pixel, clipped to [0, 1], on the same images", why: "Table 2's last rows"),
            ProtocolChoice("error", quick: "share of the examples each model misclassifies (true label)", why: "Table 2"),
        ], seconds: (quick: 30, paper: 1500),
        run: { pipeline, budget in
            let specs = table1Models(budget, epochs: try pipeline.epochs(budget, quick: 5, paper: 30))
            let models = try specs.map { try pipeline.model($0.1) }
            let limit = budget.pick(200, 1000)
            var sets = try models.enumerated().map { index, model in
                try pipeline.attack(BoxLBFGS(), model: model, limit: limit, to: "lbfgs-\(index + 1).h5")
            }
            for sigma in [Float(0.1), 0.3] {
                sets.append(
                    try pipeline.attack(
                        NoiseControl(.standardDeviation(sigma)), model: models[0], limit: limit, to: String(format: "noise-%g.h5", sigma)))
            }
            let transferPath = try pipeline.transfer(attacks: sets, models: models, to: "transfer.h5")
            let matrix = try TransferFile.read(transferPath).report.matrix
            let rows = PublishedNumbers.table2.enumerated().map { index, paper in
                PaperTable.Row(
                    label: paper.row, paper: paper.error.map { $0 } + [paper.distortion],
                    ours: matrix.error[index].map { $0 } + [matrix.distortion[index]])
            }
            let findings = models.indices.map { m in
                ExperimentCheck(
                    "\(specs[m].0): its own adversarial examples fool it more than Gaussian noise of σ = 0.1",
                    passed: matrix.error[m][m] > matrix.error[6][m],
                    detail: String(format: "%.1f%% against %.1f%%", 100 * matrix.error[m][m], 100 * matrix.error[6][m]))
            }
            let table = PaperTable(
                source: "Szegedy et al. 2014, Table 2 (rows: made for; columns: fed to)", columns: specs.map(\.0) + ["distortion"],
                percent: specs.map { _ in true } + [false], rows: rows, comparable: comparable(pipeline))
            return ExperimentOutcome(inputs: models + sets + [transferPath], tables: [table], findings: findings)
        })

    static let tables34 = Experiment(
        id: "szegedy2014-tables34", title: "Szegedy et al. 2014 Tables 3–4: cross-training-set generalisation (P1, P2) and amplified examples",
        choices: training + lbfgs + [
            ProtocolChoice("P1, P2", quick: "the first and the second half of the training set", why: "§4.2: two disjoint halves of 30,000"),
            ProtocolChoice("weight decay", quick: "fc1, fc2 1e-5, fc3 1e-6, as Table 1", why: "Table 3 does not restate it"),
            ProtocolChoice("FC100-100-10'", quick: "fc100-100-10 on P2 with seed 2", why: "a second network of the same shape"),
            ProtocolChoice(
                "amplified", quick: "each perturbation rescaled to a per-pixel RMS of 0.1", why: "Table 4's \"magnified to have stddev 0.1\""),
            ProtocolChoice("Gaussian noise", quick: "σ = 0.06 and σ = 0.1, clipped to [0, 1]", why: "Table 4's noise rows"),
        ], seconds: (quick: 25, paper: 900),
        run: { pipeline, budget in
            let epochs = try pipeline.epochs(budget, quick: 5, paper: 30), decay = "fc1=1e-5,fc2=1e-5,fc3=1e-6"
            let specs = [
                ("FC100-100-10", ModelSpec("fc100-100-10", weightDecay: decay, epochs: epochs, trainSubset: "P1")),
                ("FC123-456-10", ModelSpec("fc123-456-10", weightDecay: decay, epochs: epochs, trainSubset: "P1")),
                ("FC100-100-10'", ModelSpec("fc100-100-10", weightDecay: decay, epochs: epochs, seed: 2, trainSubset: "P2")),
            ]
            let models = try specs.map { try pipeline.model($0.1) }
            let limit = budget.pick(200, 1000)
            let adversarial = try models.enumerated().map { index, model in
                try pipeline.attack(BoxLBFGS(), model: model, limit: limit, to: "lbfgs-\(index + 1).h5")
            }
            let noise = try [Float(0.06), 0.1].map { sigma in
                try pipeline.attack(NoiseControl(.standardDeviation(sigma)), model: models[0], limit: limit, to: String(format: "noise-%g.h5", sigma))
            }
            let plain = try pipeline.transfer(attacks: adversarial + [noise[0]], models: models, to: "transfer.h5")
            let amplified = try pipeline.transfer(attacks: adversarial, models: models, amplify: 0.1, to: "transfer-amplified.h5")
            let noiseAt01 = try pipeline.transfer(attacks: [noise[1]], models: models, to: "transfer-noise-0.1.h5")
            let (p, a, n) = (
                try TransferFile.read(plain).report.matrix, try TransferFile.read(amplified).report.matrix,
                try TransferFile.read(noiseAt01).report.matrix
            )
            let p1 = try TrainingData.load(pipeline.dataset, subset: .P1, search: pipeline.search)
            let p2 = try TrainingData.load(pipeline.dataset, subset: .P2, search: pipeline.search)
            let paper3: [[Double]] = [[0, 0.024, 0.02, 0.062], [0, 0.025, 0.021, 0.059], [0.023, 0, 0.021, 0.058]]
            let rows3 = try models.enumerated().map { index, model in
                PaperTable.Row(
                    label: "\(specs[index].0) on \(specs[index].1.trainSubset)", paper: paper3[index].map { $0 },
                    ours: [
                        try error(model, p1.training), try error(model, p2.training), try error(model, p1.test),
                        try minimalDistortion(adversarial[index]),
                    ])
            }
            let paper4: [[Double]] = [
                [1, 0.262, 0.059], [0.0625, 1, 0.051], [0.082, 0.082, 1], [0.022, 0.026, 0.024], [1, 0.98, 0.43], [0.96, 1, 0.22], [0.27, 0.5, 1],
                [0.026, 0.028, 0.027],
            ]
            let ours4 = p.error + a.error + n.error
            let labels4 =
                specs.map { "distorted for \($0.0)" } + ["Gaussian noise σ = 0.06"]
                + specs.map { "distorted for \($0.0), amplified to 0.1" } + ["Gaussian noise σ = 0.1"]
            let rows4 = labels4.indices.map { i in PaperTable.Row(label: labels4[i], paper: paper4[i].map { $0 }, ours: ours4[i].map { $0 }) }
            let crossPlain = (0..<3).flatMap { r in (0..<3).filter { $0 != r }.map { p.error[r][$0] } }
            let crossAmplified = (0..<3).flatMap { r in (0..<3).filter { $0 != r }.map { a.error[r][$0] } }
            let findings = [
                ExperimentCheck(
                    "amplified to RMS 0.1, adversarial examples transfer to the other models more than as made",
                    passed: mean(crossAmplified.map(Float.init)) > mean(crossPlain.map(Float.init)),
                    detail: String(
                        format: "mean cross-model error %.1f%% amplified, %.1f%% as made", 100 * mean(crossAmplified.map(Float.init)),
                        100 * mean(crossPlain.map(Float.init)))),
                ExperimentCheck(
                    "Gaussian noise of σ = 0.1 fools every model less than its own adversarial examples",
                    passed: (0..<3).allSatisfy { n.error[0][$0] < p.error[$0][$0] },
                    detail: (0..<3).map { String(format: "%@: noise %.1f%%, own %.1f%%", specs[$0].0, 100 * n.error[0][$0], 100 * p.error[$0][$0]) }
                        .joined(separator: "; ")),
            ]
            let table3 = PaperTable(
                source: "Szegedy et al. 2014, Table 3", columns: ["error on P1", "error on P2", "error on test", "min. av. distortion"],
                percent: [true, true, true, false], rows: rows3, comparable: comparable(pipeline))
            let table4 = PaperTable(
                source: "Szegedy et al. 2014, Table 4 (rows: made for; columns: fed to)", columns: specs.map(\.0), percent: [true, true, true],
                rows: rows4, comparable: comparable(pipeline))
            return ExperimentOutcome(
                inputs: models + adversarial + noise + [plain, amplified, noiseAt01], tables: [table3, table4], findings: findings)
        })

    static let table5 = Experiment(
        id: "szegedy2014-table5", title: "Szegedy et al. 2014 Table 5: upper Lipschitz bounds per layer",
        choices: training + [
            ProtocolChoice(
                "network", quick: "conv-small (8, 16 maps, fc 128) and fc100-100-10",
                paper: "conv (Madry et al.'s 32, 64 maps, fc 1024) and fc100-100-10",
                why: "AlexNet's weights are not available; the bounds of our networks in its shape"),
            ProtocolChoice("epochs of the conv net", quick: "1", paper: "10", why: "bounds need a trained network, not a good one"),
            ProtocolChoice(
                "bounds",
                quick: "dense: largest singular value (LAPACK); conv: sup over frequencies of the kernels' DFT matrix; ReLU, max-pool 1; sigmoid 1/4",
                why: "§4.3, as the paper computes them"),
        ], seconds: (quick: 30, paper: 900),
        run: { pipeline, budget in
            let conv = try pipeline.model(ModelSpec(budget.pick("conv-small", "conv"), epochs: budget.pick(1, 10)))
            let fc = try pipeline.model(ModelSpec("fc100-100-10", epochs: try pipeline.epochs(budget, quick: 5, paper: 30)))
            let bounds = try [(conv, "conv"), (fc, "fc100-100-10")].map { try pipeline.lipschitz(model: $0.0, to: "\($0.1).lipschitz.h5") }
            var rows = PublishedNumbers.table5.map { PaperTable.Row(label: "AlexNet \($0.layer) (\($0.size))", paper: [$0.bound], ours: [nil]) }
            for path in bounds {
                let report = try LipschitzFile.read(path)
                rows += report.layers.filter { $0.kind == .dense || $0.kind == .conv2d }.map {
                    PaperTable.Row(label: "\(report.architecture) \($0.layer)", paper: [nil], ours: [$0.bound])
                }
                rows.append(PaperTable.Row(label: "\(report.architecture), product of every layer", paper: [nil], ours: [report.product]))
            }
            let table = PaperTable(
                source: "Szegedy et al. 2014, Table 5 (AlexNet's rows for shape)", columns: ["upper bound"], percent: [false], rows: rows,
                comparable: comparable(pipeline))
            return ExperimentOutcome(inputs: [conv, fc] + bounds, tables: [table], findings: [])
        })

    // MARK: Goodfellow et al. 2015

    static let fgsm = Experiment(
        id: "goodfellow2015-fgsm", title: "Goodfellow et al. 2015 §4: FGSM on softmax regression and a maxout network",
        choices: [
            ProtocolChoice(
                "softmax regression", quick: "fc10, λ = 0, Adam, 5 epochs", paper: "fc10, λ = 0, Adam, 30 epochs",
                why: "§4's shallow softmax; its training is not given"),
            ProtocolChoice(
                "maxout network", quick: "maxout240-240-10 (5 pieces, dropout 0.8 input / 0.5 hidden), Adam, 5 epochs", paper: "the same, 30 epochs",
                why: "§5's MNIST maxout, dropout as Goodfellow et al. 2013"),
            ProtocolChoice("radii ε", quick: "0.05, 0.1, 0.15, 0.2, 0.25, 0.3", why: "the paper reports ε = 0.25; the curve shows its neighbours"),
            ProtocolChoice("examples attacked", quick: "the first 2,000 test images", paper: "the whole test set", why: "§4 attacks the test set"),
            ProtocolChoice("noise control", quick: "Gaussian noise of each example's L2 size, per ε", why: "what sign noise of the same size does"),
            ProtocolChoice(
                "confidence", quick: "mean softmax probability of the predicted class over every example", why: "§4 \"average confidence\""),
        ], seconds: (quick: 60, paper: 900),
        run: { pipeline, budget in
            let epochs = try pipeline.epochs(budget, quick: 5, paper: 30), limit = budget.pick(2000, nil as Int?)
            let specs = [("shallow softmax", ModelSpec("fc10", epochs: epochs)), ("maxout network", ModelSpec("maxout240-240-10", epochs: epochs))]
            var inputs: [String] = [], rows: [PaperTable.Row] = [], findings: [ExperimentCheck] = []
            let sweep = try EpsilonSweep(epsilons: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3])
            for (index, (name, spec)) in specs.enumerated() {
                let model = try pipeline.model(spec)
                let attack = try pipeline.attack(sweep, model: model, limit: limit, to: "fgsm-\(spec.architecture).h5")
                let noise = try pipeline.attack(
                    NoiseControl(.matching(AttackFile.read(attack))), model: model, limit: limit, to: "noise-\(spec.architecture).h5")
                let (a, n) = (try AttackFile.read(attack), try AttackFile.read(noise))
                func error(_ c: AttackFile.Contents, _ run: Int) -> Double {
                    Double(zip(c.predictedAdversarial[run], c.labels).filter { $0 != $1 }.count) / Double(max(c.labels.count, 1))
                }
                let at = a.epsilons.firstIndex { abs($0 - 0.25) < 1e-6 }!
                let paper = PublishedNumbers.fgsm[index]
                let clean = Double(zip(a.predictedClean, a.labels).filter { $0 != $1 }.count) / Double(max(a.labels.count, 1))
                rows.append(
                    PaperTable.Row(
                        label: name, paper: [paper.error, paper.meanConfidence, nil], ours: [error(a, at), mean(a.confidence[at]), error(n, at)]))
                findings.append(
                    ExperimentCheck(
                        "\(name): FGSM at ε = 0.25 raises the error above the clean error", passed: error(a, at) > clean,
                        detail: String(format: "%.1f%% against %.1f%% clean", 100 * error(a, at), 100 * clean)))
                findings.append(
                    ExperimentCheck(
                        "\(name): at every ε, FGSM fools more than Gaussian noise of the same size",
                        passed: a.epsilons.indices.allSatisfy { error(a, $0) > error(n, $0) },
                        detail: a.epsilons.indices.map {
                            String(format: "ε %g: %.1f%% vs %.1f%%", a.epsilons[$0], 100 * error(a, $0), 100 * error(n, $0))
                        }.joined(separator: "; ")))
                inputs += [model, attack, noise]
            }
            let table = PaperTable(
                source: "Goodfellow et al. 2015, §4 (ε = 0.25)", columns: ["error", "mean confidence", "error under noise of the same size"],
                percent: [true, false, true],
                rows: rows, comparable: comparable(pipeline))
            return ExperimentOutcome(inputs: inputs, tables: [table], findings: findings)
        })

    static let advtrain = Experiment(
        id: "goodfellow2015-advtrain", title: "Goodfellow et al. 2015 §6: adversarial training of a maxout network",
        choices: [
            ProtocolChoice(
                "network", quick: "maxout240-240-10 (dropout), Adam, 5 epochs", paper: "the same, 30 epochs",
                why: "§6 trains the maxout network of §5 (1600 units in its final run)"),
            ProtocolChoice("objective", quick: "J̃ = αJ(x) + (1 − α)J(x + ε sign ∇ₓJ), α = 0.5, ε = 0.25", why: "§6, eq. 6"),
            ProtocolChoice("examples attacked", quick: "the first 2,000 test images", paper: "the whole test set", why: "§6 reports test error"),
            ProtocolChoice("transfer", quick: "each model's FGSM examples (ε = 0.25) fed to the other", why: "§6's 19.6% and 40.9%"),
        ], seconds: (quick: 120, paper: 2400),
        run: { pipeline, budget in
            let epochs = try pipeline.epochs(budget, quick: 5, paper: 30), limit = budget.pick(2000, nil as Int?)
            let before = try pipeline.model(ModelSpec("maxout240-240-10", epochs: epochs))
            let after = try pipeline.model(ModelSpec("maxout240-240-10", epochs: epochs, adversarialEpsilon: 0.25, adversarialAlpha: 0.5))
            let sweep = try EpsilonSweep(epsilons: [0.25])
            let fgsmBefore = try pipeline.attack(sweep, model: before, limit: limit, to: "fgsm-before.h5")
            let fgsmAfter = try pipeline.attack(sweep, model: after, limit: limit, to: "fgsm-after.h5")
            let transfer = try pipeline.transfer(attacks: [fgsmBefore, fgsmAfter], models: [before, after], to: "transfer.h5")
            let m = try TransferFile.read(transfer).report.matrix
            let (_, b) = try ModelFile.load(before), (_, a) = try ModelFile.load(after)
            let rows = [
                PaperTable.Row(label: "test error", paper: [0.0094, 0.0084], ours: [b.testError, a.testError]),
                PaperTable.Row(label: "error on its own FGSM examples (ε = 0.25)", paper: [0.894, 0.179], ours: [m.error[0][0], m.error[1][1]]),
                PaperTable.Row(label: "error on the other model's FGSM examples", paper: [0.409, 0.196], ours: [m.error[1][0], m.error[0][1]]),
            ]
            let findings = [
                ExperimentCheck(
                    "adversarial training lowers the error on the model's own FGSM examples", passed: m.error[1][1] < m.error[0][0],
                    detail: String(format: "%.1f%% after, %.1f%% before", 100 * m.error[1][1], 100 * m.error[0][0]))
            ]
            let table = PaperTable(
                source: "Goodfellow et al. 2015, §6 (maxout on MNIST)", columns: ["before", "after adversarial training"], percent: [true, true],
                rows: rows,
                comparable: comparable(pipeline))
            return ExperimentOutcome(inputs: [before, after, fgsmBefore, fgsmAfter, transfer], tables: [table], findings: findings)
        })

    // MARK: Bau et al. 2017

    static let rotation = Experiment(
        id: "bau2017-rotation", title: "Bau et al. 2017 §3.2: detectors in the natural basis against randomly rotated bases (an analogue)",
        choices: training + [
            ProtocolChoice(
                "network", quick: "fc100-100-10 (sigmoid)", paper: "fc100-100-10 and conv-small",
                why: "Bau et al. use AlexNet conv5 on Places205; ours is an analogue"),
            ProtocolChoice(
                "detector", quick: "top-k label purity ≥ 0.8",
                why: "Bau et al.: IoU > 0.04 with a segmented concept; our data sets have labels, not masks"),
            ProtocolChoice(
                "rotations", quick: "10 Haar-random orthogonal matrices (QR with the sign fix)", paper: "50",
                why: "Bau et al. rotate by a uniform random Q ∈ SO(256)"),
        ], seconds: (quick: 10, paper: 900),
        run: { pipeline, budget in
            let (inputs, layers) = try unitsOfNetworks(pipeline, budget, rotations: budget.pick(10, 50))
            var rows = [PaperTable.Row(label: "Bau et al.: AlexNet conv5 (Places205)", paper: [nil, nil, -0.8], ours: [nil, nil, nil])]
            for (name, layer) in layers {
                guard let d = layer.detectors else { continue }
                let change = d.natural > 0 ? d.rotatedMean / Double(d.natural) - 1 : nil
                rows.append(
                    PaperTable.Row(label: "\(name) \(layer.layer)", paper: [nil, nil, nil], ours: [Double(d.natural), d.rotatedMean, change]))
            }
            let table = PaperTable(
                source: "Bau et al. 2017, §3.2: detectors, natural basis against rotated",
                columns: ["detectors, natural basis", "detectors, rotated (mean)", "change when rotated"],
                percent: [false, false, true], rows: rows, comparable: false)
            return ExperimentOutcome(inputs: inputs, tables: [table], findings: [])
        })
}
