import Foundation
import Engine
import Files

/// One split of a labelled image data set in memory: the images as a tensor ready for the
/// network, the raw bytes they came from, the labels and the class names.
///
/// `images` holds `pixels` scaled to [0, 1]:
/// ```
/// images[n, 0, y, x] = pixels[n·H·W + y·W + x] / 255
/// ```
public struct LabeledImages: Sendable {
    /// The data set's name (`fashion-mnist`).
    public let name: String
    /// Which split this is.
    public let split: DatasetSplit
    /// The images, shape `[N, 1, H, W]`, values in [0, 1].
    public let images: Tensor
    /// The same images as the original bytes, `N·H·W` values, row-major; kept because later
    /// stages store them exactly.
    public let pixels: [UInt8]
    /// The label of each image, each in `0..<classNames.count`.
    public let labels: [Int]
    /// The class names, indexed by label.
    public let classNames: [String]
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// Channels per image: 1 (grey) or 3 (RGB).
    public let channels: Int
    /// A SHA-256 identifying the content, when the loader computed one (image folders, CIFAR archives).
    public var contentSHA256: String?

    /// The number of images.
    public var count: Int { labels.count }

    /// A labelled image set from raw bytes, checked for consistency.
    ///
    /// - Parameters:
    ///   - name: the data set's name.
    ///   - split: the split.
    ///   - pixels: `count·height·width` bytes, row-major.
    ///   - height: image height.
    ///   - width: image width.
    ///   - labels: one label per image.
    ///   - classNames: the class names; every label must be below their count.
    ///   - source: a path or name for error messages.
    /// - Throws: `DatasetError.countMismatch` when pixels and labels disagree on the count,
    ///   `.labelOutOfRange` when a label is not a class index.
    public init(
        name: String, split: DatasetSplit, pixels: [UInt8], height: Int, width: Int, channels: Int = 1, labels: [Int],
        classNames: [String], source: String? = nil
    ) throws {
        let where_ = source ?? "\(name) \(split)"
        let perImage = channels * height * width
        guard perImage > 0, pixels.count % perImage == 0, pixels.count / perImage == labels.count else {
            throw DatasetError.countMismatch(
                imagesPath: where_ + " (images)", images: perImage > 0 ? pixels.count / perImage : 0,
                labelsPath: where_ + " (labels)", labels: labels.count)
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
            throw DatasetError.labelOutOfRange(path: where_, index: bad, label: labels[bad], classCount: classNames.count)
        }
        self.init(
            unchecked: name, split: split, pixels: pixels, height: height, width: width, channels: channels, labels: labels,
            classNames: classNames)
    }

