import Foundation
import XCTest
@testable import Attacks
@testable import Engine

/// The Codable results of the stability probes: the transfer matrix and the Lipschitz bounds.
final class StabilityReportTests: XCTestCase {
    func testATransferReportWritesTheMatrixBesideAmplifyAndReadsBack() throws {
        let report = TransferReport(
            matrix: TransferMatrix(
                sets: ["a.h5 (fgsm ε=0.1)"], models: ["m.h5", "n.h5"], error: [[0.9, 0.4]], cleanError: [[0.1, 0.2]], distortion: [0.05]),
            amplify: nil)
        let data = try JSONEncoder().encode(report)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        XCTAssertEqual(Set(object?.keys.map { $0 } ?? []), ["models", "sets", "error", "clean_error", "distortion", "amplify"])
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

    func testATransferFileReadsBackTheMatrixAndTheFilesItWasWrittenWith() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = TransferReport(
            matrix: TransferMatrix(
                sets: ["a.h5 (fgsm ε=0.1)", "b.h5 (noise)"], models: ["m.h5", "n.h5", "o.h5"],
                error: [[0.9, 0.4, 0.3], [0.1, 0.2, 0.15]], cleanError: [[0.1, 0.2, 0.05], [0.1, 0.2, 0.05]], distortion: [0.1, 0.07]),
            amplify: 0.1)
        let sources = TransferFile.Sources(
            attackFiles: ["a.h5", "b.h5"], attackSHA256: ["x", "y"], modelFiles: ["m.h5", "n.h5", "o.h5"], modelSHA256: ["1", "2", "3"])
        let path = directory.appendingPathComponent("t.h5").path
        try TransferFile.write(report, sources: sources, to: path)
        let (read, readSources) = try TransferFile.read(path)
        XCTAssertEqual(read, report)
        XCTAssertEqual(readSources, sources)
    }

    func testALipschitzFileReadsBackTheBoundsItWasWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lipschitz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var g = SeededGenerator(seed: 3)
        let network = try Architecture("fc8-4", activation: .sigmoid).build(inputShape: [6], generator: &g)
        let report = LipschitzReport(model: "m.h5", network: network, modelSHA256: "abc", architecture: "fc8-4")
        let path = directory.appendingPathComponent("l.h5").path
        try LipschitzFile.write(report, to: path)
        XCTAssertEqual(try LipschitzFile.read(path), report)
    }
}
