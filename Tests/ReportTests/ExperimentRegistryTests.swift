import Foundation
import XCTest
@testable import Report

/// The experiments of `probe reproduce`: the eight the papers call for, each with a protocol whose
/// file in protocols/ says the same as its definition.
final class ExperimentRegistryTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testTheEightExperimentsAreRegistered() {
        XCTAssertEqual(
            ExperimentRegistry.all.map(\.id),
            [
                "szegedy2014-units", "szegedy2014-table1", "szegedy2014-table2", "szegedy2014-tables34", "szegedy2014-table5", "goodfellow2015-fgsm",
                "goodfellow2015-advtrain", "bau2017-rotation",
            ])
        XCTAssertNil(ExperimentRegistry.experiment("szegedy2014-table9"))
    }

    func testEveryProtocolFileSaysWhatItsExperimentRuns() throws {
        for experiment in ExperimentRegistry.all {
            let url = Self.repository.appendingPathComponent("protocols/\(experiment.id).md")
            let text = try String(contentsOf: url, encoding: .utf8)
            XCTAssertEqual(
                text, experiment.protocolMarkdown + "\n",
                "protocols/\(experiment.id).md differs from the definition: regenerate it with `probe reproduce \(experiment.id) --protocol > protocols/\(experiment.id).md`"
            )
        }
    }

    func testEveryExperimentNamesItsChoicesAndItsTime() {
        for experiment in ExperimentRegistry.all {
            XCTAssertGreaterThanOrEqual(experiment.choices.count, 3, experiment.id)
            XCTAssertEqual(Set(experiment.choices.map(\.name)).count, experiment.choices.count, "\(experiment.id): a choice named twice")
            XCTAssertGreaterThan(experiment.seconds.paper, experiment.seconds.quick, experiment.id)
            XCTAssertLessThanOrEqual(experiment.seconds.quick, 600, "\(experiment.id): the quick budget is minutes")
        }
    }

    func testAModelsFileNameNamesEverySettingThatChangesItsWeights() {
        let base = ModelSpec("fc100-100-10")
        var variants: [ModelSpec] = []
        variants.append(ModelSpec("fc200-200-10"))
        variants.append(ModelSpec("fc100-100-10", activation: "relu"))
        variants.append(ModelSpec("fc100-100-10", weightDecay: "1e-4"))
        variants.append(ModelSpec("fc100-100-10", epochs: 6))
        variants.append(ModelSpec("fc100-100-10", optimizer: "sgd"))
        variants.append(ModelSpec("fc100-100-10", learningRate: 0.01))
        variants.append(ModelSpec("fc100-100-10", batchSize: 64))
        variants.append(ModelSpec("fc100-100-10", seed: 2))
        variants.append(ModelSpec("fc100-100-10", trainSubset: "P1"))
        variants.append(ModelSpec("fc100-100-10", adversarialEpsilon: 0.25))
        variants.append(ModelSpec("fc100-100-10", adversarialEpsilon: 0.25, adversarialAlpha: 0.3))
        let names = ([base] + variants).map { $0.fileName(dataset: "fashion-mnist") }
        XCTAssertEqual(Set(names).count, names.count, names.joined(separator: "\n"))
        XCTAssertNotEqual(base.fileName(dataset: "fashion-mnist"), base.fileName(dataset: "mnist"))
    }

    func testAPaperTablePrintsThePapersValueBesideOurs() {
        let table = PaperTable(
            source: "Table 1", columns: ["test error", "distortion"], percent: [true, false],
            rows: [PaperTable.Row(label: "FC10(1e-4)", paper: [0.074, 0.062], ours: [0.158, nil])], comparable: false)
        XCTAssertTrue(table.text.contains("7.4% / 15.8%"), table.text)
        XCTAssertTrue(table.text.contains("0.062 / –"), table.text)
        XCTAssertTrue(table.text.contains("not comparable"), table.text)
    }
}
