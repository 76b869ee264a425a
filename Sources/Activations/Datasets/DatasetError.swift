import Foundation
import Files

/// Everything that can go wrong while finding, reading, verifying or downloading a data set.
///
/// Each case's `description` is one line that says what is wrong, where, and what to do
/// about it, so the CLI can print it as it is.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// No data set of this name is registered.
    case unknownDataset(name: String, known: [String])
    /// No directory in the search order holds both files of the split; `unset`: the sources not given.
    case notFound(
        dataset: String, split: DatasetSplit, searched: [DataLocation], unset: [DataLocation.Source], notes: [String], fixes: [DatasetFix])
    /// A file could not be read from disk.
    case unreadable(path: String, reason: String)
    /// A gzip stream is damaged (zlib refused it).
    case corruptGzip(path: String, reason: String, dataset: String?)
    /// A file is too short to hold even an IDX header.
    case missingHeader(path: String, actualBytes: Int, dataset: String?)
    /// The first bytes are not an IDX magic number.
    case notIDX(path: String, magic: UInt32, dataset: String?)
    /// An IDX file whose elements are not unsigned bytes (type code 0x08).
    case unsupportedElementType(path: String, typeCode: UInt8)
    /// An IDX file of another kind than the one expected (labels where images belong, say).
    case unexpectedKind(path: String, expected: IDXFile.Kind, magic: UInt32)
    /// The byte count disagrees with what the header promises (truncated or over-long).
    case wrongLength(path: String, expectedBytes: Int, actualBytes: Int, decompressed: Bool, dataset: String?)
    /// The header declares dimensions whose product overflows.
    case absurdDimensions(path: String, dimensions: [Int])
    /// The images file and the labels file of one split hold different numbers of items.
    case countMismatch(imagesPath: String, images: Int, labelsPath: String, labels: Int)
    /// A label is not below the number of classes.
    case labelOutOfRange(path: String, index: Int, label: Int, classCount: Int)
    /// The images do not have the height and width the data set declares.
    case unexpectedImageSize(path: String, expected: [Int], actual: [Int])
    /// A file's checksum is not the registered one.
    case checksumMismatch(path: String, method: ChecksumMethod, expected: String, actual: String, dataset: String)
    /// Neither registered checksum can be checked on this file (only the .gz md5 is known and the file is not gzip'd).
    case unverifiable(path: String, reason: String)
    /// Every mirror failed for one file; `attempts` says how each failed.
    case downloadFailed(dataset: String, file: String, attempts: [MirrorAttempt])
    /// A mirror given in `PROBE_MIRROR` or as a parameter is not an http(s) or file URL.
    case invalidMirror(String)
    /// Writing a file or a directory failed.
    case writeFailed(path: String, reason: String)
    /// The data set's images are not inputs of the model `model` (a path or a name).
    case notModelInput(model: String, inputShape: [Int], dataset: String, height: Int, width: Int, channels: Int)
    /// An archive that is not the layout its data set has (CIFAR-10's binary version).
    case malformedArchive(path: String, reason: String)
    /// An image file that cannot be decoded.
    case unreadableImage(path: String, reason: String)
    /// A folder of images that is not a data set (no class folder, an empty class, images of several sizes).
    case invalidImageFolder(String)
    /// The model's classes are not the data set's.
    case classesDoNotMatch(model: String, modelClasses: Int, dataset: String, classNames: [String])

    /// One failed try of one mirror, for `downloadFailed`.
    public struct MirrorAttempt: Equatable, Sendable, CustomStringConvertible {
        /// The full URL that was requested.
        public var url: String
        /// What went wrong, in a few words ("HTTP 404", "checksum mismatch: expected …, got …").
        public var reason: String

        /// An attempt at `url` that failed for `reason`.
        public init(url: String, reason: String) {
            self.url = url
            self.reason = reason
        }

        /// `url: reason`.
        public var description: String { "\(url): \(reason)" }
    }

    /// One line: what is wrong, where, and what to do.
    public var description: String { described(naming: \.rawValue) }

    /// The line with the sources of the search order named by `name` (a front end names its own option).
    public func described(naming name: (DataLocation.Source) -> String) -> String {
        switch self {
        case let .unknownDataset(name, known):
            return "unknown data set '\(name)'; known data sets: \(known.joined(separator: ", "))"
        case let .notFound(dataset, split, searched, unset, notes, fixes):
            let places = searched.map { $0.described(naming: name) }.joined(separator: ", ")
            let unsetNotes = unset.map { "\(name($0)) \($0 == .probeData ? "not set" : "not given")" }
            let noted = (unsetNotes + notes).map { "; \($0)" }.joined()
            return "\(dataset) (\(split.rawValue) split) not found; looked in \(places)\(noted); "
                + "to fix: \(fixes.map { $0.described(naming: name) }.joined(separator: ", or "))"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .corruptGzip(path, reason, dataset):
            return "\(path) is not a valid gzip file (\(reason)); \(Self.replaceHint(dataset))"
        case let .missingHeader(path, actual, dataset):
            return "\(path) is too short to be an IDX file (\(actual) bytes); \(Self.replaceHint(dataset))"
        case let .notIDX(path, magic, dataset):
            return "\(path) is not an IDX file: magic number \(Self.hex(magic)), expected "
                + "\(Self.hex(IDXFile.Kind.images.magic)) (images) or \(Self.hex(IDXFile.Kind.labels.magic)) (labels); "
                + Self.replaceHint(dataset)
        case let .unsupportedElementType(path, code):
            return "\(path) holds IDX elements of type \(IDXFile.typeName(code)) (code 0x\(String(format: "%02x", code))); "
                + "only unsigned bytes (0x08) are supported: convert it to uint8 IDX"
        case let .unexpectedKind(path, expected, magic):
            return "\(path) has magic number \(Self.hex(magic)) but \(expected) (\(Self.hex(expected.magic))) were expected; "
                + "check that the images and labels files are not swapped"
        case let .wrongLength(path, expected, actual, decompressed, dataset):
            let what = actual < expected ? "is truncated" : "is longer than its header says"
            let after = decompressed ? " after decompression" : ""
            return "\(path) \(what): expected \(expected) bytes\(after), found \(actual); \(Self.replaceHint(dataset))"
        case let .absurdDimensions(path, dims):
            return "\(path) declares dimensions \(dims) whose product overflows; the header is damaged, replace the file"
        case let .countMismatch(imagesPath, images, labelsPath, labels):
            return "\(imagesPath) holds \(images) images but \(labelsPath) holds \(labels) labels; "
                + "both files must come from the same split of the same data set"
        case let .labelOutOfRange(path, index, label, classCount):
            return "\(path): label \(label) at index \(index) is not below the class count \(classCount); "
                + "the labels belong to another data set or the file is damaged"
        case let .unexpectedImageSize(path, expected, actual):
            return "\(path) holds images of size \(actual.map(String.init).joined(separator: "x")), "
                + "the data set declares \(expected.map(String.init).joined(separator: "x")); it belongs to another data set"
        case let .checksumMismatch(path, method, expected, actual, dataset):
            return "\(path) does not match the registered \(method): expected \(expected), found \(actual); "
                + "delete it and run `probe data fetch \(dataset)`"
        case let .unverifiable(path, reason):
            return "cannot verify \(path): \(reason)"
        case let .downloadFailed(dataset, file, attempts):
            let tried = attempts.isEmpty ? "no mirror is configured" : attempts.map { $0.description }.joined(separator: "; ")
            return "could not download \(file) of \(dataset): \(tried); "
                + "check the network, or set PROBE_MIRROR to a base URL that serves the files"
        case let .invalidMirror(value):
            return "mirror '\(value)' is not an http, https or file URL; give a base URL such as https://example.org/mnist/"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason)"
        case let .notModelInput(model, inputShape, dataset, height, width, channels):
            return
                "\(model) takes inputs of shape \(inputShape); \(dataset) images are \(height)x\(width)\(channels == 3 ? " RGB" : channels == 1 ? " grey" : " with \(channels) channels")"
        case let .malformedArchive(path, reason):
            return "\(path) cannot be read as CIFAR-10's binary archive: \(reason); fetch it again with probe data fetch"
        case let .unreadableImage(path, reason):
            return "\(path) cannot be decoded: \(reason); remove it or replace it with a PNG or JPEG that opens"
        case .invalidImageFolder(let message):
            return message
        case let .classesDoNotMatch(model, modelClasses, dataset, classNames):
            let shown = classNames.prefix(12).joined(separator: ", ") + (classNames.count > 12 ? ", …" : "")
            return
                "\(model) predicts \(modelClasses) classes; \(dataset) has \(classNames.count) (\(shown)): use a model trained on these classes, or data with its \(modelClasses)"
        }
    }

    /// The same line as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    private static func replaceHint(_ dataset: String?) -> String {
        if let dataset { return "delete it and run `probe data fetch \(dataset)`" }
        return "replace it with an intact copy"
    }

    private static func hex(_ value: UInt32) -> String { String(format: "0x%08x", value) }
}

/// A way to make a missing data set found, as `DatasetError.notFound` suggests it.
public enum DatasetFix: Equatable, Sendable, CustomStringConvertible {
    /// Download it (`probe data fetch NAME`, `DatasetFetcher`).
    case fetch(dataset: String)
    /// Install the Debian package that ships it.
    case install(package: String)
    /// Point the search at a folder holding `files`.
    case searchFolder(files: [String])
    /// Use a split the registry lists.
    case useListedSplit([DatasetSplit])

    public var description: String { described(naming: \.rawValue) }

    /// The suggestion, with the sources of the search order named by `name`.
    public func described(naming name: (DataLocation.Source) -> String) -> String {
        switch self {
        case .fetch(let dataset): return "run `probe data fetch \(dataset)`"
        case .install(let package): return "`apt-get install \(package)`"
        case .searchFolder(let files):
            return "pass \(name(.dataDirectory)) DIR (or set PROBE_DATA) to a folder holding \(files.joined(separator: " and "))"
        case .useListedSplit(let splits): return "use a split the registry lists (\(splits.map(\.rawValue).joined(separator: ", ")))"
        }
    }
}
