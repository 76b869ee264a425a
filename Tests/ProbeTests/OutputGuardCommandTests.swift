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

/// A write that fails (a file-size limit standing in for a full disk) is reported in one line and
/// leaves nothing under the target name, no temporary, and the inputs as they were.
final class FailedWriteCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    /// Runs probe with `arguments` under `ulimit -f` of `kilobytes`.
    private func probeLimited(_ arguments: [String], kilobytes: Int) throws -> ProbeRun {
        let binary = Bundle.main.bundleURL.appendingPathComponent("probe").path
        let quoted = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "probe is not built at \(binary)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "ulimit -f \(kilobytes); exec \(quoted)"]
        let stderr = Pipe(), stdout = Pipe()
        process.standardError = stderr
        process.standardOutput = stdout
        try process.run()
        let errorText = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let outputText = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return ProbeRun(status: process.terminationStatus, stdout: outputText, stderr: errorText)
    }

    func testTrainingUnderAFileSizeLimitFailsClearlyAndLeavesNothing() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        let run = try probeLimited(["train", "--arch", "fc100-100-10", "--epochs", "1", "-o", model, "--quiet"] + tiny, kilobytes: 64)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertNotEqual(run.status, 128 + SIGXFSZ, "killed by SIGXFSZ instead of reporting the failed write")
        assertFailsClearly(run, mentioning: ["cannot write \(model)", "File too large"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "no model and no temporary")
    }

    func testAnAttackUnderAFileSizeLimitLeavesTheModelAsItWas() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        let attack = dir.appendingPathComponent("a.h5").path
        let run = try probeLimited(["attack", "fgsm", model, "--epsilon", "0.1", "-o", attack, "--quiet"] + tiny, kilobytes: 100)
        assertFailsClearly(run, mentioning: ["cannot write \(attack)"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.h5"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: model)), before)
    }
}
