import CHDF5
import HDF5
import XCTest

final class AttributeTests: HDF5TestCase {
    func testStringAttributeRoundTrips() throws {
        try newFile().root.setAttribute("units", "µm/s ✓")
        XCTAssertEqual(try HDF5File.open(path("test.h5")).root.stringAttribute("units"), "µm/s ✓")
    }

    func testStringArrayAttributeRoundTrips() throws {
        try newFile().root.setAttribute("classes", ["T-shirt/top", "Trouser", "", "Ankle boot"])
        XCTAssertEqual(
            try HDF5File.open(path("test.h5")).root.stringArrayAttribute("classes"), ["T-shirt/top", "Trouser", "", "Ankle boot"])
    }

    func testEmptyStringArrayAttributeRoundTrips() throws {
        let root = try newFile().root
        try root.setAttribute("none", [String]())
        XCTAssertEqual(try root.stringArrayAttribute("none"), [])
    }

    func testScalarNumberAttributesRoundTrip() throws {
        let root = try newFile().root
        try root.setAttribute("epsilon", 0.25)
        try root.setAttribute("seed", UInt32(1234))
        try root.setAttribute("format_version", 2)
        XCTAssertEqual(try root.attribute("epsilon", as: Double.self), 0.25)
        XCTAssertEqual(try root.attribute("seed", as: UInt32.self), 1234)
        XCTAssertEqual(try root.attribute("format_version", as: Int.self), 2)
    }

    func testNumberArrayAttributesRoundTrip() throws {
        let root = try newFile().root
        try root.setAttribute("mean", [0.5, -1, 2] as [Float])
        try root.setAttribute("layers", [784, 256, 10] as [Int64])
        XCTAssertEqual(try root.arrayAttribute("mean", as: Float.self), [0.5, -1, 2])
        XCTAssertEqual(try root.arrayAttribute("layers", as: Int64.self), [784, 256, 10])
    }

    func testNumberAttributeConvertsToRequestedType() throws {
        let root = try newFile().root
        try root.setAttribute("count", Int64(7))
        try root.setAttribute("scale", [1.5, 2.5] as [Double])
        XCTAssertEqual(try root.attribute("count", as: Double.self), 7)
        XCTAssertEqual(try root.arrayAttribute("scale", as: Float.self), [1.5, 2.5])
    }

    func testScalarReadsAsOneElementArrayAndBack() throws {
        let root = try newFile().root
        try root.setAttribute("n", 3)
        try root.setAttribute("one", [9] as [Int32])
        try root.setAttribute("name", "x")
        XCTAssertEqual(try root.arrayAttribute("n", as: Int.self), [3])
        XCTAssertEqual(try root.attribute("one", as: Int32.self), 9)
        XCTAssertEqual(try root.stringArrayAttribute("name"), ["x"])
    }

    func testSettingAnExistingAttributeReplacesIt() throws {
        let root = try newFile().root
        try root.setAttribute("value", "first")
        try root.setAttribute("value", "second")
        XCTAssertEqual(try root.stringAttribute("value"), "second")
        try root.setAttribute("value", [1, 2, 3] as [Double])
        XCTAssertEqual(try root.arrayAttribute("value", as: Double.self), [1, 2, 3])
        XCTAssertEqual(try root.attributeNames(), ["value"])
    }

    func testAttributeNamesAndHasAttribute() throws {
        let root = try newFile().root
        try root.setAttribute("b", 1)
        try root.setAttribute("a", "x")
        XCTAssertEqual(try root.attributeNames(), ["a", "b"])
        XCTAssertTrue(root.hasAttribute("a"))
        XCTAssertFalse(root.hasAttribute("c"))
    }

    func testDatasetAndGroupAttributes() throws {
        let file = try newFile()
        let dataset = try file.root.write("layers/fc1/weight", [1, 2, 3, 4] as [Float], shape: [2, 2])
        try dataset.setAttribute("init", "he_normal")
        try file.root.openGroup("layers/fc1").setAttribute("kind", "dense")
        XCTAssertEqual(try file.root.openDataset("layers/fc1/weight", of: Float.self).stringAttribute("init"), "he_normal")
        XCTAssertEqual(try file.root.openGroup("layers").openGroup("fc1").stringAttribute("kind"), "dense")
    }

    func testFixedLengthStringAttributesRead() throws {
        try newFile().close()
        try writeFixedLengthStrings(["matlab  "], name: "spacepadded", padding: H5T_STR_SPACEPAD, shape: [])
        try writeFixedLengthStrings(["abc"], name: "nullpadded", padding: H5T_STR_NULLPAD, shape: [])
        try writeFixedLengthStrings(["ab", "cdef"], name: "array", padding: H5T_STR_NULLTERM, shape: [2])
        let root = try HDF5File.open(path("test.h5")).root
        XCTAssertEqual(try root.stringAttribute("spacepadded"), "matlab")
        XCTAssertEqual(try root.stringAttribute("nullpadded"), "abc")
        XCTAssertEqual(try root.stringArrayAttribute("array"), ["ab", "cdef"])
    }

    func testReadingNumberAttributeAsStringThrowsNamingBoth() throws {
        let root = try newFile().root
        try root.setAttribute("epsilon", Float(0.1))
        assertHDF5Error(try root.stringAttribute("epsilon"), mentions: "/@epsilon", "float32", "not a string")
    }

    func testReadingStringAttributeAsNumberThrowsNamingBoth() throws {
        let root = try newFile().root
        try root.setAttribute("format", "neuron-probe/model")
        assertHDF5Error(try root.attribute("format", as: Int.self), mentions: "/@format", "variable-length string", "Int (int64)")
    }

    func testReadingArrayAttributeAsScalarThrows() throws {
        let root = try newFile().root
        try root.setAttribute("shape", [2, 3])
        assertHDF5Error(try root.attribute("shape", as: Int.self), mentions: "holds 2 numbers")
    }

    func testReadingMissingAttributeThrowsNamingIt() throws {
        let dataset = try newFile().root.write("data", [1] as [Float], shape: [1])
        assertHDF5Error(try dataset.stringAttribute("units"), mentions: "H5Aopen", "/data@units", "test.h5")
    }

    func testStringWithNULCharacterThrowsInsteadOfTruncating() throws {
        let root = try newFile().root
        assertHDF5Error(try root.setAttribute("note", "a\u{0}b"), mentions: "/@note", "NUL")
        XCTAssertFalse(root.hasAttribute("note"))
    }

    /// Writes fixed-length strings as an attribute of the root group through the C API, as MATLAB and older tools do.
    private func writeFixedLengthStrings(_ strings: [String], name: String, padding: H5T_str_t, shape: [Int]) throws {
        let width = strings.map(\.utf8.count).max() ?? 1
        let file = H5Fopen(path("test.h5"), np_H5F_ACC_RDWR(), np_H5P_DEFAULT())
        XCTAssertGreaterThanOrEqual(file, 0)
        defer { H5Fclose(file) }
        let type = H5Tcopy(np_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, width)
        H5Tset_strpad(type, padding)
        var dims = shape.map { hsize_t($0) }
        let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(shape.count), &dims, nil)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(file, name, type, space, np_H5P_DEFAULT(), np_H5P_DEFAULT())
        defer { H5Aclose(attribute) }
        var bytes = [UInt8]()
        for string in strings {
            let field = Array(string.utf8)
            bytes += field + [UInt8](repeating: 0, count: width - field.count)
        }
        XCTAssertGreaterThanOrEqual(H5Awrite(attribute, type, bytes), 0)
    }
}
