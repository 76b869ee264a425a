import Foundation

/// One chart of a report as a standalone SVG document: grouped bars, lines, histograms, empirical
/// distribution functions or a heat map, with nice ticks, axis titles and a legend. The same chart
/// always gives the same bytes (fixed number formats, no timestamps), and every `id` inside starts
/// with the chart's `id`, so that many charts can sit inline in one HTML page.
public struct SVGChart: Sendable {
    /// One named series: for bars, one value per category in `y`; for lines, points (`x`, `y`);
    /// for histograms and distribution functions, the sample in `y`.
    public struct Series: Sendable {
        /// The legend's name for it.
        public var name: String
        /// x coordinates (lines only).
        public var x: [Double]
        /// The values.
        public var y: [Double]

        /// A series `name` of `y` values, at `x` for lines.
        public init(name: String, x: [Double] = [], y: [Double]) {
            self.name = name
            self.x = x
            self.y = y
        }
    }

    /// What is drawn.
    public enum Kind: Sendable {
        /// One group of bars per category, one bar per series (a single series: a bar chart).
        case bars(categories: [String], series: [Series])
        /// Lines through each series' points, with a marker at each.
        case lines(series: [Series])
        /// Each sample's share of values per bin, as a step outline over bins shared by all series.
        case histogram(series: [Series], bins: Int)
        /// Each sample's empirical distribution function.
        case ecdf(series: [Series])
        /// A matrix of values as shaded cells, each labelled with its value in `format` (printf).
        case heatMap(rows: [String], columns: [String], values: [[Double]], format: String)
    }

    /// The prefix of every id in the SVG (letters, digits and dashes).
    public var id: String
    /// The chart's title, drawn above it and read by screen readers.
    public var title: String
    /// The x axis title.
    public var xTitle: String
    /// The y axis title.
    public var yTitle: String
    /// What is drawn.
    public var kind: Kind
    /// Size in CSS pixels.
    public var width: Int
    /// See `width`.
    public var height: Int

    /// A chart of `kind` titled `title`, its axes titled `xTitle` and `yTitle`.
    public init(id: String, title: String, xTitle: String, yTitle: String, kind: Kind, width: Int = 500, height: Int = 300) {
        self.id = id
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.kind = kind
        self.width = width
        self.height = height
    }

    /// Okabe and Ito's palette, distinguishable with every common colour-vision deficiency.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    /// The colour of series `index`.
    static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// The SVG document.
    public func svg() -> String {
        var canvas = Canvas(chart: self)
        switch kind {
        case .bars(let categories, let series): canvas.drawBars(categories: categories, series: series)
        case .lines(let series): canvas.drawLines(series)
        case .histogram(let series, let bins): canvas.drawHistogram(series, bins: bins)
        case .ecdf(let series): canvas.drawECDF(series)
        case .heatMap(let rows, let columns, let values, let format): canvas.drawHeatMap(rows: rows, columns: columns, values: values, format: format)
        }
        return canvas.document()
    }
}

/// The drawing of one chart: its plot area, axes and legend as SVG elements.
struct Canvas {
    let chart: SVGChart
    var elements: [String] = []
    var left = 64.0, right = 16.0, top = 40.0, bottom = 52.0
    /// The drawing's height: the chart's, or more where a heat map's rows and labels need it.
    var height: Double

    init(chart: SVGChart) {
        self.chart = chart
        height = Double(chart.height)
    }

    var plotRight: Double { Double(chart.width) - right }
    var plotBottom: Double { height - bottom }

    /// A coordinate with two decimals.
    static func f(_ value: Double) -> String { String(format: "%.2f", value) }

