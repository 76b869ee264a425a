import Foundation
import Files

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads a data set's files from its mirrors, verifies each against the registry, and
/// installs it atomically: `probe data fetch NAME`.
///
/// Each file is streamed into a temporary file beside the target, checked, and renamed into
/// place only when it matches; a failed or mismatching download leaves nothing under the
/// final name (an existing good file is never replaced by a bad one).
public struct DatasetFetcher: Sendable {
    /// Progress of one file: `(file name, bytes received, bytes expected if the server said)`.
    /// Called on a background thread; the CLI draws the bar.
    public typealias Progress = @Sendable (_ file: String, _ bytesDone: Int64, _ bytesTotal: Int64?) -> Void

    /// What `fetch` did with one file.
    public enum Action: Sendable, Equatable {
        /// It was already there and verified; nothing was downloaded.
        case alreadyPresent
        /// It was downloaded from this URL, verified and installed.
        case downloaded(from: URL)
    }

    /// The outcome for one file of a fetch.
    public struct FileResult: Sendable, Equatable {
        /// The registry entry.
        public var file: DatasetFile
        /// Where it now is.
        public var url: URL
        /// What was done.
        public var action: Action
        /// The checksum method that verified it.
        public var method: ChecksumMethod
    }

    /// Base URLs used instead of the descriptor's own; nil uses `PROBE_MIRROR`, then the descriptor's.
    public var mirrors: [URL]?
    /// Seconds without data before a request is abandoned.
    public var timeout: TimeInterval

    /// A fetcher.
    ///
    /// - Parameters:
    ///   - mirrors: base URLs to use instead of the descriptor's (tests point this at 127.0.0.1).
    ///     When nil, the environment variable `PROBE_MIRROR` (one base URL) is used if set,
    ///     otherwise the descriptor's mirrors.
    ///   - environment: where `PROBE_MIRROR` is read; the process environment by default.
    ///   - timeout: seconds without data before a request is abandoned.
    /// - Throws: `DatasetError.invalidMirror` when a mirror is not an http(s) or file URL.
    public init(
        mirrors: [URL]? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        timeout: TimeInterval = 60
    ) throws {
        if let mirrors {
            self.mirrors = mirrors
        } else if let value = environment["PROBE_MIRROR"], !value.isEmpty {
            guard let url = URL(string: value) else { throw DatasetError.invalidMirror(value) }
            self.mirrors = [url]
        } else {
            self.mirrors = nil
        }
        for url in self.mirrors ?? [] where !["http", "https", "file"].contains(url.scheme?.lowercased() ?? "") {
            throw DatasetError.invalidMirror(url.absoluteString)
        }
        self.timeout = timeout
    }

    /// The base URLs that would be tried for `descriptor`, in order.
    public func mirrors(for descriptor: DatasetDescriptor) -> [URL] {
        mirrors ?? descriptor.mirrors
    }

