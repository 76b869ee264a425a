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
            let images = try registry.load(dataset, split: one, search: search)
            return RecordedImages(images: images, datasetSHA256: images.contentSHA256 ?? checksum(one))
        case .all:
            let train = try registry.load(dataset, split: .train, search: search)
            let test = try registry.load(dataset, split: .test, search: search)
            let joined = try LabeledImages(
                name: dataset, split: .train, pixels: train.pixels + test.pixels, height: train.height,
                width: train.width, channels: train.channels, labels: train.labels + test.labels, classNames: train.classNames)
            return RecordedImages(
                images: joined, datasetSHA256: (train.contentSHA256 ?? checksum(.train)) + "+" + (test.contentSHA256 ?? checksum(.test)))
        }
    }

    /// The pixels (uint8, one image after another) of the recorded rows `indices` of `split`, as an
    /// activation file stores them in `/indices`.
    /// - Throws: `DatasetError` when a split is missing; `RecordingError.invalidFile` for a row outside the split.
    public static func pixels(
        ofRows indices: [Int], split: RecordedSplit, dataset: String, search: DataSearchPaths = DataSearchPaths(),
        registry: DatasetRegistry = .standard
    ) throws -> ImageBytes {
        let train = split == .test ? nil : try registry.load(dataset, split: .train, search: search)
        let test = split == .train ? nil : try registry.load(dataset, split: .test, search: search)
        let offset = split == .all ? (train?.count ?? 0) : 0
        var pixels: [UInt8] = []
        var shape = (channels: 1, height: 0, width: 0)
        for index in indices {
            guard
                let (set, row) = { () -> (LabeledImages, Int)? in
                    if let test, split == .test || index >= offset { return (test, index - offset) }
                    return train.map { ($0, index) }
                }(), row >= 0, row < set.count
            else {
                throw RecordingError.invalidFile("row \(index) is outside the \(split.rawValue) split of \(dataset)")
            }
            let size = set.bytesPerImage
            pixels += set.pixels[(row * size)..<((row + 1) * size)]
            shape = (set.channels, set.height, set.width)
        }
        return ImageBytes(pixels: pixels, channels: shape.channels, height: shape.height, width: shape.width)
    }

    /// The pixels of every row of `file`: those it stores (recorded with images), or those of its
    /// data set, read by the rows' indices; nil when it stores none and the registry does not know its data set.
    /// - Throws: what `pixels(ofRows:)` throws, and errors reading the file.
    public static func pixels(of file: ActivationFile, search: DataSearchPaths = DataSearchPaths(), registry: DatasetRegistry = .standard) throws
        -> ImageBytes?
    {
        if file.hasImages { return try file.images() }
        guard registry.names.contains(file.metadata.dataset) || ImageFolder.isFolder(file.metadata.dataset) else { return nil }
        return try pixels(ofRows: try file.indices(), split: file.metadata.split, dataset: file.metadata.dataset, search: search, registry: registry)
    }
}

/// Images as bytes, one after another, each channel-major (C, H, W): what an activation file's
/// `images` holds and what the pictures of a units analysis or a report draw.
public struct ImageBytes: Sendable, Equatable {
    /// `count · channels · height · width` bytes.
    public var pixels: [UInt8]
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// Rows of each image.
    public var height: Int
    /// Columns of each image.
    public var width: Int

    /// Images of `channels × height × width` bytes each, one after another in `pixels`.
    public init(pixels: [UInt8], channels: Int, height: Int, width: Int) {
        (self.pixels, self.channels, self.height, self.width) = (pixels, channels, height, width)
    }

    /// Bytes per image.
    public var bytesPerImage: Int { channels * height * width }

    /// Image `index` as a tile for a grid: grey bytes, or RGB interleaved per pixel (H, W, 3).
    public func tile(_ index: Int) -> [UInt8] {
        let plane = height * width, start = index * bytesPerImage
        guard channels == 3 else { return Array(pixels[start..<(start + plane)]) }
        var out = [UInt8](repeating: 0, count: plane * 3)
        for p in 0..<plane {
            for c in 0..<3 { out[p * 3 + c] = pixels[start + c * plane + p] }
        }
        return out
    }
}
