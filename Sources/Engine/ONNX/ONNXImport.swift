/// An ONNX graph as a `Sequential` network (issue 14's import, its first part): chain graphs of
/// Gemm, MatMul (+ Add of a bias), Relu, Sigmoid, Tanh, Flatten and Reshape to (batch, features),
/// with Dropout and Identity dropped and a Softmax or LogSoftmax at the end dropped (the network
/// keeps its logits, as every attack here wants). Anything else is refused in one line that names
/// every unsupported operator and its node; nothing is half imported.
public enum ONNXImport {
    /// The default-domain operator set versions read.
    public static let opsets: ClosedRange<Int64> = 7...21

    /// The network of `model`, its input shape the graph input's without the batch axis.
    /// - Throws: `ONNXError.cannotImport` saying what is not supported, and where.
    public static func sequential(_ model: ONNXModel) throws -> Sequential {
        let graph = model.graph
        if let version = model.opsets[""], !opsets.contains(version) {
            throw ONNXError.cannotImport(
                "it uses ONNX operator set \(version); neuron-probe imports opsets \(opsets.lowerBound)–\(opsets.upperBound)")
        }
        var constants = Dictionary(graph.initializers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for node in graph.nodes where node.opType == "Constant" {
            if case .tensor(let value)? = node.attributes["value"], let name = node.outputs.first { constants[name] = value }
        }
        if let bad = constants.values.first(where: { $0.values.contains { !$0.isFinite } }) {
            throw ONNXError.cannotImport("its weight \(bad.name) holds NaN or infinite values")
        }
        let supported: Set<String> = [
            "Gemm", "MatMul", "Add", "Relu", "Sigmoid", "Tanh", "Flatten", "Reshape", "Dropout", "Identity", "Softmax", "LogSoftmax", "Constant",
        ]
        let unsupported = graph.nodes.filter { !supported.contains($0.opType) || !$0.domain.isEmpty && $0.domain != "ai.onnx" }
        if !unsupported.isEmpty {
            let list = unsupported.map { "\($0.opType) (node \($0.name.isEmpty ? $0.outputs.first ?? "?" : $0.name))" }
            throw ONNXError.cannotImport("unsupported operators: \(list.joined(separator: ", "))")
        }
        guard let input = graph.inputs.first(where: { constants[$0.name] == nil }) else {
            throw ONNXError.cannotImport("its graph has no input that is not a weight")
        }
        let dims = input.shape.dropFirst().map { dimension -> Int? in if case .value(let v) = dimension, v > 0 { return Int(v) } else { return nil } }
        guard input.shape.count >= 2, dims.allSatisfy({ $0 != nil }) else {
            throw ONNXError.cannotImport(
                "its input \(input.name) has no fixed shape beyond the batch axis (\(input.shape)); export it with fixed sizes")
        }
        let inputShape = dims.map { $0! }

        var layers: [Layer] = []
        var current = input.name
        var shape = inputShape
        let computing = graph.nodes.filter { $0.opType != "Constant" }
        var index = 0
        func weight(_ name: String, of node: ONNXNode) throws -> ONNXTensor {
            guard let tensor = constants[name] else {
                throw ONNXError.cannotImport("node \(node.name) (\(node.opType)) takes \(name), which is not a weight: only chains of layers import")
            }
            return tensor
        }
        func dense(_ name: String, weight: [Double], rows: Int, columns: Int, bias: [Double]?) throws -> Dense {
            // weight is (columns → rows) row-major (outputs, inputs).
            guard shape.reduce(1, *) == columns else {
                throw ONNXError.cannotImport("node \(name) takes \(columns) features, the layer before gives \(shape.reduce(1, *))")
            }
            let layer = Dense(name: name, inputs: columns, outputs: rows)
            layer.weight.value = Tensor(shape: [rows, columns], scalars: weight.map(Float.init))
            layer.bias.value = Tensor(shape: [rows], scalars: (bias ?? [Double](repeating: 0, count: rows)).map(Float.init))
            shape = [rows]
            return layer
        }
        while index < computing.count {
            let node = computing[index]
            let name = node.name.isEmpty ? "\(node.opType.lowercased())\(index + 1)" : node.name.replacingOccurrences(of: "/", with: "_")
            guard node.inputs.first == current else {
                throw ONNXError.cannotImport(
                    "node \(node.name) (\(node.opType)) takes \(node.inputs.first ?? "nothing"), not \(current): only chains of layers import")
            }
            let output = node.outputs.first ?? ""
            switch node.opType {
            case "Gemm":
                guard node.attributes["transA"]?.int ?? 0 == 0 else { throw ONNXError.cannotImport("node \(node.name): Gemm with transA = 1") }
                let b = try weight(node.inputs[1], of: node)
                guard b.dims.count == 2 else { throw ONNXError.cannotImport("node \(node.name): Gemm's B is not a matrix") }
                let alpha = Double(node.attributes["alpha"]?.float ?? 1), beta = Double(node.attributes["beta"]?.float ?? 1)
                let transB = node.attributes["transB"]?.int ?? 0 == 1
                let (rows, columns) = transB ? (Int(b.dims[0]), Int(b.dims[1])) : (Int(b.dims[1]), Int(b.dims[0]))
                let w = transB ? b.values : Self.transpose(b.values, rows: columns, columns: rows)
                var bias: [Double]?
                if node.inputs.count > 2, !node.inputs[2].isEmpty {
                    let c = try weight(node.inputs[2], of: node)
                    guard c.values.count == rows || c.values.count == 1 else {
                        throw ONNXError.cannotImport("node \(node.name): Gemm's C has \(c.values.count) values for \(rows) outputs")
                    }
                    bias = (0..<rows).map { beta * c.values[c.values.count == 1 ? 0 : $0] }
                }
                layers.append(try dense(name, weight: w.map { alpha * $0 }, rows: rows, columns: columns, bias: bias))
            case "MatMul":
                let b = try weight(node.inputs[1], of: node)
                guard b.dims.count == 2 else { throw ONNXError.cannotImport("node \(node.name): MatMul's second input is not a matrix") }
                let (columns, rows) = (Int(b.dims[0]), Int(b.dims[1]))
                var bias: [Double]?
                // An Add of a bias vector right after (PyTorch's Linear without Gemm) folds into the layer.
                if index + 1 < computing.count, computing[index + 1].opType == "Add", computing[index + 1].inputs.first == output,
                    let c = constants[computing[index + 1].inputs[1]], c.values.count == rows
                {
                    bias = c.values
                    index += 1
                    current = computing[index].outputs.first ?? ""
                } else {
                    current = output
                }
                layers.append(
                    try dense(name, weight: Self.transpose(b.values, rows: columns, columns: rows), rows: rows, columns: columns, bias: bias))
                index += 1
                continue
            case "Add": throw ONNXError.cannotImport("node \(node.name): an Add that is not the bias of a MatMul")
            case "Relu": layers.append(ReLU(name: name))
            case "Sigmoid": layers.append(Sigmoid(name: name))
            case "Tanh": layers.append(Tanh(name: name))
            case "Flatten", "Reshape":
                if node.opType == "Flatten", node.attributes["axis"]?.int ?? 1 != 1 {
                    throw ONNXError.cannotImport("node \(node.name): Flatten with axis \(node.attributes["axis"]?.int ?? 1)")
                }
                if node.opType == "Reshape" {
                    let target = try weight(node.inputs[1], of: node).values
                    let features = shape.reduce(1, *)
                    guard target.count == 2, target[1] == Double(features) || target[1] == -1 else {
                        throw ONNXError.cannotImport("node \(node.name): a Reshape to \(target), not to (batch, \(features))")
                    }
                }
                if shape.count > 1 {
                    layers.append(Flatten(name: name))
                    shape = [shape.reduce(1, *)]
                }
            case "Dropout", "Identity": break
            case "Softmax", "LogSoftmax":
                guard index == computing.count - 1 else {
                    throw ONNXError.cannotImport("node \(node.name): a \(node.opType) before the end of the network")
                }
            default: throw ONNXError.cannotImport("unsupported operator \(node.opType) (node \(node.name))")
            }
            current = output
            index += 1
        }
        guard !layers.isEmpty else { throw ONNXError.cannotImport("its graph has no layer") }
        do {
            return try Sequential(inputShape: inputShape, layers: layers)
        } catch {
            throw ONNXError.cannotImport("its layers do not fit together: \(error)")
        }
    }

    /// A row-major (rows × columns) matrix transposed.
    static func transpose(_ values: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<(rows * columns)).map { values[($0 % rows) * columns + $0 / rows] }
    }
}
