import Foundation
import XCTest
@testable import Attacks
@testable import Engine

/// FGSM and its iterative form: the formula, the box, the ball, and success judged by shared code.
final class FastGradientSignTests: XCTestCase {
    /// A small trained-looking network: random weights scaled up so that some softmaxes saturate.
    private func model(seed: UInt64 = 1, scale: Float = 1) throws -> Sequential {
        var g = SeededGenerator(seed: seed)
        let model = try Architecture("fc32-10", activation: .relu).build(inputShape: [1, 8, 8], generator: &g)
        for p in model.layers.flatMap(\.parameters) { p.value.scalars = p.value.scalars.map { $0 * scale } }
        return model
    }

    private func images(_ n: Int, seed: UInt64 = 2) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: [n, 1, 8, 8], scalars: (0..<(n * 64)).map { _ in g.nextUniform() })
    }

    func testOneStepIsTheClippedSignOfTheInputGradient() throws {
        let model = try model(), x = images(20)
        let labels = (0..<20).map { $0 % 10 }
        var g = SeededGenerator(seed: 0)
        let adversarial = try FastGradientSign(epsilon: 0.1).perturb(model: model, images: x, labels: labels, targets: nil, generator: &g).adversarial
        let gradient = model.inputGradient(x, labels: labels).gradient
        for i in 0..<x.count {
            let s: Float = gradient.scalars[i] > 0 ? 1 : (gradient.scalars[i] < 0 ? -1 : 0)
            XCTAssertEqual(adversarial.scalars[i], min(max(x.scalars[i] + 0.1 * s, 0), 1), accuracy: 1e-7)
        }
    }

    func testEveryAdversarialImageStaysInTheBallAndTheBox() throws {
        let model = try model(), x = images(50)
        let labels = (0..<50).map { $0 % 10 }
        for attack in [try FastGradientSign(epsilon: 0.2), try FastGradientSign(epsilon: 0.2, steps: 7, randomStart: true)] {
            var g = SeededGenerator(seed: 3)
            let adversarial = attack.perturb(model: model, images: x, labels: labels, targets: nil, generator: &g).adversarial
            let outcome = AdversarialJudge.judge(model: model, clean: x, adversarial: adversarial, labels: labels, targets: nil)
            XCTAssertLessThanOrEqual(outcome.linf.max()!, 0.2 + 1e-6)
            XCTAssertTrue(outcome.adversarial.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    func testTheGradientKeepsItsSignWhenTheSoftmaxSaturates() throws {
        // Class 0's weights are 0.8 on every pixel, the others' 0.1: on a mid-grey image the logit gap is
        // about 22, p(0) rounds to exactly 1 in Float32, and the other classes keep p ≈ 3e-10.
        let dense = Dense(name: "fc1", inputs: 64, outputs: 10)
        dense.weight.value.scalars = (0..<640).map { $0 < 64 ? 0.8 : 0.1 }
        let model = try Sequential(inputShape: [1, 8, 8], layers: [dense])
        let x = Tensor(repeating: 0.5, shape: [1, 1, 8, 8])
        XCTAssertEqual(AdversarialJudge.probabilities(model, x).scalars[0], 1)
        // Exactly: ∂J/∂x_k = Σ_j p_j (w_jk − w_0k) = −0.7 · Σ_{j≠0} p_j < 0. The naive softmax − onehot
        // gives (p_0 − 1) = 0 for class 0 and a positive gradient: the wrong sign.
        let z = (0..<10).map { Double($0 == 0 ? 0.8 : 0.1) * 32 }
        let others = (1..<10).reduce(0.0) { $0 + Foundation.exp(z[$1] - z[0]) } / (1 + (1..<10).reduce(0.0) { $0 + Foundation.exp(z[$1] - z[0]) })
        let gradient = model.inputGradient(x, labels: [0]).gradient
        for value in gradient.scalars {
            XCTAssertLessThan(value, 0)
            XCTAssertEqual(Double(value), -0.7 * others, accuracy: 0.7 * others * 1e-4)
        }
    }

    func testATargetedStepLowersTheLossOfTheTarget() throws {
        let model = try model(), x = images(40)
        let labels = (0..<40).map { $0 % 10 }
        let targets = labels.map { ($0 + 1) % 10 }
        var g = SeededGenerator(seed: 0)
        let adversarial = try FastGradientSign(epsilon: 0.02).perturb(model: model, images: x, labels: labels, targets: targets, generator: &g)
            .adversarial
        let before = model.inputGradient(x, labels: targets).losses.reduce(0, +)
        let after = model.inputGradient(adversarial, labels: targets).losses.reduce(0, +)
        XCTAssertLessThan(after, before)
    }

    func testMoreStepsFoolTheModelAtLeastAsOften() throws {
        let model = try model(), x = images(200)
        let labels = Softmax.argmax(model.predict(x))
        var g1 = SeededGenerator(seed: 0), g2 = SeededGenerator(seed: 0)
        let one = try FastGradientSign(epsilon: 0.03).perturb(model: model, images: x, labels: labels, targets: nil, generator: &g1).adversarial
        let many = try FastGradientSign(epsilon: 0.03, steps: 10).perturb(model: model, images: x, labels: labels, targets: nil, generator: &g2)
            .adversarial
        let fooledOnce = AdversarialJudge.judge(model: model, clean: x, adversarial: one, labels: labels, targets: nil).success.filter { $0 }.count
        let fooledMany = AdversarialJudge.judge(model: model, clean: x, adversarial: many, labels: labels, targets: nil).success.filter { $0 }.count
        XCTAssertGreaterThanOrEqual(fooledMany, fooledOnce)
        XCTAssertGreaterThan(fooledMany, 0)
    }

    func testTheJudgeRecomputesSuccessAndDistortionItself() throws {
        let model = try model(), x = images(5)
        let labels = Softmax.argmax(model.predict(x))
        // Out-of-box values are clipped before judging; an unchanged image is no success.
        var pushed = x
        pushed.scalars[0] = 7
        let outcome = AdversarialJudge.judge(model: model, clean: x, adversarial: pushed, labels: labels, targets: nil)
        XCTAssertEqual(outcome.adversarial.scalars[0], 1)
        XCTAssertEqual(outcome.linf[0], 1 - x.scalars[0], accuracy: 1e-6)
        XCTAssertEqual(outcome.distortion[0], (1 - x.scalars[0]) / 8, accuracy: 1e-6)
        XCTAssertEqual(outcome.success[1...], [false, false, false, false])
    }

    func testImpossibleSettingsAreRefused() {
        XCTAssertThrowsError(try FastGradientSign(epsilon: -0.1))
        XCTAssertThrowsError(try FastGradientSign(epsilon: 1.5))
        XCTAssertThrowsError(try FastGradientSign(epsilon: 0.1, steps: 0))
        XCTAssertThrowsError(try AttackTarget.label(3).targets(for: [1, 3], indices: [0, 1], classes: 10, seed: 1))
        XCTAssertThrowsError(try AttackTarget.label(12).targets(for: [1], indices: [0], classes: 10, seed: 1))
        XCTAssertTrue(
            try AttackTarget.random.targets(for: Array(repeating: 4, count: 200), indices: Array(0..<200), classes: 10, seed: 1)!.allSatisfy {
                $0 != 4 && $0 < 10
            })
    }
}
