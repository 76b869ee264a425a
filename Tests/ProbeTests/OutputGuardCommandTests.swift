import Foundation
import XCTest

/// No command may write over one of its inputs (issue 12's data-loss reports, each reproduced
/// here): the run is refused before any work with one line, and the input is left as it was.
final class OutputGuardCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }
    private var dir: URL!
    private var model: String!

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
        model = dir.appendingPathComponent("m.h5").path
        let run = try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny)
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Runs `arguments`, which name `input` as an output, and asserts the refusal and that `input` is unchanged.
    private func assertRefused(_ arguments: [String], keeping input: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try bytes(input)
        let run = try probe(arguments + ["--quiet"])
        assertFailsClearly(run, mentioning: ["it is the input"], file: file, line: line)
        XCTAssertEqual(try bytes(input), before, "\(input) changed", file: file, line: line)
    }

    func testRecordingOverTheModelIsRefused() throws {
        try assertRefused(["record", model, "-o", model] + tiny, keeping: model)
    }

    func testAnAttackOverTheModelIsRefusedByAnyName() throws {
        try assertRefused(["attack", "fgsm", model, "--epsilon", "0.1", "-o", dir.path + "/./m.h5"] + tiny, keeping: model)
        let link = dir.appendingPathComponent("link.h5").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: model)
        try assertRefused(["attack", "lbfgs", model, "--limit", "2", "-o", link] + tiny, keeping: model)
    }

    func testMatchedNoiseOverTheAttackItMatchesIsRefused() throws {
        let attack = dir.appendingPathComponent("l.h5").path
        XCTAssertEqual(try probe(["attack", "fgsm", model, "--epsilon", "0.1", "--limit", "5", "-o", attack, "--quiet"] + tiny).status, 0)
        try assertRefused(["attack", "noise", model, "--match", attack, "--limit", "5", "-o", attack] + tiny, keeping: attack)
    }

    func testMergingOverAShardIsRefused() throws {
        var shards: [String] = []
        for i in 1...2 {
            let shard = dir.appendingPathComponent("part-\(i).h5").path
            let run = try probe(["record", model, "--shard", "\(i)/2", "--layers", "fc1", "-o", shard, "--quiet"] + tiny)
            XCTAssertEqual(run.status, 0, run.stderr)
            shards.append(shard)
        }
        try assertRefused(["merge"] + shards + ["-o", shards[0]], keeping: shards[0])
    }

    func testADirectoryAsTheOutputIsRefusedBeforeAnyWork() throws {
        let run = try probe(["record", model, "-o", dir.path, "--quiet"] + tiny)
        assertFailsClearly(run, mentioning: ["is a directory"])
        let partial = dir.deletingLastPathComponent().appendingPathComponent("." + dir.lastPathComponent + ".partial")
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path), "a refused recording leaves no partial file")
    }

    func testAnEmptyOutputNameIsRefused() throws {
        assertFailsClearly(try probe(["attack", "fgsm", model, "--epsilon", "0.1", "-o", ""] + tiny), mentioning: ["no name"])
    }
}
