import XCTest
@testable import Engine

/// Training: optimisers reduce the loss, a seed fixes the run, settings are checked.
final class TrainingTests: XCTestCase {
    /// Three well-separated Gaussian clusters in 8 dimensions.
    private func clusters(count: Int, seed: UInt64) -> (Tensor, [Int]) {
        var g = SeededGenerator(seed: seed)
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 3
            labels.append(label)
            for d in 0..<8 { values.append((d % 3 == label ? 2 : 0) + 0.5 * g.nextGaussian()) }
        }
        return (Tensor(shape: [count, 8], scalars: values), labels)
    }

    private func train(_ spec: String, optimizer: OptimizerKind, seed: UInt64 = 1, epochs: Int = 3) throws -> (Sequential, [EpochSummary]) {
        var configuration = TrainingConfiguration()
        configuration.optimizer = optimizer
        configuration.epochs = epochs
        configuration.batchSize = 16
        configuration.seed = seed
        var generator = SeededGenerator(seed: seed)
        let model = try Architecture(spec).build(inputShape: [8], generator: &generator)
        let (x, y) = clusters(count: 300, seed: 5)
        let summaries = try Trainer(configuration: configuration).train(model, images: x, labels: y, generator: &generator)
        return (model, summaries)
    }

    func testSGDWithMomentumLearnsSeparableClusters() throws {
        let (model, summaries) = try train("fc16-3", optimizer: .sgd)
        XCTAssertLessThan(summaries.last!.loss, summaries.first!.loss)
        let (x, y) = clusters(count: 150, seed: 6)
        XCTAssertGreaterThan(Trainer.evaluate(model, images: x, labels: y).accuracy, 0.95)
    }

    func testAdamLearnsSeparableClusters() throws {
        let (model, _) = try train("fc16-3", optimizer: .adam, epochs: 5)
        let (x, y) = clusters(count: 150, seed: 6)
        XCTAssertGreaterThan(Trainer.evaluate(model, images: x, labels: y).accuracy, 0.95)
    }

    func testSameSeedGivesBitIdenticalWeights() throws {
        let (a, _) = try train("maxout8-4-3", optimizer: .adam, seed: 7)
        let (b, _) = try train("maxout8-4-3", optimizer: .adam, seed: 7)
        XCTAssertEqual(a.namedParameters.map(\.parameter.value), b.namedParameters.map(\.parameter.value))
    }

    func testDifferentSeedsGiveDifferentWeights() throws {
        let (a, _) = try train("fc16-3", optimizer: .adam, seed: 7)
        let (b, _) = try train("fc16-3", optimizer: .adam, seed: 8)
        XCTAssertNotEqual(a.namedParameters.map(\.parameter.value), b.namedParameters.map(\.parameter.value))
    }

    func testWeightDecayShrinksWeights() throws {
        func norm(_ decay: Float) throws -> Float {
            var configuration = TrainingConfiguration()
            configuration.weightDecay = WeightDecay(base: decay)
            configuration.optimizer = .sgd
            configuration.epochs = 10
            configuration.batchSize = 16
            var generator = SeededGenerator(seed: 1)
            let model = try Architecture("fc10").build(inputShape: [8], generator: &generator)
            let (x, y) = clusters(count: 300, seed: 5)
            _ = try Trainer(configuration: configuration).train(model, images: x, labels: y, generator: &generator)
            return (model.layers[0] as! Dense).weight.value.scalars.reduce(0) { $0 + $1 * $1 }
        }
        XCTAssertLessThan(try norm(0.1), 0.5 * (try norm(0)))
    }

    func testAWeightDecayNamingNoLayerWithWeightsIsRefusedBeforeTraining() throws {
        var generator = SeededGenerator(seed: 1)
        let model = try Architecture("fc16-3", activation: .relu).build(inputShape: [8], generator: &generator)
        let before = model.layers.flatMap(\.parameters).map(\.value.scalars)
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        let (x, y) = clusters(count: 30, seed: 2)
        for text in ["fc9=1e-3", "relu1=1e-3"] {
            configuration.weightDecay = try WeightDecay(parsing: text)
            XCTAssertThrowsError(try Trainer(configuration: configuration).train(model, images: x, labels: y, generator: &generator), text) {
                XCTAssertEqual(($0 as? SettingProblem)?.setting, "weight decay")
            }
        }
        XCTAssertEqual(model.layers.flatMap(\.parameters).map(\.value.scalars), before, "nothing was trained")
        configuration.weightDecay = try WeightDecay(parsing: "fc1=1e-3,fc2=1e-4")
        XCTAssertNoThrow(try Trainer(configuration: configuration).train(model, images: x, labels: y, generator: &generator))
    }

    func testPerLayerWeightDecayParses() throws {
        let decay = try WeightDecay(parsing: "1e-5,fc1=0.001")
        XCTAssertEqual(decay.coefficient(for: "fc1"), 0.001)
        XCTAssertEqual(decay.coefficient(for: "fc2"), 1e-5)
        XCTAssertThrowsError(try WeightDecay(parsing: "fc1=-1"))
        XCTAssertThrowsError(try WeightDecay(parsing: "lots"))
    }

    func testAutoencoderPretrainingReducesReconstructionErrorAndFreezesTheCode() throws {
        var configuration = TrainingConfiguration()
        configuration.pretrainEpochs = 4
        configuration.batchSize = 16
        var generator = SeededGenerator(seed: 1)
        let architecture = try Architecture("ae6-3")
        let model = try architecture.build(inputShape: [8], generator: &generator)
        let decoder = try architecture.decoder(inputShape: [8], generator: &generator)!
        let (x, _) = clusters(count: 300, seed: 5)
        let summaries = try Trainer(configuration: configuration).pretrainAutoencoder(model, decoder: decoder, images: x, generator: &generator)
        XCTAssertLessThan(summaries.last!.loss, summaries.first!.loss)
        XCTAssertEqual(model.layers.map { $0.parameters.allSatisfy(\.trainable) }, [false, true, true])
    }

    func testDivergenceIsReportedWithAHint() throws {
        var configuration = TrainingConfiguration()
        configuration.optimizer = .sgd
        configuration.learningRate = Float.greatestFiniteMagnitude
        var generator = SeededGenerator(seed: 1)
        let model = try Architecture("fc16-3").build(inputShape: [8], generator: &generator)
        let (x, y) = clusters(count: 64, seed: 5)
        XCTAssertThrowsError(try Trainer(configuration: configuration).train(model, images: x, labels: y, generator: &generator)) { error in
            XCTAssertTrue("\(error)".contains("lower the learning rate"), "\(error)")
        }
    }

    func testSubsetsP1AndP2AreDisjointHalves() {
        XCTAssertEqual(TrainingSubset.P1.indices(count: 60_000), 0..<30_000)
        XCTAssertEqual(TrainingSubset.P2.indices(count: 60_000), 30_000..<60_000)
        XCTAssertEqual(TrainingSubset.all.indices(count: 10), 0..<10)
    }
    func testTrainingGradientsOfAConvNetInSharesEqualThoseOfTheWholeBatch() throws {
        var g = SeededGenerator(seed: 9)
        let model = try Sequential(
            inputShape: [1, 12, 12],
            layers: [
                Conv2D(name: "conv", inChannels: 1, outChannels: 3, kernel: 5, padding: 2), ReLU(name: "relu"),
                MaxPool2D(name: "pool", size: 2), Flatten(name: "flatten"), Dense(name: "fc", inputs: 3 * 6 * 6, outputs: 4),
            ])
        Initializer.initialize(model, generator: &g)
        try assertSharedGradientsEqualTheWholeBatch(model, classes: 4, generator: &g)
    }

    func testTrainingGradientsOfADenseNetInSharesEqualThoseOfTheWholeBatch() throws {
        // fc1's weight gradient has 320 x 144 values: over `minimumParallelValues`, so the shares'
        // gradients are summed by both cores too.
        var g = SeededGenerator(seed: 11)
        let model = try Architecture("fc320-5", activation: .relu).build(inputShape: [1, 12, 12], generator: &g)
        XCTAssertGreaterThanOrEqual(320 * 144, ExampleParallel.minimumParallelValues)
        try assertSharedGradientsEqualTheWholeBatch(model, classes: 5, generator: &g)
    }

    /// `trainingGradients` of a batch split into shares against one forward and backward pass over
    /// the whole batch.
    private func assertSharedGradientsEqualTheWholeBatch(
        _ model: Sequential, classes: Int, generator g: inout SeededGenerator, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let batch = 40  // five shares' worth on any machine: split over every core there is
        XCTAssertGreaterThan(Cores.shares(of: batch), Cores.count > 1 ? 1 : 0, file: file, line: line)
        let x = randomTensor([batch] + model.inputShape, seed: 10, low: 0, high: 1)
        let labels = (0..<batch).map { $0 % classes }
        let (loss, shares) = model.trainingGradients(x, labels: labels, generator: &g)
        let trace = model.forward(x, mode: .training, generator: &g)
        let wholeLoss = SoftmaxCrossEntropy.evaluate(logits: trace.output, labels: labels)
        let whole = model.backward(trace, outputGradient: wholeLoss.gradient, needsInputGradient: false).parameters
        // The shares sum the examples' contributions in another order and their products have other
        // shapes: equal to float32 rounding of sums of a few hundred terms, far below 1e-5 of each scale.
        for (l, layer) in whole.enumerated() {
            for (p, expected) in layer.enumerated() {
                let scale = expected.scalars.map(abs).max()!
                XCTAssertGreaterThan(scale, 0, file: file, line: line)
                let difference = zip(shares[l][p].scalars, expected.scalars).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(difference, 1e-5 * scale, "layer \(l) parameter \(p)", file: file, line: line)
            }
        }
        XCTAssertEqual(loss.losses.count, batch, file: file, line: line)
        for (a, b) in zip(loss.losses, wholeLoss.losses) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, b), file: file, line: line) }
        XCTAssertEqual(loss.probabilities.shape, [batch, classes], file: file, line: line)
    }

    func testSGDUpdatesEveryValueByItsFormulaInOneOrMoreParts() throws {
        // 40,003 values: over `minimumParallelValues` (split over the cores) and not a multiple of the
        // eight lanes; the same operations in the same order on each value, so exactly the same bits.
        let count = 40_003
        XCTAssertGreaterThanOrEqual(count, ExampleParallel.minimumParallelValues)
        let start = randomTensor([count], seed: 12)
        let parameter = Parameter(name: "weight", value: start, decays: true)
        let gradients = [randomTensor([count], seed: 13), randomTensor([count], seed: 14)]
        var sgd = SGD(learningRate: 0.05, momentum: 0.9)
        var velocity = [Float](repeating: 0, count: count), expected = start.scalars
        for gradient in gradients {
            sgd.update([parameter], gradients: [gradient])
            for j in 0..<count {
                velocity[j] = 0.9 * velocity[j] + gradient.scalars[j]
                expected[j] -= 0.05 * velocity[j]
            }
        }
        XCTAssertEqual(parameter.value.scalars, expected)
    }
}
