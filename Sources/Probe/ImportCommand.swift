import Activations
import ArgumentParser
import Engine
import Foundation

/// `probe import`: an ONNX network as a model file every other command reads.
struct ImportCommand: ParsableCommand, ReadsFiles {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an ONNX network (exported from PyTorch or elsewhere) as a neuron-probe model file.",
        discussion: """
            Chains of Conv, Gemm, MatMul + Add, BatchNormalization (folded into the layer before), MaxPool, AveragePool, \
            GlobalAveragePool, Relu, Sigmoid, Tanh, Flatten and Reshape import; Dropout and Identity are dropped, and so is a \
            Softmax at the end (the model gives logits). Inputs stay pixels in [0, 1]: --mean and --std (or the ONNX file's \
            metadata entries mean and std) put the normalisation the network expects inside it, as its first layer. \
            Every command also takes the .onnx file itself where a model file goes (with the metadata's normalisation).
            """)

    @Argument(help: "The ONNX file (its external weights, if any, beside it).")
    var source: String

    @Option(name: [.short, .customLong("output")], help: "The model file to write.")
    var output: String

    @Option(name: .long, help: "Per-channel means the network subtracts from [0, 1] pixels, e.g. 0.4914,0.4822,0.4465.")
    var mean: String?

    @Option(name: .long, help: "Per-channel standard deviations it divides by, e.g. 0.2470,0.2435,0.2616.")
    var std: String?

    @Option(name: .long, help: "Class names, comma-separated, in output order (default 0, 1, …).")
    var classes: String?

    @Option(name: .long, help: "Take the class names of this data set: \(DatasetRegistry.standard.names.joined(separator: ", ")).")
    var dataset: String?

    @OptionGroup var jsonOutput: JSONOption

    var inputFiles: [String] { [] }

    func validate() throws {
        try checkOutputPath(output, inputs: [source])
        if (mean == nil) != (std == nil) { throw ValidationError("give --mean and --std together") }
        if classes != nil && dataset != nil { throw ValidationError("give --classes or --dataset, not both") }
        _ = try numbers(mean, "--mean")
        _ = try numbers(std, "--std")
    }

    private func numbers(_ text: String?, _ option: String) throws -> [Float]? {
        guard let text else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == parts.count else { throw ValidationError("\(option) '\(text)' is not a comma-separated list of numbers") }
        return values
    }

    func run() throws {
        var normalization: InputNormalization?
        if let mean = try numbers(mean, "--mean"), let std = try numbers(std, "--std") {
            normalization = try InputNormalization(mean: mean, std: std)
        }
        let names =
            try dataset.map { try DatasetRegistry.standard.descriptor(named: $0).classNames }
            ?? classes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let summary = try ModelImport.write(source, to: output, normalization: normalization, classNames: names)
        if jsonOutput.json {
            try printJSON(summary)
            return
        }
        print("imported \(source) (\(summary.producer), opset \(summary.opset)) into \(output): \(summary.architecture), input \(summary.inputShape)")
        for layer in summary.layers {
            print(
                "  \(layer.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(layer.kind.padding(toLength: 10, withPad: " ", startingAt: 0)) → \(layer.outputShape)"
            )
        }
        for note in summary.notes { print("  note: \(note)") }
    }
}
