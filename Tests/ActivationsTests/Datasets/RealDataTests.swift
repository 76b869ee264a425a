import Activations
import Foundation
import XCTest

/// The registry's checksums against the real files: Debian's Fashion-MNIST and the MNIST files in ../shared/data/mnist.
final class RealDataTests: XCTestCase {
    private let debianFashion = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist", isDirectory: true)

    /// The default search order with no --data-dir, no $PROBE_DATA and an empty home: only the Debian path can match.
    private func systemOnlySearch() throws -> DataSearchPaths {
        DataSearchPaths(environment: ["HOME": try makeTemporaryDirectory("home").path])
    }

    func testDebianFashionMNISTLoadsAndVerifiesAgainstTheRegistry() throws {
        guard FileManager.default.fileExists(atPath: debianFashion.appendingPathComponent("train-images-idx3-ubyte.gz").path) else {
            return XCTFail(
                "\(debianFashion.path) is missing: install Debian's package with `apt-get install dataset-fashion-mnist` (CI does)")
        }
        let search = try systemOnlySearch()

        let train = try DatasetRegistry.standard.load("fashion-mnist", split: .train, search: search)
        let test = try DatasetRegistry.standard.load("fashion-mnist", split: .test, search: search)

        XCTAssertEqual(train.images.shape, [60000, 1, 28, 28])
        XCTAssertEqual(test.images.shape, [10000, 1, 28, 28])
        XCTAssertEqual(train.pixels.count, 60000 * 784)
        // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
        XCTAssertEqual(Set((0..<10).map { c in train.labels.lazy.filter { $0 == c }.count }), [6000])
        XCTAssertEqual(Set((0..<10).map { c in test.labels.lazy.filter { $0 == c }.count }), [1000])
        let checks = try DatasetRegistry.standard.verify("fashion-mnist", search: search)
        XCTAssertEqual(checks.map(\.outcome), Array(repeating: .ok(.contentSHA256), count: 4))
        XCTAssertEqual(try DatasetRegistry.standard.locate("fashion-mnist", split: .test, search: search).location.source, .system)
    }

    func testMNISTTestSplitLoadsFromSharedData() throws {
        try XCTSkipUnless(
            FileManager.default.fileExists(atPath: Fixtures.sharedMNIST.appendingPathComponent("t10k-images-idx3-ubyte.gz").path),
            "\(Fixtures.sharedMNIST.path) is absent (it exists only beside the project on its own machines and CI)")
        let search = DataSearchPaths(
            dataDirectory: Fixtures.sharedMNIST, environment: ["HOME": try makeTemporaryDirectory("home").path],
            systemRoot: try makeTemporaryDirectory("system"))

        let test = try DatasetRegistry.standard.load("mnist", split: .test, search: search)

        XCTAssertEqual(test.images.shape, [10000, 1, 28, 28])
        XCTAssertEqual(Array(test.labels.prefix(10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])  // the well-known first test digits
        let outcomes = Dictionary(
            uniqueKeysWithValues: try DatasetRegistry.standard.verify("mnist", search: search).map { ($0.file.name, $0.outcome) })
        XCTAssertEqual(outcomes["t10k-images-idx3-ubyte.gz"], .ok(.contentSHA256))
        XCTAssertEqual(outcomes["t10k-labels-idx1-ubyte.gz"], .ok(.contentSHA256))
        XCTAssertEqual(outcomes["train-labels-idx1-ubyte.gz"], .ok(.contentSHA256))
        XCTAssertEqual(outcomes["train-images-idx3-ubyte.gz"], .missing)
    }

    func testMNISTGzipMD5sMatchTheOfficialFiles() throws {
        try XCTSkipUnless(
            FileManager.default.fileExists(atPath: Fixtures.sharedMNIST.path),
            "\(Fixtures.sharedMNIST.path) is absent (it exists only beside the project on its own machines and CI)")
        // Check the md5 path of the registry on real upstream .gz files by hiding the content sha256.
        for var file in DatasetDescriptor.mnist.files where file.name != "train-images-idx3-ubyte.gz" {
            file.contentSHA256 = nil
            XCTAssertEqual(FileCheck.verify(file, at: Fixtures.sharedMNIST.appendingPathComponent(file.name)), .ok(.gzipMD5), file.name)
        }
    }
}
