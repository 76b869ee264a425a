import Files
import Foundation

/// A data set as a folder of images in one subfolder per class (torchvision's `ImageFolder`
/// convention): `--dataset PATH`. Classes are the subfolders' names in sorted order (label 0 is
/// the first); images are the PNG and JPEG files in them (`.png`, `.jpg`, `.jpeg`, any case), in
/// sorted order within each class; other files are ignored. A folder with `train/` and `test/`
/// subfolders, each laid out so, has those two splits; a folder without them is one split, used
/// for either. Every image must have the size and kind (grey or RGB) of the first.
public enum ImageFolder {
    /// The file extensions read.
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Whether `name` is a folder on disk rather than a registered data set's name.
    public static func isFolder(_ name: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The folder holding `split`: `PATH/train` or `PATH/test` when present, else `PATH` itself.
    public static func folder(_ path: String, split: DatasetSplit) -> URL {
        let root = URL(fileURLWithPath: path)
        let candidate = root.appendingPathComponent(split.rawValue)
        return isFolder(candidate.path) ? candidate : root
    }

    /// The class names of `split`: its subfolders, sorted.
    /// - Throws: `DatasetError.invalidImageFolder` when it has no class folder.
    public static func classNames(_ path: String, split: DatasetSplit) throws -> [String] {
        let folder = folder(path, split: split)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let classes = names.filter { !$0.hasPrefix(".") && isFolder(folder.appendingPathComponent($0).path) }.sorted()
        guard !classes.isEmpty else {
            throw DatasetError.invalidImageFolder(
                "\(folder.path) has no class folders: put each class's images in a subfolder named for the class (PATH/cat/1.png, PATH/dog/2.jpg)")
        }
        guard classes.count <= 255 else {
            throw DatasetError.invalidImageFolder("\(folder.path) has \(classes.count) class folders; neuron-probe takes at most 255 classes")
        }
        return classes
    }

    /// The images and labels of `split`, and a SHA-256 that identifies the folder's content: of
    /// the lines `sha256  class/file`, one per image in load order (as `sha256sum` prints them).
    /// - Throws: `DatasetError` naming the folder or the image that is wrong: no class folders, an
    ///   empty class, an image that does not decode, an image of another size or kind than the first.
    public static func load(_ path: String, split: DatasetSplit) throws -> LabeledImages {
        let folder = folder(path, split: split)
        let classes = try classNames(path, split: split)
        var pixels: [UInt8] = [], labels: [Int] = [], manifest = ""
        var first: (image: DecodedImage, path: String)?
        for (label, name) in classes.enumerated() {
            let classFolder = folder.appendingPathComponent(name)
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: classFolder.path)) ?? [])
                .filter { !$0.hasPrefix(".") && extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }.sorted()
            guard !files.isEmpty else {
                throw DatasetError.invalidImageFolder(
                    "class folder \(classFolder.path) holds no image (.png, .jpg, .jpeg): add its images or remove the folder")
            }
            for file in files {
                let url = classFolder.appendingPathComponent(file)
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    throw DatasetError.unreadableImage(path: url.path, reason: "it cannot be read")
                }
                let bytes = [UInt8](data)
                let image = try ImageDecoder.decode(bytes, path: url.path)
                if let first, (first.image.channels, first.image.height, first.image.width) != (image.channels, image.height, image.width) {
                    throw DatasetError.invalidImageFolder(
                        "\(url.path) is \(image.sizeDescription) but \(first.path) is \(first.image.sizeDescription): every image of a folder data set must have one size and kind; resize or convert them first"
                    )
                }
                if first == nil { first = (image, url.path) }
                pixels += image.channelMajor
                labels.append(label)
                manifest += "\(Checksum.sha256(of: bytes))  \(name)/\(file)\n"
            }
        }
        let image = first!.image
        var set = try LabeledImages(
            name: path, split: split, pixels: pixels, height: image.height, width: image.width, channels: image.channels, labels: labels,
            classNames: classes, source: folder.path)
        set.contentSHA256 = Checksum.sha256(of: Array(manifest.utf8))
        return set
    }
}
