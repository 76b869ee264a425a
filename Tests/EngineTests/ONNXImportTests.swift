import Foundation
import Files
import XCTest
@testable import Engine

/// ONNX graphs as networks: what imports computes what the graph computes (recomputed here in
/// double precision from the generator's formulas, Fixtures/onnx/make_fixtures.py), and what does
/// not import says so in one line naming every operator and node.
final class ONNXImportTests: XCTestCase {
    private func model(_ name: String) throws -> ONNXModel {
        try ONNXModel.decode([UInt8](try Data(contentsOf: ONNXDecodingTests.fixtures.appendingPathComponent(name))))
    }

    /// The generator's weights: (i % 7 − 3) / scale.
    private func weights(_ count: Int, scale: Double = 8) -> [Double] { (0..<count).map { Double($0 % 7 - 3) / scale } }

    /// |a − b| within a few float32 roundings of the terms summed.
    private func assertClose(_ got: [Float], _ want: [Double], scale: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, file: file, line: line)
        for (g, w) in zip(got, want) { XCTAssertEqual(Double(g), w, accuracy: 16 * 0x1p-24 * scale, file: file, line: line) }
    }

    func testAGemmAndReluImportAsADenseLayerAndAReLU() throws {
        let network = try ONNXImport.sequential(try model("gemm-relu.onnx"))
        XCTAssertEqual(network.layers.map(\.kind), [.dense, .relu])
        XCTAssertEqual(network.inputShape, [4])
        let x: [Double] = [0.5, -1, 2, 0.25]
        let w = weights(12), b = [0, 0.25, 0.5]
        // Gemm with transB = 1: y = x·Wᵀ + b, W (3, 4).
        let want = (0..<3).map { i in max(0, (0..<4).reduce(b[i]) { $0 + w[i * 4 + $1] * x[$1] }) }
        let got = network.predict(Tensor(shape: [1, 4], scalars: x.map(Float.init))).scalars
        assertClose(got, want, scale: 4)
    }

    func testAMatMulWithItsBiasAddAndADynamicBatchImportAsOneDenseLayerWithoutTheSoftmax() throws {
        let network = try ONNXImport.sequential(try model("matmul-softmax.onnx"))
        XCTAssertEqual(network.layers.map(\.kind), [.flatten, .dense, .sigmoid, .dense])
        XCTAssertEqual(network.inputShape, [1, 2, 3])
        var g = SeededGenerator(seed: 3)
        let batch = 5
        let x = (0..<(batch * 6)).map { _ in Double(g.nextGaussian()) }
        let b = weights(24), c = (0..<4).map { Double($0) / 4 }, d = weights(8, scale: 4)
        var want: [Double] = []
        for n in 0..<batch {
            // B (6, 4) and D (4, 2) row-major: x·B + c, sigmoid, ·D; the Softmax is left out (logits).
            let a = (0..<4).map { j in (0..<6).reduce(c[j]) { $0 + x[n * 6 + $1] * b[$1 * 4 + j] } }
            let s = a.map { 1 / (1 + exp(-$0)) }
            want += (0..<2).map { k in (0..<4).reduce(0.0) { $0 + s[$1] * d[$1 * 2 + k] } }
        }
        let got = network.predict(Tensor(shape: [batch, 1, 2, 3], scalars: x.map(Float.init))).scalars
        assertClose(got, want, scale: 8)
    }

    func testAConvWithPaddingAndAReshapeToBatchFeaturesImportsAsAConvolutionAndAFlatten() throws {
        let network = try ONNXImport.sequential(try model("conv-dynamic-batch.onnx"))
        XCTAssertEqual(network.layers.map(\.kind), [.conv2d, .flatten])
        XCTAssertEqual(network.inputShape, [1, 5, 5])
        var g = SeededGenerator(seed: 4)
        let x = (0..<50).map { _ in Double(g.nextUniform()) }
        let w = weights(18)
        var want: [Double] = []
        for n in 0..<2 {
            for map in 0..<2 {
                for i in 0..<5 {
                    for j in 0..<5 {
                        // 3×3 cross-correlation with one pixel of zeros on every side, no bias.
                        var sum = 0.0
                        for a in 0..<3 {
                            for b in 0..<3 where (0..<5).contains(i + a - 1) && (0..<5).contains(j + b - 1) {
                                sum += w[map * 9 + a * 3 + b] * x[n * 25 + (i + a - 1) * 5 + j + b - 1]
                            }
                        }
                        want.append(sum)
                    }
                }
            }
        }
        assertClose(network.predict(Tensor(shape: [2, 1, 5, 5], scalars: x.map(Float.init))).scalars, want, scale: 9)
    }

    func testUnsupportedOperatorsAreNamedWithTheirNodesAndNothingImports() throws {
        var m = try model("matmul-softmax.onnx")
        m.graph.nodes[1].opType = "LSTM"
        m.graph.nodes[3].opType = "Attention"
        m.graph.nodes[3].domain = "com.microsoft"
        XCTAssertThrowsError(try ONNXImport.sequential(m)) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("cannot import the ONNX model: unsupported operators: LSTM (node fc1.matmul), Attention (node sigmoid); "),
                "\(error)")
        }
    }

    func testAWeightHoldingNaNIsRefused() throws {
        var m = try model("gemm-relu.onnx")
        let index = try XCTUnwrap(m.graph.initializers.firstIndex { $0.name == "W" })
        m.graph.initializers[index].values[5] = .nan
        XCTAssertThrowsError(try ONNXImport.sequential(m)) { XCTAssertTrue("\($0)".contains("W holds NaN"), "\($0)") }
    }

    func testAnOperatorSetOutsideTheSupportedRangeIsRefused() throws {
        var m = try model("gemm-relu.onnx")
        m.opsets[""] = 5
        XCTAssertThrowsError(try ONNXImport.sequential(m)) { XCTAssertTrue("\($0)".contains("operator set 5"), "\($0)") }
    }

    func testAnInputWithoutAFixedShapeIsRefused() throws {
        var m = try model("gemm-relu.onnx")
        m.graph.inputs[0].shape = [.parameter("batch"), .parameter("features")]
        XCTAssertThrowsError(try ONNXImport.sequential(m)) { XCTAssertTrue("\($0)".contains("no fixed shape"), "\($0)") }
    }

    func testAnImportedModelFileRecordsItsSourceAndNormalisationAndLoadsBackComputingTheSame() throws {
        let source = ONNXDecodingTests.fixtures.appendingPathComponent("conv-dynamic-batch.onnx").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("imported-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let normalization = try InputNormalization(mean: [0.5], std: [0.25])
        let summary = try ModelImport.write(source, to: output, normalization: normalization)
        XCTAssertEqual(summary.layers.map(\.kind), ["normalize", "conv2d", "flatten"])
        let (network, metadata) = try ModelFile.load(output)
        XCTAssertEqual(metadata.architecture, "onnx:conv")
        XCTAssertEqual(metadata.source?.sha256, try Checksum.sha256(ofFile: source))
        XCTAssertEqual(metadata.source?.producer, "neuron-probe-fixtures")
        XCTAssertEqual(metadata.source?.opset, 17)
        XCTAssertEqual(metadata.source?.mean, [0.5])
        XCTAssertEqual(metadata.source?.std, [0.25])
        // The file's network is the import's: the normalisation first, then the graph, value for value.
        let x = Tensor(shape: [1, 1, 5, 5], scalars: (0..<25).map { Float($0) / 25 })
        let plain = try ONNXImport.sequential(try model("conv-dynamic-batch.onnx"))
        let normalized = Tensor(shape: x.shape, scalars: x.scalars.map { ($0 - 0.5) / 0.25 })
        XCTAssertEqual(network.predict(x).scalars, plain.predict(normalized).scalars)
    }

    func testAnONNXFileLoadsWhereAModelFileGoes() throws {
        let source = ONNXDecodingTests.fixtures.appendingPathComponent("gemm-relu.onnx").path
        let (network, metadata) = try ModelFile.load(source)
        XCTAssertEqual(network.layers.map(\.kind), [.dense, .relu])
        XCTAssertEqual(metadata.classNames, ["0", "1", "2"])
        XCTAssertEqual(metadata.sha256, try Checksum.sha256(ofFile: source))
    }

    func testANormalisationForTheWrongNumberOfChannelsIsRefused() throws {
        let source = ONNXDecodingTests.fixtures.appendingPathComponent("conv-dynamic-batch.onnx").path
        XCTAssertThrowsError(try ModelImport.load(source, normalization: try InputNormalization(mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2]))) {
            XCTAssertTrue("\($0)".contains("the network's input has 1 channel"), "\($0)")
        }
    }
}
