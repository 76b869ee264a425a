import Activations
import Foundation
import XCTest
import Files

/// The IDX reader and `LabeledImages`, on the tiny fixture and on damaged copies of it.
final class IDXFileTests: XCTestCase {
    private func loadTiny(
        _ dir: URL = Fixtures.tinyDirectory, split: DatasetSplit = .train, imageName: String? = nil,
        labelName: String? = nil
    ) throws -> LabeledImages {
        let images = imageName ?? (split == .train ? Fixtures.trainImages : Fixtures.testImages)
        let labels = labelName ?? (split == .train ? Fixtures.trainLabels : Fixtures.testLabels)
        return try LabeledImages.load(
            images: dir.appendingPathComponent(images), labels: dir.appendingPathComponent(labels),
            name: "fashion-mnist-tiny", split: split, classNames: Fixtures.fashionClasses)
    }

    func testRawAndGzipFixturesGiveTheSamePixelsAndLabels() throws {
        let dir = try makeTemporaryDirectory()
        try gunzipWithPython(Fixtures.url(Fixtures.trainImages), to: dir.appendingPathComponent("train-images-idx3-ubyte"))
        try gunzipWithPython(Fixtures.url(Fixtures.trainLabels), to: dir.appendingPathComponent("train-labels-idx1-ubyte"))

        let gz = try loadTiny()
        let raw = try loadTiny(dir, imageName: "train-images-idx3-ubyte", labelName: "train-labels-idx1-ubyte")

        XCTAssertEqual(gz.count, 512)
        XCTAssertEqual(raw.pixels, gz.pixels)
        XCTAssertEqual(raw.labels, gz.labels)
        XCTAssertEqual(raw.images, gz.images)
    }

    func testPixelsAreScaledToUnitRangeAndMatchBytesReadByPython() throws {
        let data = try loadTiny()
        // Image 1, row 10, column 12, and image 0's centre, read straight from the decompressed file by Python.
        let script = """
            import gzip, sys
            d = gzip.open(sys.argv[1]).read()
            print(d[16 + 1*784 + 10*28 + 12], d[16 + 0*784 + 14*28 + 14], max(d[16:]), min(d[16:]))
            """
        let values = try python(script, [Fixtures.url(Fixtures.trainImages).path]).split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(values.count, 4)

        XCTAssertEqual(data.images.shape, [512, 1, 28, 28])
        XCTAssertEqual(Int(data.pixels[1 * 784 + 10 * 28 + 12]), values[0])
        XCTAssertEqual(data.images.scalars[1 * 784 + 10 * 28 + 12], Float(values[0]) / 255)
        XCTAssertEqual(data.images.scalars[14 * 28 + 14], Float(values[1]) / 255)
        XCTAssertEqual(data.images.scalars.max(), Float(values[2]) / 255)
        XCTAssertEqual(data.images.scalars.min(), Float(values[3]) / 255)
        XCTAssertTrue(data.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testLabelsMatchBytesReadByPython() throws {
        let data = try loadTiny(split: .test)
        let printed = try python(
            "import gzip, sys; print(' '.join(str(b) for b in gzip.open(sys.argv[1]).read()[8:]))",
            [Fixtures.url(Fixtures.testLabels).path])
        XCTAssertEqual(data.labels, printed.split(separator: " ").compactMap { Int($0) })
        XCTAssertEqual(data.count, 256)
        XCTAssertEqual(data.classNames[data.labels[0]], Fixtures.fashionClasses[data.labels[0]])
    }

    func testWrongMagicIsRejected() throws {
        let dir = try makeTemporaryDirectory()
        var content = try decompressedFixture(Fixtures.trainLabels)
        content[3] = 0x02  // rank 2: uint8, but neither an images nor a labels file
        let url = dir.appendingPathComponent("bad-magic")
        try Data(content).write(to: url)

        let error = datasetError { try IDXFile.read(url) }
        guard case .notIDX(_, let magic, _)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(magic, 0x0000_0802)
        XCTAssertTrue(error!.description.contains("0x00000802"), error!.description)
        XCTAssertTrue(error!.description.contains(url.path), error!.description)
    }

    func testNonByteElementTypeIsRejectedByName() throws {
        let dir = try makeTemporaryDirectory()
        var content = try decompressedFixture(Fixtures.trainLabels)
        content[2] = 0x0D  // float32
        let url = dir.appendingPathComponent("floats")
        try Data(content).write(to: url)

        let error = datasetError { try IDXFile.read(url) }
        XCTAssertEqual(error, .unsupportedElementType(path: url.path, typeCode: 0x0D))
        XCTAssertTrue(error?.description.contains("float32") ?? false, String(describing: error))
    }

    func testTruncatedGzipContentReportsExpectedAndActualBytes() throws {
        let dir = try makeTemporaryDirectory()
        let content = try decompressedFixture(Fixtures.trainImages)
        let url = dir.appendingPathComponent(Fixtures.trainImages)
        try gzipWithPython(Array(content.prefix(1000)), to: url)

        let error = datasetError { try IDXFile.read(url, expected: .images, dataset: "fashion-mnist") }
        XCTAssertEqual(
            error?.description,
            "\(url.path) is truncated: expected 401424 bytes after decompression, found 1000; "
                + "delete it and run `probe data fetch fashion-mnist`")
    }

    func testOverlongRawFileIsRejected() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("t10k-labels-idx1-ubyte")
        try Data(try decompressedFixture(Fixtures.testLabels) + [1, 2, 3]).write(to: url)

        let error = datasetError { try IDXFile.read(url) }
        XCTAssertEqual(error, .wrongLength(path: url.path, expectedBytes: 264, actualBytes: 267, decompressed: false, dataset: nil))
        XCTAssertTrue(error?.description.contains("longer than its header says: expected 264 bytes, found 267") ?? false)
    }

    func testCutGzipStreamIsRejected() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent(Fixtures.testImages)
        let gz = try Data(contentsOf: Fixtures.url(Fixtures.testImages))
        try gz.prefix(gz.count / 2).write(to: url)

        let error = datasetError { try IDXFile.read(url) }
        guard case .corruptGzip(let path, _, _)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(path, url.path)
    }

