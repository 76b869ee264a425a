import ArgumentParser
import Activations
import Foundation
import Engine
import Files

/// `probe eval`: error, accuracy and mean confidence of a model on a data set split.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model file on a data set split: error, accuracy and mean confidence.")

    @Argument(help: "The model file (written by probe train or probe import), or an .onnx file.")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(name: .long, help: "The split to evaluate on: test or train.")
    var split = DatasetSplit.test

    @Option(name: .long, parsing: .unconditional, help: "Evaluate only the first N examples of the split.")
    var limit: Int?

    @Flag(name: .long, help: "Include each example's predicted class in the JSON output.")
    var predictions = false

    @Flag(name: .long, help: "Include each example's logits in the JSON output.")
    var logits = false

    @Flag(name: .long, help: "Include each example's input gradient (of the cross-entropy at its label) in the JSON output.")
    var gradients = false

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if (logits || gradients) && !outputOptions.json { throw ValidationError("--logits and --gradients are part of the JSON output: add --json") }
    }

    func run() throws {
        let (network, metadata) = try ModelFile.load(model)
        let datasetName = data.dataset ?? metadata.dataset
        let set = try DatasetRegistry.standard.load(datasetName, split: split, search: data.search).prefix(limit)
        try set.requireInputs(of: network, named: model)
        let result = Trainer.evaluate(network, images: set.images, labels: set.labels, keepLogits: logits, keepInputGradients: gradients)
        if outputOptions.json {
            try printJSON(
                ModelEvaluation(
                    model: model, metadata: metadata, dataset: datasetName, split: split,
                    evaluation: result, includesPredictions: predictions))
        } else {
            print("\(model) (\(metadata.architecture)) on \(datasetName) \(split.rawValue), \(result.count) images:")
            print(
                String(
                    format: "  error %.4f  accuracy %.4f  mean confidence %.4f  loss %.4f",
                    result.error, result.accuracy, result.meanConfidence, result.loss))
        }
    }
}
