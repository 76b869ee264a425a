/// The layout of Szegedy et al. 2014, Figures 1–2 ("Intriguing properties of neural networks",
/// section 3): one row per direction — a unit direction `e_i` or a random direction `v` — holding
/// the held-out images that maximise `⟨φ(x), e_i⟩` or `⟨φ(x), v⟩`, most activating first.
///
/// Rows come in groups (unit directions, then random directions); a wider gap separates the
/// groups, and an optional marker column on the left, shaded per group (white for units,
/// mid-grey for random directions), lets the two read apart without text:
/// ```
/// ┌──────────────────────────────┐   every edge: `gap`
/// │ ▮ ▢ ▢ ▢ … ▢                  │   unit e₁: marker, its top-k images
/// │ ▮ ▢ ▢ ▢ … ▢                  │   rows `gap` apart
/// │                              │   groups `groupGap` apart
/// │ ▯ ▢ ▢ ▢ … ▢                  │   random v₁
/// └──────────────────────────────┘
/// ```
/// Pixel positions, with `m = markerWidth > 0 ? markerWidth + gap : 0`:
/// ```
/// marker of a row:  x ∈ [gap, gap + markerWidth)
/// tile c of a row:  x = gap + m + c·(tileWidth + gap)
/// first row:        y = gap;  next row in the group: + tileHeight + gap;  next group: + tileHeight + groupGap
/// width  = gap + m + C·tileWidth + (C − 1)·gap + gap     (C: the most tiles in any row)
/// height = y of the last row + tileHeight + gap
/// ```
public struct ImageGrid: Sendable {
    /// One group of rows that share a marker shade, such as "unit directions".
    public struct Group: Sendable {
        /// The rows; each row is a list of tiles, each `tileHeight · tileWidth` bytes row-major
        /// (times 3, channels interleaved, in an RGB grid).
        /// Rows may hold different numbers of tiles; missing places stay background.
        public var rows: [[[UInt8]]]
        /// The grey value of this group's marker column.
        public var marker: UInt8

        /// A group of rows with its marker shade.
        ///
        /// - Parameters:
        ///   - rows: one entry per direction, each that direction's tiles in order.
        ///   - marker: the marker column's grey value (see `ImageGrid.unitMarker`, `.randomMarker`).
        public init(rows: [[[UInt8]]], marker: UInt8) {
            self.rows = rows
            self.marker = marker
        }
    }

    /// The marker shade for unit directions: white.
    public static let unitMarker: UInt8 = 255
    /// The marker shade for random directions: mid-grey.
    public static let randomMarker: UInt8 = 128

    /// Tile height in pixels (28 for MNIST).
    public let tileHeight: Int
    /// Tile width in pixels (28 for MNIST).
    public let tileWidth: Int
    /// Pixels between neighbouring tiles and rows, and around the whole grid.
    public let gap: Int
    /// Pixels between the last row of one group and the first row of the next.
    public let groupGap: Int
    /// Width of the marker column; 0 draws none.
    public let markerWidth: Int
    /// The grey value of gaps and empty places: dark grey by default, distinct from both MNIST's
    /// black background and the markers.
    public let background: UInt8
    /// Grey tiles (the default) or RGB ones (colour images, activation maps laid over images).
    public let format: Raster.PixelFormat

    /// A grid layout.
    ///
    /// - Parameters:
    ///   - tileHeight: tile height in pixels, at least 1.
    ///   - tileWidth: tile width in pixels, at least 1.
    ///   - gap: pixels between tiles, between rows and around the grid, at least 0.
    ///   - groupGap: pixels between groups, at least `gap`.
    ///   - markerWidth: width of the marker column, 0 for none.
    ///   - background: grey value of gaps and empty places.
    /// - Precondition: the sizes satisfy the bounds above.
    public init(
        tileHeight: Int = 28, tileWidth: Int = 28, gap: Int = 2, groupGap: Int = 12, markerWidth: Int = 6,
        background: UInt8 = 64, format: Raster.PixelFormat = .gray
    ) {
        precondition(tileHeight >= 1 && tileWidth >= 1, "ImageGrid: tileHeight \(tileHeight) and tileWidth \(tileWidth) must be at least 1")
        precondition(gap >= 0 && markerWidth >= 0, "ImageGrid: gap \(gap) and markerWidth \(markerWidth) must not be negative")
        precondition(groupGap >= gap, "ImageGrid: groupGap \(groupGap) must be at least gap \(gap)")
        self.tileHeight = tileHeight
        self.tileWidth = tileWidth
        self.gap = gap
        self.groupGap = groupGap
        self.markerWidth = markerWidth
        self.background = background
        self.format = format
    }

