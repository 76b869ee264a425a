import Foundation
import TestSupport
import XCTest

/// Damaged neuron-probe files given to the commands that read them: truncations and bit flips of
/// real files, in a bounded time. libhdf5 crashes or spins on some damage (a corrupted global heap
/// under a string attribute); the command must still end with one line and a usage or error
/// status, never a signal.
final class DamagedFileFuzzTests: XCTestCase {
    private var tiny: [String] { ["--dataset", "fashion-mnist-tiny", "--data-dir", fixtureData] }

    /// `bytes` damaged at random: cut short, or with 1 to 8 bits flipped, most often in the first 4 KiB (the metadata).
    private func damaged(_ bytes: Data, _ random: inout SplitMix64) -> Data {
        var out = [UInt8](bytes)
        if random.next() % 10 < 3 { return Data(out.prefix(Int(random.next() % UInt64(out.count)))) }
        for _ in 0...(random.next() % 8) {
            let window = random.next() % 10 < 7 ? min(out.count, 4096) : out.count
            out[Int(random.next() % UInt64(window))] ^= UInt8(1) << (random.next() % 8)
        }
        return Data(out)
    }

    /// Runs `command(path)` on `cases` damaged copies of `source` and asserts each ends cleanly.
    private func fuzz(_ source: String, cases: Int, seed: UInt64, _ command: (String) -> [String]) throws -> (clean: Int, refused: Int) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        var random = SplitMix64(seed: seed)
        let dir = try temporaryDirectory()
        var clean = 0, refused = 0
        for i in 0..<cases {
            let path = dir.appendingPathComponent("case.h5").path
            try damaged(bytes, &random).write(to: URL(fileURLWithPath: path))
            let run = try probe(command(path), environment: ["PROBE_INPUT_CHECK_TIMEOUT": "5"])
            let lines = run.stderr.split(separator: "\n").filter { !$0.isEmpty }
            XCTAssertTrue([0, 1, 64].contains(run.status), "case \(i) of \(source): status \(run.status): \(run.stderr.prefix(300))")
            if run.status == 0 {
                clean += 1
            } else {
                refused += 1
                XCTAssertEqual(lines.count, 1, "case \(i): \(run.stderr.prefix(300))")
            }
        }
        return (clean, refused)
    }

    func testDamagedModelAndActivationFilesEndInOneLineNeverASignal() throws {
        let dir = try temporaryDirectory()
        let model = dir.appendingPathComponent("m.h5").path
        XCTAssertEqual(try probe(["train", "--arch", "fc10", "--epochs", "1", "-o", model, "--quiet"] + tiny).status, 0)
        let acts = dir.appendingPathComponent("acts.h5").path
        XCTAssertEqual(try probe(["record", model, "--limit", "64", "-o", acts, "--quiet"] + tiny).status, 0)
        let start = Date()
        let models = try fuzz(model, cases: 120, seed: 1) { ["eval", $0, "--limit", "8"] + self.tiny }
        let activations = try fuzz(acts, cases: 40, seed: 2) {
            [
                "units", $0, "--layer", "fc1", "--random", "4", "--rotations", "0", "--top", "3", "-o", dir.appendingPathComponent("u.h5").path,
                "--quiet",
            ]
        }
        XCTAssertGreaterThan(models.refused + activations.refused, 40, "most damage is refused")
        XCTAssertLessThan(Date().timeIntervalSince(start), 600)
    }
}