    /// `text` escaped for XML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    mutating func text(_ content: String, x: Double, y: Double, anchor: String = "middle", size: Int = 11, extra: String = "") {
        elements.append(
            "<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\"\(extra)>\(Self.escape(content))</text>")
    }

    /// Reserves room for a legend of `names` under the title and draws it.
    mutating func legend(_ names: [String]) {
        guard names.count > 1 else { return }
        top += 18
        var x = left
        for (index, name) in names.enumerated() {
            elements.append(
                "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(top - 26))\" width=\"10\" height=\"10\" fill=\"\(SVGChart.color(index))\"/>")
            text(name, x: x + 14, y: top - 17, anchor: "start", size: 10)
            x += 24 + Double(name.count) * 5.6
        }
    }

    /// Draws the y axis of `scale` with grid lines, and the axis titles.
    mutating func yAxis(_ scale: NiceScale) {
        for tick in scale.ticks {
            let y = scale.position(tick, from: plotBottom, to: top)
            elements.append(
                "<line x1=\"\(Self.f(left))\" y1=\"\(Self.f(y))\" x2=\"\(Self.f(plotRight))\" y2=\"\(Self.f(y))\" stroke=\"#e3e3e3\"/>")
            text(scale.label(tick), x: left - 6, y: y + 3.5, anchor: "end", size: 10)
        }
        let middle = (top + plotBottom) / 2
        text(chart.yTitle, x: 14, y: middle, extra: " transform=\"rotate(-90 14 \(Self.f(middle)))\"")
        text(chart.xTitle, x: (left + plotRight) / 2, y: height - 10)
        elements.append(
            "<path d=\"M\(Self.f(left)) \(Self.f(top))V\(Self.f(plotBottom))H\(Self.f(plotRight))\" fill=\"none\" stroke=\"#444\"/>")
    }

    /// Draws the x axis ticks of a numeric `scale`.
    mutating func xAxis(_ scale: NiceScale) {
        for tick in scale.ticks {
            let x = scale.position(tick, from: left, to: plotRight)
            elements.append(
                "<line x1=\"\(Self.f(x))\" y1=\"\(Self.f(plotBottom))\" x2=\"\(Self.f(x))\" y2=\"\(Self.f(plotBottom + 4))\" stroke=\"#444\"/>")
            text(scale.label(tick), x: x, y: plotBottom + 16, size: 10)
        }
    }

    mutating func drawBars(categories: [String], series: [SVGChart.Series]) {
        legend(series.map(\.name))
        let values = series.flatMap(\.y).filter(\.isFinite)
        let scale = NiceScale(minimum: min(0, values.min() ?? 0), maximum: max(values.max() ?? 1, 0))
        yAxis(scale)
        let group = (plotRight - left) / Double(max(categories.count, 1))
        let barWidth = group * 0.8 / Double(max(series.count, 1))
        let zero = scale.position(0, from: plotBottom, to: top)
        for (c, category) in categories.enumerated() {
            let start = left + Double(c) * group + group * 0.1
            for (s, entry) in series.enumerated() where c < entry.y.count && entry.y[c].isFinite {
                let y = scale.position(entry.y[c], from: plotBottom, to: top)
                elements.append(
                    "<rect x=\"\(Self.f(start + Double(s) * barWidth))\" y=\"\(Self.f(min(y, zero)))\" width=\"\(Self.f(barWidth * 0.92))\" height=\"\(Self.f(abs(zero - y)))\" fill=\"\(SVGChart.color(s))\"><title>\(Self.escape("\(entry.name), \(category): \(String(format: "%g", entry.y[c]))"))</title></rect>"
                )
            }
            text(category, x: left + (Double(c) + 0.5) * group, y: plotBottom + 16, size: 10)
        }
    }

    /// A clipped polyline or step path through `points` in the plot area.
    mutating func path(_ points: [(Double, Double)], color: String, steps: Bool = false) {
        guard let first = points.first else { return }
        var d = "M\(Self.f(first.0)) \(Self.f(first.1))"
        for point in points.dropFirst() { d += steps ? "H\(Self.f(point.0))V\(Self.f(point.1))" : "L\(Self.f(point.0)) \(Self.f(point.1))" }
        elements.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" clip-path=\"url(#\(chart.id)-plot)\"/>")
    }

    mutating func drawLines(_ series: [SVGChart.Series]) {
        legend(series.map(\.name))
        let points = series.flatMap { zip($0.x, $0.y).filter { $0.0.isFinite && $0.1.isFinite } }
        let xScale = NiceScale(minimum: points.map(\.0).min() ?? 0, maximum: points.map(\.0).max() ?? 1)
        let yScale = NiceScale(minimum: min(0, points.map(\.1).min() ?? 0), maximum: points.map(\.1).max() ?? 1)
        yAxis(yScale)
        xAxis(xScale)
        for (s, entry) in series.enumerated() {
            let placed = zip(entry.x, entry.y).filter { $0.0.isFinite && $0.1.isFinite }.map {
                (xScale.position($0.0, from: left, to: plotRight), yScale.position($0.1, from: plotBottom, to: top))
            }
            path(placed, color: SVGChart.color(s))
            for (x, y) in placed {
                elements.append("<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"3\" fill=\"\(SVGChart.color(s))\"/>")
            }
        }
    }

    mutating func drawHistogram(_ series: [SVGChart.Series], bins: Int) {
        legend(series.map(\.name))
        let all = series.flatMap(\.y).filter(\.isFinite)
        let xScale = NiceScale(minimum: all.min() ?? 0, maximum: all.max() ?? 1)
        let count = max(bins, 1)
        let width = (xScale.upper - xScale.lower) / Double(count)
        let shares = series.map { entry -> [Double] in
            let values = entry.y.filter(\.isFinite)
            var counts = [Double](repeating: 0, count: count)
            for value in values { counts[min(count - 1, max(0, Int((value - xScale.lower) / width)))] += 1 }
            return counts.map { $0 / Double(max(values.count, 1)) }
        }
        let yScale = NiceScale(minimum: 0, maximum: shares.flatMap { $0 }.max() ?? 1)
        yAxis(yScale)
        xAxis(xScale)
        for (s, share) in shares.enumerated() {
            let zero = yScale.position(0, from: plotBottom, to: top)
            var points = [(left, zero)]
            for (b, value) in share.enumerated() {
                let x0 = xScale.position(xScale.lower + Double(b) * width, from: left, to: plotRight)
                let y = yScale.position(value, from: plotBottom, to: top)
                points += [(x0, points.last!.1), (x0, y)]
            }
            points += [(plotRight, points.last!.1), (plotRight, zero)]
            path(points, color: SVGChart.color(s))
        }
    }

    mutating func drawECDF(_ series: [SVGChart.Series]) {
        legend(series.map(\.name))
        let all = series.flatMap(\.y).filter(\.isFinite)
        let xScale = NiceScale(minimum: all.min() ?? 0, maximum: all.max() ?? 1)
        let yScale = NiceScale(minimum: 0, maximum: 1)
        yAxis(yScale)
        xAxis(xScale)
        for (s, entry) in series.enumerated() {
            let sorted = entry.y.filter(\.isFinite).sorted()
            var points = [(left, plotBottom)]
            for (i, value) in sorted.enumerated() {
                points.append(
                    (
                        xScale.position(value, from: left, to: plotRight),
                        yScale.position(Double(i + 1) / Double(sorted.count), from: plotBottom, to: top)
                    ))
            }
            points.append((plotRight, points.last!.1))
            path(points, color: SVGChart.color(s), steps: true)
        }
    }

    mutating func drawHeatMap(rows: [String], columns: [String], values: [[Double]], format: String) {
        left = min(260, 16 + 6.2 * Double(rows.map(\.count).max() ?? 0))
        bottom = 40 + min(90, 4.6 * Double(columns.map(\.count).max() ?? 0))
        // Every row at least 22 pixels high, however long the column labels under them.
        height = max(height, top + 22 * Double(rows.count) + bottom)
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let (low, high) = (min(0, finite.min() ?? 0), max(finite.max() ?? 1, 1e-12))
        let cellWidth = (plotRight - left) / Double(max(columns.count, 1))
        let cellHeight = (plotBottom - top) / Double(max(rows.count, 1))
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * cellHeight
            text(row, x: left - 6, y: y + cellHeight / 2 + 3.5, anchor: "end", size: 10)
            for (c, value) in values[r].enumerated() where c < columns.count {
                let t = value.isFinite ? (value - low) / (high - low) : 0
                // White to Okabe–Ito blue (#0072B2) in linear steps; light text on dark cells.
                let shade = { (target: Double) in Int((255 - t * (255 - target)).rounded()) }
                let fill = value.isFinite ? String(format: "#%02X%02X%02X", shade(0), shade(0x72), shade(0xB2)) : "#f4f4f4"
                let x = left + Double(c) * cellWidth
                elements.append(
                    "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(cellWidth))\" height=\"\(Self.f(cellHeight))\" fill=\"\(fill)\" stroke=\"#fff\"/>"
                )
                let label = value.isFinite ? String(format: format, value) : "–"
                text(label, x: x + cellWidth / 2, y: y + cellHeight / 2 + 3.5, size: 10, extra: t > 0.55 ? " fill=\"#fff\"" : "")
            }
        }
        for (c, column) in columns.enumerated() {
            let x = left + (Double(c) + 0.5) * cellWidth
            let y = plotBottom + 12
            text(column, x: x, y: y, anchor: "end", size: 10, extra: " transform=\"rotate(-30 \(Self.f(x)) \(Self.f(y)))\"")
        }
        text(chart.xTitle, x: (left + plotRight) / 2, y: height - 8)
        text(chart.yTitle, x: 8, y: top - 8, anchor: "start")
    }

    /// The whole SVG document around the elements drawn.
    func document() -> String {
        let id = chart.id
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" viewBox=\"0 0 \(chart.width) \(Int(height))\" width=\"\(chart.width)\" height=\"\(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title\" font-family=\"Helvetica, Arial, sans-serif\">",
            "<title id=\"\(id)-title\">\(Self.escape(chart.title))</title>",
            "<defs><clipPath id=\"\(id)-plot\"><rect x=\"\(Self.f(left))\" y=\"\(Self.f(top - 2))\" width=\"\(Self.f(plotRight - left + 2))\" height=\"\(Self.f(plotBottom - top + 4))\"/></clipPath></defs>",
            "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
            "<text x=\"\(Self.f(Double(chart.width) / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(Self.escape(chart.title))</text>",
        ]
        lines += elements
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
