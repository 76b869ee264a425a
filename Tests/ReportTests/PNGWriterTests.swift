import Foundation
import Report
import TestSupport
import XCTest

/// PNG files read back by an independent decoder: python3's standard library (zlib and struct,
/// the chunks, CRCs and row filters parsed by hand in the test), so no shared code with libpng.
final class PNGWriterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    func testGrayPNGDecodesToEveryPixel() throws {
        // Pseudo-random bytes with smooth and noisy stretches, so libpng picks several row filters.
        var state: UInt32 = 12345
        let pixels = (0..<(37 * 23)).map { i -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return i % 37 < 18 ? UInt8(truncatingIfNeeded: i / 37 * 11) : UInt8(truncatingIfNeeded: state >> 24)
        }
        let raster = try Raster(width: 37, height: 23, pixels: pixels)
        let path = directory.appendingPathComponent("gray.png").path
        try PNGWriter.write(raster, to: path)
        XCTAssertEqual(try decode(path, expected: pixels), "37 23 0 8 ok")
        XCTAssertEqual(try directoryListing(), ["gray.png"], "no temporary file left beside the PNG")
    }

    func testRGBPNGDecodesToEveryPixel() throws {
        var raster = Raster(width: 5, height: 4, format: .rgb, filledWith: 0)
        for y in 0..<4 {
            for x in 0..<5 {
                raster[x: x, y: y, channel: 0] = UInt8(x * 50)
                raster[x: x, y: y, channel: 1] = UInt8(y * 60)
                raster[x: x, y: y, channel: 2] = UInt8((x * 7 + y * 13) % 256)
            }
        }
        let path = directory.appendingPathComponent("rgb.png").path
        try PNGWriter.write(raster, to: path)
        XCTAssertEqual(try decode(path, expected: raster.pixels), "5 4 2 8 ok")
    }

    func testRenderedGridSurvivesTheRoundTrip() throws {
        let tiles = (0..<9).map { k in (0..<784).map { UInt8(($0 * (k + 1)) % 256) } }
        let raster = try ImageGrid().render([
            ImageGrid.Group(rows: [tiles, Array(tiles.reversed())], marker: ImageGrid.unitMarker),
            ImageGrid.Group(rows: [tiles], marker: ImageGrid.randomMarker),
        ]).scaled(by: 2)
        let path = directory.appendingPathComponent("grid.png").path
        try PNGWriter.write(raster, to: path)
        XCTAssertEqual(try decode(path, expected: raster.pixels), "\(raster.width) \(raster.height) 0 8 ok")
    }

    func testEncodeReturnsAPNGStream() throws {
        let bytes = try PNGWriter.encode(try Raster(width: 1, height: 1, pixels: [42]))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testWriteReplacesAnExistingFile() throws {
        let path = directory.appendingPathComponent("grid.png").path
        try PNGWriter.write(try Raster(width: 2, height: 1, pixels: [1, 2]), to: path)
        let second = try Raster(width: 3, height: 2, pixels: [9, 8, 7, 6, 5, 4])
        try PNGWriter.write(second, to: path)
        XCTAssertEqual(try decode(path, expected: second.pixels), "3 2 0 8 ok")
        XCTAssertEqual(try directoryListing(), ["grid.png"])
    }

    func testWriteToAMissingDirectoryThrowsOneLineAndLeavesNothing() throws {
        let missing = directory.appendingPathComponent("no-such-dir")
        let path = missing.appendingPathComponent("grid.png").path
        XCTAssertThrowsError(try PNGWriter.write(try Raster(width: 2, height: 2, pixels: [0, 1, 2, 3]), to: path)) { error in
            let message = "\(error)"
            XCTAssertEqual(message, "cannot write \(path): the directory \(missing.path) does not exist; create it first")
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing.path))
        XCTAssertEqual(try directoryListing(), [])
    }

    func testEmptyImageIsRefusedAndNotWritten() throws {
        let path = directory.appendingPathComponent("empty.png").path
        XCTAssertThrowsError(try PNGWriter.write(Raster(width: 0, height: 3), to: path)) { error in
            XCTAssertEqual("\(error)", "libpng could not encode the image: a PNG needs at least one pixel; the image is 0×3")
        }
        XCTAssertEqual(try directoryListing(), [])
    }

    // MARK: Helpers

    private func directoryListing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    /// Decodes the PNG at `path` with python3's standard library and compares every byte with
    /// `expected`. Returns "WIDTH HEIGHT COLOURTYPE BITDEPTH ok"; throws with Python's message on any mismatch.
    private func decode(_ path: String, expected: [UInt8]) throws -> String {
        // Beside the test directory, not in it, so the listings above see only what PNGWriter left.
        let expectedURL = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-expected-\(UUID().uuidString)")
        try Data(expected).write(to: expectedURL)
        defer { try? FileManager.default.removeItem(at: expectedURL) }
        return try Python.run(Self.decoder, arguments: [path, expectedURL.path])
    }

    /// A stdlib-only PNG decoder: checks the signature, every chunk's CRC, IHDR, then inflates
    /// the IDAT stream, undoes filters 0–4 and compares with the expected raw bytes.
    private static let decoder = """
        import struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        expected = open(sys.argv[2], "rb").read()
        assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "bad signature"
        pos, idat, header, chunks = 8, b"", None, []
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
            assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind}"
            chunks.append(kind)
            if kind == b"IHDR":
                header = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                idat += body
            pos += 12 + length
        assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
        width, height, depth, colour, _, _, interlace = header
        assert depth == 8 and colour in (0, 2) and interlace == 0, header
        bpp = 1 if colour == 0 else 3
        raw = zlib.decompress(idat)
        stride = width * bpp
        assert len(raw) == height * (stride + 1), (len(raw), height, stride)
        out, previous = bytearray(), bytearray(stride)
        for y in range(height):
            f = raw[y * (stride + 1)]
            row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                if f == 0: pred = 0
                elif f == 1: pred = a
                elif f == 2: pred = b
                elif f == 3: pred = (a + b) // 2
                elif f == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                else: raise AssertionError(f"unknown filter {f} in row {y}")
                row[i] = (row[i] + pred) & 0xFF
            out += row
            previous = row
        assert len(out) == len(expected), (len(out), len(expected))
        bad = [i for i in range(len(out)) if out[i] != expected[i]]
        assert not bad, f"{len(bad)} bytes differ, first at byte {bad[0]}: {out[bad[0]]} != {expected[bad[0]]}"
        print(width, height, colour, depth, "ok")
        """

}
