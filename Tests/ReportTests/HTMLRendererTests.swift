import Foundation
import XCTest
@testable import Report

/// The self-contained page and the Markdown: what each holds, and what the page may not do.
final class HTMLRendererTests: XCTestCase {
    private func document() throws -> ReportDocument {
        let png = try PNGWriter.encode(Raster(width: 2, height: 2, filledWith: 128))
        var cell = ReportCell.number(0.0123, key: "models.0.test_error", percent: true)
        cell.text += ""
        return ReportDocument(
            title: "A <report>", headlines: ["one & two"],
            sections: [
                ReportDocument.Section(
                    title: "Models", id: "models",
                    blocks: [
                        .banner("not comparable"), .paragraph("x < y"),
                        .table(ReportTable(caption: "Table 1", header: ["model", "test error"], rows: [["fc|10", cell]])),
                        .chart(
                            SVGChart(
                                id: "fig-1-a", title: "t", xTitle: "x", yTitle: "y",
                                kind: .bars(categories: ["a"], series: [.init(name: "s", y: [1])]))),
                        .image(ReportImage(name: "grid.png", png: png, alt: "a grid", width: 2, height: 2), caption: "the grid"),
                    ])
            ])
    }

    func testThePageForbidsEveryExternalLoadAndRunsNoScript() throws {
        let html = HTMLRenderer.render(try document(), resultsJSON: "{}")
        XCTAssertTrue(
            html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"))
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 1)
        XCTAssertTrue(html.contains("<script type=\"application/json\" id=\"results\">"))
        XCTAssertFalse(html.contains("http://") && !html.contains("http://www.w3.org/2000/svg"))
        XCTAssertFalse(html.contains("https://"))
    }

    func testPicturesAreDataURIsAndChartsInlineSVG() throws {
        let html = HTMLRenderer.render(try document(), resultsJSON: "{}")
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,"))
        XCTAssertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"fig-1-a\""))
    }

    func testNumberCellsNameTheirResultAndValue() throws {
        let html = HTMLRenderer.render(try document(), resultsJSON: "{}")
        XCTAssertTrue(html.contains("<td data-key=\"models.0.test_error\" data-value=\"0.0123\">1.2%</td>"))
    }

    func testTextIsEscapedAndTheEmbeddedJSONCannotCloseItsElement() throws {
        let html = HTMLRenderer.render(try document(), resultsJSON: "{\"a\": \"</script><b>\"}")
        XCTAssertTrue(html.contains("<title>A &lt;report&gt;</title>"))
        XCTAssertTrue(html.contains("<li>one &amp; two</li>"))
        XCTAssertTrue(html.contains("<\\/script><b>"))
        XCTAssertEqual(html.components(separatedBy: "</script>").count - 1, 1)
    }

    func testMarkdownPointsAtFigureFilesAndEscapesTableBars() throws {
        let markdown = MarkdownRenderer.render(try document())
        XCTAssertTrue(markdown.contains("![t](figures/fig-1-a.svg)"))
        XCTAssertTrue(markdown.contains("![a grid](figures/grid.png)"))
        XCTAssertTrue(markdown.contains("| fc\\|10 | 1.2% |"))
        XCTAssertTrue(markdown.contains("> **Note:** not comparable"))
        XCTAssertFalse(markdown.contains("data:image"))
    }
}