    /// Downloads, verifies and installs the files of a data set into `directory`.
    ///
    /// Files already present (under the upstream name or without `.gz`) and verifying are kept;
    /// a present file that does not verify is replaced only by a download that does. Files are
    /// fetched one by one; the first file that no mirror delivers intact stops the fetch
    /// (files installed before it stay: each was verified).
    ///
    /// - Parameters:
    ///   - descriptor: the data set.
    ///   - directory: where to install (created if needed); usually `DataSearchPaths().cacheDirectory(for:)`.
    ///   - splits: which splits to fetch; all by default.
    ///   - progress: called as bytes arrive.
    /// - Returns: one result per file, in the descriptor's order.
    /// - Throws: `DatasetError.downloadFailed` naming each mirror tried and how it failed;
    ///   `.writeFailed` when the directory or a file cannot be written.
    @discardableResult
    public func fetch(
        _ descriptor: DatasetDescriptor, into directory: URL, splits: [DatasetSplit] = DatasetSplit.allCases,
        progress: Progress? = nil
    ) throws -> [FileResult] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.writeFailed(path: directory.path, reason: IDXFile.reason(error))
        }
        var results: [FileResult] = []
        var seen: Set<String> = []
        // An archive listed for several files (CIFAR-10's) is fetched once.
        for file in descriptor.files where splits.contains(file.split) && seen.insert(file.name).inserted {
            if let existing = DatasetFinder.find(file, in: directory), case .ok(let method) = FileCheck.verify(file, at: existing) {
                results.append(FileResult(file: file, url: existing, action: .alreadyPresent, method: method))
                continue
            }
            let target = directory.appendingPathComponent(file.name)
            results.append(try download(file, of: descriptor, to: target, progress: progress))
        }
        return results
    }

    /// Fetches a registered data set into the cache directory of the search order.
    ///
    /// - Parameters:
    ///   - name: a registered name.
    ///   - registry: where the name is looked up.
    ///   - search: gives the cache directory (`~/.cache/neuron-probe/<name>/`).
    ///   - splits: which splits to fetch.
    ///   - progress: called as bytes arrive.
    /// - Returns: one result per file.
    /// - Throws: `DatasetError.unknownDataset`, `.downloadFailed`, `.writeFailed`.
    @discardableResult
    public func fetch(
        _ name: String, registry: DatasetRegistry = .standard, search: DataSearchPaths = DataSearchPaths(),
        splits: [DatasetSplit] = DatasetSplit.allCases, progress: Progress? = nil
    ) throws -> [FileResult] {
        let descriptor = try registry.descriptor(named: name)
        return try fetch(descriptor, into: search.cacheDirectory(for: name), splits: splits, progress: progress)
    }

    private func download(_ file: DatasetFile, of descriptor: DatasetDescriptor, to target: URL, progress: Progress?)
        throws -> FileResult
    {
        var attempts: [DatasetError.MirrorAttempt] = []
        let bases = mirrors(for: descriptor)
        for base in bases {
            let url = Self.fileURL(base: base, name: file.name)
            let temp = target.deletingLastPathComponent()
                .appendingPathComponent(".\(file.name).\(ProcessInfo.processInfo.processIdentifier).\(UUID().uuidString).part")
            defer { try? FileManager.default.removeItem(at: temp) }  // gone after a rename; removes leftovers otherwise
            do {
                try Transfer.run(url: url, to: temp, name: file.name, timeout: timeout, progress: progress)
            } catch let failure as Transfer.Failure {
                attempts.append(.init(url: url.absoluteString, reason: failure.reason))
                continue
            }
            switch FileCheck.verify(file, at: temp) {
            case .ok(let method):
                guard rename(temp.path, target.path) == 0 else {
                    throw DatasetError.writeFailed(path: target.path, reason: String(cString: strerror(errno)))
                }
                return FileResult(file: file, url: target, action: .downloaded(from: url), method: method)
            case let .mismatch(method, expected, actual):
                attempts.append(.init(url: url.absoluteString, reason: "\(method) mismatch: expected \(expected), got \(actual)"))
            case let outcome:
                attempts.append(.init(url: url.absoluteString, reason: outcome.description))
            }
        }
        throw DatasetError.downloadFailed(dataset: descriptor.name, file: file.name, attempts: attempts)
    }

    /// `base/name`, whether or not `base` ends with a slash.
    static func fileURL(base: URL, name: String) -> URL {
        base.appendingPathComponent(name)
    }
}

/// One HTTP(S) or file download streamed into a file, made synchronous for the fetcher.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Failure: Error {
        var reason: String
    }

    // Touched only on the session's serial delegate queue until `done` is signalled.
    private let name: String
    private let progress: DatasetFetcher.Progress?
    private let handle: FileHandle
    private var received: Int64 = 0
    private var expected: Int64?
    private var failure: Failure?
    private let done = DispatchSemaphore(value: 0)

    private init(name: String, handle: FileHandle, progress: DatasetFetcher.Progress?) {
        self.name = name
        self.handle = handle
        self.progress = progress
    }

    /// Downloads `url` into `destination` (created or truncated); throws `Failure` on any HTTP or network error.
    static func run(url: URL, to destination: URL, name: String, timeout: TimeInterval, progress: DatasetFetcher.Progress?)
        throws
    {
        if url.isFileURL {
            // FoundationNetworking has no file:// data tasks on Linux; a local mirror (a USB disk,
            // a shared folder) is a plain copy.
            do {
                let data = try Data(contentsOf: url)
                try data.write(to: destination)
                progress?(name, Int64(data.count), Int64(data.count))
                return
            } catch {
                throw Failure(reason: IDXFile.reason(error))
            }
        }
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
            throw Failure(reason: "cannot create \(destination.path)")
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: destination)
        } catch {
            throw Failure(reason: "cannot open \(destination.path): \(IDXFile.reason(error))")
        }
        defer { try? handle.close() }

        let transfer = Transfer(name: name, handle: handle, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        session.dataTask(with: url).resume()
        transfer.done.wait()
        session.finishTasksAndInvalidate()
        if let failure = transfer.failure { throw failure }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            failure = Failure(
                reason: "HTTP \(http.statusCode) \(HTTPURLResponse.localizedString(forStatusCode: http.statusCode))")
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        progress?(name, 0, expected)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = Failure(reason: "cannot write the download: \(IDXFile.reason(error))")
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        progress?(name, received, expected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if failure == nil {
            if let error {
                failure = Failure(reason: error.localizedDescription)
            } else if let expected, received != expected {
                failure = Failure(reason: "connection closed after \(received) of \(expected) bytes")
            }
        }
        done.signal()
    }
}
