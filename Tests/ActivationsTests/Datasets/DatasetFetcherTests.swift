import Activations
import Foundation
import XCTest

/// Downloads from `python3 -m http.server` on 127.0.0.1 serving the tiny fixture (or damaged copies of it).
final class DatasetFetcherTests: XCTestCase {
    private var servers: [LocalHTTPServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
        super.tearDown()
    }

    /// Serves `directory` and returns its base URL.
    private func serve(_ directory: URL) throws -> URL {
        let server = try LocalHTTPServer(directory: directory)
        servers.append(server)
        return server.baseURL
    }

    /// The regular files in `directory` (hidden ones included, so leftover temporaries show).
    private func listing(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    func testFetchFromALocalServerInstallsVerifiedFiles() throws {
        let mirror = try serve(Fixtures.tinyDirectory)
        let target = try makeTemporaryDirectory("target").appendingPathComponent("fashion-mnist-tiny")

        let results = try DatasetFetcher(mirrors: [mirror]).fetch(Fixtures.tinyDescriptor, into: target)

        XCTAssertEqual(results.map(\.action), Fixtures.allNames.map { .downloaded(from: mirror.appendingPathComponent($0)) })
        XCTAssertEqual(try listing(target), Fixtures.allNames.sorted())
        for name in Fixtures.allNames {
            XCTAssertEqual(try Data(contentsOf: target.appendingPathComponent(name)), try Data(contentsOf: Fixtures.url(name)))
        }
        let search = DataSearchPaths(dataDirectory: target, environment: [:], systemRoot: try makeTemporaryDirectory())
        XCTAssertTrue(try Fixtures.tinyRegistry.verify("fashion-mnist-tiny", search: search).allSatisfy { $0.outcome.isVerified })
    }

    func testCIFARsArchiveIsFetchedOnceVerifiedByItsSHA256AndLoads() throws {
        let cifar = Fixtures.packageRoot.appendingPathComponent("data/fixtures/cifar10-tiny")
        let mirror = try serve(cifar)
        let target = try makeTemporaryDirectory("target").appendingPathComponent("cifar10-tiny")

        let results = try DatasetFetcher(mirrors: [mirror]).fetch(.cifar10Tiny, into: target)

        // Listed for the images and labels of both splits, the one archive is downloaded once.
        XCTAssertEqual(results.map(\.action), [.downloaded(from: mirror.appendingPathComponent("cifar-10-binary.tar.gz"))])
        XCTAssertEqual(results.map(\.method), [.fileSHA256])
        XCTAssertEqual(try listing(target), ["cifar-10-binary.tar.gz"])
        let search = DataSearchPaths(dataDirectory: target, environment: [:], systemRoot: try makeTemporaryDirectory())
        XCTAssertEqual(try DatasetRegistry(descriptors: [.cifar10Tiny]).load("cifar10-tiny", split: .test, search: search).count, 100)
    }

    func testAnArchiveThatIsNotCIFARTensIsRefusedAndNothingIsInstalled() throws {
        // The real registry entry against a server that serves another archive under its name.
        let mirror = try serve(Fixtures.packageRoot.appendingPathComponent("data/fixtures/cifar10-tiny"))
        let target = try makeTemporaryDirectory("target")
        let error = datasetError { try DatasetFetcher(mirrors: [mirror]).fetch(.cifar10, into: target) }
        guard case .downloadFailed("cifar10", "cifar-10-binary.tar.gz", let attempts)? = error else {
            return XCTFail("got \(String(describing: error))")
        }
        XCTAssertTrue(attempts[0].reason.contains("sha256 of the file mismatch: expected c4a38c50"), attempts[0].reason)
        XCTAssertEqual(try listing(target), [])
    }

    func testFetchOfACorruptedFileFailsAndLeavesNothingUnderItsName() throws {
        let served = try makeTemporaryDirectory("served")
        try copyFixtures(to: served)
        var content = try decompressedFixture(Fixtures.trainImages)
        content[5000] ^= 0xFF
        try FileManager.default.removeItem(at: served.appendingPathComponent(Fixtures.trainImages))
        try gzipWithPython(content, to: served.appendingPathComponent(Fixtures.trainImages))
        let mirror = try serve(served)
        let target = try makeTemporaryDirectory("target")

        let error = datasetError {
            try DatasetFetcher(mirrors: [mirror]).fetch(Fixtures.tinyDescriptor, into: target, splits: [.train])
        }

        guard case .downloadFailed(_, Fixtures.trainImages, let attempts)? = error else {
            return XCTFail("got \(String(describing: error))")
        }
        XCTAssertEqual(attempts.map(\.url), [mirror.appendingPathComponent(Fixtures.trainImages).absoluteString])
        XCTAssertTrue(attempts[0].reason.contains("content sha256 mismatch"), attempts[0].reason)
        XCTAssertEqual(try listing(target), [], "nothing may be left under the target name, nor a temporary")
    }

    func testAFailingMirrorIsSkippedAndTheNextOneUsed() throws {
        let empty = try serve(try makeTemporaryDirectory("empty"))
        let good = try serve(Fixtures.tinyDirectory)
        let target = try makeTemporaryDirectory("target")

        let results = try DatasetFetcher(mirrors: [empty, good]).fetch(Fixtures.tinyDescriptor, into: target, splits: [.test])

        XCTAssertEqual(results.map(\.file.name), [Fixtures.testImages, Fixtures.testLabels])
        XCTAssertEqual(results.map(\.action), [Fixtures.testImages, Fixtures.testLabels].map { .downloaded(from: good.appendingPathComponent($0)) })
    }

    func testWhenEveryMirrorFailsTheErrorNamesEachAndHow() throws {
        let first = try serve(try makeTemporaryDirectory("empty1"))
        let second = try serve(try makeTemporaryDirectory("empty2"))
        let target = try makeTemporaryDirectory("target")

        let error = datasetError { try DatasetFetcher(mirrors: [first, second]).fetch(Fixtures.tinyDescriptor, into: target) }

        let text = error?.description ?? ""
        XCTAssertTrue(text.contains("\(first.absoluteString)\(Fixtures.trainImages): HTTP 404"), text)
        XCTAssertTrue(text.contains("\(second.absoluteString)\(Fixtures.trainImages): HTTP 404"), text)
        XCTAssertEqual(try listing(target), [])
    }

    func testProgressIsReportedUpToTheFileSize() throws {
        let mirror = try serve(Fixtures.tinyDirectory)
        let target = try makeTemporaryDirectory("target")
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var last: [String: (Int64, Int64?)] = [:]
        }
        let log = Log()

        try DatasetFetcher(mirrors: [mirror]).fetch(Fixtures.tinyDescriptor, into: target, splits: [.train]) { file, done, total in
            log.lock.lock()
            log.last[file] = (done, total)
            log.lock.unlock()
        }

        let size = try FileManager.default.attributesOfItem(atPath: Fixtures.url(Fixtures.trainImages).path)[.size] as? Int
        XCTAssertEqual(log.last[Fixtures.trainImages]?.0, Int64(size ?? -1))
        XCTAssertEqual(log.last[Fixtures.trainImages]?.1, Int64(size ?? -1))
    }

