import Foundation
import XCTest

/// `probe units` end to end on the fixture data: results file, pictures, JSON, and refusals.
final class UnitsCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    private func recording(in dir: URL, images: Bool) throws -> String {
        let model = dir.appendingPathComponent("model.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc30-10", "--activation", "relu", "--epochs", "2", "-o", model, "--quiet"] + tiny).status, 0)
        let acts = dir.appendingPathComponent("acts.h5").path
        let record = try probe(["record", model, "-o", acts, "--quiet"] + (images ? ["--with-images"] : []) + tiny)
        XCTAssertEqual(record.status, 0, record.stderr)
        return acts
    }

    func testUnitsWritesResultsAndAPictureAndPrintsTheComparisonAsJSON() throws {
        let dir = try temporaryDirectory()
        let acts = try recording(in: dir, images: true)
        let before = try Data(contentsOf: URL(fileURLWithPath: acts))
        let run = try probe(["units", acts, "--layer", "relu1", "--top", "20", "--rotations", "3", "--json", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(result["results"] as? String, dir.appendingPathComponent("acts.units.h5").path)
        let pictures = try XCTUnwrap(result["pictures"] as? [String])
        XCTAssertEqual(pictures, [dir.appendingPathComponent("acts.units.relu1.png").path])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pictures[0])).prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
        let layer = try XCTUnwrap((result["layers"] as? [[String: Any]])?.first)
        XCTAssertEqual((layer["comparisons"] as? [[String: Any]])?.map { $0["measure"] as? String }, ["purity", "entropy", "cosine"])
        XCTAssertNotNil((layer["detectors"] as? [String: Any])?["rotated"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: acts)), before, "the activation file was written to")
    }

    func testImagesAreFoundInTheDataSetWhenTheFileHasNone() throws {
        let dir = try temporaryDirectory()
        let acts = try recording(in: dir, images: false)
        let run = try probe(["units", acts, "--layer", "fc1", "--top", "10", "--rotations", "0", "--data-dir", fixtureData, "--json", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let layer = try XCTUnwrap((result["layers"] as? [[String: Any]])?.first)
        XCTAssertTrue((layer["comparisons"] as? [[String: Any]])?.contains { $0["measure"] as? String == "cosine" } ?? false)
    }

    func testALayerTheFileDoesNotHoldIsNamedWithTheOnesItDoes() throws {
        let dir = try temporaryDirectory()
        let acts = try recording(in: dir, images: true)
        assertFailsClearly(try probe(["units", acts, "--layer", "conv1"]), mentioning: ["conv1", "fc1, relu1, fc2"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("acts.units.h5").path))
    }

    func testTopLargerThanTheSetAndZeroRandomDirectionsAreRefused() throws {
        let dir = try temporaryDirectory()
        let acts = try recording(in: dir, images: true)
        assertFailsClearly(try probe(["units", acts, "--layer", "fc1", "--top", "100000"]), mentioning: ["--top 100000"])
        assertFailsClearly(try probe(["units", acts, "--layer", "fc1", "--random", "0"]), mentioning: ["--random"])
    }

    func testAModelFileIsNotAnActivationFile() throws {
        let dir = try temporaryDirectory()
        _ = try recording(in: dir, images: false)
        assertFailsClearly(
            try probe(["units", dir.appendingPathComponent("model.h5").path, "--layer", "fc1"]),
            mentioning: ["not a neuron-probe activation file"])
    }
}
