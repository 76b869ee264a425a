import XCTest
@testable import Engine

/// Every layer's backward rule agrees with central finite differences of its forward rule.
final class LayerGradientTests: XCTestCase {
    private func initialized<L: Layer>(_ layer: L, seed: UInt64 = 3) -> L {
        for (i, p) in layer.parameters.enumerated() { p.value = randomTensor(p.value.shape, seed: seed + UInt64(i), low: -0.5, high: 0.5) }
        return layer
    }

    func testDenseGradientsMatchFiniteDifferences() {
        checkGradient(of: initialized(Dense(name: "fc", inputs: 7, outputs: 5)), at: randomTensor([3, 7], seed: 1))
    }

    func testDenseGradientsWithEightLanesAndATailOfOutputsMatchFiniteDifferences() {
        // 11 outputs: the bias gradient sums each row eight lanes at a time, then the last three.
        checkGradient(of: initialized(Dense(name: "fc", inputs: 4, outputs: 11)), at: randomTensor([3, 4], seed: 2))
    }

    func testDenseAcceptsImageShapedInput() {
        let dense = initialized(Dense(name: "fc", inputs: 12, outputs: 2))
        var g = SeededGenerator(seed: 0)
        let image = randomTensor([2, 1, 3, 4], seed: 4)
        XCTAssertEqual(
            dense.forward(image, mode: .inference, generator: &g).output,
            dense.forward(image.reshaped([2, 12]), mode: .inference, generator: &g).output)
    }

    func testConv2DGradientsMatchFiniteDifferences() {
        checkGradient(of: initialized(Conv2D(name: "conv", inChannels: 2, outChannels: 3, kernel: 3)), at: randomTensor([2, 2, 5, 6], seed: 1))
    }

    func testConv2DWithStrideAndPaddingGradientsMatchFiniteDifferences() {
        checkGradient(
            of: initialized(Conv2D(name: "conv", inChannels: 2, outChannels: 2, kernel: 3, stride: 2, padding: 1)),
            at: randomTensor([2, 2, 7, 6], seed: 2))
    }

    func testConv2DOnABatchSplitOverTheCoresMatchesFiniteDifferences() {
        // 17 examples are split into uneven shares, each with its own weight-gradient accumulator.
        checkGradient(
            of: initialized(Conv2D(name: "conv", inChannels: 2, outChannels: 3, kernel: 3, padding: 1)), at: randomTensor([17, 2, 5, 5], seed: 3))
    }

    func testConv2DWithSamePaddingGradientsMatchFiniteDifferences() {
        // The papers' 5x5 "same" convolution, on a non-square image: every kernel column shifts the rows by −2…2.
        checkGradient(
            of: initialized(Conv2D(name: "conv", inChannels: 2, outChannels: 3, kernel: 5, padding: 2)), at: randomTensor([3, 2, 6, 7], seed: 4))
    }

    func testConv2DWithSamePaddingOnAnImageNarrowerThanTheKernelMatchesFiniteDifferences() {
        // A 3-wide image under a 5x5 kernel: the shifted runs reach past both ends of every row and of the plane.
        let same = initialized(Conv2D(name: "conv", inChannels: 1, outChannels: 2, kernel: 5, padding: 2))
        checkGradient(of: same, at: randomTensor([2, 1, 4, 3], seed: 6))
    }

    func testMaxPoolGradientMatchesFiniteDifferences() {
        checkGradient(of: MaxPool2D(name: "pool", size: 2), at: randomTensor([2, 3, 6, 4], seed: 5), step: 1e-3)
    }

    func testMaxPoolWithOverlappingWindowsGradientMatchesFiniteDifferences() {
        checkGradient(of: MaxPool2D(name: "pool", size: 3, stride: 2), at: randomTensor([2, 2, 7, 5], seed: 7), step: 1e-3)
    }

