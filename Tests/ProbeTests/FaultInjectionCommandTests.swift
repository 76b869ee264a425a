import Foundation
import XCTest

/// Faults at random points of the commands that write: SIGKILL and SIGINT while train, record and
/// attack run. Whatever the moment, the target is either absent or complete and readable, the
/// inputs are as they were, and the next run leaves no temporary of the killed one behind.
final class FaultInjectionCommandTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    private func sha(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Starts probe with `arguments`, sends `signal` after `delay` seconds, and waits for it.
    private func interrupted(_ arguments: [String], signal: Int32, after delay: TimeInterval) throws -> Int32 {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("probe")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The files in `dir` other than `keep`.
    private func others(in dir: URL, keeping keep: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !keep.contains($0) }.sorted()
    }

    func testAKilledOrInterruptedWriterLeavesNothingHalfWrittenAndItsInputsAsTheyWere() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        let modelBytes = try sha(model)
        let target = dir.appendingPathComponent("out.h5").path
        let commands: [(String, [String])] = [
            ("train", ["train", "--arch", "fc100-100-10", "--epochs", "3", "-o", target, "--quiet"] + tiny),
            ("record", ["record", model, "--split", "all", "--batch-size", "64", "-o", target, "--quiet"] + tiny),
            ("attack", ["attack", "lbfgs", model, "--limit", "40", "-o", target, "--quiet"] + tiny),
            ("fgsm", ["attack", "fgsm", model, "--epsilon", "0.05,0.1,0.2", "--steps", "5", "-o", target, "--quiet"] + tiny),
        ]
        var cases = 0
        for (name, arguments) in commands {
            for (signal, delay) in [(SIGKILL, 0.05), (SIGKILL, 0.3), (SIGINT, 0.15), (SIGKILL, 0.6), (SIGINT, 0.5), (SIGKILL, 1.2)] {
                cases += 1
                try? FileManager.default.removeItem(atPath: target)
                let status = try interrupted(arguments, signal: signal, after: delay)
                let what = "\(name), signal \(signal) after \(delay) s (status \(status))"
                if FileManager.default.fileExists(atPath: target) {
                    // It finished before the signal: the file must be complete.
                    let inspect = try probe(["inspect", target])
                    XCTAssertEqual(inspect.status, 0, "\(what): the file under the target name is not readable: \(inspect.stderr)")
                }
                XCTAssertEqual(try sha(model), modelBytes, "\(what): the model changed")
                // The next run finishes and leaves nothing of the killed run but what resuming needs.
                let again = try probe(arguments + (name == "record" ? ["--resume"] : []))
                XCTAssertEqual(again.status, 0, "\(what): the next run failed: \(again.stderr)")
                XCTAssertEqual(try others(in: dir, keeping: ["m.h5", "out.h5"]), [], "\(what): files left behind")
            }
        }
        XCTAssertEqual(cases, 24)
    }
}
