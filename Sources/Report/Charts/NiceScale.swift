import Foundation

/// An axis range widened to round numbers, with ticks at a round step (Heckbert's "nice numbers",
/// Graphics Gems, 1990): 0–0.87 becomes 0, 0.2, …, 1.0. Charts place every axis with one.
public struct NiceScale: Sendable, Equatable {
    /// The lowest value on the axis (a multiple of `step`).
    public let lower: Double
    /// The highest value on the axis (a multiple of `step`).
    public let upper: Double
    /// The distance between ticks: 1, 2 or 5 times a power of ten.
    public let step: Double

    /// The scale that covers [`minimum`, `maximum`] with at most about `ticks` ticks. A range of
    /// one value is widened around it; values that are not finite are replaced by 0–1.
    public init(minimum: Double, maximum: Double, ticks: Int = 5) {
        var (low, high) = minimum.isFinite && maximum.isFinite ? (min(minimum, maximum), max(minimum, maximum)) : (0, 1)
        if high - low < 1e-12 * max(1, abs(high)) {
            let pad = low == 0 ? 1 : abs(low) * 0.5
            (low, high) = (low - pad, high + pad)
        }
        let range = Self.nice(high - low, round: false)
        step = Self.nice(range / Double(max(ticks - 1, 1)), round: true)
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
    }

    /// The tick values from `lower` to `upper`.
    public var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded()) + 1
        return (0..<count).map { Self.clean(lower + Double($0) * step) }
    }

    /// Where `value` falls on a line from `start` (at `lower`) to `end` (at `upper`).
    public func position(_ value: Double, from start: Double, to end: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// A tick's label: as many decimals as the step needs, no more.
    public func label(_ value: Double) -> String {
        let decimals = max(0, -Int((log10(step)).rounded(.down)))
        return String(format: "%.\(min(decimals, 6))f", Self.clean(value))
    }

    /// 1, 2, 5 or 10 times the power of ten of `x`, the nearest (`round`) or the next above.
    static func nice(_ x: Double, round: Bool) -> Double {
        let exponent = (log10(x)).rounded(.down)
        let fraction = x / pow(10, exponent)
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * pow(10, exponent)
    }

    /// `value` without the rounding residue of repeated addition (0.30000000000000004 → 0.3, −0 → 0).
    static func clean(_ value: Double) -> Double {
        let rounded = (value * 1e9).rounded() / 1e9
        return rounded == 0 ? 0 : rounded
    }
}
