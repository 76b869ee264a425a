import Foundation
import XCTest
@testable import Files

/// The check every output passes before any work: a name, not a directory, in a directory that
/// exists, and never one of the inputs, whatever name reaches it.
final class OutputGuardTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("output-guard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(at: directory!) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func problem(_ output: String, inputs: [String] = []) -> OutputProblem? {
        do {
            try OutputGuard.check(output, against: inputs)
            return nil
        } catch {
            return error as? OutputProblem
        }
    }

    func testANewFileInAnExistingDirectoryPasses() {
        XCTAssertNil(problem(path("new.h5"), inputs: [path("model.h5")]))
    }

    func testAnExistingFileThatIsNoInputMayBeReplaced() throws {
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("old.h5")))
        XCTAssertNil(problem(path("old.h5"), inputs: [path("model.h5")]))
    }

    func testAnOutputThatIsAnInputIsRefused() throws {
        try Data("model".utf8).write(to: URL(fileURLWithPath: path("model.h5")))
        XCTAssertEqual(problem(path("model.h5"), inputs: [path("model.h5")]), .isInput(path: path("model.h5"), input: path("model.h5")))
    }

    func testTheSameFileByAnotherNameIsRefused() throws {
        try Data("model".utf8).write(to: URL(fileURLWithPath: path("model.h5")))
        try FileManager.default.linkItem(atPath: path("model.h5"), toPath: path("hard.h5"))
        try FileManager.default.createSymbolicLink(atPath: path("soft.h5"), withDestinationPath: path("model.h5"))
        let dotted = directory.path + "/./model.h5"
        for name in [path("hard.h5"), path("soft.h5"), dotted] {
            XCTAssertEqual(problem(name, inputs: [path("model.h5")]), .isInput(path: name, input: path("model.h5")), name)
        }
    }

    func testADirectoryIsRefused() throws {
        try FileManager.default.createDirectory(atPath: path("out"), withIntermediateDirectories: false)
        XCTAssertEqual(problem(path("out")), .isDirectory(path: path("out")))
        XCTAssertEqual(problem(path("out") + "/"), .isDirectory(path: path("out") + "/"))
    }

    func testAnEmptyNameIsRefused() {
        XCTAssertEqual(problem(""), .noName(path: ""))
    }

    func testAMissingDirectoryIsRefused() {
        XCTAssertEqual(problem(path("no/m.h5")), .missingDirectory(path: path("no/m.h5"), directory: path("no")))
        XCTAssertTrue("\(problem(path("no/m.h5"))!)".contains("does not exist"))
    }
}
