import XCTest
@testable import Engine

/// Constant subgraphs evaluated at import, by ONNX's rules for each operator.
final class ONNXConstantsTests: XCTestCase {
    private func tensor(_ name: String, _ dims: [Int64], _ values: [Double], type: Int64 = 7) -> ONNXTensor {
        ONNXConstants.tensor(name, dims: dims, values: values, type: type)
    }

    private func node(_ op: String, _ inputs: [String], _ attributes: [String: ONNXAttribute] = [:]) -> ONNXNode {
        var node = ONNXNode()
        (node.opType, node.name, node.inputs, node.outputs, node.attributes) = (op, op.lowercased(), inputs, ["out"], attributes)
        return node
    }

    private func fold(_ node: ONNXNode, _ constants: [ONNXTensor], opset: Int64 = 17, shapes: [String: [Int]] = [:]) throws -> ONNXTensor? {
        var folding = ONNXConstants(constants)
        guard try folding.fold(node, opset: opset, shapes: shapes) else { return nil }
        return folding["out"]
    }

    func testTheShapeOfAComputedTensorStartsWithTheBatchMarker() throws {
        let shape = try XCTUnwrap(try fold(node("Shape", ["x"]), [], shapes: ["x": [3, 8, 8]]))
        XCTAssertEqual(shape.values, [ONNXConstants.batch, 3, 8, 8])
    }

    func testAShapeOfATensorOfUnknownShapeIsNotFolded() throws {
        XCTAssertNil(try fold(node("Shape", ["x"]), []))
    }

    func testGatherTakesNegativeIndicesFromTheEnd() throws {
        let out = try XCTUnwrap(
            try fold(node("Gather", ["d", "i"], ["axis": .int(1)]), [tensor("d", [2, 3], [1, 2, 3, 4, 5, 6]), tensor("i", [1], [-1])]))
        XCTAssertEqual(out.dims, [2, 1])
        XCTAssertEqual(out.values, [3, 6])
    }

    func testSliceToINT64MaxStopsAtTheEndAndNegativeStepsRunBackwards() throws {
        let data = tensor("d", [5], [10, 11, 12, 13, 14])
        let forward = try XCTUnwrap(
            try fold(node("Slice", ["d", "s", "e"]), [data, tensor("s", [1], [1]), tensor("e", [1], [9_223_372_036_854_775_807])]))
        XCTAssertEqual(forward.values, [11, 12, 13, 14])
        let backward = try XCTUnwrap(
            try fold(
                node("Slice", ["d", "s", "e", "a", "p"]),
                [data, tensor("s", [1], [-1]), tensor("e", [1], [-9_223_372_036_854_775_807]), tensor("a", [1], [0]), tensor("p", [1], [-2])]))
        XCTAssertEqual(backward.values, [14, 12, 10])
    }

    func testConcatJoinsAlongItsAxis() throws {
        let out = try XCTUnwrap(
            try fold(node("Concat", ["a", "b"], ["axis": .int(1)]), [tensor("a", [2, 1], [1, 2]), tensor("b", [2, 2], [3, 4, 5, 6])]))
        XCTAssertEqual(out.dims, [2, 3])
        XCTAssertEqual(out.values, [1, 3, 4, 2, 5, 6])
    }

    func testTransposePermutesAxes() throws {
        let out = try XCTUnwrap(try fold(node("Transpose", ["a"], ["perm": .ints([1, 0])]), [tensor("a", [2, 3], [1, 2, 3, 4, 5, 6], type: 1)]))
        XCTAssertEqual(out.dims, [3, 2])
        XCTAssertEqual(out.values, [1, 4, 2, 5, 3, 6])
    }

    func testUnsqueezeAndCastKeepTheValues() throws {
        let unsqueezed = try XCTUnwrap(
            try fold(node("Unsqueeze", ["a", "axes"]), [tensor("a", [], [ONNXConstants.batch]), tensor("axes", [1], [0])]))
        XCTAssertEqual(unsqueezed.dims, [1])
        let cast = try XCTUnwrap(try fold(node("Cast", ["a"], ["to": .int(1)]), [tensor("a", [2], [2.5, -1.75], type: 11)]))
        XCTAssertEqual(cast.values, [2.5, -1.75])
        XCTAssertEqual(cast.dataType, 1)
    }
}
