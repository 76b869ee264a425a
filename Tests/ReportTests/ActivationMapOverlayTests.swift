import XCTest
@testable import Report

/// Activation maps over images: bilinear upsampling with pixel centres aligned, and a blend that
/// leaves the image alone where the map is not positive.
final class ActivationMapOverlayTests: XCTestCase {
    func testUpsamplingAlignsPixelCentresAsPyTorchsBilinearInterpolation() {
        // torch.nn.functional.interpolate(torch.tensor([[[[0., 1], [2, 3]]]]), size=4, mode="bilinear", align_corners=False)
        let up = ActivationMapOverlay.upsample([0, 1, 2, 3], mapHeight: 2, mapWidth: 2, height: 4, width: 4)
        XCTAssertEqual(up, [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3])
    }

    func testWhereTheMapIsNotPositiveTheImageShowsUnchanged() {
        let image: [UInt8] = [0, 100, 200, 255]
        let tile = ActivationMapOverlay.tile(image: image, channels: 1, height: 2, width: 2, map: [0, -1, 0, -3], mapHeight: 2, mapWidth: 2, peak: 1)
        XCTAssertEqual(tile, image.flatMap { [$0, $0, $0] })
    }

    func testAtThePeakTheColourIsBlendedAtFullOpacity() {
        let tile = ActivationMapOverlay.tile(image: [0], channels: 1, height: 1, width: 1, map: [2], mapHeight: 1, mapWidth: 1, peak: 2)
        let o = ActivationMapOverlay.opacity, c = ActivationMapOverlay.colour
        XCTAssertEqual(tile, [c.0 * o, c.1 * o, c.2 * o].map { UInt8($0.rounded()) })
    }

    func testAColourImageIsDimmedWhereTheMapIsLowAndKeptAtThePeak() {
        let image: [UInt8] = [200, 100, 50, 200, 100, 50]
        let tile = ActivationMapOverlay.tile(image: image, channels: 3, height: 1, width: 2, map: [4, -1], mapHeight: 1, mapWidth: 2, peak: 4)
        XCTAssertEqual(Array(tile[0..<3]), [200, 100, 50])
        XCTAssertEqual(Array(tile[3..<6]), [60, 30, 15])
    }
}
