import Foundation

/// The layers of an ONNX graph being imported, node by node: each node must take the tensor the
/// one before it gave (`current`), so that the graph is one chain, as a `Sequential` is. Affine
/// nodes become `Dense` or `Conv2D` layers; a bias `Add` or a `BatchNormalization` right after one
/// is folded into its weights.
struct ONNXChain {
    /// The operators that make, change or are dropped from layers.
    static let operators: Set<String> = [
        "Gemm", "MatMul", "Add", "Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean",
        "Relu", "Sigmoid", "Tanh", "Flatten", "Reshape", "Transpose", "Dropout", "Identity", "Softmax", "LogSoftmax",
    ]

    /// The network's input shape (per example).
    private(set) var inputShape: [Int]
    /// The layers so far.
    private(set) var layers: [Layer] = []
    /// The name of the tensor the chain has computed so far.
    private(set) var current: String
    /// What the import changed, in words.
    private(set) var notes: [String] = []
    /// The per-example shape of every tensor of the chain, by name.
    private(set) var shapes: [String: [Int]]
    /// The per-example shape of `current`.
    private var shape: [Int]
    /// Whether the last layer is affine and nothing has come after it (a bias or a batch norm folds into it).
    private var affineLast = false
    /// The node of a softmax already dropped: nothing may compute after it.
    private var softmax: ONNXNode?

    init(input: String, shape: [Int]) {
        inputShape = shape
        self.shape = shape
        current = input
        shapes = [input: shape]
    }

    /// Adds what `node` computes to the chain.
    /// - Throws: `ONNXError.cannotImport` naming the node when it does not continue the chain or has settings the engine lacks.
    mutating func append(_ node: ONNXNode, constants: ONNXConstants, opset: Int64) throws {
        func fail(_ why: String) -> ONNXError { .cannotImport("node \(node.name) (\(node.opType)): \(why)") }
        func weight(_ index: Int) throws -> ONNXTensor {
            guard node.inputs.count > index, let tensor = constants[node.inputs[index]] else {
                throw fail("its input \(node.inputs.count > index ? node.inputs[index] : "#\(index)") is not a weight: only chains of layers import")
            }
            return tensor
        }
        guard node.inputs.first == current else {
            throw fail(
                "it takes \(node.inputs.first ?? "nothing"), not \(current): only one chain of layers imports (no branches, no residual connections)")
        }
        if let softmax, !["Identity", "Dropout"].contains(node.opType) {
            throw ONNXError.cannotImport("node \(softmax.name): a \(softmax.opType) before the end of the network")
        }
        let name = layerName(node)
        var added: Layer?
        switch node.opType {
        case "Gemm":
            guard node.attributes["transA"]?.int ?? 0 == 0 else { throw fail("transA = 1") }
            let b = try weight(1)
            guard b.dims.count == 2 else { throw fail("B is not a matrix") }
            let alpha = Double(node.attributes["alpha"]?.float ?? 1), beta = Double(node.attributes["beta"]?.float ?? 1)
            let transB = node.attributes["transB"]?.int ?? 0 == 1
            let (rows, columns) = transB ? (Int(b.dims[0]), Int(b.dims[1])) : (Int(b.dims[1]), Int(b.dims[0]))
            let w = transB ? b.values : Self.transpose(b.values, rows: columns, columns: rows)
            var bias = [Double](repeating: 0, count: rows)
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                let c = try weight(2)
                guard c.values.count == rows || c.values.count == 1 else { throw fail("C has \(c.values.count) values for \(rows) outputs") }
                bias = (0..<rows).map { beta * c.values[c.values.count == 1 ? 0 : $0] }
            }
            added = try dense(name, weight: w.map { alpha * $0 }, rows: rows, columns: columns, bias: bias, node: node)
        case "MatMul":
            let b = try weight(1)
            guard b.dims.count == 2 else { throw fail("its second input is not a matrix") }
            guard shape.count == 1 else { throw fail("a MatMul over a tensor of shape \(shape), not over features") }
            let (columns, rows) = (Int(b.dims[0]), Int(b.dims[1]))
            added = try dense(
                name, weight: Self.transpose(b.values, rows: columns, columns: rows), rows: rows, columns: columns,
                bias: [Double](repeating: 0, count: rows), node: node)
        case "Add":
            try addBias(node, constants: constants, fail: fail)
        case "BatchNormalization":
            try foldBatchNorm(node, weights: (try weight(1), try weight(2), try weight(3), try weight(4)), fail: fail)
        case "Conv":
            added = try convolution(
                name, node, weight: try weight(1), bias: node.inputs.count > 2 && !node.inputs[2].isEmpty ? try weight(2) : nil, fail: fail)
        case "MaxPool", "AveragePool":
            let (size, stride) = try pooling(node, fail: fail)
            added = node.opType == "MaxPool" ? MaxPool2D(name: name, size: size, stride: stride) : AvgPool2D(name: name, size: size, stride: stride)
        case "GlobalAveragePool", "ReduceMean":
            guard shape.count == 3, shape[1] == shape[2] else { throw fail("an average over a map of shape \(shape); the engine pools square maps") }
            if node.opType == "ReduceMean" {
                let axes = node.attributes["axes"]?.ints ?? (node.inputs.count > 1 ? constants[node.inputs[1]]?.values.map { Int64($0) } : nil)
                guard let axes, Set(axes.map { ONNXConstants.axis($0, rank: 4) }) == [2, 3] else {
                    throw fail("a mean over axes \(axes ?? []), not over the map (2, 3)")
                }
            }
            let pool = AvgPool2D(name: name, size: shape[1])
            if node.opType == "ReduceMean", node.attributes["keepdims"]?.int ?? 1 == 0 {
                try append(pool)
                added = Flatten(name: name + "_flatten")
            } else {
                added = pool
            }
        case "Relu": added = ReLU(name: name)
        case "Sigmoid": added = Sigmoid(name: name)
        case "Tanh": added = Tanh(name: name)
        case "Flatten":
            let axis = node.attributes["axis"]?.int ?? 1
            guard axis == 1 else { throw fail("axis \(axis); only Flatten to (batch, features) imports") }
            if shape.count > 1 { added = Flatten(name: name) }
        case "Reshape":
            added = try reshape(name, target: try weight(1).values, allowZero: node.attributes["allowzero"]?.int ?? 0 == 1, fail: fail)
        case "Transpose":
            try transpose(node.attributes["perm"]?.ints?.map { Int($0) } ?? [], fail: fail)
        case "Dropout", "Identity": break
        case "Softmax", "LogSoftmax":
            softmax = node
            notes.append("\(node.opType) \(node.name) dropped: the network gives logits")
        default: throw fail("not a layer operator")
        }
        if let added { try append(added) }
        current = node.outputs.first ?? ""
        shapes[current] = shape
    }

