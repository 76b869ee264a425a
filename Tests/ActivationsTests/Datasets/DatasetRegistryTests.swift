import Activations
import Foundation
import XCTest

/// The registry: names, the search order, status and verification, on temporary copies of the tiny fixture.
final class DatasetRegistryTests: XCTestCase {
    private let tiny = Fixtures.tinyDescriptor.name

    /// Search paths confined to temporary folders: no --data-dir, no $PROBE_DATA, an empty home and system root.
    private func isolatedSearch(dataDirectory: URL? = nil, probeData: URL? = nil) throws -> DataSearchPaths {
        var environment = ["HOME": try makeTemporaryDirectory("home").path]
        if let probeData { environment["PROBE_DATA"] = probeData.path }
        return DataSearchPaths(
            dataDirectory: dataDirectory, environment: environment, systemRoot: try makeTemporaryDirectory("system"))
    }

    func testUnknownDatasetErrorListsTheKnownNames() {
        let error = datasetError { try DatasetRegistry.standard.locate("cifar-10", split: .train) }
        let known = ["fashion-mnist", "mnist", "fashion-mnist-tiny", "cifar10", "cifar10-tiny"]
        XCTAssertEqual(error, .unknownDataset(name: "cifar-10", known: known))
        XCTAssertEqual(error?.description, "unknown data set 'cifar-10'; known data sets: \(known.joined(separator: ", "))")
    }

    func testSearchOrderIsDataDirThenProbeDataThenCache() throws {
        let dataDir = try makeTemporaryDirectory("data-dir")
        let probeData = try makeTemporaryDirectory("probe-data")
        let home = try makeTemporaryDirectory("home")
        let cache = home.appendingPathComponent(".cache/neuron-probe/\(tiny)", isDirectory: true)
        try copyFixtures(to: dataDir)
        try copyFixtures(to: probeData.appendingPathComponent(tiny))
        try copyFixtures(to: cache)
        setEnvironment(["PROBE_DATA": probeData.path, "HOME": home.path, "XDG_CACHE_HOME": nil])
        let registry = Fixtures.tinyRegistry
        let system = try makeTemporaryDirectory("system")

        let first = try registry.locate(tiny, split: .train, search: DataSearchPaths(dataDirectory: dataDir, systemRoot: system))
        XCTAssertEqual(first.location.source, .dataDirectory)
        XCTAssertEqual(first.directory.standardizedFileURL, dataDir.standardizedFileURL)

        let second = try registry.locate(tiny, split: .train, search: DataSearchPaths(systemRoot: system))
        XCTAssertEqual(second.location.source, .probeData)
        XCTAssertEqual(second.directory.standardizedFileURL, probeData.appendingPathComponent(tiny).standardizedFileURL)

        unsetenv("PROBE_DATA")
        let third = try registry.locate(tiny, split: .train, search: DataSearchPaths(systemRoot: system))
        XCTAssertEqual(third.location.source, .cache)
        XCTAssertEqual(third.images.standardizedFileURL, cache.appendingPathComponent(Fixtures.trainImages).standardizedFileURL)
    }

    func testProbeDataMayHoldTheFilesDirectly() throws {
        let flat = try makeTemporaryDirectory("flat")
        try copyFixtures(to: flat)
        let located = try Fixtures.tinyRegistry.locate(tiny, split: .test, search: try isolatedSearch(probeData: flat))
        XCTAssertEqual(located.location, DataLocation(source: .probeData, directory: flat))
    }

    func testSystemPathIsUsedLast() throws {
        let system = try makeTemporaryDirectory("system")
        try copyFixtures(to: system.appendingPathComponent(tiny))
        let search = DataSearchPaths(environment: ["HOME": try makeTemporaryDirectory("home").path], systemRoot: system)
        let located = try Fixtures.tinyRegistry.locate(tiny, split: .train, search: search)
        XCTAssertEqual(located.location.source, .system)
    }

