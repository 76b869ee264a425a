import Foundation
import XCTest
@testable import Report

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG chart layer: each kind of chart compared byte for byte with a golden file (rerun with
/// UPDATE_GOLDEN=1 to accept a deliberate change, then look at the files), well-formed XML, ids
/// under the chart's prefix, and the same bytes every time.
final class SVGChartTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let charts: [SVGChart] = [
        SVGChart(
            id: "bars", title: "Error by model", xTitle: "model", yTitle: "error",
            kind: .bars(
                categories: ["fc10", "fc100-100-10", "conv"],
                series: [SVGChart.Series(name: "FGSM", y: [0.99, 0.85, 0.6]), SVGChart.Series(name: "noise", y: [0.2, 0.05, 0.02])])),
        SVGChart(
            id: "lines", title: "Error against ε", xTitle: "ε", yTitle: "error",
            kind: .lines(series: [
                SVGChart.Series(name: "fc10", x: [0.05, 0.1, 0.25], y: [0.6, 0.9, 0.999]),
                SVGChart.Series(name: "maxout", x: [0.05, 0.1, 0.25], y: [0.3, 0.6, 0.894]),
            ])),
        SVGChart(
            id: "histogram", title: "Distortion", xTitle: "RMS distortion", yTitle: "share",
            kind: .histogram(series: [SVGChart.Series(name: "lbfgs", y: [0.05, 0.06, 0.061, 0.07, 0.09, 0.11, 0.12, 0.2])], bins: 5)),
        SVGChart(
            id: "ecdf", title: "Purity", xTitle: "purity", yTitle: "share of directions",
            kind: .ecdf(series: [SVGChart.Series(name: "units", y: [0.5, 0.6, 0.9]), SVGChart.Series(name: "random", y: [0.4, 0.55, 0.7, 0.8])])),
        SVGChart(
            id: "heat", title: "Transfer <error> & more", xTitle: "model", yTitle: "set",
            kind: .heatMap(
                rows: ["a.h5 (fgsm)", "b.h5 (lbfgs)"], columns: ["m1.h5", "m2.h5", "m3.h5"], values: [[1, 0.2, .nan], [0.1, 0.95, 0.5]],
                format: "%.2f")),
    ]

    func testEveryKindOfChartMatchesItsGoldenFile() throws {
        for chart in Self.charts {
            let url = Self.golden.appendingPathComponent("\(chart.id).svg")
            let svg = chart.svg()
            if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
                try svg.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            XCTAssertEqual(
                svg, expected, "\(chart.id).svg differs from its golden file; if the change is meant, rerun with UPDATE_GOLDEN=1 and look at it")
        }
    }

    func testAChartIsTheSameBytesEveryTime() {
        for chart in Self.charts { XCTAssertEqual(chart.svg(), chart.svg()) }
    }

    func testEveryChartIsWellFormedXMLWithItsIdsUnderItsPrefix() throws {
        for chart in Self.charts {
            let document = try XMLDocument(data: Data(chart.svg().utf8))
            let ids = try document.nodes(forXPath: "//@id").compactMap(\.stringValue)
            XCTAssertFalse(ids.isEmpty)
            for id in ids { XCTAssertTrue(id == chart.id || id.hasPrefix(chart.id + "-"), "id \(id) outside the prefix \(chart.id)") }
            XCTAssertEqual(Set(ids).count, ids.count, "ids are unique")
        }
    }

    func testTextIsEscaped() {
        let svg = Self.charts[4].svg()
        XCTAssertTrue(svg.contains("Transfer &lt;error&gt; &amp; more"))
        XCTAssertFalse(svg.contains("<error>"))
    }

    func testABarChartDrawsOneBarPerValueWithItsValueAsATooltip() {
        let svg = Self.charts[0].svg()
        XCTAssertEqual(svg.components(separatedBy: "</title></rect>").count - 1, 6, "one bar per value")
        XCTAssertTrue(svg.contains("<title>FGSM, fc10: 0.99</title>"))
    }

    func testAHeatMapLabelsEveryCellAndMarksMissingValues() {
        let svg = Self.charts[4].svg()
        for label in ["1.00", "0.20", "0.10", "0.95", "0.50", "–"] { XCTAssertTrue(svg.contains(">\(label)</text>"), label) }
    }

    func testAHeatMapOfOneRowUnderLongColumnLabelsGrowsRatherThanDrawingNegativeSizes() throws {
        let long = "fc100-100-10 λ=fc1=1e-5,fc2=1e-5,fc3=1e-6 (P1)"
        let chart = SVGChart(
            id: "one", title: "t", xTitle: "model", yTitle: "set",
            kind: .heatMap(rows: ["noise.h5 (noise)"], columns: [long, long + "'"], values: [[0.1, 0.2]], format: "%.2f"), height: 150)
        let document = try XMLDocument(data: Data(chart.svg().utf8))
        let heights = try document.nodes(forXPath: "//*[local-name()='rect']/@height").compactMap { Double($0.stringValue ?? "") }
        XCTAssertFalse(heights.isEmpty)
        XCTAssertTrue(heights.allSatisfy { $0 > 0 }, "\(heights)")
        let height = try document.nodes(forXPath: "/*/@height").first?.stringValue
        XCTAssertGreaterThan(Double(height ?? "") ?? 0, 150, "the drawing grows past the 150 pixels asked for")
    }
}
