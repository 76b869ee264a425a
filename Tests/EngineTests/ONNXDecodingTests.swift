import Foundation
import XCTest
@testable import Engine

/// The hand decoder of ONNX files (the Protocol Buffers wire format and the messages of
/// onnx.proto an import needs), on files written by onnx.helper (Fixtures/onnx/make_fixtures.py),
/// and on damaged bytes: one clear error, never a crash.
final class ONNXDecodingTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/onnx")

    private func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
    }

    /// The generator's weights: (i % 7 − 3) / 8.
    private func weights(_ count: Int) -> [Double] { (0..<count).map { Double($0 % 7 - 3) / 8 } }

    func testAVarintIsReadBase128LittleEndian() throws {
        var reader = ProtobufReader([0xAC, 0x02, 0x01][...])
        XCTAssertEqual(try reader.readVarint(), 300)
        XCTAssertEqual(try reader.readVarint(), 1)
        XCTAssertTrue(reader.isAtEnd)
        var negative = ProtobufReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01][...])
        XCTAssertEqual(Int64(bitPattern: try negative.readVarint()), -1)
    }

    func testAVarintLongerThanSixtyFourBitsIsRefused() {
        var reader = ProtobufReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F][...])
        XCTAssertThrowsError(try reader.readVarint()) { XCTAssertTrue("\($0)".contains("64 bits"), "\($0)") }
    }

    func testALengthPastTheEndIsATruncation() {
        // Field 2, length-delimited, 5 bytes promised, 2 given.
        var reader = ProtobufReader([0x12, 0x05, 0x61, 0x62][...])
        XCTAssertThrowsError(try reader.next()) {
            guard case ProtobufError.truncated = $0 else { return XCTFail("\($0)") }
        }
    }

    func testAGemmGraphDecodesItsNodesAttributesWeightsAndShapes() throws {
        let model = try ONNXModel.decode(try bytes("gemm-relu.onnx"))
        XCTAssertEqual(model.producerName, "neuron-probe-fixtures")
        XCTAssertEqual(model.opsets[""], 13)
        XCTAssertEqual(model.metadata["mean"], "0.5")
        XCTAssertEqual(model.graph.nodes.map(\.opType), ["Gemm", "Relu"])
        XCTAssertEqual(model.graph.nodes[0].inputs, ["x", "W", "b"])
        XCTAssertEqual(model.graph.nodes[0].attributes["transB"]?.int, 1)
        XCTAssertEqual(model.graph.nodes[0].attributes["alpha"]?.float, 1)
        let w = try XCTUnwrap(model.graph.initializers.first { $0.name == "W" })
        XCTAssertEqual(w.dims, [3, 4])
        XCTAssertEqual(w.values, weights(12), "raw_data, little-endian float32")
        let b = try XCTUnwrap(model.graph.initializers.first { $0.name == "b" })
        XCTAssertEqual(b.values, [0, 0.25, 0.5], "float_data")
        XCTAssertEqual(model.graph.inputs.map(\.name), ["x"])
        XCTAssertEqual(model.graph.inputs[0].elementType, ONNXTensor.DataType.float.rawValue)
        XCTAssertEqual(model.graph.inputs[0].shape, [.value(1), .value(4)])
    }

    func testAConvGraphWithADynamicBatchKeepsTheSymbolicAxisAndItsConstant() throws {
        let model = try ONNXModel.decode(try bytes("conv-dynamic-batch.onnx"))
        XCTAssertEqual(model.graph.inputs[0].shape, [.parameter("batch"), .value(1), .value(5), .value(5)])
        let conv = model.graph.nodes[0]
        XCTAssertEqual(conv.attributes["kernel_shape"]?.ints, [3, 3])
        XCTAssertEqual(conv.attributes["pads"]?.ints, [1, 1, 1, 1])
        XCTAssertEqual(model.graph.initializers[0].dims, [2, 1, 3, 3])
        XCTAssertEqual(model.graph.initializers[0].values, weights(18))
        guard case .tensor(let target)? = model.graph.nodes[1].attributes["value"] else { return XCTFail("Constant has no tensor value") }
        XCTAssertEqual(target.dataType, ONNXTensor.DataType.int64.rawValue)
        XCTAssertEqual(target.values, [-1, 50])
    }

    func testEveryTruncationOfAFileThrowsOrDecodesWithoutCrashing() throws {
        let whole = try bytes("conv-dynamic-batch.onnx")
        var refused = 0
        for length in 0..<whole.count {
            do {
                _ = try ONNXModel.decode(Array(whole[0..<length]))
            } catch is ProtobufError {
                refused += 1
            } catch is ONNXError {
                refused += 1
            }
        }
        // A cut between two top-level fields can leave a well-formed model; most cuts fall inside a field.
        XCTAssertGreaterThan(refused, whole.count * 9 / 10)
    }

    func testBitFlipsGiveAClearErrorOrAModelNeverACrash() throws {
        let whole = try bytes("gemm-relu.onnx")
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<3000 {
            var damaged = whole
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let bit = Int(generator.next() % UInt64(whole.count * 8))
                damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            }
            do {
                _ = try ONNXModel.decode(damaged)
            } catch let error as ProtobufError {
                XCTAssertFalse(error.description.isEmpty)
            } catch let error as ONNXError {
                XCTAssertFalse(error.description.isEmpty)
            }
        }
    }

    func testBytesThatAreNotAModelSaySo() {
        XCTAssertThrowsError(try ONNXModel.decode(Array("not an onnx file".utf8))) { error in
            XCTAssertTrue(error is ProtobufError || error is ONNXError, "\(error)")
        }
        XCTAssertThrowsError(try ONNXModel.decode([])) { XCTAssertEqual($0 as? ONNXError, .notAModel("it holds no graph (ModelProto field 7)")) }
    }

    func testATensorWhoseShapeOverflowsIsRefusedNotTrapped() {
        // TensorProto: dims 2⁶² and 4 (their product overflows Int), data_type float, no values.
        var bytes: [UInt8] = [0x08]
        var big: UInt64 = 1 << 62
        while big >= 0x80 {
            bytes.append(UInt8(big & 0x7f) | 0x80)
            big >>= 7
        }
        bytes += [UInt8(big), 0x08, 0x04, 0x10, 0x01]
        XCTAssertThrowsError(try ONNXTensor.decode(ProtobufReader(bytes[...]))) {
            XCTAssertTrue("\($0)".contains("shape"), "\($0)")
        }
    }
}
