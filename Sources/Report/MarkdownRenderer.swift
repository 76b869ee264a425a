/// Renders a report as GitHub-flavoured Markdown, its charts and pictures as files in
/// `figures/` (GitHub strips data: images), named by the chart's id and the picture's name.
public enum MarkdownRenderer {
    /// The Markdown of `document`.
    public static func render(_ document: ReportDocument) -> String {
        var lines = ["# \(document.title)", ""]
        lines += document.headlines.map { "- \($0)" }
        if !document.headlines.isEmpty { lines.append("") }
        for section in document.sections {
            lines += ["## \(section.title)", ""]
            for block in section.blocks { lines += render(block) + [""] }
        }
        return lines.joined(separator: "\n")
    }

    /// The path of `chart`'s SVG file beside the Markdown.
    public static func path(of chart: SVGChart) -> String { "figures/\(chart.id).svg" }

    /// The path of `image`'s PNG file beside the Markdown.
    public static func path(of image: ReportImage) -> String { "figures/\(image.name)" }

    static func render(_ block: ReportDocument.Block) -> [String] {
        switch block {
        case .paragraph(let text): return [text]
        case .banner(let text): return ["> **Note:** \(text)"]
        case .heading(let text): return ["### \(text)"]
        case .preformatted(let text): return ["```", text, "```"]
        case .chart(let chart): return ["![\(chart.title)](\(path(of: chart)))"]
        case .image(let image, let caption): return ["![\(image.alt)](\(path(of: image)))", "", "*\(caption)*"]
        case .table(let table):
            return ["**\(table.caption)**", "", row(table.header), row(table.header.map { _ in "---" })] + table.rows.map { row($0.map(\.text)) }
        case .imageTable(let table):
            return ["**\(table.caption)**", "", row(table.header), row(table.header.map { _ in "---" })]
                + table.rows.map { row($0.map { "![\($0.image.alt)](\(path(of: $0.image)))<br>\($0.caption)" }) }
        }
    }

    static func row(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }.joined(separator: " | ") + " |"
    }
}
