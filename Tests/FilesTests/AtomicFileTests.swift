import Foundation
import HDF5
import XCTest
@testable import Files

/// Atomic writes: checked before the rename, all of a set or none, and no temporary left behind,
/// not even by a process that was killed.
final class AtomicFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(at: directory!) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    private func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() }
    private func writeText(_ text: String) -> (String) throws -> Void { { try Data(text.utf8).write(to: URL(fileURLWithPath: $0)) } }

    func testAWriteThatDoesNotReadBackLeavesNothing() throws {
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("a.txt")))
        struct Unreadable: Error {}
        XCTAssertThrowsError(try AtomicFile.write(to: path("a.txt"), verify: { _ in throw Unreadable() }, writeText("new"))) { error in
            XCTAssertTrue("\(error)".contains("does not read back"), "\(error)")
        }
        XCTAssertEqual(try names(), ["a.txt"], "no temporary is left")
        XCTAssertEqual(try String(contentsOfFile: path("a.txt"), encoding: .utf8), "old", "the file that was there is untouched")
    }

    func testANeuronProbeFileWithoutItsStampDoesNotReadBack() throws {
        XCTAssertThrowsError(try AtomicFile.write(to: path("m.h5"), kind: .model) { try HDF5File.create($0).close() })
        XCTAssertEqual(try names(), [])
    }

    func testANeuronProbeFileWithItsStampIsRenamedIntoPlace() throws {
        try AtomicFile.write(to: path("m.h5"), kind: .model) { temporary in
            let file = try HDF5File.create(temporary)
            try FileStamp.stamp(file.root, kind: .model, engine: EngineStamp(blasKernel: "Haswell", blasKernelSelection: "test"))
            try file.close()
        }
        XCTAssertEqual(try names(), ["m.h5"])
        XCTAssertNoThrow(try NeuronProbeFile.open(path("m.h5"), as: .model))
    }

    func testWhenOneOutputOfASetFailsNoneIsWritten() throws {
        struct Full: Error {}
        let outputs = [
            AtomicFile.Output(path: path("a.h5"), write: writeText("a")),
            AtomicFile.Output(path: path("b.png"), write: { _ in throw Full() }),
        ]
        XCTAssertThrowsError(try AtomicFile.write(outputs))
        XCTAssertEqual(try names(), [], "neither the first output nor any temporary is left")
    }

    func testEveryOutputOfASetIsWrittenWhenAllSucceed() throws {
        try AtomicFile.write([AtomicFile.Output(path: path("a"), write: writeText("1")), AtomicFile.Output(path: path("b"), write: writeText("2"))])
        XCTAssertEqual(try names(), ["a", "b"])
    }

    func testTemporariesOfDeadProcessesAreRemovedAndThoseOfLiveOnesKept() throws {
        // A process that has exited: its number is free (unless reused at once, which the test would then only miss).
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = AtomicFile.temporaryPath(for: path("m.h5"), process: gone.processIdentifier)
        let live = AtomicFile.temporaryPath(for: path("m.h5"), process: 1)
        for temporary in [dead, live] { try Data("partial".utf8).write(to: URL(fileURLWithPath: temporary)) }
        try AtomicFile.write(to: path("m.h5"), writeText("whole"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead), "the dead process's temporary is removed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live), "a live process's temporary is its own")
    }

    func testAFailedHDF5WriteSaysWhichFileInPlainWords() throws {
        XCTAssertThrowsError(
            try AtomicFile.write(to: path("m.h5")) { temporary in
                throw HDF5Error(function: "H5Dwrite", path: "/x", file: temporary, message: "file write failed: File too large (errno 27)")
            }
        ) { error in
            XCTAssertEqual(
                "\(error)", "cannot write \(path("m.h5")): file write failed: File too large (errno 27); check the free space and the file-size limit"
            )
        }
    }
}
