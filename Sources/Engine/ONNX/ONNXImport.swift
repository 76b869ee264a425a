/// A network imported from ONNX, with what the import changed on the way (a batch norm folded
/// into the convolution before it, a final softmax dropped), in words for the user.
public struct ImportedNetwork {
    /// The network, its input shape the graph input's without the batch axis.
    public let network: Sequential
    /// One sentence per change the import made to the graph.
    public let notes: [String]
}

/// ONNX graphs as `Sequential` networks (issue 14): chains of Conv, Gemm, MatMul (+ Add of a
/// bias), BatchNormalization (folded into the layer before), MaxPool, AveragePool,
/// GlobalAveragePool (or ReduceMean over the map), Relu, Sigmoid, Tanh, Flatten and Reshape, with
/// Dropout and Identity dropped and a Softmax or LogSoftmax at the end dropped (the network keeps
/// its logits, as every attack here wants). Constant subgraphs — the shape arithmetic of
/// dynamic-batch exports, weights through Identity, Transpose or Cast — are evaluated at import
/// (`ONNXConstants`). Anything else is refused in one line that names every unsupported operator
/// and its node; nothing is half imported.
public enum ONNXImport {
    /// The default-domain operator set versions read.
    public static let opsets: ClosedRange<Int64> = 7...21

    /// Every operator the import reads, sorted.
    public static var operators: [String] { ONNXChain.operators.union(ONNXConstants.operators).sorted() }

    /// The network of `model`.
    /// - Throws: `ONNXError.cannotImport` saying what is not supported, and where.
    public static func sequential(_ model: ONNXModel) throws -> Sequential { try network(model).network }

    /// The network of `model` and what the import changed.
    /// - Throws: `ONNXError.cannotImport` saying what is not supported, and where.
    public static func network(_ model: ONNXModel) throws -> ImportedNetwork {
        let graph = model.graph
        let opset = model.opsets[""] ?? model.opsets["ai.onnx"] ?? opsets.upperBound
        guard opsets.contains(opset) else {
            throw ONNXError.cannotImport("it uses ONNX operator set \(opset); neuron-probe imports opsets \(opsets.lowerBound)–\(opsets.upperBound)")
        }
        let known = ONNXChain.operators.union(ONNXConstants.operators)
        let unsupported = graph.nodes.filter { !known.contains($0.opType) || !$0.domain.isEmpty && $0.domain != "ai.onnx" }
        if !unsupported.isEmpty {
            let list = unsupported.map { "\($0.opType) (node \($0.name.isEmpty ? $0.outputs.first ?? "?" : $0.name))" }
            throw ONNXError.cannotImport(
                "unsupported operators: \(list.joined(separator: ", ")); neuron-probe imports \(operators.joined(separator: ", "))")
        }
        var constants = ONNXConstants(graph.initializers)
        guard let input = graph.inputs.first(where: { constants[$0.name] == nil }) else {
            throw ONNXError.cannotImport("its graph has no input that is not a weight")
        }
        let dims = input.shape.dropFirst().map { dimension -> Int? in if case .value(let v) = dimension, v > 0 { return Int(v) } else { return nil } }
        guard input.shape.count >= 2, dims.allSatisfy({ $0 != nil }) else {
            throw ONNXError.cannotImport(
                "its input \(input.name) has no fixed shape beyond the batch axis (\(input.shape)); export it with fixed sizes")
        }
        var chain = ONNXChain(input: input.name, shape: dims.map { $0! })
        for node in graph.nodes {
            if try constants.fold(node, opset: opset, shapes: chain.shapes) { continue }
            try chain.append(node, constants: constants, opset: opset)
        }
        if let bad = constants.tensors.values.first(where: { $0.values.contains { !$0.isFinite } }) {
            throw ONNXError.cannotImport("its weight \(bad.name) holds NaN or infinite values")
        }
        let outputs = graph.outputs.map(\.name)
        guard outputs.count == 1, outputs[0] == chain.current else {
            throw ONNXError.cannotImport(
                "its output \(outputs.joined(separator: ", ")) is not the end of one chain of layers (the chain ends at \(chain.current))")
        }
        guard !chain.layers.isEmpty else { throw ONNXError.cannotImport("its graph has no layer") }
        do {
            return ImportedNetwork(network: try Sequential(inputShape: chain.inputShape, layers: chain.layers), notes: chain.notes)
        } catch {
            throw ONNXError.cannotImport("its layers do not fit together: \(error)")
        }
    }
}
