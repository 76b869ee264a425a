import Foundation

/// Renders a report as one self-contained HTML page: inline CSS, charts as inline SVG, pictures as
/// PNG data: URIs, the results as an embedded JSON data block, no script, and a
/// Content-Security-Policy that forbids every load from outside the page, so that it reads the
/// same when mailed, moved or opened offline.
public enum HTMLRenderer {
    /// The policy: nothing may be fetched; pictures only from data: URIs, styles only inline.
    public static let contentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

    static let style = """
        body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
        h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}
        ul.headlines{background:#f4f8fb;border-left:4px solid #0072B2;padding:.6em 1em .6em 2em}
        .banner{background:#fff4e0;border-left:4px solid #E69F00;padding:.5em 1em;margin:1em 0}
        table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.92em}caption{text-align:left;font-weight:600;padding:.3em 0}
        th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
        table.pictures td,table.pictures th{text-align:center;vertical-align:top}table.pictures img{image-rendering:pixelated;display:block;margin:0 auto}
        figure{margin:1em 0}figure.chart{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}figcaption{font-size:.9em;color:#555}img.grid{image-rendering:pixelated;max-width:100%}
        div.wide{overflow-x:auto}pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}nav{font-size:.92em}svg{max-width:100%;height:auto}
        """

    /// The page of `document`, with `resultsJSON` embedded as `<script type="application/json" id="results">`.
    public static func render(_ document: ReportDocument, resultsJSON: String) -> String {
        var html = [
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy)\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>\(escape(document.title))</title>", "<style>\(style)</style>", "</head>", "<body>",
            "<h1>\(escape(document.title))</h1>",
        ]
        if !document.headlines.isEmpty {
            html.append("<ul class=\"headlines\">" + document.headlines.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
        }
        html.append(
            "<nav>Contents: " + document.sections.map { "<a href=\"#\($0.id)\">\(escape($0.title))</a>" }.joined(separator: " · ") + "</nav>")
        for section in document.sections {
            html.append("<section id=\"\(section.id)\">")
            html.append("<h2>\(escape(section.title))</h2>")
            html += section.blocks.map(render)
            html.append("</section>")
        }
        // "</" would end the script element early; "<\/" is the same JSON.
        html.append("<script type=\"application/json\" id=\"results\">\(resultsJSON.replacingOccurrences(of: "</", with: "<\\/"))</script>")
        html += ["</body>", "</html>"]
        return html.joined(separator: "\n") + "\n"
    }

    static func render(_ block: ReportDocument.Block) -> String {
        switch block {
        case .paragraph(let text): return "<p>\(escape(text))</p>"
        case .banner(let text): return "<div class=\"banner\" role=\"note\">\(escape(text))</div>"
        case .heading(let text): return "<h3>\(escape(text))</h3>"
        case .preformatted(let text): return "<pre>\(escape(text))</pre>"
        case .chart(let chart): return "<figure class=\"chart\">\(chart.svg())</figure>"
        case .image(let image, let caption):
            return "<figure>\(img(image, class: "grid"))<figcaption>\(escape(caption))</figcaption></figure>"
        case .table(let table):
            var rows = ["<div class=\"wide\"><table>", "<caption>\(escape(table.caption))</caption>"]
            rows.append("<tr>" + table.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>")
            for row in table.rows {
                rows.append(
                    "<tr>"
                        + row.map { cell in
                            guard let key = cell.key, let value = cell.value else { return "<td>\(escape(cell.text))</td>" }
                            return "<td data-key=\"\(escape(key))\" data-value=\"\(value)\">\(escape(cell.text))</td>"
                        }.joined() + "</tr>")
            }
            rows.append("</table></div>")
            return rows.joined(separator: "\n")
        case .imageTable(let table):
            var rows = ["<table class=\"pictures\">", "<caption>\(escape(table.caption))</caption>"]
            rows.append("<tr>" + table.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>")
            for row in table.rows {
                rows.append("<tr>" + row.map { "<td>\(img($0.image))<br>\(escape($0.caption))</td>" }.joined() + "</tr>")
            }
            rows.append("</table>")
            return rows.joined(separator: "\n")
        }
    }

    static func img(_ image: ReportImage, class name: String? = nil) -> String {
        let data = Data(image.png).base64EncodedString()
        return
            "<img\(name.map { " class=\"\($0)\"" } ?? "") src=\"data:image/png;base64,\(data)\" alt=\"\(escape(image.alt))\" width=\"\(image.width)\" height=\"\(image.height)\">"
    }

    /// `text` escaped for HTML text and attribute values.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
