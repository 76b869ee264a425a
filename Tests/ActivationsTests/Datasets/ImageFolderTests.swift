import Foundation
import XCTest
@testable import Activations

/// Folders of images in class folders, decoded with libpng and libjpeg-turbo, against the pixels
/// Pillow wrote; and every way such a folder can be wrong, in one line each.
final class ImageFolderTests: XCTestCase {
    /// Writes `root/<split>/<class>/<n>.<ext>` images with Pillow: pixel (y, x, c) = (37·label + 11·n + 5·y + 3·x + 70·c) % 256.
    private func makeFolder(
        _ root: URL, splits: [String] = [""], classes: [String] = ["cat", "dog"], perClass: Int = 2, size: (Int, Int) = (6, 5),
        mode: String = "RGB", ext: String = "png"
    ) throws {
        _ = try python(
            """
            import sys, os, numpy as np
            from PIL import Image
            root, splits, classes, per, h, w, mode, ext = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(","), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8]
            for split in splits:
                for label, name in enumerate(classes):
                    folder = os.path.join(root, split, name)
                    os.makedirs(folder, exist_ok=True)
                    for n in range(per):
                        y, x, c = np.mgrid[0:h, 0:w, 0:3]
                        a = ((37 * label + 11 * n + 5 * y + 3 * x + 70 * c) % 256).astype(np.uint8)
                        image = Image.fromarray(a if mode == "RGB" else a[..., 0], mode)
                        image.save(os.path.join(folder, f"{n}.{ext}"), quality=100)
            """, [root.path, splits.joined(separator: ","), classes.joined(separator: ","), "\(perClass)", "\(size.0)", "\(size.1)", mode, ext])
    }

    /// The channel-major bytes `makeFolder` wrote for one image.
    private func expected(label: Int, n: Int, h: Int = 6, w: Int = 5, channels: Int = 3) -> [UInt8] {
        (0..<channels).flatMap { c in (0..<h).flatMap { y in (0..<w).map { x in UInt8((37 * label + 11 * n + 5 * y + 3 * x + 70 * c) % 256) } } }
    }

    func testClassesAreTheSortedSubfoldersAndPNGPixelsArriveChannelMajor() throws {
        let root = try makeTemporaryDirectory("folder")
        try makeFolder(root, classes: ["dog", "cat"])
        let set = try ImageFolder.load(root.path, split: .test)
        XCTAssertEqual(set.classNames, ["cat", "dog"])
        XCTAssertEqual(set.labels, [0, 0, 1, 1])
        XCTAssertEqual(set.imageShape, [3, 6, 5])
        // "cat" was written second (label 1 in the writer's order) and sorts first.
        XCTAssertEqual(Array(set.pixels[0..<90]), expected(label: 1, n: 0))
        XCTAssertEqual(Array(set.pixels[270..<360]), expected(label: 0, n: 1))
    }

    func testGreyImagesStayGrey() throws {
        let root = try makeTemporaryDirectory("grey")
        try makeFolder(root, mode: "L")
        let set = try ImageFolder.load(root.path, split: .train)
        XCTAssertEqual(set.channels, 1)
        XCTAssertEqual(Array(set.pixels[0..<30]), expected(label: 0, n: 0, channels: 1))
    }

    func testJPEGImagesDecodeAsPillowDecodesThem() throws {
        let root = try makeTemporaryDirectory("jpeg")
        try makeFolder(root, size: (16, 16), ext: "jpg")
        let set = try ImageFolder.load(root.path, split: .test)
        let pillow = try python(
            "import sys, numpy as np\nfrom PIL import Image\nprint(np.asarray(Image.open(sys.argv[1]).convert('RGB')).transpose(2, 0, 1).tobytes().hex())",
            [root.appendingPathComponent("cat/0.jpg").path]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let want = stride(from: 0, to: pillow.count, by: 2).map { i -> Int in
            let start = pillow.index(pillow.startIndex, offsetBy: i)
            return Int(pillow[start..<pillow.index(start, offsetBy: 2)], radix: 16)!
        }
        XCTAssertEqual(want.count, 3 * 16 * 16)
        // Both are libjpeg-turbo; the upsampling of the subsampled chroma may round apart by a level.
        let worst = zip(set.pixels.prefix(want.count), want).map { abs(Int($0) - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, 2)
    }

    func testTrainAndTestSubfoldersAreTheSplits() throws {
        let root = try makeTemporaryDirectory("splits")
        try makeFolder(root, splits: ["train"], perClass: 3)
        try makeFolder(root, splits: ["test"], perClass: 1)
        XCTAssertEqual(try ImageFolder.load(root.path, split: .train).count, 6)
        XCTAssertEqual(try ImageFolder.load(root.path, split: .test).count, 2)
    }

    func testTheContentHashFollowsTheFilesAndTheirNames() throws {
        let root = try makeTemporaryDirectory("hash")
        try makeFolder(root)
        let first = try ImageFolder.load(root.path, split: .test).contentSHA256
        XCTAssertEqual(first, try ImageFolder.load(root.path, split: .test).contentSHA256)
        try FileManager.default.moveItem(at: root.appendingPathComponent("cat/1.png"), to: root.appendingPathComponent("cat/9.png"))
        XCTAssertNotEqual(first, try ImageFolder.load(root.path, split: .test).contentSHA256)
    }

    func testAnImageOfAnotherSizeIsRefusedNamingItAndTheFirst() throws {
        let root = try makeTemporaryDirectory("sizes")
        try makeFolder(root)
        try makeFolder(root.appendingPathComponent("odd"), classes: ["dog"], perClass: 1, size: (7, 5))
        try FileManager.default.moveItem(at: root.appendingPathComponent("odd/dog/0.png"), to: root.appendingPathComponent("dog/5.png"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("odd"))
        XCTAssertThrowsError(try ImageFolder.load(root.path, split: .test)) {
            XCTAssertTrue("\($0)".contains("dog/5.png is 5x7 RGB but") && "\($0)".contains("cat/0.png is 5x6 RGB"), "\($0)")
        }
    }

    func testAnEmptyClassAndAFolderWithoutClassesAreRefused() throws {
        let root = try makeTemporaryDirectory("empty")
        XCTAssertThrowsError(try ImageFolder.load(root.path, split: .test)) { XCTAssertTrue("\($0)".contains("has no class folders"), "\($0)") }
        try makeFolder(root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("eel"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ImageFolder.load(root.path, split: .test)) { XCTAssertTrue("\($0)".contains("eel holds no image"), "\($0)") }
    }

    func testAFileThatIsNotAnImageIsRefusedNamingIt() throws {
        let root = try makeTemporaryDirectory("garbage")
        try makeFolder(root)
        try Data("not an image".utf8).write(to: root.appendingPathComponent("cat/2.png"))
        XCTAssertThrowsError(try ImageFolder.load(root.path, split: .test)) {
            XCTAssertTrue("\($0)".contains("cat/2.png cannot be decoded"), "\($0)")
        }
        try Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2]).write(to: root.appendingPathComponent("cat/2.png"))
        XCTAssertThrowsError(try ImageFolder.load(root.path, split: .test)) { XCTAssertTrue("\($0)".contains("libpng"), "\($0)") }
    }
}
