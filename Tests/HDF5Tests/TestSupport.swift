import Foundation
import HDF5
import XCTest

/// A test case with a fresh temporary directory, removed after each test.
class HDF5TestCase: XCTestCase {
    private(set) var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hdf5-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    /// A path for a file named `name` in the temporary directory.
    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// A new file in the temporary directory.
    func newFile(_ name: String = "test.h5") throws -> HDF5File {
        try HDF5File.create(path(name))
    }

    /// Asserts that `body` throws an `HDF5Error` whose description contains every one of `fragments`.
    func assertHDF5Error<R>(
        _ body: @autoclosure () throws -> R, mentions fragments: String..., file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? HDF5Error else {
                return XCTFail("expected an HDF5Error, got \(error)", file: file, line: line)
            }
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "'\(error)' does not mention '\(fragment)'", file: file, line: line)
            }
        }
    }

    /// Writes `values` with `shape`, closes the file, reopens it and asserts the values and stored type came back.
    func assertRoundTrip<T: HDF5Scalar & Equatable>(
        _ values: [T], shape: [Int], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let filePath = path("roundtrip-\(T.self).h5")
        try HDF5File.create(filePath).root.write("values", values, shape: shape)
        let dataset = try HDF5File.open(filePath).root.openDataset("values", of: T.self)
        XCTAssertEqual(dataset.shape, shape, file: file, line: line)
        XCTAssertEqual(dataset.storedType, T.hdf5Type, file: file, line: line)
        XCTAssertEqual(try dataset.read(), values, file: file, line: line)
    }
}