    private mutating func append(_ layer: Layer) throws {
        shape = try layer.outputShape(for: shape)
        layers.append(layer)
        affineLast = layer is Dense || layer is Conv2D
    }

    /// A layer name from the node's: no "/" (an HDF5 path separator), unique in the network.
    private func layerName(_ node: ONNXNode) -> String {
        var base = node.name.split(separator: "/").joined(separator: "_")
        if base.isEmpty { base = "\(node.opType.lowercased())\(layers.count + 1)" }
        var name = base, n = 2
        while layers.contains(where: { $0.name == name }) {
            name = "\(base)_\(n)"
            n += 1
        }
        return name
    }

    /// A dense layer of `rows` outputs from `columns` features; `weight` row-major (rows, columns).
    private func dense(_ name: String, weight: [Double], rows: Int, columns: Int, bias: [Double], node: ONNXNode) throws -> Dense {
        guard shape.reduce(1, *) == columns else {
            throw ONNXError.cannotImport("node \(node.name) (\(node.opType)) takes \(columns) features, the layer before gives \(shape.reduce(1, *))")
        }
        let layer = Dense(name: name, inputs: columns, outputs: rows)
        layer.weight.value = Tensor(shape: [rows, columns], scalars: weight.map(Float.init))
        layer.bias.value = Tensor(shape: [rows], scalars: bias.map(Float.init))
        return layer
    }

    /// The last layer's bias and, for a convolution, its weight per output channel.
    private func affine() -> (bias: Parameter, weight: Parameter, channels: Int, perChannel: Int)? {
        guard affineLast, let last = layers.last else { return nil }
        if let dense = last as? Dense { return (dense.bias, dense.weight, dense.outputCount, dense.inputCount) }
        if let conv = last as? Conv2D { return (conv.bias, conv.weight, conv.outChannels, conv.weight.value.count / conv.outChannels) }
        return nil
    }

