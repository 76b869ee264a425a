import CHDF5
import HDF5
import XCTest

/// Reading attributes whose type is not known in advance.
final class AttributeValueTests: HDF5TestCase {
    func testStringReadsAsString() throws {
        let root = try newFile().root
        try root.setAttribute("format", "neuron-probe/activations")
        XCTAssertEqual(try root.attributeValue("format"), .string("neuron-probe/activations"))
    }

    func testStringArrayReadsAsStrings() throws {
        let root = try newFile().root
        try root.setAttribute("classes", ["T-shirt/top", "µ"])
        XCTAssertEqual(try root.attributeValue("classes"), .strings(["T-shirt/top", "µ"]))
    }

    func testAnyIntegerTypeReadsAsInt64() throws {
        let root = try newFile().root
        try root.setAttribute("small", Int8(-3))
        try root.setAttribute("seed", UInt32.max)
        try root.setAttribute("rows", Int64.min)
        XCTAssertEqual(try root.attributeValue("small"), .integer(-3))
        XCTAssertEqual(try root.attributeValue("seed"), .integer(Int64(UInt32.max)))
        XCTAssertEqual(try root.attributeValue("rows"), .integer(.min))
    }

    func testIntegerArrayReadsAsIntegers() throws {
        let root = try newFile().root
        try root.setAttribute("layers", [784, 256, 10] as [UInt16])
        XCTAssertEqual(try root.attributeValue("layers"), .integers([784, 256, 10]))
    }

    func testFloatsReadAsDoubles() throws {
        let root = try newFile().root
        try root.setAttribute("epsilon", Float(0.25))
        try root.setAttribute("mean", [0.5, -1.5] as [Double])
        XCTAssertEqual(try root.attributeValue("epsilon"), .real(0.25))
        XCTAssertEqual(try root.attributeValue("mean"), .reals([0.5, -1.5]))
    }

    func testOneElementArrayStaysAnArray() throws {
        let root = try newFile().root
        try root.setAttribute("one", [9] as [Int32])
        try root.setAttribute("name", ["x"])
        XCTAssertEqual(try root.attributeValue("one"), .integers([9]))
        XCTAssertEqual(try root.attributeValue("name"), .strings(["x"]))
    }

    func testEmptyArraysReadAsEmpty() throws {
        let root = try newFile().root
        try root.setAttribute("none", [String]())
        try root.setAttribute("nothing", [Float]())
        XCTAssertEqual(try root.attributeValue("none"), .strings([]))
        XCTAssertEqual(try root.attributeValue("nothing"), .reals([]))
    }

    func testUInt64BeyondInt64IsOtherNotClamped() throws {
        let root = try newFile().root
        try root.setAttribute("big", UInt64.max)
        try root.setAttribute("fits", UInt64(42))
        XCTAssertEqual(try root.attributeValue("big"), .other("uint64 18446744073709551615, beyond Int64"))
        XCTAssertEqual(try root.attributeValue("fits"), .integer(42))
    }

    func testFixedLengthStringReadsAsString() throws {
        try newFile().close()
        try withRawFile { file in
            let type = H5Tcopy(np_H5T_C_S1())
            defer { H5Tclose(type) }
            H5Tset_size(type, 8)
            H5Tset_strpad(type, H5T_STR_SPACEPAD)
            try writeRawAttribute(file, "matlab", type: type, bytes: Array("abc     ".utf8))
        }
        XCTAssertEqual(try HDF5File.open(path("test.h5")).root.attributeValue("matlab"), .string("abc"))
    }

    func testCompoundIsOtherNamingItsType() throws {
        try newFile().close()
        try withRawFile { file in
            let pair = H5Tcreate(H5T_COMPOUND, 8)
            defer { H5Tclose(pair) }
            H5Tinsert(pair, "a", 0, np_H5T_NATIVE_INT32())
            H5Tinsert(pair, "b", 4, np_H5T_NATIVE_INT32())
            try writeRawAttribute(file, "pair", type: pair, bytes: [UInt8](repeating: 0, count: 8))
        }
        XCTAssertEqual(try HDF5File.open(path("test.h5")).root.attributeValue("pair"), .other("compound"))
    }

    func testDescriptionQuotesStringsAndBracketsArrays() {
        XCTAssertEqual(AttributeValue.string("a \"b\"").description, #""a \"b\"""#)
        XCTAssertEqual(AttributeValue.strings(["x", "y"]).description, #"["x", "y"]"#)
        XCTAssertEqual(AttributeValue.integer(-7).description, "-7")
        XCTAssertEqual(AttributeValue.integers([1, 2]).description, "[1, 2]")
        XCTAssertEqual(AttributeValue.real(0.5).description, "0.5")
        XCTAssertEqual(AttributeValue.reals([0.5, 2]).description, "[0.5, 2.0]")
        XCTAssertEqual(AttributeValue.other("compound").description, "<compound>")
    }

    func testMissingAttributeThrowsNamingIt() throws {
        let dataset = try newFile().root.write("data", [1] as [Float], shape: [1])
        assertHDF5Error(try dataset.attributeValue("units"), mentions: "H5Aopen", "/data@units")
    }

    /// Opens the test file for writing through the C API.
    private func withRawFile(_ body: (hid_t) throws -> Void) throws {
        let file = H5Fopen(path("test.h5"), np_H5F_ACC_RDWR(), np_H5P_DEFAULT())
        XCTAssertGreaterThanOrEqual(file, 0)
        defer { H5Fclose(file) }
        try body(file)
    }

    /// Writes a scalar attribute of `type` on the root group from raw bytes.
    private func writeRawAttribute(_ file: hid_t, _ name: String, type: hid_t, bytes: [UInt8]) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(file, name, type, space, np_H5P_DEFAULT(), np_H5P_DEFAULT())
        defer { H5Aclose(attribute) }
        XCTAssertGreaterThanOrEqual(H5Awrite(attribute, type, bytes), 0)
    }
}