    func testMaxPoolTiesGoToTheFirstPositionInRowMajorOrder() {
        var g = SeededGenerator(seed: 0)
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 1, 0, 5, 1, 1, 5, 5])
        let pool = MaxPool2D(name: "pool", size: 2)
        let cache = pool.forward(x, mode: .inference, generator: &g)
        XCTAssertEqual(cache.output.scalars, [1, 5])
        let gx = pool.backward(Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]), cache: cache, needsInputGradient: true).input!
        XCTAssertEqual(gx.scalars, [1, 0, 0, 2, 0, 0, 0, 0])
    }

    func testAvgPoolGradientMatchesFiniteDifferences() {
        checkGradient(of: AvgPool2D(name: "pool", size: 2), at: randomTensor([2, 3, 6, 4], seed: 5))
    }

    func testAvgPoolWithOverlappingWindowsGradientMatchesFiniteDifferences() {
        checkGradient(of: AvgPool2D(name: "pool", size: 3, stride: 2), at: randomTensor([2, 2, 7, 5], seed: 6))
    }

    func testAvgPoolOutputIsTheMeanOfEachWindow() {
        var g = SeededGenerator(seed: 0)
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 9])
        XCTAssertEqual(AvgPool2D(name: "pool", size: 2).forward(x, mode: .inference, generator: &g).output.scalars, [3.5, 5.75])
    }

    func testNormalizeGradientsMatchFiniteDifferences() {
        let normalize = Normalize(name: "normalize", mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3])
        checkGradient(of: normalize, at: randomTensor([2, 3, 4, 3], seed: 8, low: 0, high: 1))
    }

    func testNormalizeSubtractsTheChannelMeanAndDividesByItsStd() {
        var g = SeededGenerator(seed: 0)
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [0.5, 1, 0.25, 0])
        let y = Normalize(name: "n", mean: [0.5, 0.25], std: [0.5, 0.25]).forward(x, mode: .inference, generator: &g).output
        XCTAssertEqual(y.scalars, [0, 1, 0, -1])
    }

    func testNormalizeNeverTrainsItsMeanAndStd() {
        XCTAssertTrue(Normalize(name: "n", channels: 3).parameters.allSatisfy { !$0.trainable && !$0.decays })
    }

    func testReLUGradientMatchesFiniteDifferences() {
        checkGradient(of: ReLU(name: "relu"), at: randomTensor([4, 9], seed: 6), step: 1e-3)
    }

    func testReLUSubgradientAtTheKinkIsZeroAndOneAroundIt() {
        let relu = ReLU(name: "relu")
        var g = SeededGenerator(seed: 0)
        let x = Tensor(shape: [1, 3], scalars: [-1, 0, 1])
        let cache = relu.forward(x, mode: .inference, generator: &g)
        XCTAssertEqual(cache.output.scalars, [0, 0, 1])
        XCTAssertEqual(relu.backward(Tensor(shape: [1, 3], scalars: [5, 5, 5]), cache: cache, needsInputGradient: true).input!.scalars, [0, 0, 5])
    }

    func testSigmoidGradientMatchesFiniteDifferences() {
        checkGradient(of: Sigmoid(name: "sigmoid"), at: randomTensor([4, 9], seed: 7, low: -4, high: 4))
    }

    func testTanhGradientMatchesFiniteDifferences() {
        checkGradient(of: Tanh(name: "tanh"), at: randomTensor([4, 9], seed: 8, low: -2, high: 2))
    }

    func testMaxoutGradientMatchesFiniteDifferences() {
        checkGradient(of: Maxout(name: "maxout", pieces: 3), at: randomTensor([3, 12], seed: 9), step: 1e-3)
    }

    func testFlattenGradientMatchesFiniteDifferences() {
        checkGradient(of: Flatten(name: "flatten"), at: randomTensor([2, 2, 3, 3], seed: 10))
    }

    func testDropoutIsTheIdentityInInference() {
        let dropout = Dropout(name: "dropout", rate: 0.5)
        var g = SeededGenerator(seed: 0)
        let x = randomTensor([3, 20], seed: 11)
        XCTAssertEqual(dropout.forward(x, mode: .inference, generator: &g).output, x)
    }

    func testDropoutInTrainingZeroesAboutRateAndScalesSurvivorsAndItsGradientUsesTheSameMask() {
        let dropout = Dropout(name: "dropout", rate: 0.25)
        var g = SeededGenerator(seed: 1)
        let x = Tensor(repeating: 2, shape: [100, 100])
        let cache = dropout.forward(x, mode: .training, generator: &g)
        let zeros = cache.output.scalars.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 10_000, 0.25, accuracy: 0.02)
        XCTAssertTrue(cache.output.scalars.allSatisfy { $0 == 0 || abs($0 - 2 / 0.75) < 1e-6 })
        let gradient = dropout.backward(Tensor(repeating: 1, shape: [100, 100]), cache: cache, needsInputGradient: true).input!
        XCTAssertEqual(gradient.scalars.map { $0 == 0 }, cache.output.scalars.map { $0 == 0 })
    }
}