    private init(
        unchecked name: String, split: DatasetSplit, pixels: [UInt8], height: Int, width: Int, channels: Int = 1, labels: [Int],
        classNames: [String]
    ) {
        self.name = name
        self.split = split
        self.pixels = pixels
        self.height = height
        self.width = width
        self.channels = channels
        self.labels = labels
        self.classNames = classNames
        // NOTE: x / 255 (not x / 256) so that 255 maps to exactly 1, the top of the attack box [0, 1].
        self.images = Tensor(shape: [labels.count, channels, height, width]) { dst in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<src.count { dst[i] = Float(src[i]) / 255 }
            }
        }
    }

    /// The first `limit` examples, or all of them when `limit` is nil or not smaller than the count.
    public func prefix(_ limit: Int?) -> LabeledImages {
        guard let limit, limit < count else { return self }
        return subset(Array(0..<limit))
    }

    /// Checks that every image is one input of `model`, which `modelName` names in the error.
    /// - Throws: `DatasetError.notModelInput` when the sizes differ.
    public func requireInputs(of model: Sequential, named modelName: String) throws {
        guard imageShape == model.inputShape || channels == 1 && height * width == model.inputSize else {
            throw DatasetError.notModelInput(
                model: modelName, inputShape: model.inputShape, dataset: name, height: height, width: width, channels: channels)
        }
        guard model.classCount == classNames.count else {
            throw DatasetError.classesDoNotMatch(model: modelName, modelClasses: model.classCount, dataset: name, classNames: classNames)
        }
    }

    /// The images at `indices`, in that order, with their labels (indices may repeat).
    /// - Precondition: every index is in `0..<count`.
    /// One image's shape as a network takes it: (channels, height, width).
    public var imageShape: [Int] { [channels, height, width] }

    /// Bytes per image: channels · height · width, channel-major (CHW), as a network takes the image.
    public var bytesPerImage: Int { channels * height * width }

    public func subset(_ indices: [Int]) -> LabeledImages {
        let perImage = bytesPerImage
        var newPixels = [UInt8]()
        newPixels.reserveCapacity(indices.count * perImage)
        var newLabels = [Int]()
        newLabels.reserveCapacity(indices.count)
        for i in indices {
            precondition(i >= 0 && i < count, "LabeledImages.subset: index \(i) outside 0..<\(count) of \(name) \(split)")
            newPixels.append(contentsOf: pixels[(i * perImage)..<((i + 1) * perImage)])
            newLabels.append(labels[i])
        }
        return LabeledImages(
            unchecked: name, split: split, pixels: newPixels, height: height, width: width, channels: channels, labels: newLabels,
            classNames: classNames)
    }

    /// Reads a split from its images and labels files (each gzip'd or not) and checks them.
    ///
    /// - Parameters:
    ///   - images: the images IDX file (magic 0x00000803).
    ///   - labels: the labels IDX file (magic 0x00000801).
    ///   - name: the data set's name, also used in "run `probe data fetch NAME`" hints.
    ///   - split: the split.
    ///   - classNames: the class names; every label must be below their count.
    /// - Throws: `DatasetError` from reading either file, `.countMismatch`, `.labelOutOfRange`.
    public static func load(images: URL, labels: URL, name: String, split: DatasetSplit, classNames: [String]) throws
        -> LabeledImages
    {
        let imageFile = try IDXFile.read(images, expected: .images, dataset: name)
        let labelFile = try IDXFile.read(labels, expected: .labels, dataset: name)
        return try make(imageFile, labelFile, name: name, split: split, classNames: classNames)
    }

    /// Reads a located split and checks it against its descriptor (image size, and checksums when asked).
    ///
    /// - Parameters:
    ///   - located: where the split's files are (from `DatasetRegistry.locate`).
    ///   - descriptor: the data set's registry entry.
    ///   - verifyChecksums: compare each file with the registry while reading it; a file whose
    ///     only registered checksum is the .gz md5 and that is stored uncompressed is loaded unverified.
    /// - Throws: `DatasetError` from reading, `.unexpectedImageSize`, `.checksumMismatch`,
    ///   `.countMismatch`, `.labelOutOfRange`.
    public static func load(_ located: LocatedSplit, descriptor: DatasetDescriptor, verifyChecksums: Bool = true) throws
        -> LabeledImages
    {
        if case .cifarBinary = descriptor.format {
            return try CIFARArchive.load(located.images, split: located.split, descriptor: descriptor, verifyChecksums: verifyChecksums)
        }
        let imageFile = try IDXFile.read(located.images, expected: .images, dataset: descriptor.name)
        let labelFile = try IDXFile.read(located.labels, expected: .labels, dataset: descriptor.name)
        if verifyChecksums {
            for (idx, kind) in [(imageFile, IDXFile.Kind.images), (labelFile, .labels)] {
                guard let entry = descriptor.file(located.split, kind) else { continue }
                try check(idx, against: entry, dataset: descriptor.name)
            }
        }
        let size = Array(imageFile.dimensions.dropFirst())
        guard size == descriptor.imageSize else {
            throw DatasetError.unexpectedImageSize(path: located.images.path, expected: descriptor.imageSize, actual: size)
        }
        return try make(imageFile, labelFile, name: descriptor.name, split: located.split, classNames: descriptor.classNames)
    }

    private static func check(_ file: IDXFile, against entry: DatasetFile, dataset: String) throws {
        if let expected = entry.contentSHA256 {
            guard file.contentSHA256 == expected else {
                throw DatasetError.checksumMismatch(
                    path: file.url.path, method: .contentSHA256, expected: expected, actual: file.contentSHA256,
                    dataset: dataset)
            }
        } else if let expected = entry.gzipMD5, let actual = file.gzipMD5 {
            guard actual == expected else {
                throw DatasetError.checksumMismatch(
                    path: file.url.path, method: .gzipMD5, expected: expected, actual: actual, dataset: dataset)
            }
        }
    }

    private static func make(_ imageFile: IDXFile, _ labelFile: IDXFile, name: String, split: DatasetSplit, classNames: [String])
        throws -> LabeledImages
    {
        guard imageFile.count == labelFile.count else {
            throw DatasetError.countMismatch(
                imagesPath: imageFile.url.path, images: imageFile.count, labelsPath: labelFile.url.path,
                labels: labelFile.count)
        }
        let labels = labelFile.elements.map { Int($0) }
        if let bad = labels.firstIndex(where: { $0 >= classNames.count }) {
            throw DatasetError.labelOutOfRange(
                path: labelFile.url.path, index: bad, label: labels[bad], classCount: classNames.count)
        }
        return LabeledImages(
            unchecked: name, split: split, pixels: imageFile.elements, height: imageFile.dimensions[1],
            width: imageFile.dimensions[2], labels: labels, classNames: classNames)
    }
}
