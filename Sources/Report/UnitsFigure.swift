import Activations
import Files
import Foundation

/// The picture of a units analysis, laid out like Szegedy et al.'s Figures 1–2: one row per
/// direction holding its top-activating images, unit directions (white marker) above random
/// directions (grey marker).
public enum UnitsFigure {
    /// Renders `rows` unit directions (spread evenly over the live units) and the first `rows`
    /// random directions, each with its first `pictureK` top images.
    /// - Parameters:
    ///   - images: the recorded rows' images, `height · width` bytes each.
    /// - Throws: `ReportError` when the grid cannot be built.
    public static func render(
        _ result: UnitsLayerResult, images: [UInt8], height: Int, width: Int,
        rows: Int = 8, pictureK: Int = 9, scale: Int = 2
    ) throws -> Raster {
        let size = height * width
        func tiles(_ top: [Int]) -> [[UInt8]] {
            top.prefix(pictureK).map { Array(images[($0 * size)..<(($0 + 1) * size)]) }
        }
        let live = result.units.top.count
        let unitRows = (0..<min(rows, live)).map { result.units.top[$0 * live / min(rows, live)] }
        let randomRows = result.random.top.prefix(rows)
        let grid = ImageGrid(tileHeight: height, tileWidth: width)
        let raster = try grid.render([
            ImageGrid.Group(rows: unitRows.map(tiles), marker: ImageGrid.unitMarker),
            ImageGrid.Group(rows: randomRows.map(tiles), marker: ImageGrid.randomMarker),
        ])
        return raster.scaled(by: scale)
    }

    /// Where the figure of `layer` goes beside the units file `unitsPath`: `NAME.LAYER.png`.
    public static func path(beside unitsPath: String, layer: String) -> String {
        URL(fileURLWithPath: unitsPath).deletingPathExtension().path + ".\(layer).png"
    }

    /// The figure of each result beside the units file `unitsPath` (as `NAME.LAYER.png`), as
    /// outputs of a set written together; `images` holds the recorded rows' square images, `rows` of them.
    /// - Throws: `ReportError` when a grid cannot be built or encoded.
    public static func outputs(_ results: [UnitsLayerResult], images: [UInt8], rows: Int, beside unitsPath: String) throws -> [AtomicFile.Output] {
        let side = Int(Double(images.count / max(rows, 1)).squareRoot())
        return try results.map { result in
            try PNGWriter.output(try render(result, images: images, height: side, width: side), to: path(beside: unitsPath, layer: result.layer))
        }
    }
}
