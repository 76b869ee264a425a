import Files
import Foundation

/// How a file's integrity is checked against the registry.
public enum ChecksumMethod: String, Sendable, Equatable, CustomStringConvertible {
    /// sha256 of the decompressed content: independent of how (or whether) the file is gzip'd,
    /// so Debian's re-compressed files and uncompressed copies verify too.
    case contentSHA256 = "content sha256"
    /// md5 of the gzip'd bytes as published upstream: only checkable on that exact .gz file.
    case gzipMD5 = "md5 of the .gz"
    /// sha256 of the file's bytes as published (an archive, such as CIFAR-10's .tar.gz).
    case fileSHA256 = "sha256 of the file"

    /// "content sha256" or "md5 of the .gz".
    public var description: String { rawValue }
}

/// One file of a data set: its upstream name, what it holds, and the checksums it must match.
///
/// Verification uses `contentSHA256` whenever it is known; `gzipMD5` is used only for files
/// whose content sha256 is not known (MNIST's training images, which cannot be obtained here).
public struct DatasetFile: Sendable, Equatable {
    /// The upstream file name, gzip'd (`train-images-idx3-ubyte.gz`).
    public var name: String
    /// The split the file belongs to.
    public var split: DatasetSplit
    /// Images or labels.
    public var kind: IDXFile.Kind
    /// sha256 of the decompressed content, lowercase hex; nil when not known.
    public var contentSHA256: String?
    /// md5 of the upstream .gz bytes, lowercase hex; nil when not known.
    public var gzipMD5: String?
    /// sha256 of the file's bytes as published, lowercase hex (archives); nil when not known.
    public var fileSHA256: String?

    /// A file entry.
    ///
    /// - Parameters:
    ///   - name: the upstream file name; a name ending in `.gz` is also looked for without the suffix.
    ///   - split: train or test.
    ///   - kind: images or labels.
    ///   - contentSHA256: sha256 of the decompressed content (`zcat FILE | sha256sum`).
    ///   - gzipMD5: md5 of the upstream .gz (`md5sum FILE.gz`), for files whose content hash is unknown.
    public init(
        name: String, split: DatasetSplit, kind: IDXFile.Kind, contentSHA256: String? = nil, gzipMD5: String? = nil, fileSHA256: String? = nil
    ) {
        self.fileSHA256 = fileSHA256?.lowercased()
        self.name = name
        self.split = split
        self.kind = kind
        self.contentSHA256 = contentSHA256?.lowercased()
        self.gzipMD5 = gzipMD5?.lowercased()
    }

    /// The names this file is accepted under, in the order they are looked for: the upstream
    /// (gzip'd) name first, then the name without `.gz`.
    public var acceptedNames: [String] {
        if name.hasSuffix(".tar.gz") { return [name] }
        return name.hasSuffix(".gz") ? [name, String(name.dropLast(3))] : [name, name + ".gz"]
    }

    /// The method `verify` uses for this file: content sha256 when known, else the .gz md5; nil when neither is known.
    public var preferredChecksum: ChecksumMethod? {
        if contentSHA256 != nil { return .contentSHA256 }
        if fileSHA256 != nil { return .fileSHA256 }
        if gzipMD5 != nil { return .gzipMD5 }
        return nil
    }
}

/// How a data set's files hold its images.
public enum DatasetFormat: Sendable, Equatable {
    /// An images and a labels IDX file per split (MNIST, Fashion-MNIST).
    case idx
    /// CIFAR-10's binary version: one .tar.gz holding `cifar-10-batches-bin/` with, per split, batch files of
    /// records of one label byte and 3·32·32 pixel bytes (red, green, blue planes, row-major).
    case cifarBinary(members: [DatasetSplit: [String]])
}

/// Everything the tool knows about one data set: its files and their checksums, its class
/// names, where to download it, and which Debian package ships it.
///
/// The registry holds the real ones (`DatasetRegistry.standard`); tests build their own to
/// register a tiny data set with fixture checksums.
public struct DatasetDescriptor: Sendable, Equatable {
    /// The name used on the command line and as the folder name (`fashion-mnist`).
    public var name: String
    /// One line on what the data set is, for `probe data list`.
    public var summary: String
    /// The class names, indexed by label.
    public var classNames: [String]
    /// The image size `[height, width]`; files of another size are rejected.
    public var imageSize: [Int]
    /// The files, two per split (images and labels).
    public var files: [DatasetFile]
    /// Base URLs to download from, tried in order; each file is at `mirror/<file name>`.
    public var mirrors: [URL]
    /// The Debian package that installs the data set under `/usr/share/datasets/<name>/`, if there is one.
    public var debianPackage: String?
    /// How the files hold the images: IDX files, or CIFAR-10's binary batches in a .tar.gz archive.
    public var format: DatasetFormat = .idx
    /// Channels per image: 1 (grey) or 3 (RGB).
    public var channels = 1

