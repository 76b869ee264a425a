import Foundation
import XCTest
@testable import Attacks
@testable import Engine

/// The Codable results of the stability probes: the transfer matrix and the Lipschitz bounds.
final class StabilityReportTests: XCTestCase {
    func testATransferReportWritesTheMatrixBesideAmplifyAndReadsBack() throws {
        let report = TransferReport(
            matrix: TransferMatrix(sets: ["a.h5 (fgsm ε=0.1)"], models: ["m.h5", "n.h5"], error: [[0.9, 0.4]]), amplify: nil)
        let data = try JSONEncoder().encode(report)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        XCTAssertEqual(Set(object?.keys.map { $0 } ?? []), ["models", "sets", "error", "amplify"])
        XCTAssertTrue(object?["amplify"] is NSNull)
        XCTAssertEqual(try JSONDecoder().decode(TransferReport.self, from: data), report)
    }

    func testALipschitzReportIsTheProductOfItsLayersBounds() throws {
        var g = SeededGenerator(seed: 2)
        let network = try Architecture("fc8-4", activation: .sigmoid).build(inputShape: [6], generator: &g)
        let report = LipschitzReport(model: "m.h5", network: network)
        XCTAssertEqual(report.layers.map(\.kind), network.layers.map(\.kind))
        XCTAssertEqual(report.product, report.layers.map(\.bound).reduce(1, *), accuracy: 1e-12)
    }
}
