import Activations
import Engine
import Files
import Foundation

/// The picture of a units analysis, laid out like Szegedy et al.'s Figures 1–2: one row per
/// direction holding its top-activating images, unit directions (white marker) above random
/// directions (grey marker).
public enum UnitsFigure {
    /// Reads the recorded activations of `layer` for one row, (C, H, W) (or (1, C, H, W)).
    public typealias MapReader = (_ layer: String, _ row: Int) throws -> Tensor

    /// Renders `rows` unit directions (spread evenly over the live units) and the first `rows`
    /// random directions, each with its first `pictureK` top images. For channel units, with
    /// `maps`, each image carries its direction's activation map Σ_c d_c φ(x)[c] laid over it
    /// (`ActivationMapOverlay`), scaled by the largest value in the row.
    /// - Parameters:
    ///   - images: the recorded rows' images (grey or RGB).
    /// - Throws: `ReportError` when the grid cannot be built; what `maps` throws.
    public static func render(
        _ result: UnitsLayerResult, images all: ImageBytes, rows: Int = 8, pictureK: Int = 9, scale: Int = 2, maps: MapReader? = nil
    ) throws -> Raster {
        let (height, width) = (all.height, all.width)
        let overlay = result.unitKind == .channel ? maps : nil
        func tiles(_ top: [Int], direction: [Float]) throws -> [[UInt8]] {
            let shown = Array(top.prefix(pictureK))
            let images = shown.map { all.tile($0) }
            guard let overlay else { return images }
            let projected = try shown.map { row -> (map: [Float], height: Int, width: Int) in
                let maps = try overlay(result.layer, row)
                let (h, w) = (maps.shape[maps.shape.count - 2], maps.shape[maps.shape.count - 1])
                var map = [Float](repeating: 0, count: h * w)
                for (c, weight) in direction.enumerated() where weight != 0 {
                    for p in 0..<(h * w) { map[p] += weight * maps.scalars[c * h * w + p] }
                }
                return (map, h, w)
            }
            let peak = projected.map { $0.map.max() ?? 0 }.max() ?? 0
            return zip(images, projected).map { image, m in
                ActivationMapOverlay.tile(
                    image: image, channels: all.channels == 3 ? 3 : 1, height: height, width: width, map: m.map, mapHeight: m.height,
                    mapWidth: m.width, peak: peak)
            }
        }
        func direction(_ set: DirectionSet, _ index: Int) -> [Float] {
            let u = set.directions.rowSize
            return Array(set.directions.scalars[(index * u)..<((index + 1) * u)])
        }
        let live = result.units.top.count
        let unitIndices = (0..<min(rows, live)).map { $0 * live / min(rows, live) }
        let unitRows = try unitIndices.map { try tiles(result.units.top[$0], direction: direction(result.units, $0)) }
        let randomRows = try (0..<min(rows, result.random.top.count)).map {
            try tiles(result.random.top[$0], direction: direction(result.random, $0))
        }
        let grid = ImageGrid(tileHeight: height, tileWidth: width, format: overlay == nil && all.channels == 1 ? .gray : .rgb)
        let raster = try grid.render([
            ImageGrid.Group(rows: unitRows, marker: ImageGrid.unitMarker),
            ImageGrid.Group(rows: randomRows, marker: ImageGrid.randomMarker),
        ])
        return raster.scaled(by: scale)
    }

    /// Where the figure of `layer` goes beside the units file `unitsPath`: `NAME.LAYER.png`.
    public static func path(beside unitsPath: String, layer: String) -> String {
        URL(fileURLWithPath: unitsPath).deletingPathExtension().path + ".\(layer).png"
    }

    /// The figure of each result beside the units file `unitsPath` (as `NAME.LAYER.png`), as
    /// outputs of a set written together; `images` holds the recorded rows' images.
    /// - Throws: `ReportError` when a grid cannot be built or encoded.
    public static func outputs(
        _ results: [UnitsLayerResult], images: ImageBytes, beside unitsPath: String, maps: MapReader? = nil
    ) throws -> [AtomicFile.Output] {
        try results.map { result in
            try PNGWriter.output(try render(result, images: images, maps: maps), to: path(beside: unitsPath, layer: result.layer))
        }
    }
}