    /// A data set description.
    ///
    /// - Parameters:
    ///   - name: the command-line and folder name.
    ///   - summary: one line for listings.
    ///   - classNames: class names indexed by label.
    ///   - imageSize: `[height, width]`.
    ///   - files: the images and labels files of each split.
    ///   - mirrors: download base URLs, tried in order.
    ///   - debianPackage: the Debian package that ships it, if any.
    public init(
        name: String, summary: String = "", classNames: [String], imageSize: [Int] = [28, 28],
        files: [DatasetFile], mirrors: [URL] = [], debianPackage: String? = nil
    ) {
        self.name = name
        self.summary = summary
        self.classNames = classNames
        self.imageSize = imageSize
        self.files = files
        self.mirrors = mirrors
        self.debianPackage = debianPackage
    }

    /// The file of `split` holding `kind`, if the descriptor lists one.
    public func file(_ split: DatasetSplit, _ kind: IDXFile.Kind) -> DatasetFile? {
        files.first { $0.split == split && $0.kind == kind }
    }

    /// The files of one split, images first.
    public func files(of split: DatasetSplit) -> [DatasetFile] {
        files.filter { $0.split == split }.sorted { $0.kind == .images && $1.kind == .labels }
    }

    /// The splits the descriptor has files for, train first.
    public var splits: [DatasetSplit] {
        DatasetSplit.allCases.filter { split in files.contains { $0.split == split } }
    }

    /// The four files named as upstream MNIST-style data sets name them, with the given checksums.
    ///
    /// - Parameter checksums: per file name, the content sha256 and/or the .gz md5.
    /// - Returns: the train/test images/labels entries.
    public static func mnistStyleFiles(_ checksums: [String: (contentSHA256: String?, gzipMD5: String?)]) -> [DatasetFile] {
        let layout: [(String, DatasetSplit, IDXFile.Kind)] = [
            ("train-images-idx3-ubyte.gz", .train, .images),
            ("train-labels-idx1-ubyte.gz", .train, .labels),
            ("t10k-images-idx3-ubyte.gz", .test, .images),
            ("t10k-labels-idx1-ubyte.gz", .test, .labels),
        ]
        return layout.map { name, split, kind in
            DatasetFile(
                name: name, split: split, kind: kind,
                contentSHA256: checksums[name]?.contentSHA256, gzipMD5: checksums[name]?.gzipMD5)
        }
    }
}