    func testVerifiedFilesAreKeptWithoutDownloading() throws {
        let target = try makeTemporaryDirectory("target")
        try copyFixtures(to: target)
        // No server: a download attempt would fail.
        let nowhere = try XCTUnwrap(URL(string: "http://127.0.0.1:9/"))

        let results = try DatasetFetcher(mirrors: [nowhere]).fetch(Fixtures.tinyDescriptor, into: target)

        XCTAssertEqual(results.map(\.action), Array(repeating: .alreadyPresent, count: 4))
    }

    func testProbeMirrorReplacesTheDescriptorMirrors() throws {
        let fetcher = try DatasetFetcher(environment: ["PROBE_MIRROR": "http://127.0.0.1:8123/mnist/"])
        XCTAssertEqual(fetcher.mirrors(for: .mnist).map(\.absoluteString), ["http://127.0.0.1:8123/mnist/"])
        XCTAssertEqual(try DatasetFetcher(environment: [:]).mirrors(for: .mnist), DatasetDescriptor.mnist.mirrors)
        XCTAssertEqual(
            datasetError { try DatasetFetcher(environment: ["PROBE_MIRROR": "ftp://example.org/"]) },
            .invalidMirror("ftp://example.org/"))
    }

    func testFetchByNameInstallsIntoTheCache() throws {
        let mirror = try serve(Fixtures.tinyDirectory)
        let home = try makeTemporaryDirectory("home")
        let search = DataSearchPaths(environment: ["HOME": home.path], systemRoot: try makeTemporaryDirectory("system"))

        try DatasetFetcher(mirrors: [mirror]).fetch("fashion-mnist-tiny", registry: Fixtures.tinyRegistry, search: search)

        let located = try Fixtures.tinyRegistry.locate("fashion-mnist-tiny", split: .train, search: search)
        XCTAssertEqual(located.location.source, .cache)
        XCTAssertEqual(located.directory.path, home.appendingPathComponent(".cache/neuron-probe/fashion-mnist-tiny").path)
    }

    func testADamagedInstalledFileIsReplacedByAVerifiedDownload() throws {
        let mirror = try serve(Fixtures.tinyDirectory)
        let target = try makeTemporaryDirectory("target")
        try copyFixtures([Fixtures.testImages], to: target)
        try Data([0x1f, 0x8b, 0, 0]).write(to: target.appendingPathComponent(Fixtures.testLabels))

        let results = try DatasetFetcher(mirrors: [mirror]).fetch(Fixtures.tinyDescriptor, into: target, splits: [.test])

        XCTAssertEqual(results.map(\.action), [.alreadyPresent, .downloaded(from: mirror.appendingPathComponent(Fixtures.testLabels))])
        XCTAssertEqual(
            try Data(contentsOf: target.appendingPathComponent(Fixtures.testLabels)), try Data(contentsOf: Fixtures.url(Fixtures.testLabels)))
    }

    func testAFileMirrorIsCopiedAndVerified() throws {
        let target = try makeTemporaryDirectory("target")
        let results = try DatasetFetcher(mirrors: [Fixtures.tinyDirectory]).fetch(Fixtures.tinyDescriptor, into: target, splits: [.test])
        XCTAssertEqual(results.map(\.method), [.contentSHA256, .contentSHA256])
        XCTAssertEqual(try listing(target), [Fixtures.testImages, Fixtures.testLabels])
    }
}
