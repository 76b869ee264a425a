/// The constant tensors of a graph being imported — its initialisers, its `Constant` nodes, and
/// what the nodes that only compute constants give. Exporters emit such nodes for shapes: a
/// dynamic-batch export computes `Reshape`'s target as Shape → Gather → Unsqueeze → Concat, and a
/// weight may come through Identity, Transpose or Cast. Each is evaluated here once, at import,
/// so that the network keeps only its layers. The batch size, unknown at import, is carried
/// through shape arithmetic as `ONNXConstants.batch`.
struct ONNXConstants {
    /// The value a folded shape holds where the dynamic batch size goes.
    static let batch: Double = -0x1p40
    /// The operators evaluated when their inputs are constant.
    static let operators: Set<String> = [
        "Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast", "Transpose", "Reshape",
    ]

    /// The constants by name.
    private(set) var tensors: [String: ONNXTensor]

    /// The graph's initialisers as the first constants.
    init(_ initializers: [ONNXTensor]) {
        tensors = Dictionary(initializers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    subscript(name: String) -> ONNXTensor? { tensors[name] }

    /// Evaluates `node` if it computes only constants, and returns whether it did: every input is a
    /// constant, or (for `Shape`) a tensor whose per-example shape `shapes` knows.
    /// - Throws: `ONNXError.cannotImport` for a constant computation that is not valid.
    mutating func fold(_ node: ONNXNode, opset: Int64, shapes: [String: [Int]]) throws -> Bool {
        guard Self.operators.contains(node.opType), let output = node.outputs.first else { return false }
        let given = node.inputs.filter { !$0.isEmpty }
        func fail(_ why: String) -> ONNXError { .cannotImport("node \(node.name) (\(node.opType)): \(why)") }
        if node.opType == "Shape" {
            guard let input = node.inputs.first, let shape = shapes[input] ?? tensors[input]?.dims.map({ Int($0) }) else { return false }
            var full = (tensors[node.inputs[0]] == nil ? [Self.batch] : []) + shape.map(Double.init)
            let rank = full.count
            let start = Self.axis(node.attributes["start"]?.int ?? 0, rank: rank, clamp: true)
            let end = Self.axis(node.attributes["end"]?.int ?? Int64(rank), rank: rank, clamp: true)
            full = start < end ? Array(full[start..<end]) : []
            tensors[output] = Self.tensor(output, dims: [Int64(full.count)], values: full, type: 7)
            return true
        }
        guard given.allSatisfy({ tensors[$0] != nil }) else { return false }
        let inputs = given.map { tensors[$0]! }
        func ints(_ attribute: String, input: Int) -> [Int]? {
            if let list = node.attributes[attribute]?.ints { return list.map { Int($0) } }
            if node.inputs.count > input, let t = tensors[node.inputs[input]] { return t.values.map(Self.int) }
            return nil
        }
        var result: ONNXTensor
        switch node.opType {
        case "Constant":
            switch node.attributes["value"] ?? node.attributes["value_float"] ?? node.attributes["value_floats"] ?? node.attributes["value_int"]
                ?? node.attributes["value_ints"]
            {
            case .tensor(let t)?: result = t
            case .float(let v)?: result = Self.tensor(output, dims: [], values: [Double(v)], type: 1)
            case .floats(let v)?: result = Self.tensor(output, dims: [Int64(v.count)], values: v.map(Double.init), type: 1)
            case .int(let v)?: result = Self.tensor(output, dims: [], values: [Double(v)], type: 7)
            case .ints(let v)?: result = Self.tensor(output, dims: [Int64(v.count)], values: v.map(Double.init), type: 7)
            default: throw fail("a Constant without a value this importer reads")
            }
        case "Identity":
            result = inputs[0]
        case "Cast":
            guard let to = node.attributes["to"]?.int else { throw fail("a Cast without 'to'") }
            result = inputs[0]
            switch to {
            case 1: result.values = result.values.map { Double(Float($0)) }
            case 11: break
            case 2, 3, 4, 5, 6, 7, 9, 12, 13: result.values = result.values.map { $0.rounded(.towardZero) }
            default: throw fail("a Cast to ONNX data type \(to)")
            }
            result.dataType = to
        case "Transpose":
            let dims = inputs[0].dims.map { Int($0) }
            let perm = node.attributes["perm"]?.ints?.map { Int($0) } ?? Array((0..<dims.count).reversed())
            guard perm.sorted() == Array(0..<dims.count) else { throw fail("perm \(perm) for a tensor of rank \(dims.count)") }
            let outDims = perm.map { dims[$0] }
            let inStrides = Self.strides(dims)
            result = inputs[0]
            result.dims = outDims.map(Int64.init)
            result.values = Self.map(outDims) { index in
                inputs[0].values[zip(perm, index).reduce(0) { $0 + inStrides[$1.0] * $1.1 }]
            }
        case "Reshape":
            guard inputs.count == 2 else { throw fail("a Reshape without a target shape") }
            let count = inputs[0].values.count
            let allowZero = node.attributes["allowzero"]?.int ?? 0 == 1
            var target = inputs[1].values.enumerated().map { i, v -> Int in
                v == 0 && !allowZero && i < inputs[0].dims.count ? Int(inputs[0].dims[i]) : Self.int(v)
            }
            if let unknown = target.firstIndex(of: -1) {
                let known = target.enumerated().filter { $0.offset != unknown }.reduce(1) { $0 * $1.element }
                guard known > 0, count % known == 0 else { throw fail("cannot reshape \(count) values to \(target)") }
                target[unknown] = count / known
            }
            guard target.allSatisfy({ $0 >= 0 }), target.reduce(1, *) == count else { throw fail("cannot reshape \(count) values to \(target)") }
            result = inputs[0]
            result.dims = target.map(Int64.init)
        case "Unsqueeze", "Squeeze":
            var dims = inputs[0].dims
            let axes = ints("axes", input: 1)
            if node.opType == "Unsqueeze" {
                guard let axes else { throw fail("an Unsqueeze without axes") }
                let rank = dims.count + axes.count
                for axis in axes.map({ Self.axis(Int64($0), rank: rank) }).sorted() {
                    guard axis >= 0, axis <= dims.count else { throw fail("axis \(axis) for rank \(rank)") }
                    dims.insert(1, at: axis)
                }
            } else {
                let drop = Set((axes ?? dims.indices.filter { dims[$0] == 1 }).map { Self.axis(Int64($0), rank: dims.count) })
                guard drop.allSatisfy({ $0 >= 0 && $0 < dims.count && dims[$0] == 1 }) else {
                    throw fail("squeezes axes \(drop.sorted()) of \(dims)")
                }
                dims = dims.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
            }
            result = inputs[0]
            result.dims = dims
        case "Concat":
            guard let first = inputs.first, let rawAxis = node.attributes["axis"]?.int else { throw fail("a Concat without inputs or axis") }
            let rank = first.dims.count, axis = Self.axis(rawAxis, rank: rank)
            guard axis >= 0, axis < rank, inputs.allSatisfy({ $0.dims.count == rank }) else { throw fail("axis \(rawAxis) for rank \(rank)") }
            let outer = first.dims[..<axis].reduce(1) { $0 * Int($1) }
            let blocks = inputs.map { t in t.dims[axis...].reduce(1) { $0 * Int($1) } }
            result = first
            result.dims[axis] = inputs.reduce(0) { $0 + $1.dims[axis] }
            result.values = (0..<outer).flatMap { o in
                zip(inputs, blocks).flatMap { t, block in t.values[(o * block)..<((o + 1) * block)] }
            }
        case "Gather":
            guard inputs.count == 2 else { throw fail("a Gather without indices") }
            let (data, indices) = (inputs[0], inputs[1])
            let dims = data.dims.map { Int($0) }
            let axis = Self.axis(node.attributes["axis"]?.int ?? 0, rank: dims.count)
            guard axis >= 0, axis < dims.count else { throw fail("axis out of range for rank \(dims.count)") }
            let outer = dims[..<axis].reduce(1, *), inner = dims[(axis + 1)...].reduce(1, *), size = dims[axis]
            var values: [Double] = []
            for o in 0..<outer {
                for raw in indices.values {
                    let i = raw < 0 ? Self.int(raw) + size : Self.int(raw)
                    guard i >= 0, i < size else { throw fail("index \(Self.int(raw)) outside an axis of \(size)") }
                    values += data.values[((o * size + i) * inner)..<((o * size + i + 1) * inner)]
                }
            }
            result = data
            result.dims = Array(data.dims[..<axis]) + indices.dims + Array(data.dims[(axis + 1)...])
            result.values = values
        case "Slice":
            let data = inputs[0]
            let dims = data.dims.map { Int($0) }
            let version10 = opset >= 10
            guard let starts = version10 ? ints("", input: 1) : ints("starts", input: 99),
                let ends = version10 ? ints("", input: 2) : ints("ends", input: 99), starts.count == ends.count
            else { throw fail("a Slice without starts and ends") }
            let axes = (version10 ? ints("", input: 3) : ints("axes", input: 99)) ?? Array(0..<starts.count)
            let steps = (version10 ? ints("", input: 4) : nil) ?? [Int](repeating: 1, count: starts.count)
            var ranges = dims.map { Array(0..<$0) }
            for (k, rawAxis) in axes.enumerated() {
                let axis = Self.axis(Int64(rawAxis), rank: dims.count)
                guard axis >= 0, axis < dims.count, steps[k] != 0 else { throw fail("axis \(rawAxis) or step \(steps[k])") }
                ranges[axis] = Self.sliceIndices(size: dims[axis], start: starts[k], end: ends[k], step: steps[k])
            }
            let strides = Self.strides(dims)
            result = data
            result.dims = ranges.map { Int64($0.count) }
            result.values = Self.map(ranges.map(\.count)) { index in
                data.values[zip(ranges, index).enumerated().reduce(0) { $0 + strides[$1.offset] * $1.element.0[$1.element.1] }]
            }
        default:
            return false
        }
        result.name = output
        tensors[output] = result
        return true
    }

    /// A tensor of `type` with `dims` and `values`.
    static func tensor(_ name: String, dims: [Int64], values: [Double], type: Int64) -> ONNXTensor {
        var t = ONNXTensor()
        (t.name, t.dims, t.values, t.dataType) = (name, dims, values, type)
        return t
    }

    /// A value as an Int, clamped to ±2⁶² (Slice's "to the end" is INT64_MAX, past Double's exact range).
    static func int(_ value: Double) -> Int {
        value.isNaN ? 0 : Int(min(max(value, -0x1p62), 0x1p62))
    }

    /// A possibly negative ONNX axis counted from 0 (optionally clamped into 0...rank).
    static func axis(_ value: Int64, rank: Int, clamp: Bool = false) -> Int {
        let axis = value < 0 ? Int(value) + rank : Int(value)
        return clamp ? min(max(axis, 0), rank) : axis
    }

    /// Row-major strides of `dims`.
    static func strides(_ dims: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: dims.count)
        for i in stride(from: dims.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims[i + 1] }
        return strides
    }

    /// `value(index)` for every index of a tensor of `dims`, in row-major order (an odometer over the axes).
    static func map(_ dims: [Int], _ value: ([Int]) -> Double) -> [Double] {
        let count = dims.reduce(1, *)
        var index = [Int](repeating: 0, count: dims.count), values: [Double] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(value(index))
            var axis = dims.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < dims[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return values
    }

    /// The indices a Slice keeps along an axis of `size` (ONNX's clamping of starts and ends).
    static func sliceIndices(size: Int, start: Int, end: Int, step: Int) -> [Int] {
        func clamp(_ v: Int, _ low: Int, _ high: Int) -> Int { min(max(v, low), high) }
        let s = start < 0 ? start + size : start, e = end < 0 ? end + size : end
        if step > 0 { return Array(stride(from: clamp(s, 0, size), to: clamp(e, 0, size), by: step)) }
        return Array(stride(from: clamp(s, 0, size - 1), to: clamp(e, -1, size - 1), by: step))
    }
}
