import XCTest
@testable import Report

/// Axis ranges widened to round numbers, with round ticks.
final class NiceScaleTests: XCTestCase {
    func testARangeIsWidenedToRoundTicks() {
        let scale = NiceScale(minimum: 0, maximum: 0.87)
        XCTAssertEqual(scale.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(scale.ticks.map(scale.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    func testTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        for (low, high) in [(0.0, 7.3), (-3.2, 41.0), (0.0013, 0.0071), (100.0, 2500.0), (-1.0, 1.0)] {
            let scale = NiceScale(minimum: low, maximum: high)
            let mantissa = scale.step / pow(10, log10(scale.step).rounded(.down))
            XCTAssertTrue([1, 2, 5, 10].contains { abs($0 - mantissa) < 1e-9 }, "step \(scale.step) for \(low)–\(high)")
            XCTAssertLessThanOrEqual(scale.lower, low)
            XCTAssertGreaterThanOrEqual(scale.upper, high)
            XCTAssertLessThanOrEqual(scale.ticks.count, 11)
        }
    }

    func testOneValueIsWidenedAroundIt() {
        let scale = NiceScale(minimum: 0.5, maximum: 0.5)
        XCTAssertLessThan(scale.lower, 0.5)
        XCTAssertGreaterThan(scale.upper, 0.5)
    }

    func testValuesThatAreNotFiniteGiveTheUnitRange() {
        let scale = NiceScale(minimum: .nan, maximum: .infinity)
        XCTAssertEqual(scale.lower, 0)
        XCTAssertEqual(scale.upper, 1)
    }

    func testPositionsAreLinearBetweenTheEnds() {
        let scale = NiceScale(minimum: 0, maximum: 10)
        XCTAssertEqual(scale.position(scale.lower, from: 100, to: 0), 100)
        XCTAssertEqual(scale.position(scale.upper, from: 100, to: 0), 0)
        XCTAssertEqual(scale.position((scale.lower + scale.upper) / 2, from: 100, to: 0), 50, accuracy: 1e-12)
    }
}
