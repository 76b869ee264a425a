import Foundation
import Files

/// The images a recording runs over, and the way back from a recorded row to its image: a split
/// of a registered data set, or `all`, the training split followed by the test split (so test
/// image i is row `train.count + i`).
public struct RecordedImages: Sendable {
    /// The images and labels, in recording order.
    public var images: LabeledImages
    /// The sha256 of the images' content as the registry lists it ("TRAIN+TEST" for `all`; a gzip
    /// MD5 as "md5-gz:…" where the registry has no content checksum).
    public var datasetSHA256: String

    /// Loads `split` of `dataset` through the search order.
    /// - Throws: `DatasetError` when a split is missing or fails its checks.
    public static func load(
        _ dataset: String, split: RecordedSplit, search: DataSearchPaths = DataSearchPaths(),
        registry: DatasetRegistry = .standard
    ) throws -> RecordedImages {
        let descriptor = try registry.descriptor(named: dataset)
        func checksum(_ split: DatasetSplit) -> String {
            guard let file = descriptor.file(split, .images) else { return "" }
            return file.contentSHA256 ?? file.gzipMD5.map { "md5-gz:" + $0 } ?? ""
        }
        switch split {
        case .test, .train:
            let one = split.parts[0]
            return RecordedImages(images: try registry.load(dataset, split: one, search: search), datasetSHA256: checksum(one))
        case .all:
            let train = try registry.load(dataset, split: .train, search: search)
            let test = try registry.load(dataset, split: .test, search: search)
            let joined = try LabeledImages(
                name: dataset, split: .train, pixels: train.pixels + test.pixels, height: train.height,
                width: train.width, labels: train.labels + test.labels, classNames: train.classNames)
            return RecordedImages(images: joined, datasetSHA256: checksum(.train) + "+" + checksum(.test))
        }
    }

    /// The pixels (uint8, one image after another) of the recorded rows `indices` of `split`, as an
    /// activation file stores them in `/indices`.
    /// - Throws: `DatasetError` when a split is missing; `RecordingError.invalidFile` for a row outside the split.
    public static func pixels(
        ofRows indices: [Int], split: RecordedSplit, dataset: String, search: DataSearchPaths = DataSearchPaths(),
        registry: DatasetRegistry = .standard
    ) throws -> [UInt8] {
        let train = split == .test ? nil : try registry.load(dataset, split: .train, search: search)
        let test = split == .train ? nil : try registry.load(dataset, split: .test, search: search)
        let offset = split == .all ? (train?.count ?? 0) : 0
        var pixels: [UInt8] = []
        for index in indices {
            guard
                let (set, row) = { () -> (LabeledImages, Int)? in
                    if let test, split == .test || index >= offset { return (test, index - offset) }
                    return train.map { ($0, index) }
                }(), row >= 0, row < set.count
            else {
                throw RecordingError.invalidFile("row \(index) is outside the \(split.rawValue) split of \(dataset)")
            }
            let size = set.height * set.width
            pixels += set.pixels[(row * size)..<((row + 1) * size)]
        }
        return pixels
    }

    /// The pixels of every row of `file`: those it stores (recorded with images), or those of its
    /// data set, read by the rows' indices; nil when it stores none and the registry does not know its data set.
    /// - Throws: what `pixels(ofRows:)` throws, and errors reading the file.
    public static func pixels(of file: ActivationFile, search: DataSearchPaths = DataSearchPaths(), registry: DatasetRegistry = .standard) throws
        -> [UInt8]?
    {
        if file.hasImages { return try file.images().pixels }
        guard registry.names.contains(file.metadata.dataset) else { return nil }
        return try pixels(ofRows: try file.indices(), split: file.metadata.split, dataset: file.metadata.dataset, search: search, registry: registry)
    }
}
