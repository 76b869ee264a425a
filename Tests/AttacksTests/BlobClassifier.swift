@testable import Engine

/// The attacks' test network: a small ReLU classifier of 8×8 images of four horizontal blobs (one
/// per class, with noise), trained briefly so that it has structure to attack.
enum BlobClassifier {
    /// `count` labelled blob images and a network trained on them for `epochs`.
    static func trained(count: Int, epochs: Int) throws -> (model: Sequential, images: Tensor, labels: [Int]) {
        var g = SeededGenerator(seed: 1)
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 4
            labels.append(label)
            for p in 0..<64 { values.append(min(max((p / 16 == label ? 0.8 : 0.2) + 0.15 * g.nextGaussian(), 0), 1)) }
        }
        let x = Tensor(shape: [count, 1, 8, 8], scalars: values)
        let model = try Architecture("fc16-4", activation: .relu).build(inputShape: [1, 8, 8], generator: &g)
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = 32
        _ = try Trainer(configuration: configuration).train(model, images: x, labels: labels, generator: &g)
        return (model, x, labels)
    }
}
