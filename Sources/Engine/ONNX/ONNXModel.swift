/// An ONNX model as its file holds it (onnx/onnx.proto, IR version 3 and later): the graph's
/// nodes, initialisers, inputs and outputs, the operator sets, and the metadata — the messages an
/// import needs, decoded by hand from the Protocol Buffers wire format (`ProtobufReader`).
public struct ONNXModel: Sendable, Equatable {
    /// `ModelProto.ir_version`.
    public var irVersion: Int64
    /// `ModelProto.producer_name` ("pytorch").
    public var producerName: String
    /// `ModelProto.producer_version` ("2.13.0").
    public var producerVersion = ""
    /// The operator set version of each domain ("" is the default ONNX domain).
    public var opsets: [String: Int64]
    /// `ModelProto.metadata_props`.
    public var metadata: [String: String]
    /// The graph.
    public var graph: ONNXGraph

    /// Decodes the bytes of an .onnx file.
    /// - Throws: `ProtobufError` for bytes that are not a message; `ONNXError` for a message that is not a model.
    public static func decode(_ bytes: [UInt8]) throws -> ONNXModel {
        var reader = ProtobufReader(bytes[...])
        var model = ONNXModel(irVersion: 0, producerName: "", opsets: [:], metadata: [:], graph: ONNXGraph())
        var sawGraph = false
        while let field = try reader.next() {
            switch field.number {
            case 1: model.irVersion = field.int64
            case 2: model.producerName = try field.string()
            case 3: model.producerVersion = try field.string()
            case 7:
                model.graph = try ONNXGraph.decode(try field.message())
                sawGraph = true
            case 8:
                var opset = try field.message()
                var domain = "", version: Int64 = 0
                while let f = try opset.next() {
                    if f.number == 1 { domain = try f.string() }
                    if f.number == 2 { version = f.int64 }
                }
                model.opsets[domain] = version
            case 14:
                let (key, value) = try Self.keyValue(try field.message())
                model.metadata[key] = value
            default: continue
            }
        }
        guard sawGraph else { throw ONNXError.notAModel("it holds no graph (ModelProto field 7)") }
        return model
    }

    static func keyValue(_ message: ProtobufReader) throws -> (String, String) {
        var reader = message, key = "", value = ""
        while let f = try reader.next() {
            if f.number == 1 { key = try f.string() }
            if f.number == 2 { value = try f.string() }
        }
        return (key, value)
    }
}

/// `GraphProto`: the nodes in topological order, the weights, and the named inputs and outputs.
public struct ONNXGraph: Sendable, Equatable {
    /// The graph's name.
    public var name = ""
    /// Its nodes, in the order the file gives them.
    public var nodes: [ONNXNode] = []
    /// Its constant tensors (weights).
    public var initializers: [ONNXTensor] = []
    /// Its inputs (initialisers may be listed among them too, in older files).
    public var inputs: [ONNXValueInfo] = []
    /// Its outputs.
    public var outputs: [ONNXValueInfo] = []

    static func decode(_ message: ProtobufReader) throws -> ONNXGraph {
        var reader = message, graph = ONNXGraph()
        while let field = try reader.next() {
            switch field.number {
            case 1: graph.nodes.append(try ONNXNode.decode(try field.message()))
            case 2: graph.name = try field.string()
            case 5: graph.initializers.append(try ONNXTensor.decode(try field.message()))
            case 11: graph.inputs.append(try ONNXValueInfo.decode(try field.message()))
            case 12: graph.outputs.append(try ONNXValueInfo.decode(try field.message()))
            default: continue
            }
        }
        return graph
    }
}

/// `NodeProto`: one operator applied to named tensors.
public struct ONNXNode: Sendable, Equatable {
    /// The node's name (may be empty).
    public var name = ""
    /// The operator (`Gemm`, `Conv`, …).
    public var opType = ""
    /// Its domain ("" for the default ONNX operators).
    public var domain = ""
    /// The names of its inputs ("" for an optional input left out).
    public var inputs: [String] = []
    /// The names of its outputs.
    public var outputs: [String] = []
    /// Its attributes by name.
    public var attributes: [String: ONNXAttribute] = [:]