extension DatasetDescriptor {
    /// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 70,000 28x28 grey images of clothing in 10 classes.
    ///
    /// Checksums are the sha256 of the decompressed content, computed from Debian's
    /// `dataset-fashion-mnist` (whose .gz bytes differ from upstream's; the contents are the
    /// upstream data). See data/CHECKSUMS.md.
    public static let fashionMNIST = DatasetDescriptor(
        name: "fashion-mnist",
        summary: "Fashion-MNIST: 60,000 training and 10,000 test 28x28 images of clothing, 10 classes",
        classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        files: mnistStyleFiles([
            "train-images-idx3-ubyte.gz": ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", nil),
            "train-labels-idx1-ubyte.gz": ("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", nil),
            "t10k-images-idx3-ubyte.gz": ("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", nil),
            "t10k-labels-idx1-ubyte.gz": ("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", nil),
        ]),
        mirrors: [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")].compactMap { $0 },
        debianPackage: "dataset-fashion-mnist")

    /// MNIST (LeCun, Cortes and Burges): 70,000 28x28 grey images of handwritten digits, the data set Szegedy et al. used.
    ///
    /// Three files are checked by the sha256 of their decompressed content. The training
    /// images are checked by the official md5 of the upstream .gz
    /// (f68b3c2dcbeaaa9fbdd348bbdeb94873), because their content sha256 could not be computed
    /// here: keep that file gzip'd, as downloaded, or it cannot be verified. See data/CHECKSUMS.md.
    public static let mnist = DatasetDescriptor(
        name: "mnist",
        summary: "MNIST: 60,000 training and 10,000 test 28x28 images of handwritten digits, 10 classes",
        classNames: (0...9).map(String.init),
        files: mnistStyleFiles([
            "train-images-idx3-ubyte.gz": (nil, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            "train-labels-idx1-ubyte.gz": (
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", "d53e105ee54ea40749a09fcbcd1e9432"
            ),
            "t10k-images-idx3-ubyte.gz": (
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", "9fb629c4189551a2d022fa330f9573f3"
            ),
            "t10k-labels-idx1-ubyte.gz": (
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", "ec29112dd5afa0611ce80d1b7f02629c"
            ),
        ]),
        mirrors: [
            URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URL(string: "http://yann.lecun.com/exdb/mnist/"),
        ].compactMap { $0 })

    /// The first 512 training and 256 test images of Fashion-MNIST, shipped in the repository's
    /// data/fixtures/fashion-mnist-tiny (made by data/fixtures/make-fixtures.py) for tests and quick
    /// runs: `--dataset fashion-mnist-tiny --data-dir data/fixtures`. It has no mirror.
    public static let fashionMNISTTiny = DatasetDescriptor(
        name: "fashion-mnist-tiny",
        summary: "the first 512 training and 256 test Fashion-MNIST images, in the repository's data/fixtures (tests, quick runs)",
        classNames: fashionMNIST.classNames,
        files: mnistStyleFiles([
            "train-images-idx3-ubyte.gz": ("deb9198f706b0f2ae2e54000eed634453fb922aab9d99acae2d649ff92165d3e", nil),
            "train-labels-idx1-ubyte.gz": ("d197307668a52d8897d577ef0befc4313eb4609c88e3ff5119ccfc2ffbabe212", nil),
            "t10k-images-idx3-ubyte.gz": ("d26e6d4358029015fcf965ead9b5b8d3d14c9f95e7bcb339b0671d303127251c", nil),
            "t10k-labels-idx1-ubyte.gz": ("9a0b493be362cbe84229b5021aa6fcc6c4337787151612e718d2892825267910", nil),
        ]),
        mirrors: [])

    /// CIFAR-10 (Krizhevsky 2009): 60,000 32x32 colour images in 10 classes, its binary version as
    /// published (`cifar-10-binary.tar.gz`, 170,052,171 bytes, checked by its sha256 and md5 on every load).
    public static let cifar10 = cifarBinary(
        name: "cifar10", summary: "CIFAR-10: 50,000 training and 10,000 test 32x32 colour images, 10 classes (binary version)",
        archiveSHA256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", archiveMD5: "c32a1d4ab5d03f1284b67883e8d87530",
        mirrors: [URL(string: "https://www.cs.toronto.edu/~kriz/")].compactMap { $0 })

    /// 200 training and 100 test images in CIFAR-10's binary layout (synthetic, made by
    /// data/fixtures/make-cifar-fixture.py), in the repository's data/fixtures/cifar10-tiny for tests.
    public static let cifar10Tiny = cifarBinary(
        name: "cifar10-tiny", summary: "a 300-image synthetic archive in CIFAR-10's binary layout, in the repository's data/fixtures (tests)",
        archiveSHA256: "27d9e6fea81126d90c24ac8b0dc6f80cbc36b5f32221fda464f56bcea58567b2", archiveMD5: nil, mirrors: [])

    /// A data set in CIFAR-10's binary layout: the archive `cifar-10-binary.tar.gz` listed for the
    /// images and labels of both splits.
    public static func cifarBinary(name: String, summary: String, archiveSHA256: String, archiveMD5: String?, mirrors: [URL]) -> DatasetDescriptor {
        let archive = "cifar-10-binary.tar.gz"
        let files = DatasetSplit.allCases.flatMap { split in
            [IDXFile.Kind.images, .labels].map {
                DatasetFile(name: archive, split: split, kind: $0, gzipMD5: archiveMD5, fileSHA256: archiveSHA256)
            }
        }
        var descriptor = DatasetDescriptor(
            name: name, summary: summary,
            classNames: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
            imageSize: [32, 32], files: files, mirrors: mirrors)
        descriptor.format = .cifarBinary(members: [
            .train: (1...5).map { "cifar-10-batches-bin/data_batch_\($0).bin" }, .test: ["cifar-10-batches-bin/test_batch.bin"],
        ])
        descriptor.channels = 3
        return descriptor
    }
}