    func testUncompressedFilesAreFoundAndLoaded() throws {
        let dir = try makeTemporaryDirectory()
        for file in Fixtures.allNames {
            try gunzipWithPython(Fixtures.url(file), to: dir.appendingPathComponent(String(file.dropLast(3))))
        }
        let search = try isolatedSearch(dataDirectory: dir)
        let data = try Fixtures.tinyRegistry.load(tiny, split: .train, search: search)
        XCTAssertEqual(data.count, 512)
        XCTAssertEqual(
            try Fixtures.tinyRegistry.locate(tiny, split: .train, search: search).images.lastPathComponent,
            "train-images-idx3-ubyte")
    }

    func testNotFoundErrorNamesEveryPlaceLookedAndTheFixes() throws {
        let search = try isolatedSearch(probeData: try makeTemporaryDirectory("probe-data"))
        let error = datasetError { try DatasetRegistry.standard.locate("fashion-mnist", split: .train, search: search) }
        let text = error?.description ?? ""

        for location in search.locations(for: "fashion-mnist") {
            XCTAssertTrue(text.contains(location.directory.path), "\(location) missing from: \(text)")
        }
        XCTAssertTrue(text.contains("dataDirectory not given"), text)
        XCTAssertTrue(text.contains("probe data fetch fashion-mnist"), text)
        XCTAssertTrue(text.contains("apt-get install dataset-fashion-mnist"), text)
        XCTAssertFalse(text.contains("\n"), "the message must be one line")
    }

    func testTestSplitLoadsWhileTheTrainingSplitIsMissing() throws {
        let dir = try makeTemporaryDirectory()
        try copyFixtures([Fixtures.testImages, Fixtures.testLabels, Fixtures.trainLabels], to: dir)
        let search = try isolatedSearch(dataDirectory: dir)

        XCTAssertEqual(try Fixtures.tinyRegistry.load(tiny, split: .test, search: search).count, 256)
        let error = datasetError { try Fixtures.tinyRegistry.locate(tiny, split: .train, search: search) }
        XCTAssertTrue(
            error?.description.contains("has train-labels-idx1-ubyte.gz but not train-images-idx3-ubyte.gz") ?? false,
            String(describing: error))
    }

    func testVerifyDetectsAOneByteChange() throws {
        let dir = try makeTemporaryDirectory()
        try copyFixtures(to: dir)
        var content = try decompressedFixture(Fixtures.testImages)
        content[16 + 300] ^= 0x01
        let changed = dir.appendingPathComponent(Fixtures.testImages)
        try FileManager.default.removeItem(at: changed)
        try gzipWithPython(content, to: changed)

        let checks = try Fixtures.tinyRegistry.verify(tiny, search: try isolatedSearch(dataDirectory: dir))
        let outcomes = Dictionary(uniqueKeysWithValues: checks.map { ($0.file.name, $0.outcome) })
        XCTAssertEqual(outcomes[Fixtures.trainImages], .ok(.contentSHA256))
        XCTAssertEqual(outcomes[Fixtures.testLabels], .ok(.contentSHA256))
        guard case .mismatch(.contentSHA256, let expected, let actual)? = outcomes[Fixtures.testImages] else {
            return XCTFail("got \(String(describing: outcomes[Fixtures.testImages]))")
        }
        XCTAssertEqual(expected, Fixtures.contentSHA256[Fixtures.testImages])
        XCTAssertNotEqual(actual, expected)
    }

    func testLoadRefusesAFileThatDoesNotMatchTheRegistry() throws {
        // A registry whose test-split checksums are not those of the files: loading must refuse them unless told not to verify.
        var descriptor = Fixtures.tinyDescriptor
        descriptor.files = descriptor.files.map { file in
            var f = file
            if f.split == .test { f.contentSHA256 = String(repeating: "0", count: 64) }
            return f
        }
        let registry = DatasetRegistry(descriptors: [descriptor])
        let dir = try makeTemporaryDirectory()
        try copyFixtures(to: dir)

        let error = datasetError { try registry.load(tiny, split: .test, search: try isolatedSearch(dataDirectory: dir)) }
        guard case .checksumMismatch(_, .contentSHA256, _, _, tiny)? = error else {
            return XCTFail("got \(String(describing: error))")
        }
        XCTAssertEqual(try registry.load(tiny, split: .test, search: try isolatedSearch(dataDirectory: dir), verifyChecksums: false).count, 256)
    }