    static func decode(_ message: ProtobufReader) throws -> ONNXNode {
        var reader = message, node = ONNXNode()
        while let field = try reader.next() {
            switch field.number {
            case 1: node.inputs.append(try field.string())
            case 2: node.outputs.append(try field.string())
            case 3: node.name = try field.string()
            case 4: node.opType = try field.string()
            case 5:
                let (name, value) = try ONNXAttribute.decode(try field.message())
                node.attributes[name] = value
            case 7: node.domain = try field.string()
            default: continue
            }
        }
        return node
    }
}

/// `AttributeProto`: a node's setting.
public enum ONNXAttribute: Sendable, Equatable {
    case float(Float)
    case int(Int64)
    case string(String)
    case tensor(ONNXTensor)
    case floats([Float])
    case ints([Int64])
    case strings([String])
    /// A kind this reader does not decode (graphs, sparse tensors, types): its `AttributeType` number.
    case other(Int64)

    /// The value as an integer, if it is one.
    public var int: Int64? { if case .int(let v) = self { return v } else { return nil } }
    /// The value as a list of integers, if it is one.
    public var ints: [Int64]? { if case .ints(let v) = self { return v } else { return nil } }
    /// The value as a string, if it is one.
    public var string: String? { if case .string(let v) = self { return v } else { return nil } }
    /// The value as a float, if it is one.
    public var float: Float? { if case .float(let v) = self { return v } else { return nil } }

    static func decode(_ message: ProtobufReader) throws -> (String, ONNXAttribute) {
        var reader = message
        var name = "", type: Int64 = 0
        var f: Float = 0, i: Int64 = 0, s = "", t: ONNXTensor?, floats: [Float] = [], ints: [Int64] = [], strings: [String] = []
        while let field = try reader.next() {
            switch field.number {
            case 1: name = try field.string()
            case 2: f = try field.float()
            case 3: i = field.int64
            case 4: s = try field.string()
            case 5: t = try ONNXTensor.decode(try field.message())
            case 7: floats += try field.floats()
            case 8: ints += try field.int64s()
            case 9: strings.append(try field.string())
            case 20: type = field.int64
            default: continue
            }
        }
        // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7, STRINGS 8.
        switch type {
        case 1: return (name, .float(f))
        case 2: return (name, .int(i))
        case 3: return (name, .string(s))
        case 4:
            guard let t else { throw ONNXError.notAModel("attribute \(name) is a tensor but holds none") }
            return (name, .tensor(t))
        case 6: return (name, .floats(floats))
        case 7: return (name, .ints(ints))
        case 8: return (name, .strings(strings))
        default: return (name, .other(type))
        }
    }
}

/// `TensorProto`: a constant tensor, its values decoded from whichever field holds them.
public struct ONNXTensor: Sendable, Equatable {
    /// `TensorProto.DataType` values this reader decodes.
    public enum DataType: Int64, Sendable {
        case float = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7, double = 11
    }

    /// Its name.
    public var name = ""
    /// Its shape.
    public var dims: [Int64] = []
    /// `TensorProto.data_type`.
    public var dataType: Int64 = 0
    /// The values as doubles (exact for float32, int32 and int64 values up to 2⁵³), row-major.
    public var values: [Double] = []
    /// Whether the values live in an external file (`data_location` EXTERNAL); `ONNXModel.load` reads them.
    public var isExternal = false
    /// Where external values are (`external_data`: `location`, `offset`, `length`).
    public var externalData: [String: String] = [:]

