import Foundation

extension ONNXModel {
    /// The model in the .onnx file at `path`, with the values of tensors stored outside it
    /// (`data_location` EXTERNAL, as PyTorch's exporter writes large weights to `MODEL.onnx.data`)
    /// read from the files their `location` names, relative to the model's folder.
    /// - Throws: `ONNXError` naming the file or the tensor when something cannot be read.
    public static func load(contentsOf path: String) throws -> ONNXModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ONNXError.unreadable("cannot be read (no such file, or no permission to read it)")
        }
        var model = try decode([UInt8](data))
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        for index in model.graph.initializers.indices where model.graph.initializers[index].isExternal {
            try model.graph.initializers[index].readExternalValues(from: folder)
        }
        return model
    }
}

extension ONNXTensor {
    /// Reads the values `externalData` points at, below `folder` (ONNX's external-data rules: a
    /// relative location that does not leave the model's folder, an optional offset and length).
    mutating func readExternalValues(from folder: URL) throws {
        guard let location = externalData["location"], !location.isEmpty, !location.hasPrefix("/"),
            !location.split(separator: "/").contains("..")
        else {
            throw ONNXError.notAModel(
                "tensor \(name) is stored outside the file at '\(externalData["location"] ?? "")', not a path inside the model's folder")
        }
        let file = folder.appendingPathComponent(location).path
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw ONNXError.notAModel("tensor \(name) is stored in \(file), which cannot be read; keep it beside the .onnx file")
        }
        defer { try? handle.close() }
        let offset = UInt64(externalData["offset"] ?? "0"), length = externalData["length"].map { Int($0) }
        guard let offset, length.map({ $0 != nil && $0! >= 0 }) ?? true else {
            throw ONNXError.notAModel("tensor \(name) has an unreadable external offset or length (\(externalData))")
        }
        let bytes: Data
        do {
            try handle.seek(toOffset: offset)
            bytes = try length.map { try handle.read(upToCount: $0!) ?? Data() } ?? handle.readToEnd() ?? Data()
        } catch {
            throw ONNXError.notAModel("tensor \(name) cannot be read from \(file): \(error.localizedDescription)")
        }
        if let length, bytes.count != length! {
            throw ONNXError.notAModel("tensor \(name) needs \(length!) bytes at offset \(offset) of \(file), which holds fewer")
        }
        values = try Self.values(raw: [UInt8](bytes)[...], dataType: dataType, name: name)
        guard count == values.count else {
            throw ONNXError.notAModel("tensor \(name) has shape \(dims) but \(values.count) values in \(file)")
        }
        isExternal = false
        externalData = [:]
    }
}
