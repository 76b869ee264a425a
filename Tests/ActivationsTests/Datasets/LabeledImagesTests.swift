import Engine
import XCTest
@testable import Activations

/// A split in memory: its first N examples, and whether a model takes its images.
final class LabeledImagesTests: XCTestCase {
    private func tiny() throws -> LabeledImages {
        try DatasetRegistry.standard.load("fashion-mnist-tiny", split: .test, search: DataSearchPaths(dataDirectory: Fixtures.tinyDirectory))
    }

    func testAPrefixIsTheFirstExamplesOrAllOfThem() throws {
        let set = try tiny()
        let first = set.prefix(5)
        XCTAssertEqual(first.labels, Array(set.labels[0..<5]))
        XCTAssertEqual(first.pixels, Array(set.pixels[0..<(5 * 784)]))
        XCTAssertEqual(set.prefix(nil).count, set.count)
        XCTAssertEqual(set.prefix(set.count + 10).count, set.count)
    }

    func testImagesOfAnotherSizeThanTheModelTakesAreRefused() throws {
        var g = SeededGenerator(seed: 1)
        let takes = try Architecture("fc8-10").build(inputShape: [1, 28, 28], generator: &g)
        let other = try Architecture("fc8-10").build(inputShape: [1, 8, 8], generator: &g)
        let set = try tiny()
        XCTAssertNoThrow(try set.requireInputs(of: takes, named: "m.h5"))
        XCTAssertThrowsError(try set.requireInputs(of: other, named: "m.h5")) { error in
            XCTAssertEqual("\(error)", "m.h5 takes inputs of shape [1, 8, 8]; fashion-mnist-tiny images are 28x28 grey")
        }
    }
}

/// The data of a training run: the subset of the training split, its held-out end, and the test split.
final class TrainingDataTests: XCTestCase {
    private let search = DataSearchPaths(dataDirectory: Fixtures.tinyDirectory)

    func testTheHeldOutExamplesAreTheLastOfTheSubset() throws {
        let train = try DatasetRegistry.standard.load("fashion-mnist-tiny", split: .train, search: search)
        let data = try TrainingData.load("fashion-mnist-tiny", subset: .P2, validation: 10, search: search)
        let half = Array(TrainingSubset.P2.indices(count: train.count))
        XCTAssertEqual(data.training.labels, half.dropLast(10).map { train.labels[$0] })
        XCTAssertEqual(data.validation?.labels, half.suffix(10).map { train.labels[$0] })
        XCTAssertEqual(data.training.images.scalars, train.subset(Array(half.dropLast(10))).images.scalars)
        XCTAssertEqual(data.test.labels.count, try DatasetRegistry.standard.load("fashion-mnist-tiny", split: .test, search: search).count)
        XCTAssertEqual(data.inputShape, [1, 28, 28])
    }

    func testNoHeldOutExamplesMeansNoValidationSet() throws {
        XCTAssertNil(try TrainingData.load("fashion-mnist-tiny", search: search).validation)
    }

    func testHoldingOutTheWholeSubsetIsRefused() throws {
        let train = try DatasetRegistry.standard.load("fashion-mnist-tiny", split: .train, search: search)
        XCTAssertThrowsError(try TrainingData.load("fashion-mnist-tiny", subset: .P1, validation: train.count / 2, search: search)) { error in
            XCTAssertEqual((error as? SettingProblem)?.setting, "validation")
        }
    }
}
