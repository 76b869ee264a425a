/// An attribute's value, whatever type it was stored as: for listing attributes without knowing them in advance.
///
/// Integers of any width and sign read as `Int64`, floating-point numbers as `Double`, and
/// variable- or fixed-length strings as `String`. A scalar attribute gives the singular
/// case; an array, even of one element, gives the plural one (as h5py tells them apart).
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible {
    /// A scalar string.
    case string(String)
    /// An array of strings, flattened in row-major order.
    case strings([String])
    /// A scalar integer.
    case integer(Int64)
    /// An array of integers, flattened in row-major order.
    case integers([Int64])
    /// A scalar floating-point number.
    case real(Double)
    /// An array of floating-point numbers, flattened in row-major order.
    case reals([Double])
    /// Anything else, described: a compound, an enum (h5py's `bool`), an empty attribute, a `uint64` beyond `Int64.max`.
    case other(String)

    /// The value as `probe inspect` prints it: strings quoted, arrays in brackets, others in angle brackets.
    public var description: String {
        switch self {
        case .string(let value): return String(reflecting: value)
        case .strings(let values): return "\(values)"
        case .integer(let value): return "\(value)"
        case .integers(let values): return "\(values)"
        case .real(let value): return "\(value)"
        case .reals(let values): return "\(values)"
        case .other(let text): return "<\(text)>"
        }
    }
}
