import XCTest
@testable import Engine

/// Layer kinds as one closed set: every kind rebuilds from a model file's settings, and unknown ones are refused.
final class LayerKindTests: XCTestCase {
    private let settings: [LayerKind: [String: Double]] = [
        .dense: ["inputs": 4, "outputs": 2],
        .conv2d: ["in_channels": 1, "out_channels": 2, "kernel": 3, "stride": 1, "padding": 1],
        .maxpool2d: ["size": 2, "stride": 2], .avgpool2d: ["size": 3, "stride": 2], .maxout: ["pieces": 2], .dropout: ["rate": 0.5],
        .relu: [:], .sigmoid: [:], .tanh: [:], .flatten: [:], .normalize: ["channels": 3],
    ]

    func testEveryKindRebuildsFromItsNameAndSettings() throws {
        for kind in LayerKind.allCases {
            let layer = try LayerFactory.make(kind: kind.rawValue, name: "l", configuration: settings[kind] ?? [:])
            XCTAssertEqual(layer.kind, kind)
            XCTAssertEqual(layer.configuration, settings[kind] ?? [:], "\(kind)")
        }
    }

    func testAnUnknownKindIsRefusedNamingIt() {
        XCTAssertThrowsError(try LayerFactory.make(kind: "attention", name: "a1", configuration: [:])) { error in
            XCTAssertTrue("\(error)".contains("a1 has unknown kind 'attention'"), "\(error)")
        }
    }

    func testOnlyFlattenAndDropoutCopyTheirInputAtInference() {
        XCTAssertEqual(Set(LayerKind.allCases.filter(\.copiesInputAtInference)), [.flatten, .dropout])
    }
}