    /// An `Add` of a constant bias right after a dense or convolutional layer, folded into its bias.
    private mutating func addBias(_ node: ONNXNode, constants: ONNXConstants, fail: (String) -> ONNXError) throws {
        guard node.inputs.count == 2, let c = constants[node.inputs[1]] else {
            throw fail("an Add of two computed tensors (a residual connection); only chains of layers import")
        }
        guard let (bias, _, channels, _) = affine() else { throw fail("an Add that is not the bias of the Gemm, MatMul or Conv before it") }
        // Broadcasting aligns the constant's last axes with the output's: (C) for features, (C, 1, 1) for maps.
        let trailing = Array(c.dims.drop { $0 == 1 }).map { Int($0) }
        let fits =
            c.values.count == 1 || (shape.count == 1 ? trailing == [channels] : trailing == [channels] + [Int](repeating: 1, count: shape.count - 1))
        guard fits else { throw fail("a bias of shape \(c.dims) for an output of shape \(shape)") }
        bias.value = Tensor(shape: [channels], scalars: (0..<channels).map { bias.value.scalars[$0] + Float(c.values[c.values.count == 1 ? 0 : $0]) })
        notes.append("Add \(node.name) folded into the bias of \(layers.last!.name)")
    }

    /// A `BatchNormalization` (inference form) folded into the layer before it: each output channel's
    /// weights scaled by γ/√(var + ε) and its bias moved to (b − mean)·γ/√(var + ε) + β.
    private mutating func foldBatchNorm(
        _ node: ONNXNode, weights: (scale: ONNXTensor, bias: ONNXTensor, mean: ONNXTensor, variance: ONNXTensor), fail: (String) -> ONNXError
    ) throws {
        guard node.attributes["training_mode"]?.int ?? 0 == 0, node.outputs.filter({ !$0.isEmpty }).count == 1 else {
            throw fail("a batch normalisation in training mode; export the model in eval mode")
        }
        guard let (bias, weight, channels, perChannel) = affine() else {
            throw fail("a BatchNormalization that does not follow a Conv, Gemm or MatMul, so it cannot be folded")
        }
        guard [weights.scale, weights.bias, weights.mean, weights.variance].allSatisfy({ $0.values.count == channels }) else {
            throw fail("its statistics do not have one value per channel of \(layers.last!.name) (\(channels))")
        }
        let epsilon = Double(node.attributes["epsilon"]?.float ?? 1e-5)
        var w = weight.value.scalars, b = bias.value.scalars
        for c in 0..<channels {
            let factor = weights.scale.values[c] / (weights.variance.values[c] + epsilon).squareRoot()
            for i in (c * perChannel)..<((c + 1) * perChannel) { w[i] = Float(Double(w[i]) * factor) }
            b[c] = Float((Double(b[c]) - weights.mean.values[c]) * factor + weights.bias.values[c])
        }
        weight.value = Tensor(shape: weight.value.shape, scalars: w)
        bias.value = Tensor(shape: bias.value.shape, scalars: b)
        notes.append("BatchNormalization \(node.name) folded into \(layers.last!.name)")
    }

    /// A 2-D convolution with a square kernel, one group, no dilation, and the same stride and padding on every side.
    private func convolution(_ name: String, _ node: ONNXNode, weight: ONNXTensor, bias: ONNXTensor?, fail: (String) -> ONNXError) throws -> Conv2D {
        guard weight.dims.count == 4, shape.count == 3 else { throw fail("only 2-D convolutions of (channels, height, width) import") }
        let (out, input, kh, kw) = (Int(weight.dims[0]), Int(weight.dims[1]), Int(weight.dims[2]), Int(weight.dims[3]))
        guard kh == kw else { throw fail("a \(kh)x\(kw) kernel; the engine's kernels are square") }
        guard node.attributes["group"]?.int ?? 1 == 1 else { throw fail("group = \(node.attributes["group"]?.int ?? 1); only group = 1 imports") }
        guard (node.attributes["dilations"]?.ints ?? [1, 1]).allSatisfy({ $0 == 1 }) else { throw fail("dilated convolution") }
        guard input == shape[0] else { throw fail("a kernel over \(input) channels, the layer before gives \(shape[0])") }
        let stride = try Self.same(node.attributes["strides"]?.ints ?? [1, 1], "strides", fail: fail)
        let padding = try padding(node, kernel: kh, stride: stride, fail: fail)
        let layer = Conv2D(name: name, inChannels: input, outChannels: out, kernel: kh, stride: stride, padding: padding)
        layer.weight.value = Tensor(shape: layer.weight.value.shape, scalars: weight.values.map(Float.init))
        if let bias {
            guard bias.values.count == out else { throw fail("\(bias.values.count) biases for \(out) maps") }
            layer.bias.value = Tensor(shape: [out], scalars: bias.values.map(Float.init))
        }
        return layer
    }

