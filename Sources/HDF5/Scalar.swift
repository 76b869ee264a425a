import CHDF5

/// The numeric element types this module reads and writes, named as NumPy names them.
public enum HDF5ScalarType: String, Sendable, CaseIterable {
    /// IEEE 754 single precision (`Float`).
    case float32
    /// IEEE 754 double precision (`Double`).
    case float64
    /// Signed 8-bit integer (`Int8`).
    case int8
    /// Signed 16-bit integer (`Int16`).
    case int16
    /// Signed 32-bit integer (`Int32`).
    case int32
    /// Signed 64-bit integer (`Int64`, and `Int` on 64-bit platforms).
    case int64
    /// Unsigned 8-bit integer (`UInt8`).
    case uint8
    /// Unsigned 16-bit integer (`UInt16`).
    case uint16
    /// Unsigned 32-bit integer (`UInt32`).
    case uint32
    /// Unsigned 64-bit integer (`UInt64`).
    case uint64

    /// The HDF5 native type of this element type in memory; library-owned, never closed.
    var nativeType: hid_t {
        switch self {
        case .float32: return np_H5T_NATIVE_FLOAT()
        case .float64: return np_H5T_NATIVE_DOUBLE()
        case .int8: return np_H5T_NATIVE_INT8()
        case .int16: return np_H5T_NATIVE_INT16()
        case .int32: return np_H5T_NATIVE_INT32()
        case .int64: return np_H5T_NATIVE_INT64()
        case .uint8: return np_H5T_NATIVE_UINT8()
        case .uint16: return np_H5T_NATIVE_UINT16()
        case .uint32: return np_H5T_NATIVE_UINT32()
        case .uint64: return np_H5T_NATIVE_UINT64()
        }
    }

    /// The scalar type an HDF5 datatype stores, or nil when it is not one of these (strings, compounds, float16…).
    init?(storedType type: hid_t) {
        let bits = H5Tget_size(type) * 8
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch bits {
            case 32: self = .float32
            case 64: self = .float64
            default: return nil
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) != H5T_SGN_NONE
            switch bits {
            case 8: self = signed ? .int8 : .uint8
            case 16: self = signed ? .int16 : .uint16
            case 32: self = signed ? .int32 : .uint32
            case 64: self = signed ? .int64 : .uint64
            default: return nil
            }
        default:
            return nil
        }
    }
}

/// A Swift number type that maps onto an HDF5 numeric element type.
///
/// `Float`, `Double`, `Int8`…`Int64`, `UInt8`…`UInt64` and `Int` (stored as 64-bit)
/// conform. Values are copied to and from HDF5 as raw memory, hence `BitwiseCopyable`.
public protocol HDF5Scalar: BitwiseCopyable {
    /// The HDF5 element type values of this type are written as and read into.
    static var hdf5Type: HDF5ScalarType { get }
}

extension HDF5Scalar {
    /// The name used for this type in error messages, such as "Float (float32)".
    static var hdf5Description: String { "\(Self.self) (\(hdf5Type.rawValue))" }
}

extension Float: HDF5Scalar {
    /// Stored as `float32`.
    public static var hdf5Type: HDF5ScalarType { .float32 }
}

extension Double: HDF5Scalar {
    /// Stored as `float64`.
    public static var hdf5Type: HDF5ScalarType { .float64 }
}

extension Int8: HDF5Scalar {
    /// Stored as `int8`.
    public static var hdf5Type: HDF5ScalarType { .int8 }
}

extension Int16: HDF5Scalar {
    /// Stored as `int16`.
    public static var hdf5Type: HDF5ScalarType { .int16 }
}

extension Int32: HDF5Scalar {
    /// Stored as `int32`.
    public static var hdf5Type: HDF5ScalarType { .int32 }
}

extension Int64: HDF5Scalar {
    /// Stored as `int64`.
    public static var hdf5Type: HDF5ScalarType { .int64 }
}

extension UInt8: HDF5Scalar {
    /// Stored as `uint8`.
    public static var hdf5Type: HDF5ScalarType { .uint8 }
}

extension UInt16: HDF5Scalar {
    /// Stored as `uint16`.
    public static var hdf5Type: HDF5ScalarType { .uint16 }
}

extension UInt32: HDF5Scalar {
    /// Stored as `uint32`.
    public static var hdf5Type: HDF5ScalarType { .uint32 }
}

extension UInt64: HDF5Scalar {
    /// Stored as `uint64`.
    public static var hdf5Type: HDF5ScalarType { .uint64 }
}

extension Int: HDF5Scalar {
    /// Stored as `int64` (as `int32` on a 32-bit platform), so files do not depend on the writer's word size beyond that.
    public static var hdf5Type: HDF5ScalarType { MemoryLayout<Int>.size == 8 ? .int64 : .int32 }
}

/// Whether HDF5 can convert stored elements of this datatype to and from a native number type.
func isNumeric(_ type: hid_t) -> Bool {
    let typeClass = H5Tget_class(type)
    return typeClass == H5T_INTEGER || typeClass == H5T_FLOAT
}
