import XCTest
@testable import Engine

/// The named architectures of the papers build with the documented layers, and the input
/// gradient of each agrees with finite differences.
final class ArchitectureTests: XCTestCase {
    private func build(_ spec: String, activation: Activation? = nil) throws -> Sequential {
        var g = SeededGenerator(seed: 1)
        return try Architecture(spec, activation: activation).build(inputShape: [1, 28, 28], generator: &g)
    }

    private func checkArchitectureInputGradient(_ spec: String, activation: Activation? = nil, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        let model = try build(spec, activation: activation)
        let images = randomTensor([2, 1, 28, 28], seed: 5, low: 0, high: 1)
        checkInputGradient(of: model, at: images, labels: [3, 7], step: 1e-2, file: file, line: line)
    }

    func testFC10InputGradient() throws { try checkArchitectureInputGradient("fc10") }
    func testFC100x100InputGradient() throws { try checkArchitectureInputGradient("fc100-100-10") }
    func testFC200x200InputGradient() throws { try checkArchitectureInputGradient("fc200-200-10") }
    func testFC123x456InputGradient() throws { try checkArchitectureInputGradient("fc123-456-10") }
    func testFC123x456WithReLUInputGradient() throws { try checkArchitectureInputGradient("fc123-456-10", activation: .relu) }
    func testAE400InputGradient() throws { try checkArchitectureInputGradient("ae400-10") }
    func testMaxout240InputGradient() throws { try checkArchitectureInputGradient("maxout240-240-10") }
    func testConvSmallInputGradient() throws { try checkArchitectureInputGradient("conv-small") }
    func testConvInputGradient() throws { try checkArchitectureInputGradient("conv") }

    func testFC100x100HasSigmoidHiddenLayersNamedForTheirPosition() throws {
        XCTAssertEqual(try build("fc100-100-10").layerNames, ["fc1", "sigmoid1", "fc2", "sigmoid2", "fc3"])
    }

    func testConvMatchesMadrysLayerShapes() throws {
        let model = try build("conv")
        XCTAssertEqual(
            model.layerOutputShapes(),
            [[32, 28, 28], [32, 28, 28], [32, 14, 14], [64, 14, 14], [64, 14, 14], [64, 7, 7], [3136], [1024], [1024], [10]])
    }

    func testMaxoutHasFivePiecesAndDropout() throws {
        let model = try build("maxout240-240-10")
        XCTAssertEqual(model.layers.map(\.kind.rawValue), ["dropout", "dense", "maxout", "dropout", "dense", "maxout", "dropout", "dense"])
        XCTAssertEqual((model.layers[1] as! Dense).outputCount, 1200)
    }

    func testGeneralSpecStringBuilds() throws {
        XCTAssertEqual(try build("fc300-100-10").layerOutputShapes().last, [10])
    }

    func testUnknownArchitectureSaysWhatIsAccepted() {
        XCTAssertThrowsError(try Architecture("resnet50")) { error in
            XCTAssertTrue("\(error)".contains("fc100-100-10"), "\(error)")
        }
        XCTAssertThrowsError(try Architecture("fc100-x-10"))
        XCTAssertThrowsError(try Architecture("fc"))
    }

    func testSameSeedGivesIdenticalWeights() throws {
        let a = try build("conv-small"), b = try build("conv-small")
        XCTAssertEqual(a.namedParameters.map(\.parameter.value), b.namedParameters.map(\.parameter.value))
    }

    func testActivationIsRefusedWhereTheArchitectureFixesItsNonlinearities() {
        XCTAssertThrowsError(try Architecture("conv-small", activation: .tanh)) { error in
            XCTAssertTrue("\(error)".contains("fc architectures only"), "\(error)")
        }
        XCTAssertThrowsError(try Architecture("ae400-10", activation: .relu))
    }

    func testHiddenUnitsNameWhatTheNetworkComputes() throws {
        XCTAssertEqual(try Architecture("fc100-100-10", activation: .relu).hiddenUnits, "relu")
        XCTAssertEqual(try Architecture("fc10").hiddenUnits, "none")
        XCTAssertEqual(try Architecture("maxout240-240-10").hiddenUnits, "maxout")
        XCTAssertEqual(try Architecture("conv").hiddenUnits, "relu")
    }
}
