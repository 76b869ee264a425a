import Foundation
import Engine

/// What happened to each example of an attack, recomputed from the images themselves by shared code
/// (never trusted from the attack): Szegedy et al.'s Table 1 distortion and the usual norms, the
/// predictions before and after, and whether the attack reached its goal.
public struct AdversarialOutcome: Sendable {
    /// The adversarial images, re-clipped to [0, 1], (N, …) like the inputs.
    public var adversarial: Tensor
    /// Whether each example reached its goal: misclassified (untargeted) or classified as its target.
    public var success: [Bool]
    /// Szegedy's distortion sqrt(Σ(x′ − x)² / m): the per-pixel RMS of the perturbation.
    public var distortion: [Float]
    /// ‖x′ − x‖₂.
    public var l2: [Float]
    /// ‖x′ − x‖∞.
    public var linf: [Float]
    /// The predicted class of the clean image.
    public var predictedClean: [Int]
    /// The predicted class of the adversarial image.
    public var predictedAdversarial: [Int]
    /// The probability the model gives its prediction on the adversarial image.
    public var confidence: [Float]
}

/// The shared judge of every attack: clips to the input box, classifies, measures.
public enum AdversarialJudge {
    /// Clips `adversarial` to [0, 1] and measures it against `clean`.
    /// - Parameters:
    ///   - targets: per-example target class, or nil for untargeted success (prediction ≠ label).
    public static func judge(model: Sequential, clean: Tensor, adversarial: Tensor, labels: [Int], targets: [Int]?) -> AdversarialOutcome {
        var clipped = adversarial
        PixelBox.clip(&clipped)
        let n = clean.batchSize
        let cleanProbabilities = probabilities(model, clean)
        let adversarialProbabilities = probabilities(model, clipped)
        let predictedClean = Softmax.argmax(cleanProbabilities)
        let predictedAdversarial = Softmax.argmax(adversarialProbabilities)
        let confidence = (0..<n).map { adversarialProbabilities.scalars[$0 * adversarialProbabilities.rowSize + predictedAdversarial[$0]] }
        let distortion = Distance.rms.measure(clipped, from: clean)
        let l2 = Distance.l2.measure(clipped, from: clean), linf = Distance.linf.measure(clipped, from: clean)
        let criterion = Criterion(labels: labels, targets: targets)
        let success = (0..<n).map { criterion.isAdversarial($0, predicted: predictedAdversarial[$0]) }
        return AdversarialOutcome(
            adversarial: clipped, success: success, distortion: distortion, l2: l2, linf: linf,
            predictedClean: predictedClean, predictedAdversarial: predictedAdversarial, confidence: confidence)
    }

    /// Softmax probabilities of a batch, computed in batches of 1,000.
    static func probabilities(_ model: Sequential, _ images: Tensor) -> Tensor {
        Softmax.probabilities(model.predict(images))
    }
}