    func testImagesAndLabelsOfDifferentCountsAreRejected() throws {
        let error = datasetError { try self.loadTiny(imageName: Fixtures.trainImages, labelName: Fixtures.testLabels) }
        XCTAssertEqual(
            error,
            .countMismatch(
                imagesPath: Fixtures.url(Fixtures.trainImages).path, images: 512,
                labelsPath: Fixtures.url(Fixtures.testLabels).path, labels: 256))
    }

    func testSwappedImagesAndLabelsAreRejected() throws {
        let error = datasetError { try self.loadTiny(imageName: Fixtures.trainLabels, labelName: Fixtures.trainImages) }
        guard case .unexpectedKind(_, .images, 0x0000_0801)? = error else { return XCTFail("got \(String(describing: error))") }
    }

    func testLabelOutsideTheClassesIsRejected() throws {
        // The first training label is 9 (Ankle boot): three classes cannot hold it.
        let error = datasetError {
            try LabeledImages.load(
                images: Fixtures.url(Fixtures.trainImages), labels: Fixtures.url(Fixtures.trainLabels),
                name: "three", split: .train, classNames: ["a", "b", "c"])
        }
        guard case .labelOutOfRange(_, 0, 9, 3)? = error else { return XCTFail("got \(String(describing: error))") }
    }

    func testSubsetTakesTheRowsInOrder() throws {
        let data = try loadTiny(split: .test)
        let picked = data.subset([5, 0, 5])

        XCTAssertEqual(picked.count, 3)
        XCTAssertEqual(picked.labels, [data.labels[5], data.labels[0], data.labels[5]])
        XCTAssertEqual(Array(picked.pixels[0..<784]), Array(data.pixels[(5 * 784)..<(6 * 784)]))
        XCTAssertEqual(picked.images, data.images.gathering(rows: [5, 0, 5]))
        XCTAssertEqual(picked.name, data.name)
        XCTAssertEqual(picked.split, .test)
    }

    func testConstructedSetChecksCounts() throws {
        let error = datasetError {
            try LabeledImages(
                name: "x", split: .train, pixels: [UInt8](repeating: 0, count: 3 * 4), height: 2, width: 2,
                labels: [0, 1], classNames: ["a", "b"])
        }
        guard case .countMismatch(_, 3, _, 2)? = error else { return XCTFail("got \(String(describing: error))") }
    }

    func testConcatenatedGzipMembersAreReadAsOneFile() throws {
        // `cat a.gz b.gz` (and pigz) produce several gzip members; gzip -d joins them, so must we.
        let dir = try makeTemporaryDirectory()
        let content = try decompressedFixture(Fixtures.testLabels)
        let first = dir.appendingPathComponent("first.gz")
        let second = dir.appendingPathComponent("second.gz")
        try gzipWithPython(Array(content.prefix(100)), to: first)
        try gzipWithPython(Array(content.dropFirst(100)), to: second)
        let joined = dir.appendingPathComponent(Fixtures.testLabels)
        try Data(try Data(contentsOf: first) + Data(contentsOf: second)).write(to: joined)

        let file = try IDXFile.read(joined, expected: .labels)
        XCTAssertEqual(file.elements, Array(content.dropFirst(8)))
        XCTAssertEqual(file.contentSHA256, Fixtures.contentSHA256[Fixtures.testLabels])
    }

    func testGarbageAfterTheGzipStreamIsRejected() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent(Fixtures.testLabels)
        try Data(try Data(contentsOf: Fixtures.url(Fixtures.testLabels)) + Data("junk".utf8)).write(to: url)

        let error = datasetError { try IDXFile.read(url) }
        guard case .corruptGzip(_, let reason, _)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(reason.contains("4 bytes of trailing data"), reason)
    }
}
