import CHDF5
import Foundation
import HDF5
import XCTest

/// HDF5 prints its error stack to stderr on every failure unless told not to, per thread.
final class ErrorPrintingTests: HDF5TestCase {
    func testFailureOnNewThreadPrintsNothingToStandardError() throws {
        let missing = path("missing.h5")
        let (printed, error) = try capturingStandardError { onNewThread { Result { try HDF5File.open(missing) } } }
        XCTAssertFalse(printed.contains("HDF5-DIAG"), printed)
        guard case .failure(let failure) = error else { return XCTFail("opening a missing file succeeded") }
        XCTAssertTrue(String(describing: failure).contains(missing))
    }

    func testRawFailureOnNewThreadDoesPrint() throws {
        let missing = path("missing.h5")
        let (printed, _) = try capturingStandardError { onNewThread { H5Fopen(missing, np_H5F_ACC_RDONLY(), np_H5P_DEFAULT()) } }
        XCTAssertTrue(printed.contains("HDF5-DIAG"), "the capture itself is broken: \(printed)")
    }

    /// Runs `body` on a thread that has never called HDF5 and waits for its result.
    private func onNewThread<R>(_ body: @escaping () -> R) -> R {
        let box = ThreadResult<R>()
        let thread = Thread {
            box.result = body()
            box.done.signal()
        }
        thread.start()
        box.done.wait()
        return box.result!
    }

    /// Runs `body` with file descriptor 2 redirected to a file and returns what was written there.
    private func capturingStandardError<R>(_ body: () -> R) throws -> (String, R) {
        let capture = path("stderr.txt")
        let saved = dup(2)
        let descriptor = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        dup2(descriptor, 2)
        close(descriptor)
        let result = body()
        fflush(stderr)
        dup2(saved, 2)
        close(saved)
        return (try String(contentsOfFile: capture, encoding: .utf8), result)
    }
}

/// A result handed from a thread to the test that waits for it.
private final class ThreadResult<R>: @unchecked Sendable {
    var result: R?
    let done = DispatchSemaphore(value: 0)
}