    /// Draws the groups as one image (grey or RGB, as `format`): a row per direction with its marker and tiles.
    ///
    /// Empty groups are skipped (they add no gap).
    ///
    /// - Parameter groups: the groups in top-to-bottom order.
    /// - Returns: the grid, sized as in the type's description.
    /// - Throws: `ReportError.tileSize` naming the first tile of the wrong size,
    ///   `ReportError.emptyGrid` when there is no tile at all.
    public func render(_ groups: [Group]) throws -> Raster {
        let pixelsPerTile = tileHeight * tileWidth * format.channels
        var columns = 0
        for (g, group) in groups.enumerated() {
            for (r, row) in group.rows.enumerated() {
                columns = max(columns, row.count)
                if let t = row.firstIndex(where: { $0.count != pixelsPerTile }) {
                    throw ReportError.tileSize(group: g, row: r, tile: t, expected: pixelsPerTile, count: row[t].count)
                }
            }
        }
        guard columns > 0 else { throw ReportError.emptyGrid }

        let origins = rowOrigins(groups)
        let tilesX = gap + (markerWidth > 0 ? markerWidth + gap : 0)
        let width = tilesX + columns * tileWidth + (columns - 1) * gap + gap
        let height = (origins.last?.y ?? 0) + tileHeight + gap
        var raster = Raster(width: width, height: height, format: format, filledWith: background)
        for origin in origins {
            let group = groups[origin.group]
            if markerWidth > 0 {
                raster.fill(x: gap, y: origin.y, width: markerWidth, height: tileHeight, with: group.marker)
            }
            for (c, tile) in group.rows[origin.row].enumerated() {
                raster.paste(tile, width: tileWidth, height: tileHeight, x: tilesX + c * (tileWidth + gap), y: origin.y)
            }
        }
        return raster
    }

    /// The top-left pixel of tile `tile` in row `row` of group `group`, for labelling a rendered
    /// grid (HTML image maps, SVG overlays); nil when that group, row or column does not exist.
    ///
    /// - Parameters:
    ///   - group: the group's index in `groups`.
    ///   - row: the row's index within its group.
    ///   - tile: the tile's index within its row (it need not hold a tile).
    ///   - groups: the groups as passed to `render`.
    /// - Returns: `(x, y)` of the tile's top-left pixel.
    public func tileOrigin(group: Int, row: Int, tile: Int, in groups: [Group]) -> (x: Int, y: Int)? {
        let columns = groups.flatMap(\.rows).map(\.count).max() ?? 0
        guard tile >= 0, tile < columns,
            let origin = rowOrigins(groups).first(where: { $0.group == group && $0.row == row })
        else { return nil }
        let tilesX = gap + (markerWidth > 0 ? markerWidth + gap : 0)
        return (tilesX + tile * (tileWidth + gap), origin.y)
    }

    /// The top edge of every row, in drawing order, skipping empty groups.
    private func rowOrigins(_ groups: [Group]) -> [(group: Int, row: Int, y: Int)] {
        var origins: [(group: Int, row: Int, y: Int)] = []
        var y = gap
        for (g, group) in groups.enumerated() where !group.rows.isEmpty {
            if !origins.isEmpty { y += tileHeight + groupGap }
            for r in group.rows.indices {
                if r > 0 { y += tileHeight + gap }
                origins.append((g, r, y))
            }
        }
        return origins
    }
}
