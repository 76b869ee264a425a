/// A report before it is rendered: sections of paragraphs, tables, charts and images, which
/// `HTMLRenderer` turns into one self-contained page and `MarkdownRenderer` into Markdown with
/// its figures as files.
public struct ReportDocument: Sendable {
    /// One part of the report ("Models", "Units vs random directions", …).
    public struct Section: Sendable {
        /// The heading.
        public var title: String
        /// The anchor, unique in the document (letters, digits, dashes).
        public var id: String
        /// The contents, in order.
        public var blocks: [Block]

        /// A section `title` with anchor `id` holding `blocks`.
        public init(title: String, id: String, blocks: [Block]) {
            self.title = title
            self.id = id
            self.blocks = blocks
        }
    }

    /// One element of a section.
    public enum Block: Sendable {
        /// A paragraph of plain text.
        case paragraph(String)
        /// A warning set apart, such as "not comparable in value: Fashion-MNIST, not MNIST".
        case banner(String)
        /// A subheading.
        case heading(String)
        /// A table.
        case table(ReportTable)
        /// A chart, inline SVG in HTML and an SVG file beside the Markdown.
        case chart(SVGChart)
        /// A picture (PNG) with its caption.
        case image(ReportImage, caption: String)
        /// A table whose cells are pictures with captions (clean | perturbation | adversarial triples).
        case imageTable(ReportImageTable)
        /// Monospaced text kept as it is (the provenance block).
        case preformatted(String)
    }

    /// The report's title.
    public var title: String
    /// One line per experiment, shown first.
    public var headlines: [String]
    /// The sections.
    public var sections: [Section]

    /// A document titled `title` with `headlines` and `sections`.
    public init(title: String, headlines: [String], sections: [Section]) {
        self.title = title
        self.headlines = headlines
        self.sections = sections
    }

    /// Every chart of the document, in order.
    public var charts: [SVGChart] {
        sections.flatMap(\.blocks).compactMap { if case .chart(let chart) = $0 { return chart } else { return nil } }
    }

    /// Every picture of the document, in order.
    public var images: [ReportImage] {
        sections.flatMap(\.blocks).flatMap { block -> [ReportImage] in
            switch block {
            case .image(let image, _): return [image]
            case .imageTable(let table): return table.rows.flatMap { $0.map(\.image) }
            default: return []
            }
        }
    }
}

/// A table of a report. Every cell that shows a number of the results names it by `key`, its path
/// in results.json, so that a reader (and a test) can check the table against the results.
public struct ReportTable: Sendable {
    /// Shown above the table.
    public var caption: String
    /// Column headings.
    public var header: [String]
    /// The rows, each as long as `header`.
    public var rows: [[ReportCell]]

    /// A table captioned `caption`.
    public init(caption: String, header: [String], rows: [[ReportCell]]) {
        self.caption = caption
        self.header = header
        self.rows = rows
    }
}

/// One cell of a report table: its text, and for a number of the results its path in results.json and its value.
public struct ReportCell: Sendable, ExpressibleByStringLiteral {
    /// What is shown.
    public var text: String
    /// The number's path in results.json (`models.0.test_error`), or nil for text.
    public var key: String?
    /// The number as results.json holds it.
    public var value: Double?

    /// A text cell.
    public init(_ text: String) {
        self.text = text
    }

    public init(stringLiteral text: String) {
        self.text = text
    }

    /// A number of the results at `key`, shown as `format` prints it ("–" when it is not finite,
    /// such as a missing value).
    public static func number(_ value: Double?, key: String, percent: Bool = false, format: String = "%.3f") -> ReportCell {
        guard let value, value.isFinite else { return ReportCell("–") }
        var cell = ReportCell(percent ? String(format: "%.1f%%", 100 * value) : String(format: format, value))
        cell.key = key
        cell.value = value
        return cell
    }
}

/// A picture of a report: PNG bytes and the file name it gets beside the Markdown.
public struct ReportImage: Sendable {
    /// The file name in `figures/` (unique in the report).
    public var name: String
    /// The PNG file's bytes.
    public var png: [UInt8]
    /// The text alternative.
    public var alt: String
    /// Its displayed size in CSS pixels.
    public var width: Int
    /// See `width`.
    public var height: Int

    /// A picture `name` of `png`, shown at `width` × `height`.
    public init(name: String, png: [UInt8], alt: String, width: Int, height: Int) {
        self.name = name
        self.png = png
        self.alt = alt
        self.width = width
        self.height = height
    }
}

/// A table of pictures with a caption under each (Szegedy Fig. 5, Goodfellow Fig. 1).
public struct ReportImageTable: Sendable {
    /// One picture and its caption.
    public struct Cell: Sendable {
        /// The picture.
        public var image: ReportImage
        /// Its caption.
        public var caption: String

        /// A cell of `image` captioned `caption`.
        public init(image: ReportImage, caption: String) {
            self.image = image
            self.caption = caption
        }
    }

    /// Shown above the table.
    public var caption: String
    /// Column headings.
    public var header: [String]
    /// The rows of cells.
    public var rows: [[Cell]]

    /// A table captioned `caption`.
    public init(caption: String, header: [String], rows: [[Cell]]) {
        self.caption = caption
        self.header = header
        self.rows = rows
    }
}