    /// The number of values its shape holds; nil for a negative size or a product past Int's range.
    public var count: Int? {
        var product = 1
        for dim in dims {
            guard dim >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: Int(dim))
            if overflow { return nil }
            product = next
        }
        return product
    }

    static func decode(_ message: ProtobufReader) throws -> ONNXTensor {
        var reader = message, tensor = ONNXTensor()
        var raw: ArraySlice<UInt8>?
        while let field = try reader.next() {
            switch field.number {
            case 1: tensor.dims += try field.int64s()
            case 2: tensor.dataType = field.int64
            case 4: tensor.values += try field.floats().map(Double.init)
            case 5, 7: tensor.values += try field.int64s().map(Double.init)  // int32_data (also uint8, int8), int64_data
            case 8: tensor.name = try field.string()
            case 9: raw = field.bytes
            case 10: tensor.values += try field.doubles()
            case 13:
                let (key, value) = try ONNXModel.keyValue(try field.message())
                tensor.externalData[key] = value
            case 14: tensor.isExternal = field.int64 == 1
            default: continue
            }
        }
        if let raw { tensor.values = try Self.values(raw: raw, dataType: tensor.dataType, name: tensor.name) }
        guard tensor.isExternal || (tensor.count.map { $0 == tensor.values.count } ?? false) else {
            throw ONNXError.notAModel("tensor \(tensor.name) has shape \(tensor.dims) but \(tensor.values.count) values")
        }
        return tensor
    }

    /// `raw_data`: the values little-endian, packed.
    static func values(raw: ArraySlice<UInt8>, dataType: Int64, name: String) throws -> [Double] {
        guard let type = DataType(rawValue: dataType) else {
            throw ONNXError.unsupportedDataType(tensor: name, dataType: dataType)
        }
        let width: Int
        switch type {
        case .float, .int32: width = 4
        case .int64, .double: width = 8
        case .uint8, .int8: width = 1
        }
        guard raw.count % width == 0 else { throw ONNXError.notAModel("tensor \(name) has \(raw.count) raw bytes, not a multiple of \(width)") }
        return stride(from: raw.startIndex, to: raw.endIndex, by: width).map { start in
            let bytes = raw[start..<(start + width)]
            switch type {
            case .float: return Double(Float(bitPattern: ProtobufReader.littleEndian32(bytes)))
            case .int32: return Double(Int32(bitPattern: ProtobufReader.littleEndian32(bytes)))
            case .int64: return Double(Int64(bitPattern: ProtobufReader.littleEndian64(bytes)))
            case .double: return Double(bitPattern: ProtobufReader.littleEndian64(bytes))
            case .uint8: return Double(bytes.first!)
            case .int8: return Double(Int8(bitPattern: bytes.first!))
            }
        }
    }
}

/// `ValueInfoProto`: a named graph input or output with its element type and shape.
public struct ONNXValueInfo: Sendable, Equatable {
    /// One axis of a shape: a fixed size, a named symbolic size (a dynamic batch), or unknown.
    public enum Dimension: Sendable, Equatable {
        case value(Int64)
        case parameter(String)
        case unknown
    }

    /// Its name.
    public var name = ""
    /// `TensorProto.DataType` of its elements (0 when not a tensor).
    public var elementType: Int64 = 0
    /// Its shape (empty when the file gives none).
    public var shape: [Dimension] = []

    static func decode(_ message: ProtobufReader) throws -> ONNXValueInfo {
        var reader = message, info = ONNXValueInfo()
        while let field = try reader.next() {
            switch field.number {
            case 1: info.name = try field.string()
            case 2:
                var type = try field.message()
                while let t = try type.next() {
                    guard t.number == 1 else { continue }  // TypeProto.tensor_type
                    var tensorType = try t.message()
                    while let tt = try tensorType.next() {
                        if tt.number == 1 { info.elementType = tt.int64 }
                        if tt.number == 2 {
                            var shape = try tt.message()
                            while let d = try shape.next() {
                                guard d.number == 1 else { continue }
                                var dimension = try d.message()
                                var value = Dimension.unknown
                                while let dv = try dimension.next() {
                                    if dv.number == 1 { value = .value(dv.int64) }
                                    if dv.number == 2 { value = .parameter(try dv.string()) }
                                }
                                info.shape.append(value)
                            }
                        }
                    }
                }
            default: continue
            }
        }
        return info
    }
}

/// An ONNX file that cannot be imported, in one line.
public enum ONNXError: Error, Equatable, CustomStringConvertible {
    /// A well-formed message that is not an ONNX model.
    case notAModel(String)
    /// A tensor of a type the importer does not read.
    case unsupportedDataType(tensor: String, dataType: Int64)
    /// A model this version cannot turn into a network (an operator, a shape, a weight).
    case cannotImport(String)
    /// A file that cannot be read at all.
    case unreadable(String)

    public var description: String {
        switch self {
        case .notAModel(let why): return "not an ONNX model: \(why)"
        case .cannotImport(let why): return "cannot import the ONNX model: \(why)"
        case .unreadable(let why): return why
        case .unsupportedDataType(let tensor, let type):
            return "tensor \(tensor) has ONNX data type \(type), which neuron-probe does not read (float, double, int8, uint8, int32, int64)"
        }
    }
}
