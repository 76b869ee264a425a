import Foundation
import XCTest
@testable import Attacks
@testable import Engine

/// Goodfellow et al.'s (2015, §6) adversarial objective as a training objective: its gradients are
/// those of J̃ (the FGSM images are piecewise constant in the parameters), and with α = 1 it is the
/// plain objective.
final class AdversarialTrainingTests: XCTestCase {
    private func model() throws -> Sequential {
        var g = SeededGenerator(seed: 5)
        return try Architecture("fc6-3", activation: .sigmoid).build(inputShape: [1, 2, 4], generator: &g)
    }

    /// Pixels in (0.2, 0.8), so that no step of 0.1 reaches the box.
    private func images(_ n: Int) -> Tensor {
        var g = SeededGenerator(seed: 6)
        return Tensor(shape: [n, 1, 2, 4], scalars: (0..<(n * 8)).map { _ in 0.2 + 0.6 * g.nextUniform() })
    }

    /// J̃(θ) in float64 from float32 forward passes: α·mean CE(x) + (1 − α)·mean CE(FGSM(x)).
    private func objective(_ model: Sequential, _ x: Tensor, _ labels: [Int], epsilon: Float, alpha: Float) throws -> Double {
        var g = SeededGenerator(seed: 0)
        let adversarial = try FastGradientSign(epsilon: epsilon).perturb(model: model, images: x, labels: labels, targets: nil, generator: &g)
            .adversarial
        func meanLoss(_ images: Tensor) -> Double {
            let losses = SoftmaxCrossEntropy.evaluate(logits: model.forward(images).output, labels: labels).losses
            return losses.reduce(0.0) { $0 + Double($1) } / Double(losses.count)
        }
        return Double(alpha) * meanLoss(x) + Double(1 - alpha) * meanLoss(adversarial)
    }

    func testItsGradientsAreThoseOfTheAdversarialObjectiveByFiniteDifferences() throws {
        let model = try model(), x = images(6), labels = [0, 1, 2, 0, 1, 2]
        let training = AdversarialTraining(epsilon: 0.1, alpha: 0.3)
        var g = SeededGenerator(seed: 0)
        let gradients = training.gradients(model, images: x, labels: labels, generator: &g).parameters
        let h: Float = 1e-2
        for (l, layer) in model.layers.enumerated() {
            for (p, parameter) in layer.parameters.enumerated() {
                for j in stride(from: 0, to: parameter.value.count, by: 3) {
                    let saved = parameter.value.scalars[j]
                    parameter.value.scalars[j] = saved + h
                    let up = try objective(model, x, labels, epsilon: 0.1, alpha: 0.3)
                    parameter.value.scalars[j] = saved - h
                    let down = try objective(model, x, labels, epsilon: 0.1, alpha: 0.3)
                    parameter.value.scalars[j] = saved
                    let numeric = (up - down) / Double(2 * h)
                    XCTAssertEqual(
                        Double(gradients[l][p].scalars[j]), numeric, accuracy: 2e-3 + 1e-2 * abs(numeric),
                        "\(layer.name).\(parameter.name)[\(j)]")
                }
            }
        }
    }

    func testWithAlphaOneItIsThePlainObjective() throws {
        let model = try model(), x = images(4), labels = [2, 1, 0, 2]
        var g = SeededGenerator(seed: 0)
        let adversarial = AdversarialTraining(epsilon: 0.1, alpha: 1).gradients(model, images: x, labels: labels, generator: &g)
        let plain = CrossEntropyObjective().gradients(model, images: x, labels: labels, generator: &g)
        XCTAssertEqual(adversarial.parameters, plain.parameters)
        XCTAssertEqual(adversarial.loss.losses, plain.loss.losses)
    }

    func testATrainerAskedForAdversarialTrainingRefusesThePlainObjective() throws {
        var configuration = TrainingConfiguration()
        configuration.adversarialEpsilon = 0.1
        var g = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try Trainer(configuration: configuration).train(try model(), images: images(4), labels: [0, 1, 2, 0], generator: &g)) {
            error in
            XCTAssertTrue("\(error)".contains("AdversarialTraining.trainer"), "\(error)")
        }
        XCTAssertTrue(AdversarialTraining.trainer(configuration: configuration).objective is AdversarialTraining)
    }
}
