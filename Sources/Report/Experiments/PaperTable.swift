import Foundation

/// A paper's table beside ours, row by row: what `probe reproduce` prints in the terminal and
/// leads its report with. Each cell holds the paper's value and ours (either may be missing).
public struct PaperTable: Sendable, Encodable {
    /// One row: its label and, per column, the paper's value and ours.
    public struct Row: Sendable, Encodable {
        /// The row's label ("FC10(1e-4)").
        public var label: String
        /// The paper's value per column, nil where it has none.
        public var paper: [Double?]
        /// Ours per column, nil where not measured.
        public var ours: [Double?]

        /// A row `label` of `paper` and `ours`, one value per column each.
        public init(label: String, paper: [Double?], ours: [Double?]) {
            self.label = label
            self.paper = paper
            self.ours = ours
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(label, forKey: .label)
            try container.encode(paper.map { $0.flatMap { $0.isFinite ? $0 : nil } }, forKey: .paper)
            try container.encode(ours.map { $0.flatMap { $0.isFinite ? $0 : nil } }, forKey: .ours)
        }
        private enum Keys: String, CodingKey { case label, paper, ours }
    }

    /// Which paper table this is ("Szegedy et al. 2014, Table 1").
    public var source: String
    /// The column names.
    public var columns: [String]
    /// Per column, whether its values are shares shown as percentages.
    public var percent: [Bool]
    /// The rows.
    public var rows: [Row]
    /// Whether our values were measured on the paper's data set.
    public var comparable: Bool

    /// A table of `rows` under `columns` (percentages where `percent` says).
    public init(source: String, columns: [String], percent: [Bool], rows: [Row], comparable: Bool) {
        self.source = source
        self.columns = columns
        self.percent = percent
        self.rows = rows
        self.comparable = comparable
    }

    /// A value as the table shows it.
    public func format(_ value: Double?, column: Int) -> String {
        guard let value, value.isFinite else { return "–" }
        return percent[column] ? String(format: "%.1f%%", 100 * value) : String(format: "%.4g", value)
    }

    /// The table as text, each column as "paper / this run"; a table of more than four columns
    /// as one line per row listing only the columns it fills.
    public var text: String {
        var lines = [source + (comparable ? "" : " — not comparable in value: our data set is not the paper's")]
        func cell(_ row: Row, _ c: Int) -> String { "\(format(row.paper[c], column: c)) / \(format(row.ours[c], column: c))" }
        if columns.count > 4 {
            for row in rows {
                let filled = columns.indices.filter { row.paper[$0] != nil || row.ours[$0] != nil }
                lines.append(row.label + ": " + filled.map { "\(columns[$0]) \(cell(row, $0))" }.joined(separator: ", "))
            }
            lines.append("(each: paper / this run)")
            return lines.joined(separator: "\n")
        }
        let header = [""] + columns.map { "\($0): paper / this run" }
        let body = rows.map { row in [row.label] + columns.indices.map { cell(row, $0) } }
        let widths = header.indices.map { c in ([header] + body).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            // Trailing blanks only: the header's first cell is empty and keeps its width.
            String(
                zip(cells, widths).map { $0.padding(toLength: $1 + 2, withPad: " ", startingAt: 0) }.joined().reversed().drop { $0 == " " }.reversed()
            )
        }
        lines.append(line(header))
        lines += body.map(line)
        return lines.joined(separator: "\n")
    }
}

/// One check of `probe reproduce --check`: an artefact's soundness or a finding of the paper that
/// must hold on any data.
public struct ExperimentCheck: Sendable, Encodable {
    /// What is checked.
    public var name: String
    /// Whether it held.
    public var passed: Bool
    /// The numbers behind it.
    public var detail: String

    /// A check `name` that `passed`, with `detail`.
    public init(_ name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}
