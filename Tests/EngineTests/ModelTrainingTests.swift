import XCTest
@testable import Engine

/// Training a new model to its model file's contents: built from the seed, trained, measured on
/// its own training examples and on the test split.
final class ModelTrainingTests: XCTestCase {
    private func data(classes: Int = 3) -> TrainingData {
        var g = SeededGenerator(seed: 5)
        func set(_ n: Int) -> LabeledTensor {
            let labels = (0..<n).map { $0 % classes }
            let pixels = labels.flatMap { label in (0..<16).map { p in (p % classes == label ? 0.9 : 0.1) + 0.05 * g.nextGaussian() } }
            return LabeledTensor(images: Tensor(shape: [n, 1, 4, 4], scalars: pixels), labels: labels)
        }
        return TrainingData(
            dataset: "stripes", datasetSHA256: "abc", classNames: (0..<classes).map { "c\($0)" }, inputShape: [1, 4, 4], subset: .P1,
            training: set(60), validation: set(9), test: set(30))
    }

    private func training(_ spec: String = "fc8-3", epochs: Int = 3) throws -> ModelTraining {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = 16
        configuration.seed = 7
        return ModelTraining(spec: spec, architecture: try Architecture(spec), maxoutPieces: 5, trainer: Trainer(configuration: configuration))
    }

    func testTheRecordedErrorsAreTheTrainedModelsOwn() throws {
        let data = data()
        let trained = try training().run(on: data)
        let train = Trainer.evaluate(trained.model, images: data.training.images, labels: data.training.labels)
        let test = Trainer.evaluate(trained.model, images: data.test.images, labels: data.test.labels)
        XCTAssertEqual(trained.metadata.trainError, Double(train.error))
        XCTAssertEqual(trained.metadata.testError, Double(test.error))
        XCTAssertEqual(trained.test.predictions, test.predictions)
    }

    func testTheMetadataRecordsTheDataAndEveryEpoch() throws {
        let trained = try training(epochs: 2).run(on: data())
        let metadata = trained.metadata
        XCTAssertEqual(metadata.architecture, "fc8-3")
        XCTAssertEqual(metadata.dataset, "stripes")
        XCTAssertEqual(metadata.datasetSHA256, "abc")
        XCTAssertEqual(metadata.trainSubset, .P1)
        XCTAssertEqual(metadata.validationCount, 9)
        XCTAssertEqual(metadata.history.map(\.epoch), [1, 2])
        XCTAssertNotNil(metadata.history.last?.validationAccuracy, "held-out examples are reported every epoch")
        let summary = trained.summary(file: "m.h5")
        XCTAssertEqual(summary.parameters, trained.model.parameterCount)
        XCTAssertEqual(summary.seed, 7)
    }

    func testTheSameSeedTrainsTheSameWeights() throws {
        let a = try training().run(on: data()).model, b = try training().run(on: data()).model
        XCTAssertEqual(a.layers.flatMap(\.parameters).map(\.value.scalars), b.layers.flatMap(\.parameters).map(\.value.scalars))
    }

    func testAnArchitectureForOtherClassesIsRefused() throws {
        XCTAssertThrowsError(try training("fc8-5").run(on: data())) { error in
            XCTAssertEqual((error as? SettingProblem)?.setting, "architecture")
            XCTAssertEqual("\(error)", "architecture fc8-5 predicts 5 classes, stripes has 3")
        }
    }
}
