import Foundation
import Report
import XCTest

/// The grid layout pixel by pixel, and its errors.
final class ImageGridTests: XCTestCase {
    /// 2×3 tiles, gap 1, group gap 3, marker 2 wide, background 9.
    private let grid = ImageGrid(tileHeight: 2, tileWidth: 3, gap: 1, groupGap: 3, markerWidth: 2, background: 9)

    private func tile(_ value: UInt8) -> [UInt8] { [UInt8](repeating: value, count: 6) }

    func testGridPlacesMarkersTilesAndGapsExactly() throws {
        let groups = [
            ImageGrid.Group(rows: [[tile(10), tile(20)], [tile(30)]], marker: ImageGrid.unitMarker),
            ImageGrid.Group(rows: [], marker: 77),  // empty: adds no rows and no gap
            ImageGrid.Group(rows: [[tile(50), tile(60)]], marker: ImageGrid.randomMarker),
        ]
        let raster = try grid.render(groups)
        // '.' background, U/R markers, A–E tiles; the second unit row has one tile, so D's place stays empty.
        let expected = [
            "............",
            ".UU.AAA.BBB.",
            ".UU.AAA.BBB.",
            "............",
            ".UU.CCC.....",
            ".UU.CCC.....",
            "............",
            "............",
            "............",
            ".RR.EEE.FFF.",
            ".RR.EEE.FFF.",
            "............",
        ]
        let shade: [Character: UInt8] = [".": 9, "U": 255, "R": 128, "A": 10, "B": 20, "C": 30, "E": 50, "F": 60]
        XCTAssertEqual(raster.width, 12)
        XCTAssertEqual(raster.height, 12)
        XCTAssertEqual(raster.format, .gray)
        XCTAssertEqual(raster.pixels, expected.flatMap { $0.map { shade[$0]! } })
        XCTAssertEqual(picture(raster, shade), expected)
    }

    func testAnRGBGridPastesItsTilesByteForByte() throws {
        let tile: [UInt8] = [10, 20, 30, 40, 50, 60]  // 1×2 pixels, RGB
        let grid = ImageGrid(tileHeight: 1, tileWidth: 2, gap: 1, groupGap: 1, markerWidth: 0, background: 7, format: .rgb)
        let raster = try grid.render([ImageGrid.Group(rows: [[tile]], marker: 0)])
        XCTAssertEqual(raster.format, .rgb)
        XCTAssertEqual([raster.width, raster.height], [4, 3])
        XCTAssertEqual((0..<2).flatMap { x in (0..<3).map { raster[x: 1 + x, y: 1, channel: $0] } }, tile)
        XCTAssertEqual((0..<3).map { raster[x: 0, y: 0, channel: $0] }, [7, 7, 7])
    }

    func testTileOriginsAgreeWithTheRenderedPixels() throws {
        let groups = [
            ImageGrid.Group(rows: [[tile(10), tile(20)], [tile(30)]], marker: 255),
            ImageGrid.Group(rows: [[tile(50), tile(60)]], marker: 128),
        ]
        let raster = try grid.render(groups)
        XCTAssertTrue(grid.tileOrigin(group: 0, row: 0, tile: 0, in: groups)! == (4, 1))
        XCTAssertTrue(grid.tileOrigin(group: 0, row: 1, tile: 1, in: groups)! == (8, 4))
        XCTAssertTrue(grid.tileOrigin(group: 1, row: 0, tile: 1, in: groups)! == (8, 9))
        let origin = grid.tileOrigin(group: 1, row: 0, tile: 1, in: groups)!
        XCTAssertEqual(raster[x: origin.x, y: origin.y], 60)
        XCTAssertEqual(raster[x: origin.x - 1, y: origin.y], 9)
        XCTAssertNil(grid.tileOrigin(group: 1, row: 1, tile: 0, in: groups))
        XCTAssertNil(grid.tileOrigin(group: 0, row: 0, tile: 2, in: groups))
    }

    func testTilePixelsKeepRowMajorOrientation() throws {
        let raster = try grid.render([ImageGrid.Group(rows: [[[0, 1, 2, 3, 4, 5]]], marker: 200)])
        // Tiles start at x = gap + markerWidth + gap = 4, y = gap = 1.
        for y in 0..<2 {
            for x in 0..<3 { XCTAssertEqual(raster[x: 4 + x, y: 1 + y], UInt8(y * 3 + x), "tile pixel (\(x), \(y))") }
        }
        XCTAssertEqual(raster.width, 8)
        XCTAssertEqual(raster.height, 4)
    }

