import Activations
import Foundation
import TestSupport
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Paths and checksums of the tiny Fashion-MNIST fixture in data/fixtures/.
enum Fixtures {
    /// The package root, two levels above this file (Tests/ActivationsTests/).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// data/fixtures/fashion-mnist-tiny/, the gzip'd IDX files made by data/fixtures/make-fixtures.py.
    static let tinyDirectory = packageRoot.appendingPathComponent("data/fixtures/fashion-mnist-tiny", isDirectory: true)
    /// ../shared/data/mnist relative to the package root (present on the project's machines and CI only).
    static let sharedMNIST = packageRoot.appendingPathComponent("../shared/data/mnist", isDirectory: true).standardized

    static let trainImages = "train-images-idx3-ubyte.gz"
    static let trainLabels = "train-labels-idx1-ubyte.gz"
    static let testImages = "t10k-images-idx3-ubyte.gz"
    static let testLabels = "t10k-labels-idx1-ubyte.gz"
    static let allNames = [trainImages, trainLabels, testImages, testLabels]

    /// The sha256 of each fixture's decompressed content, as make-fixtures.py printed them
    /// (also in data/fixtures/fashion-mnist-tiny/CONTENT-SHA256SUMS).
    static let contentSHA256 = [
        trainImages: "deb9198f706b0f2ae2e54000eed634453fb922aab9d99acae2d649ff92165d3e",
        trainLabels: "d197307668a52d8897d577ef0befc4313eb4609c88e3ff5119ccfc2ffbabe212",
        testImages: "d26e6d4358029015fcf965ead9b5b8d3d14c9f95e7bcb339b0671d303127251c",
        testLabels: "9a0b493be362cbe84229b5021aa6fcc6c4337787151612e718d2892825267910",
    ]

    static let fashionClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The registry entry for the tiny set, checked by content sha256; no mirrors of its own.
    static let tinyDescriptor = DatasetDescriptor.fashionMNISTTiny

    static var tinyRegistry: DatasetRegistry { DatasetRegistry(descriptors: [tinyDescriptor]) }

    static func url(_ name: String) -> URL { tinyDirectory.appendingPathComponent(name) }
}

/// Small helpers every test case uses.
extension XCTestCase {
    /// A fresh empty directory, removed when the test ends.
    func makeTemporaryDirectory(_ label: String = "dir") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("activations-tests-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Copies the named fixture files into `directory` (created if needed).
    func copyFixtures(_ names: [String] = Fixtures.allNames, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(at: Fixtures.url(name), to: directory.appendingPathComponent(name))
        }
    }

    /// Runs python3 with a script and arguments; returns its stdout, fails on a non-zero exit.
    func python(_ script: String, _ arguments: [String] = []) throws -> String {
        try Python.run(script, arguments: arguments)
    }

    /// Decompresses `source` into `destination` with Python's gzip module (independent of the library's zlib code).
    func gunzipWithPython(_ source: URL, to destination: URL) throws {
        _ = try python(
            "import gzip, sys; open(sys.argv[2], 'wb').write(gzip.open(sys.argv[1]).read())",
            [source.path, destination.path])
    }

    /// Writes `content` gzip'd by Python to `destination`.
    func gzipWithPython(_ content: [UInt8], to destination: URL) throws {
        let raw = destination.appendingPathExtension("raw")
        try Data(content).write(to: raw)
        defer { try? FileManager.default.removeItem(at: raw) }
        _ = try python(
            "import gzip, sys; open(sys.argv[2], 'wb').write(gzip.compress(open(sys.argv[1], 'rb').read()))",
            [raw.path, destination.path])
    }

    /// The decompressed bytes of a gzip'd fixture, read by Python.
    func decompressedFixture(_ name: String) throws -> [UInt8] {
        let dir = try makeTemporaryDirectory("raw")
        let raw = dir.appendingPathComponent(name + ".raw")
        try gunzipWithPython(Fixtures.url(name), to: raw)
        return [UInt8](try Data(contentsOf: raw))
    }

    /// Sets environment variables for the duration of the test (nil unsets), restoring them afterwards.
    func setEnvironment(_ values: [String: String?]) {
        for (key, value) in values {
            let old = ProcessInfo.processInfo.environment[key]
            if let value { setenv(key, value, 1) } else { unsetenv(key) }
            addTeardownBlock {
                if let old { setenv(key, old, 1) } else { unsetenv(key) }
            }
        }
    }

    /// Asserts that `body` throws a `DatasetError` and returns it.
    func datasetError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> DatasetError? {
        do {
            _ = try body()
            XCTFail("expected a DatasetError, nothing was thrown", file: file, line: line)
        } catch let error as DatasetError {
            return error
        } catch {
            XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
        }
        return nil
    }
}

/// `python3 -m http.server` on 127.0.0.1, on a port the OS picks, serving one directory.
final class LocalHTTPServer {
    private let process = Process()
    /// `http://127.0.0.1:PORT/`.
    private(set) var baseURL: URL

    /// Starts the server and waits until it answers.
    init(directory: URL) throws {
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : nil
        process.executableURL = URL(fileURLWithPath: python ?? "/usr/bin/env")
        // Port 0: the OS picks a free port, and the server prints it ("Serving HTTP on 127.0.0.1 port N").
        process.arguments =
            (python == nil ? ["python3"] : []) + ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path, "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()

        var port: Int?
        var seen = ""
        let deadline = Date().addingTimeInterval(15)
        while port == nil, Date() < deadline, process.isRunning {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"port (\d+)"#, options: .regularExpression) {
                port = Int(seen[range].dropFirst(5))
            }
        }
        guard let port, let url = URL(string: "http://127.0.0.1:\(port)/") else {
            process.terminate()
            throw NSError(domain: "LocalHTTPServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "http.server did not start: \(seen)"])
        }
        baseURL = url
        try waitUntilAnswering(deadline: Date().addingTimeInterval(15))
    }

    private func waitUntilAnswering(deadline: Date) throws {
        while Date() < deadline {
            let done = DispatchSemaphore(value: 0)
            final class Box: @unchecked Sendable { var status = 0 }
            let box = Box()
            var request = URLRequest(url: baseURL)
            request.timeoutInterval = 2
            URLSession.shared.dataTask(with: request) { _, response, _ in
                box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
                done.signal()
            }.resume()
            done.wait()
            if box.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw NSError(domain: "LocalHTTPServer", code: 2, userInfo: [NSLocalizedDescriptionKey: "http.server on \(baseURL) never answered"])
    }

    /// Stops the server and waits for it to exit.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
