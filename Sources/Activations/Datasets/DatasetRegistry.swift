import Files
import Foundation

/// The data sets the tool knows by name, and the operations on them that touch the disk:
/// finding a split through the search order, verifying files, reporting status, loading.
///
/// `DatasetRegistry.standard` holds Fashion-MNIST and MNIST; a test builds its own registry
/// to add a tiny data set with fixture checksums.
public struct DatasetRegistry: Sendable {
    /// The registered data sets, in listing order.
    public private(set) var descriptors: [DatasetDescriptor]

    /// The data sets shipped with the tool: `fashion-mnist` and `mnist`.
    public static let standard = DatasetRegistry(descriptors: [.fashionMNIST, .mnist, .fashionMNISTTiny, .cifar10, .cifar10Tiny])

    /// A registry holding `descriptors`; a later descriptor replaces an earlier one of the same name.
    public init(descriptors: [DatasetDescriptor]) {
        self.descriptors = []
        for d in descriptors { register(d) }
    }

    /// Adds a data set, replacing any registered under the same name.
    public mutating func register(_ descriptor: DatasetDescriptor) {
        if let i = descriptors.firstIndex(where: { $0.name == descriptor.name }) {
            descriptors[i] = descriptor
        } else {
            descriptors.append(descriptor)
        }
    }

    /// The registered names, in listing order.
    public var names: [String] { descriptors.map(\.name) }

    /// The descriptor registered as `name`.
    /// - Throws: `DatasetError.unknownDataset` listing the known names.
    public func descriptor(named name: String) throws -> DatasetDescriptor {
        if !names.contains(name), ImageFolder.isFolder(name) {
            // A folder of images: its classes from its class folders; files and checksums come with the load.
            return DatasetDescriptor(
                name: name, summary: "a folder of images in class folders", classNames: try ImageFolder.classNames(name, split: .test), files: [])
        }
        guard let d = descriptors.first(where: { $0.name == name }) else {
            throw DatasetError.unknownDataset(name: name, known: names)
        }
        return d
    }

    /// Finds the directory holding both files of a split, through the search order.
    ///
    /// - Parameters:
    ///   - name: a registered data set name.
    ///   - split: train or test; one split can be found while the other is missing.
    ///   - search: the search order (`--data-dir`, `$PROBE_DATA`, cache, Debian path).
    /// - Returns: where the split is and its two files.
    /// - Throws: `DatasetError.unknownDataset`, or `.notFound` naming every place looked in and how to fix it.
    public func locate(_ name: String, split: DatasetSplit, search: DataSearchPaths = DataSearchPaths()) throws
        -> LocatedSplit
    {
        try DatasetFinder(descriptor: descriptor(named: name), search: search).locate(split)
    }

    /// Checks every file of a data set against its registered checksum (hashing the decompressed content).
    ///
    /// Each split's files are taken from where `locate` finds the split; a split that is not
    /// found reports its files where they are found one by one, or as missing.
    /// - Parameters:
    ///   - name: a registered data set name.
    ///   - search: the search order.
    /// - Returns: one result per file, in the descriptor's order.
    /// - Throws: `DatasetError.unknownDataset`.
    public func verify(_ name: String, search: DataSearchPaths = DataSearchPaths()) throws -> [FileCheck] {
        try status(name, search: search, verify: true).files
    }

    /// Where a data set is found and which of its files are present, for `probe data list`.
    ///
    /// - Parameters:
    ///   - name: a registered data set name.
    ///   - search: the search order.
    ///   - verify: hash each present file against the registry (reads and decompresses it); when
    ///     false, present files are reported as `.present`.
    /// - Throws: `DatasetError.unknownDataset`.
    public func status(_ name: String, search: DataSearchPaths = DataSearchPaths(), verify: Bool = false) throws
        -> DatasetStatus
    {
        try DatasetFinder(descriptor: descriptor(named: name), search: search).status(verify: verify)
    }

    /// The status of every registered data set, in listing order.
    public func statusOfAll(search: DataSearchPaths = DataSearchPaths(), verify: Bool = false) -> [DatasetStatus] {
        descriptors.map { DatasetFinder(descriptor: $0, search: search).status(verify: verify) }
    }

