import Engine
import XCTest
@testable import Activations
import Files

/// The `all` split and the way back from recorded rows to images, checked against each split loaded alone.
final class RecordedImagesTests: XCTestCase {
    private let search = DataSearchPaths(dataDirectory: Fixtures.tinyDirectory)

    private func split(_ split: DatasetSplit) throws -> LabeledImages {
        try DatasetRegistry.standard.load("fashion-mnist-tiny", split: split, search: search)
    }

    private func pixels(_ set: LabeledImages, _ row: Int) -> ArraySlice<UInt8> {
        let size = set.height * set.width
        return set.pixels[(row * size)..<((row + 1) * size)]
    }

    func testAllIsTheTrainingSplitFollowedByTheTestSplit() throws {
        let all = try RecordedImages.load("fashion-mnist-tiny", split: .all, search: search)
        let train = try split(.train), test = try split(.test)
        XCTAssertEqual(all.images.count, train.count + test.count)
        XCTAssertEqual(all.images.labels, train.labels + test.labels)
        XCTAssertEqual(all.images.pixels, train.pixels + test.pixels)
        let one = try RecordedImages.load("fashion-mnist-tiny", split: .train, search: search)
        let other = try RecordedImages.load("fashion-mnist-tiny", split: .test, search: search)
        XCTAssertEqual(all.datasetSHA256, one.datasetSHA256 + "+" + other.datasetSHA256)
    }

    func testRowsOfAllMapToTheirImagesInEitherSplit() throws {
        let train = try split(.train), test = try split(.test)
        let rows = [0, train.count - 1, train.count, train.count + test.count - 1]
        let pixels = try RecordedImages.pixels(ofRows: rows, split: .all, dataset: "fashion-mnist-tiny", search: search).pixels
        let expected = Array(self.pixels(train, 0) + self.pixels(train, train.count - 1) + self.pixels(test, 0) + self.pixels(test, test.count - 1))
        XCTAssertEqual(pixels, expected)
    }

    func testRowsOfTheTestSplitAreTestImages() throws {
        let test = try split(.test)
        XCTAssertEqual(
            try RecordedImages.pixels(ofRows: [5, 2], split: .test, dataset: "fashion-mnist-tiny", search: search).pixels,
            Array(pixels(test, 5) + pixels(test, 2)))
    }

    func testARowOutsideTheSplitIsRefused() throws {
        let test = try split(.test)
        XCTAssertThrowsError(try RecordedImages.pixels(ofRows: [test.count], split: .test, dataset: "fashion-mnist-tiny", search: search)) { error in
            XCTAssertTrue("\(error)".contains("row \(test.count) is outside the test split"), "\(error)")
        }
    }
}
