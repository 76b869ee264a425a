import Foundation

/// A one-line progress bar with rate and ETA, drawn on stderr only when stderr is a terminal
/// (so logs and CI output stay clean), and quiet otherwise.
final class ProgressBar {
    private let label: String
    private let unit: String
    private var total: Int
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool
    private var drewSomething = false

    /// A bar for `total` items of `unit`; disabled when stderr is not a terminal or `quiet` is set.
    init(_ label: String, total: Int, unit: String = "it", quiet: Bool = false) {
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        enabled = !quiet && isatty(STDERR_FILENO) != 0
    }

    /// Shows `done` of the total, with an optional trailing note (e.g. the running loss).
    func update(_ done: Int, total newTotal: Int? = nil, note: String = "") {
        guard enabled else { return }
        if let newTotal { total = max(newTotal, 1) }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let fraction = min(1, Double(done) / Double(total))
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = "\(label) \(bar) \(done)/\(total) \(ProgressBar.format(rate)) \(unit)/s ETA \(ProgressBar.duration(eta)) \(note)"
        FileHandle.standardError.write(("\r\u{1B}[K" + line).data(using: .utf8)!)
        drewSomething = true
    }

    /// Ends the bar's line so later output starts on a fresh line.
    func finish() {
        guard enabled, drewSomething else { return }
        FileHandle.standardError.write("\n".data(using: .utf8)!)
        drewSomething = false
    }

    private static func format(_ rate: Double) -> String {
        rate >= 100 ? String(format: "%.0f", rate) : String(format: "%.1f", rate)
    }

    private static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