    /// Finds and loads one split of a data set.
    ///
    /// - Parameters:
    ///   - name: a registered data set name.
    ///   - split: train or test.
    ///   - search: the search order.
    ///   - verifyChecksums: compare each file with the registry while reading it (cheap: the
    ///     content is in memory anyway). A file whose only known checksum is the .gz md5 and that
    ///     is stored uncompressed is loaded unverified.
    /// - Returns: the images and labels.
    /// - Throws: `DatasetError`: unknown name, not found, unreadable, malformed, or a checksum mismatch.
    public func load(
        _ name: String, split: DatasetSplit, search: DataSearchPaths = DataSearchPaths(), verifyChecksums: Bool = true
    ) throws -> LabeledImages {
        if !names.contains(name), ImageFolder.isFolder(name) { return try ImageFolder.load(name, split: split) }
        let descriptor = try descriptor(named: name)
        let located = try DatasetFinder(descriptor: descriptor, search: search).locate(split)
        return try LabeledImages.load(located, descriptor: descriptor, verifyChecksums: verifyChecksums)
    }
}

/// Where one split of a data set was found: the directory and its two files.
public struct LocatedSplit: Sendable, Equatable {
    /// The data set's name.
    public var dataset: String
    /// The split.
    public var split: DatasetSplit
    /// The directory holding both files, and the search rule that led there.
    public var location: DataLocation
    /// The images file (gzip'd or not).
    public var images: URL
    /// The labels file (gzip'd or not).
    public var labels: URL

    /// The directory holding both files.
    public var directory: URL { location.directory }
}

/// The result of checking one data set file, for `probe data list` and `probe data verify`.
public struct FileCheck: Sendable, Equatable {
    /// What was found.
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// Not found in any searched directory.
        case missing
        /// Found, not verified (status without verification).
        case present
        /// Found and matching the registry by this method.
        case ok(ChecksumMethod)
        /// Found and not matching.
        case mismatch(method: ChecksumMethod, expected: String, actual: String)
        /// Found, but no registered checksum applies to it (the reason says why).
        case unverifiable(String)
        /// Found, but it could not be read or decompressed.
        case unreadable(String)

        /// True for `.ok` only.
        public var isVerified: Bool {
            if case .ok = self { return true }
            return false
        }

        /// A few words for a listing ("ok (content sha256)", "MISMATCH: expected …, found …").
        public var description: String {
            switch self {
            case .missing: return "missing"
            case .present: return "present (not verified)"
            case .ok(let method): return "ok (\(method))"
            case let .mismatch(method, expected, actual):
                return "MISMATCH (\(method)): expected \(expected), found \(actual)"
            case .unverifiable(let reason): return "unverifiable: \(reason)"
            case .unreadable(let reason): return "unreadable: \(reason)"
            }
        }
    }

    /// The registry entry checked.
    public var file: DatasetFile
    /// Where the file was found; nil when missing.
    public var url: URL?
    /// What the check found.
    public var outcome: Outcome

    /// A check result.
    public init(file: DatasetFile, url: URL?, outcome: Outcome) {
        self.file = file
        self.url = url
        self.outcome = outcome
    }

    /// Checks the file at `url` against `file`'s registered checksum: the content sha256 when
    /// known, else the md5 of the .gz (which needs the file to be gzip'd).
    ///
    /// - Parameters:
    ///   - file: the registry entry.
    ///   - url: the file on disk.
    /// - Returns: `.ok`, `.mismatch`, `.unverifiable` or `.unreadable`.
    public static func verify(_ file: DatasetFile, at url: URL) -> Outcome {
        let raw: [UInt8]
        do {
            raw = try IDXFile.readBytes(url)
        } catch let error as DatasetError {
            if case .unreadable(_, let reason) = error { return .unreadable(reason) }
            return .unreadable(error.description)
        } catch {
            return .unreadable(IDXFile.reason(error))
        }
        return verify(file, bytes: raw)
    }

    /// The same check on bytes already in memory (as read from disk, gzip'd or not).
    static func verify(_ file: DatasetFile, bytes raw: [UInt8]) -> Outcome {
        let gz = Gzip.isGzip(raw)
        if let expected = file.contentSHA256 {
            let content: [UInt8]
            if gz {
                do {
                    content = try Gzip.decompress(raw)
                } catch let failure as Gzip.Failure {
                    return .unreadable("not a valid gzip file (\(failure.reason))")
                } catch {
                    return .unreadable("\(error)")
                }
            } else {
                content = raw
            }
            let actual = Checksum.sha256(of: content)
            return actual == expected ? .ok(.contentSHA256) : .mismatch(method: .contentSHA256, expected: expected, actual: actual)
        }
        if let expected = file.fileSHA256 {
            let actual = Checksum.sha256(of: raw)
            return actual == expected ? .ok(.fileSHA256) : .mismatch(method: .fileSHA256, expected: expected, actual: actual)
        }
        if let expected = file.gzipMD5 {
            guard gz else {
                return .unverifiable("only the md5 of the upstream .gz is registered and this copy is not gzip'd")
            }
            let actual = Checksum.md5(of: raw)
            return actual == expected ? .ok(.gzipMD5) : .mismatch(method: .gzipMD5, expected: expected, actual: actual)
        }
        return .unverifiable("the registry has no checksum for \(file.name)")
    }
}

