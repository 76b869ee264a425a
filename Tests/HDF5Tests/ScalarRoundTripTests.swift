import HDF5
import XCTest

final class ScalarRoundTripTests: HDF5TestCase {
    func testFloatRoundTrips() throws {
        try assertRoundTrip([Float]([0, -1.5, .pi, .greatestFiniteMagnitude, -.leastNonzeroMagnitude, .infinity]), shape: [2, 3])
    }

    func testDoubleRoundTrips() throws {
        try assertRoundTrip([0, -1.5, .pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -.infinity] as [Double], shape: [3, 2])
    }

    func testInt8RoundTrips() throws {
        try assertRoundTrip([.min, -1, 0, 1, .max, 7] as [Int8], shape: [6])
    }

    func testInt16RoundTrips() throws {
        try assertRoundTrip([.min, -1, 0, 1, .max, 7] as [Int16], shape: [1, 2, 3])
    }

    func testInt32RoundTrips() throws {
        try assertRoundTrip([.min, -1, 0, 1, .max, 7] as [Int32], shape: [6, 1])
    }

    func testInt64RoundTrips() throws {
        try assertRoundTrip([.min, -1, 0, 1, .max, 7] as [Int64], shape: [2, 3])
    }

    func testUInt8RoundTrips() throws {
        try assertRoundTrip([0, 1, 127, 128, .max, 7] as [UInt8], shape: [2, 3])
    }

    func testUInt16RoundTrips() throws {
        try assertRoundTrip([0, 1, 127, 128, .max, 7] as [UInt16], shape: [2, 3])
    }

    func testUInt32RoundTrips() throws {
        try assertRoundTrip([0, 1, 127, 128, .max, 7] as [UInt32], shape: [2, 3])
    }

    func testUInt64RoundTrips() throws {
        try assertRoundTrip([0, 1, 127, 128, .max, 7] as [UInt64], shape: [2, 3])
    }

    func testIntRoundTripsAsInt64() throws {
        try assertRoundTrip([.min, -1, 0, 1, .max, 7] as [Int], shape: [3, 2])
        XCTAssertEqual(Int.hdf5Type, .int64)
    }

    func testScalarDatasetRoundTrips() throws {
        try assertRoundTrip([42.5] as [Double], shape: [])
    }

    func testEmptyDatasetRoundTrips() throws {
        try assertRoundTrip([] as [Float], shape: [0, 4])
    }

    func testInt64DatasetReadsAsFloat() throws {
        let file = try newFile()
        try file.root.write("counts", [1, -2, 3_000_000] as [Int64], shape: [3])
        XCTAssertEqual(try file.root.openDataset("counts", of: Float.self).read(), [1, -2, 3_000_000])
    }

    func testFloatWrittenThroughDoubleDatasetKeepsStoredType() throws {
        let file = try newFile()
        try file.root.write("x", [0.5, 0.25] as [Float], shape: [2])
        let asDouble = try file.root.openDataset("x", of: Double.self)
        try asDouble.write([1.5, -2])
        XCTAssertEqual(asDouble.storedType, .float32)
        XCTAssertEqual(try file.root.openDataset("x", of: Float.self).read(), [1.5, -2])
    }
}
