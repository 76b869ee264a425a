import Foundation
import XCTest
@testable import Network

/// What every file records about the tool.
final class ToolInfoTests: XCTestCase {
    func testTimestampIsWhatISO8601DateFormatterWritesInUTC() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SeededGenerator(seed: 11)
        // Leap days, century years, the epoch, the ends of days and years, and random instants up to 2400.
        var seconds: [Double] = [0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_399, 4_107_542_400,
                                 1_709_164_800, 1_735_689_599, -1, -86_401, 13_569_465_600]
        seconds += (0..<2000).map { _ in Double(generator.next() % 13_569_465_600) + 0.75 }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            XCTAssertEqual(ToolInfo.timestamp(date), formatter.string(from: date), "at \(value) s")
        }
    }
}