/// Where one split of a data set stands, for listings.
public struct SplitStatus: Sendable, Equatable {
    /// The split.
    public var split: DatasetSplit
    /// Where both its files were found; nil when not found together anywhere.
    public var location: DataLocation?
}

/// Where a data set was found and the state of each of its files, for `probe data list`.
public struct DatasetStatus: Sendable, Equatable {
    /// The data set.
    public var descriptor: DatasetDescriptor
    /// Every directory looked in, in search order.
    public var searched: [DataLocation]
    /// Per split, where it was found.
    public var splits: [SplitStatus]
    /// Per file, where it was found and what a check found.
    public var files: [FileCheck]

    /// True when every file is present and verified.
    public var isComplete: Bool { files.allSatisfy { $0.outcome.isVerified } }
    /// True when every file is at least present (verified or not).
    public var isPresent: Bool { files.allSatisfy { $0.outcome != .missing } }
}

/// Applies the search order to one descriptor. Internal: the public face is `DatasetRegistry`.
struct DatasetFinder {
    var descriptor: DatasetDescriptor
    var search: DataSearchPaths

    /// The first accepted name of `file` that exists as a regular file in `directory`.
    static func find(_ file: DatasetFile, in directory: URL) -> URL? {
        for name in file.acceptedNames {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return url
            }
        }
        return nil
    }

    func locate(_ split: DatasetSplit) throws -> LocatedSplit {
        guard descriptor.file(split, .images) != nil, descriptor.file(split, .labels) != nil else {
            throw DatasetError.notFound(
                dataset: descriptor.name, split: split, searched: [], unset: [],
                notes: ["the registry lists no \(split) images and labels for \(descriptor.name)"], fixes: [.useListedSplit(descriptor.splits)])
        }
        if let found = findSplit(split) { return found }
        var notes: [String] = []
        for location in search.locations(for: descriptor.name) {
            for file in descriptor.files(of: split) where Self.find(file, in: location.directory) != nil {
                let others = descriptor.files(of: split).filter { $0 != file }.map(\.name)
                notes.append("\(location.directory.path) has \(file.name) but not \(others.joined(separator: ", "))")
            }
        }
        var fixes: [DatasetFix] = [.fetch(dataset: descriptor.name)]
        if let package = descriptor.debianPackage { fixes.append(.install(package: package)) }
        fixes.append(.searchFolder(files: descriptor.files(of: split).map(\.name)))
        throw DatasetError.notFound(
            dataset: descriptor.name, split: split, searched: search.locations(for: descriptor.name), unset: search.unsetSources,
            notes: notes, fixes: fixes)
    }

    /// The split in the first directory holding both its files; nil when none does (or the
    /// descriptor does not list both files of the split).
    func findSplit(_ split: DatasetSplit) -> LocatedSplit? {
        guard let imagesFile = descriptor.file(split, .images), let labelsFile = descriptor.file(split, .labels) else {
            return nil
        }
        for location in search.locations(for: descriptor.name) {
            if let images = Self.find(imagesFile, in: location.directory),
                let labels = Self.find(labelsFile, in: location.directory)
            {
                return LocatedSplit(dataset: descriptor.name, split: split, location: location, images: images, labels: labels)
            }
        }
        return nil
    }

    func status(verify: Bool) -> DatasetStatus {
        let locations = search.locations(for: descriptor.name)
        var splits: [SplitStatus] = []
        var checks: [FileCheck] = []
        var seen: Set<String> = []
        for split in descriptor.splits {
            let located = findSplit(split)
            splits.append(SplitStatus(split: split, location: located?.location))
            // An archive that holds several files of the registry (CIFAR-10's) is checked once.
            for file in descriptor.files(of: split) where seen.insert(file.name).inserted {
                let url: URL?
                if let located {
                    url = file.kind == .images ? located.images : located.labels
                } else {
                    url = locations.lazy.compactMap { Self.find(file, in: $0.directory) }.first
                }
                guard let url else {
                    checks.append(FileCheck(file: file, url: nil, outcome: .missing))
                    continue
                }
                checks.append(FileCheck(file: file, url: url, outcome: verify ? FileCheck.verify(file, at: url) : .present))
            }
        }
        return DatasetStatus(descriptor: descriptor, searched: locations, splits: splits, files: checks)
    }
}
