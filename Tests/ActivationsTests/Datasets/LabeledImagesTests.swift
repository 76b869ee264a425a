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
            XCTAssertEqual("\(error)", "m.h5 takes inputs of shape [1, 8, 8]; fashion-mnist-tiny images are 28x28")
        }
    }
}
