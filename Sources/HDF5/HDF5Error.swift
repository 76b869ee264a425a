import CHDF5

/// A failed HDF5 operation: the function that failed, the object it was about, and why.
///
/// For a failing C call, `function` is the C function (`H5Dopen2`) and `message` is
/// HDF5's own account from its error stack, outermost and innermost entries joined:
/// "unable to open dataset: object 'weights' doesn't exist". For a request this
/// module refuses before calling HDF5 (a count that does not match a shape, a string
/// attribute read as a number), `function` names the Swift method instead.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// The C function (or, for argument checks, the Swift method) that failed.
    public let function: String
    /// The object path inside the file (`/layers/fc1`, `/data@units` for an attribute), or the file path for file operations.
    public let path: String
    /// The file the object lives in, when the failure concerns an object inside a file.
    public let file: String?
    /// What went wrong, in HDF5's words where HDF5 reported it.
    public let message: String

    /// Creates an error from its parts.
    ///
    /// - Parameters:
    ///   - function: The C function or Swift method that failed.
    ///   - path: The object path, or the file path for file operations.
    ///   - file: The file holding the object, if any.
    ///   - message: What went wrong.
    public init(function: String, path: String, file: String? = nil, message: String) {
        self.function = function
        self.path = path
        self.file = file
        self.message = HDF5Error.oneLine(message)
    }

    /// HDF5's message on one line. A failed read or write of the file driver reports a ctime()
    /// timestamp (with its newline), the descriptor, the buffer address and more; of that only the
    /// system's reason is kept: "file write failed: File too large (errno 27)".
    static func oneLine(_ message: String) -> String {
        var text = message.split(whereSeparator: \.isNewline)
            .map { $0.drop(while: \.isWhitespace) }
            .joined(separator: " ")
        if let timeStart = text.firstRange(of: ": time = ") {
            let rest = text[timeStart.upperBound...]
            if let reasonStart = rest.firstRange(of: "error message = '"),
                let reasonEnd = text[reasonStart.upperBound...].firstIndex(of: "'")
            {
                var reason = String(text[reasonStart.upperBound..<reasonEnd])
                if let errnoStart = rest.firstRange(of: "errno = ") {
                    let digits = text[errnoStart.upperBound...].prefix { $0.isNumber }
                    if !digits.isEmpty { reason += " (errno \(digits))" }
                }
                text = String(text[..<timeStart.lowerBound]) + ": " + reason
            }
        }
        return text
    }

    /// A one-line account naming the function, the object, the file and the cause.
    public var description: String {
        var text = "\(function) failed for '\(path)'"
        if let file, file != path { text += " in '\(file)'" }
        return message.isEmpty ? text : text + ": " + message
    }
}

/// Runs one HDF5 call and turns a negative result into a thrown `HDF5Error`.
///
/// Every HDF5 call whose failure matters goes through here. The call is an autoclosure
/// so that HDF5's own error printing is turned off on this thread before it runs, and
/// the error stack is read right after it fails, before any other HDF5 call
/// (a `defer` that closes a handle, say) clears it.
///
/// - Parameters:
///   - status: The HDF5 call; `herr_t`, `htri_t`, `hid_t` and `ssize_t` all signal failure with a negative value.
///   - function: The C function's name, for the error.
///   - path: The object (or file) path, for the error.
///   - file: The file the object lives in, if any.
/// - Returns: The call's result when it is not negative.
/// - Throws: `HDF5Error` carrying HDF5's error message when the result is negative.
@discardableResult
func check<Status: BinaryInteger>(
    _ status: @autoclosure () -> Status, _ function: String, path: String, file: String? = nil
) throws -> Status {
    np_silence_error_printing()
    let result = status()
    if result < 0 {
        throw HDF5Error(function: function, path: path, file: file, message: currentErrorMessage())
    }
    return result
}

/// HDF5's error stack for this thread as one message: the API-level entry and the innermost cause.
private func currentErrorMessage() -> String {
    var descriptions: [String] = []
    // NOTE: walking downward visits the API function first and the innermost
    // (most specific) cause last; the cause is the part that says what went wrong.
    _ = withUnsafeMutablePointer(to: &descriptions) { pointer in
        H5Ewalk2(
            np_H5E_DEFAULT(), H5E_WALK_DOWNWARD,
            { _, entry, context in
                if let entry, let context, let text = entry.pointee.desc {
                    context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: text))
                }
                return 0
            }, pointer)
    }
    guard let outermost = descriptions.first, let innermost = descriptions.last else {
        return "HDF5 reported no details"
    }
    return outermost == innermost ? outermost : "\(outermost): \(innermost)"
}

/// An error for a request refused before any HDF5 call was made.
func usageError(_ function: String, path: String, file: String?, _ message: String) -> HDF5Error {
    HDF5Error(function: function, path: path, file: file, message: message)
}
