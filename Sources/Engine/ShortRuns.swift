/// Copies and fills of short runs of floats (an image row inside an im2col line), inline and eight
/// lanes at a time: for runs of a few dozen values a call to `memmove` or `memset` costs more than the copy.
enum ShortRuns {
    /// Copies `count` floats from `source` to `target` (the two do not overlap).
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(
                of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            target[i] = source[i]
            i += 1
        }
    }

    /// Sets `count` floats at `target` to `value`.
    @inline(__always)
    static func fill(_ target: UnsafeMutablePointer<Float>, with value: Float, count: Int) {
        let lanes = SIMD8<Float>(repeating: value)
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(of: lanes, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            target[i] = value
            i += 1
        }
    }

    /// Sets `count` floats at `target` to zero.
    @inline(__always)
    static func zero(_ target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            target[i] = 0
            i += 1
        }
    }

    /// Adds `count` floats of `source` into `target` (the two do not overlap).
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let sum =
                UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            target[i] += source[i]
            i += 1
        }
    }

    /// The sum of `count` floats, in eight interleaved partial sums.
    @inline(__always)
    static func sum(_ source: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            lanes += UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += source[i]
            i += 1
        }
        return total
    }
}