    func testGzipMD5VerifiesTheGzipAndCannotVerifyAnUncompressedCopy() throws {
        let md5 = try python(
            "import hashlib, sys; print(hashlib.md5(open(sys.argv[1], 'rb').read()).hexdigest())",
            [Fixtures.url(Fixtures.testLabels).path])
        let entry = DatasetFile(name: Fixtures.testLabels, split: .test, kind: .labels, gzipMD5: md5)
        let dir = try makeTemporaryDirectory()
        let raw = dir.appendingPathComponent("t10k-labels-idx1-ubyte")
        try gunzipWithPython(Fixtures.url(Fixtures.testLabels), to: raw)

        XCTAssertEqual(entry.preferredChecksum, .gzipMD5)
        XCTAssertEqual(FileCheck.verify(entry, at: Fixtures.url(Fixtures.testLabels)), .ok(.gzipMD5))
        XCTAssertEqual(FileCheck.verify(entry, at: Fixtures.url(Fixtures.testImages)).isVerified, false)
        guard case .unverifiable = FileCheck.verify(entry, at: raw) else { return XCTFail("an uncompressed copy cannot match a .gz md5") }
    }

    func testStatusReportsWhereEachFileIsAndWhatIsMissing() throws {
        let dir = try makeTemporaryDirectory()
        try copyFixtures([Fixtures.testImages, Fixtures.testLabels, Fixtures.trainLabels], to: dir)
        let status = try Fixtures.tinyRegistry.status(tiny, search: try isolatedSearch(dataDirectory: dir))

        XCTAssertEqual(status.splits.map(\.split), [.train, .test])
        XCTAssertNil(status.splits[0].location)
        XCTAssertEqual(status.splits[1].location?.source, .dataDirectory)
        let outcomes = Dictionary(uniqueKeysWithValues: status.files.map { ($0.file.name, $0.outcome) })
        XCTAssertEqual(outcomes[Fixtures.trainImages], .missing)
        XCTAssertEqual(outcomes[Fixtures.trainLabels], .present)
        XCTAssertEqual(outcomes[Fixtures.testImages], .present)
        XCTAssertFalse(status.isPresent)
        XCTAssertFalse(status.isComplete)
    }

    func testStandardRegistryDescribesBothDataSets() throws {
        let fashion = try DatasetRegistry.standard.descriptor(named: "fashion-mnist")
        let mnist = try DatasetRegistry.standard.descriptor(named: "mnist")
        XCTAssertEqual(fashion.classNames, Fixtures.fashionClasses)
        XCTAssertEqual(mnist.classNames, (0...9).map(String.init))
        XCTAssertEqual(mnist.file(.train, .images)?.preferredChecksum, .gzipMD5)
        XCTAssertEqual(mnist.file(.train, .images)?.gzipMD5, "f68b3c2dcbeaaa9fbdd348bbdeb94873")
        XCTAssertTrue(fashion.files.allSatisfy { $0.preferredChecksum == .contentSHA256 })
        XCTAssertEqual(mnist.mirrors.first?.absoluteString, "https://ossci-datasets.s3.amazonaws.com/mnist/")
    }

    func testChecksumsDocumentAgreesWithTheRegistry() throws {
        let text = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("data/CHECKSUMS.md"), encoding: .utf8)
        // Sections start with "## name"; table rows start with "| file |".
        var section = ""
        var documented: [String: [String]] = [:]  // "dataset/file" -> the hex digests on its row
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## ") { section = String(line.dropFirst(3)) }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let file = cells.first, file.hasSuffix(".gz") else { continue }
            documented["\(section)/\(file)"] = cells.filter { $0.count == 32 || $0.count == 64 }.filter { $0.allSatisfy(\.isHexDigit) }
        }
        for descriptor in DatasetRegistry.standard.descriptors {
            for file in descriptor.files {
                let row = documented["\(descriptor.name)/\(file.name)"] ?? []
                XCTAssertEqual(row, [file.contentSHA256, file.fileSHA256, file.gzipMD5].compactMap { $0 }, "\(descriptor.name)/\(file.name)")
            }
        }
        for (name, digest) in Fixtures.contentSHA256 {
            XCTAssertEqual(documented["fashion-mnist-tiny/\(name)"], [digest], name)
        }
    }
}