    func testGridWithoutMarkersStartsTilesAfterTheBorder() throws {
        let plain = ImageGrid(tileHeight: 1, tileWidth: 2, gap: 2, groupGap: 4, markerWidth: 0, background: 0)
        let raster = try plain.render([
            ImageGrid.Group(rows: [[[1, 2], [3, 4]]], marker: 255), ImageGrid.Group(rows: [[[5, 6]]], marker: 128),
        ])
        // Width 2 + 2 + 2 + 2 + 2 = 10; rows at y = 2 and 2 + 1 + 4 = 7; height 7 + 1 + 2 = 10.
        var expected = [UInt8](repeating: 0, count: 100)
        expected.replaceSubrange(22..<24, with: [1, 2])
        expected.replaceSubrange(26..<28, with: [3, 4])
        expected.replaceSubrange(72..<74, with: [5, 6])
        XCTAssertEqual(raster.width, 10)
        XCTAssertEqual(raster.height, 10)
        XCTAssertEqual(raster.pixels, expected)
    }

    func testDefaultGridFitsNineMNISTTilesPerRow() throws {
        let nine = [[UInt8]](repeating: [UInt8](repeating: 255, count: 784), count: 9)
        let raster = try ImageGrid().render([
            ImageGrid.Group(rows: [nine, nine], marker: ImageGrid.unitMarker),
            ImageGrid.Group(rows: [nine], marker: ImageGrid.randomMarker),
        ])
        XCTAssertEqual(raster.width, 2 + 6 + 2 + 9 * 28 + 8 * 2 + 2)
        XCTAssertEqual(raster.height, 2 + 28 + 2 + 28 + 12 + 28 + 2)
    }

    func testWrongTileSizeThrowsNamingTheTile() {
        let groups = [
            ImageGrid.Group(rows: [[tile(1)]], marker: 255),
            ImageGrid.Group(rows: [[tile(1)], [tile(1), [1, 2, 3]]], marker: 128),
        ]
        XCTAssertThrowsError(try grid.render(groups)) { error in
            XCTAssertEqual(error as? ReportError, .tileSize(group: 1, row: 1, tile: 1, expected: 6, count: 3))
            XCTAssertEqual("\(error)", "image grid: tile 1 of row 1 in group 1 has 3 pixels; the grid's tiles have 6")
        }
    }

    func testGridWithoutTilesThrows() {
        XCTAssertThrowsError(try grid.render([])) { XCTAssertEqual($0 as? ReportError, .emptyGrid) }
        XCTAssertThrowsError(try grid.render([ImageGrid.Group(rows: [[], []], marker: 255)])) {
            XCTAssertEqual($0 as? ReportError, .emptyGrid)
        }
    }

    func testRasterScalingRepeatsPixels() throws {
        let raster = try Raster(width: 2, height: 1, pixels: [7, 200])
        let big = raster.scaled(by: 3)
        XCTAssertEqual(big.width, 6)
        XCTAssertEqual(big.height, 3)
        XCTAssertEqual(big.pixels, [UInt8]([7, 7, 7, 200, 200, 200] + [7, 7, 7, 200, 200, 200] + [7, 7, 7, 200, 200, 200]))
    }

    func testRasterRejectsAWrongPixelCount() {
        XCTAssertThrowsError(try Raster(width: 3, height: 2, format: .rgb, pixels: [UInt8](repeating: 0, count: 6))) { error in
            XCTAssertEqual(error as? ReportError, .pixelCount(width: 3, height: 2, channels: 3, count: 6))
            XCTAssertEqual("\(error)", "image of 3×2 pixels with 3 channel(s) needs 18 bytes, got 6")
        }
    }

    func testGrayBytesFromUnitIntervalRoundAndClamp() {
        XCTAssertEqual(Raster.grayBytes(fromUnitInterval: [0, 1, 0.5, -0.1, 1.2, .nan, 1.0 / 255, 0.499 / 255]), [0, 255, 128, 0, 255, 0, 1, 0])
    }

    /// The raster as rows of characters, mapping each value back through `shade` ('?' for others).
    private func picture(_ raster: Raster, _ shade: [Character: UInt8]) -> [String] {
        let names = Dictionary(uniqueKeysWithValues: shade.map { ($0.value, $0.key) })
        return (0..<raster.height).map { y in String((0..<raster.width).map { x in names[raster[x: x, y: y]] ?? "?" }) }
    }
}