    /// The padding on every side, from `pads` or `auto_pad`.
    private func padding(_ node: ONNXNode, kernel: Int, stride: Int, fail: (String) -> ONNXError) throws -> Int {
        switch node.attributes["auto_pad"]?.string ?? "NOTSET" {
        case "NOTSET", "": return try Self.same(node.attributes["pads"]?.ints ?? [0, 0, 0, 0], "pads", fail: fail)
        case "VALID": return 0
        case let mode:
            // SAME_UPPER/LOWER: the output is ⌈size/stride⌉; symmetric when the total padding is even.
            let totals = shape[1...].map { max(($0 + stride - 1) / stride * stride - stride + kernel - $0, 0) }
            guard totals[0] == totals[1], totals[0] % 2 == 0 else { throw fail("auto_pad \(mode) pads unevenly; export with explicit pads") }
            return totals[0] / 2
        }
    }

    /// The window and stride of a MaxPool or AveragePool without padding.
    private func pooling(_ node: ONNXNode, fail: (String) -> ONNXError) throws -> (size: Int, stride: Int) {
        guard shape.count == 3 else { throw fail("pooling over a tensor of shape \(shape)") }
        let size = try Self.same(node.attributes["kernel_shape"]?.ints ?? [], "kernel_shape", fail: fail)
        let stride = try Self.same(node.attributes["strides"]?.ints ?? [1, 1], "strides", fail: fail)
        let pads = try Self.same(node.attributes["pads"]?.ints ?? [0, 0, 0, 0], "pads", fail: fail)
        guard pads == 0, ["NOTSET", "VALID", ""].contains(node.attributes["auto_pad"]?.string ?? "NOTSET") else {
            throw fail("pooling with padding; the engine pools without")
        }
        guard (node.attributes["dilations"]?.ints ?? [1, 1]).allSatisfy({ $0 == 1 }) else { throw fail("dilated pooling") }
        guard node.outputs.dropFirst().allSatisfy(\.isEmpty) else { throw fail("a pool whose indices are used") }
        if node.attributes["ceil_mode"]?.int ?? 0 == 1, shape[1...].contains(where: { ($0 - size) % stride != 0 }) {
            throw fail("ceil_mode = 1 over a map that windows do not tile; the engine rounds down")
        }
        return (size, stride)
    }

    /// A Reshape: to (batch, features) is a Flatten; to the shape the tensor has is nothing.
    private func reshape(_ name: String, target raw: [Double], allowZero: Bool, fail: (String) -> ONNXError) throws -> Layer? {
        let features = shape.reduce(1, *)
        let isBatch = { (v: Double) in v == ONNXConstants.batch || v == 0 && !allowZero }
        let target = raw.dropFirst().map { ONNXConstants.int($0) }
        if raw.count == shape.count + 1, isBatch(raw[0]) || raw[0] == -1, target == shape { return nil }
        guard raw.count == 2, isBatch(raw[0]) && (target[0] == features || target[0] == -1) || raw[0] == -1 && target[0] == features else {
            throw fail(
                "a Reshape of (batch, \(shape.map(String.init).joined(separator: ", "))) to \(raw.map { $0 == ONNXConstants.batch ? "batch" : "\(Int($0))" }); only Reshape to (batch, features) imports"
            )
        }
        return shape.count > 1 ? Flatten(name: name) : nil
    }

    /// A Transpose: the identity is nothing; NHWC → NCHW on the graph input makes the input (C, H, W).
    private mutating func transpose(_ perm: [Int], fail: (String) -> ONNXError) throws {
        if perm == Array(0...shape.count) { return }
        guard layers.isEmpty, shape.count == 3, perm == [0, 3, 1, 2], shapes.count == 1 else {
            throw fail("a Transpose by \(perm) inside the network; only NHWC → NCHW on the input imports")
        }
        shape = [shape[2], shape[0], shape[1]]
        inputShape = shape
        notes.append("the input's NHWC layout is read as NCHW: images go in as (channels, height, width)")
    }

    /// The one value of a per-axis setting that must be the same on every axis.
    private static func same(_ values: [Int64], _ what: String, fail: (String) -> ONNXError) throws -> Int {
        guard let first = values.first, values.allSatisfy({ $0 == first }), first >= 0, first < 1 << 20 else {
            throw fail("\(what) \(values); the engine needs the same value on every axis")
        }
        return Int(first)
    }

    /// A row-major (rows × columns) matrix transposed.
    static func transpose(_ values: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<(rows * columns)).map { values[($0 % rows) * columns + $0 / rows] }
    }
}
