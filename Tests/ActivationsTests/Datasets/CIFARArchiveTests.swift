import Foundation
import XCTest
@testable import Activations

/// CIFAR-10's binary archive read with libarchive, against Python's tarfile and gzip reading the
/// same fixture (data/fixtures/cifar10-tiny, made by data/fixtures/make-cifar-fixture.py).
final class CIFARArchiveTests: XCTestCase {
    private let archive = Fixtures.packageRoot.appendingPathComponent("data/fixtures/cifar10-tiny/cifar-10-binary.tar.gz")

    func testEverySplitHoldsTheArchivesRecordsAsPythonReadsThem() throws {
        let train = try CIFARArchive.load(archive, split: .train, descriptor: .cifar10Tiny)
        let test = try CIFARArchive.load(archive, split: .test, descriptor: .cifar10Tiny)
        XCTAssertEqual([train.count, test.count], [200, 100])
        XCTAssertEqual(test.imageShape, [3, 32, 32])
        let python = try self.python(
            """
            import sys, tarfile
            t = tarfile.open(sys.argv[1])
            records = lambda n: t.extractfile("cifar-10-batches-bin/" + n).read()
            train = b"".join(records(f"data_batch_{i}.bin") for i in range(1, 6))
            test = records("test_batch.bin")
            for data in (train, test):
                print(",".join(str(data[i]) for i in range(0, len(data), 3073)))
                print(data[3073 * 7 + 1: 3073 * 8].hex())
            """, [archive.path]
        ).split(separator: "\n").map(String.init)
        XCTAssertEqual(train.labels.map(String.init).joined(separator: ","), python[0])
        XCTAssertEqual(test.labels.map(String.init).joined(separator: ","), python[2])
        let hex = { (bytes: ArraySlice<UInt8>) in bytes.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(hex(train.pixels[(7 * 3072)..<(8 * 3072)]), python[1])
        XCTAssertEqual(hex(test.pixels[(7 * 3072)..<(8 * 3072)]), python[3])
        XCTAssertEqual(test.contentSHA256, DatasetDescriptor.cifar10Tiny.file(.test, .images)?.fileSHA256)
    }

    func testAnArchiveThatDoesNotMatchItsSHA256IsRefused() throws {
        let copy = try makeTemporaryDirectory("cifar").appendingPathComponent("cifar-10-binary.tar.gz")
        var bytes = [UInt8](try Data(contentsOf: archive))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: copy)
        XCTAssertThrowsError(try CIFARArchive.load(copy, split: .test, descriptor: .cifar10Tiny)) { error in
            guard case DatasetError.checksumMismatch(_, .fileSHA256, _, _, "cifar10-tiny") = error else { return XCTFail("\(error)") }
        }
    }

    func testAnArchiveWithoutTheBatchesSaysWhatIsMissing() throws {
        let directory = try makeTemporaryDirectory("notcifar")
        let other = directory.appendingPathComponent("cifar-10-binary.tar.gz")
        _ = try python(
            "import sys, tarfile, io\nwith tarfile.open(sys.argv[1], 'w:gz') as t:\n    i = tarfile.TarInfo('readme.txt'); i.size = 2; t.addfile(i, io.BytesIO(b'hi'))",
            [other.path])
        var descriptor = DatasetDescriptor.cifar10Tiny
        descriptor.files = descriptor.files.map {
            var f = $0; f.fileSHA256 = nil; return f
        }
        XCTAssertThrowsError(try CIFARArchive.load(other, split: .test, descriptor: descriptor)) {
            XCTAssertTrue("\($0)".contains("it holds no cifar-10-batches-bin/test_batch.bin"), "\($0)")
        }
        try Data("plain text".utf8).write(to: other)
        XCTAssertThrowsError(try CIFARArchive.load(other, split: .test, descriptor: descriptor)) {
            XCTAssertTrue("\($0)".contains("cannot be read as CIFAR-10's binary archive"), "\($0)")
        }
    }

    func testTheRegistryLoadsCIFARTenTinyByName() throws {
        let search = DataSearchPaths(dataDirectory: Fixtures.packageRoot.appendingPathComponent("data/fixtures"))
        let set = try DatasetRegistry.standard.load("cifar10-tiny", split: .test, search: search)
        XCTAssertEqual(set.images.shape, [100, 3, 32, 32])
        XCTAssertEqual(set.classNames.first, "airplane")
    }
}
