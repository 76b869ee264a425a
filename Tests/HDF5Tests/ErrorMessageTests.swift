import XCTest
@testable import HDF5

/// An `HDF5Error` reads as one line, whatever HDF5's own message looks like.
final class ErrorMessageTests: XCTestCase {
    func testAFailedFileWriteKeepsOnlyTheSystemsReason() {
        // What the sec2 driver of HDF5 1.10 reports when write() fails (a ctime() stamp with its newline included).
        let raw =
            "can't write unprocessed chunk data: file write failed: time = Thu Nov 26 12:51:13 2026\n"
            + ", filename = '/tmp/.acts.h5.partial', file descriptor = 7, errno = 28, error message = 'No space left on device', "
            + "buf = 0x558c0f0cc0de, total write size = 15890, bytes this sub-write = 15890, bytes actually written = 18446744073709551615, offset = 0"
        let error = HDF5Error(function: "H5Dwrite_chunk", path: "/layers/fc1", file: "/tmp/.acts.h5.partial", message: raw)
        XCTAssertEqual(error.message, "can't write unprocessed chunk data: file write failed: No space left on device (errno 28)")
        XCTAssertFalse(error.description.contains("\n"))
    }

    func testOtherMessagesOnlyLoseTheirLineBreaks() {
        XCTAssertEqual(
            HDF5Error.oneLine("unable to open dataset:\n  object 'w' doesn't exist"),
            "unable to open dataset: object 'w' doesn't exist")
        XCTAssertEqual(HDF5Error.oneLine("plain"), "plain")
    }
}
