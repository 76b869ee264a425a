import Foundation

/// Facts every file the tool writes records about the tool itself.
public enum ToolInfo {
    /// The neuron-probe version written into every file as `tool_version`.
    public static let version = "0.1.0"

    /// The command line of this process, words with spaces or quotes quoted as a shell reads
    /// them: what every file records in `command_line`, so that a report can say how each input was made.
    public static var commandLine: String {
        CommandLine.arguments.map { word in
            guard word.isEmpty || word.contains(where: { " \t\n'\"$`\\|&;<>()*?[]#~".contains($0) }) else { return word }
            return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// The current time as an ISO 8601 string in UTC to the second (`2026-11-26T14:00:38Z`), written
    /// as `created`: what `ISO8601DateFormatter` writes for any date of the Gregorian calendar (from
    /// 1582-10-15 on; the formatter gives earlier dates in the Julian calendar).
    ///
    /// Computed directly (the civil date of a day count, H. Hinnant's `civil_from_days`): the first
    /// use of `ISO8601DateFormatter` loads ICU's time-zone data, 2 ms inside every recording's time.
    public static func timestamp(_ date: Date = Date()) -> String {
        // The formatter rounds to the nearest millisecond first, then drops the milliseconds.
        let milliseconds = Int((date.timeIntervalSince1970 * 1000 + 0.5).rounded(.down))
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let ofDay = seconds - days * 86_400
        // Days since 0000-03-01 in eras of 400 years (146,097 days), so that leap days end each year.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(ofDay / 3600)):\(two(ofDay / 60 % 60)):\(two(ofDay % 60))Z"
    }
}

extension ToolInfo {
    /// The git commit checked out, at run time, in the repository the running binary lives in
    /// (`swift build` puts it under the repository's `.build/`), or nil when it runs from elsewhere:
    /// read from `.git/HEAD` and the ref it names, loose or packed.
    public static var commit: String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            let git = directory.appendingPathComponent(".git")
            if let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8) {
                let text = head.trimmingCharacters(in: .whitespacesAndNewlines)
                guard text.hasPrefix("ref: ") else { return text.isEmpty ? nil : String(text.prefix(12)) }
                let ref = String(text.dropFirst(5))
                if let loose = try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8) {
                    return String(loose.trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))
                }
                let packed = (try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8)) ?? ""
                let line = packed.split(separator: "\n").first { $0.hasSuffix(" " + ref) }
                return line.map { String($0.prefix(12)) }
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
