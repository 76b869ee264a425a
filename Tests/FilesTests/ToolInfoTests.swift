import Foundation
import TestSupport
import XCTest
@testable import Files

/// What every file records about the tool.
final class ToolInfoTests: XCTestCase {
    func testTimestampIsWhatISO8601DateFormatterWritesInUTC() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SplitMix64(seed: 11)
        // Leap days, century years, the epoch, the ends of days and years, instants a fraction of a
        // millisecond either side of a second (the formatter rounds to milliseconds first), and random
        // instants from the start of the Gregorian calendar (1582-10-15) to 2400.
        var seconds: [Double] = [
            0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_399, 4_107_542_400,
            1_709_164_800, 1_735_689_599, -1, -86_401, 13_569_465_600, -12_219_292_800,
            59.9995, 59.99949, -0.0005, -0.00049, 1_735_689_599.9996, 1_735_689_599.4,
        ]
        let fractions = [0, 0.25, 0.4994, 0.9994, 0.9995, 0.99951]
        seconds += (0..<3000).map { k in
            Double(generator.next() % 25_788_758_400) - 12_219_292_800 + fractions[k % fractions.count]
        }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            XCTAssertEqual(ToolInfo.timestamp(date), formatter.string(from: date), "at \(value) s")
        }
    }
}
