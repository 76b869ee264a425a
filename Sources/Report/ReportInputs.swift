import Activations
import Attacks
import Engine
import Files
import Foundation
import HDF5

/// The neuron-probe files a report is made from, read and sorted by kind, with what each section
/// needs beside them (the pictures of recorded rows, the clean images of attacks). Nothing is
/// recomputed: the numbers are the files'.
public struct ReportInputs: Sendable {
    /// One input file as the provenance block lists it.
    public struct InputFile: Sendable, Codable, Equatable {
        /// The path, as given.
        public var path: String
        /// Its kind (`model`, `units`, …).
        public var kind: String
        /// SHA-256 of its bytes.
        public var sha256: String
        /// The tool version that wrote it, and when, and with which BLAS kernel.
        public var toolVersion: String
        /// See `toolVersion`.
        public var created: String
        /// See `toolVersion`.
        public var blasKernel: String
        /// The seed of its random choices, when it has one.
        @NullWhenAbsent public var seed: UInt64?
        /// The command that wrote it (files of neuron-probe 0.1.0 written before this was recorded have none).
        @NullWhenAbsent public var commandLine: String?

        private enum CodingKeys: String, CodingKey {
            case path, kind, sha256, toolVersion = "tool_version", created, blasKernel = "blas_kernel", seed, commandLine = "command_line"
        }
    }

    /// A model file read.
    public struct Model: Sendable {
        /// Its path.
        public var path: String
        /// What it records.
        public var metadata: ModelMetadata
    }

    /// A units file read, with the pictures of its recorded rows when they could be found.
    public struct Units: Sendable {
        /// The file's contents.
        public var contents: UnitsFileContents
        /// The recorded rows' images (uint8, one after another) and their size, or nil.
        public var images: ImageBytes?
        /// The activation file the analysis read, when found (the maps laid over the top images of channel units).
        public var activations: String? = nil
    }

    /// An attack file read, with its clean images when the data set was found.
    public struct Attack: Sendable {
        /// The file's contents.
        public var contents: AttackFile.Contents
        /// The clean images of its examples, (N, …), or nil.
        public var clean: Tensor?
    }

    /// Every input, in the order given.
    public var files: [InputFile] = []
    /// The model files.
    public var models: [Model] = []
    /// The units files.
    public var units: [Units] = []
    /// The attack files.
    public var attacks: [Attack] = []
    /// The transfer files: path, matrix, and its sources.
    public var transfers: [(path: String, report: TransferReport, sources: TransferFile.Sources)] = []
    /// The Lipschitz files.
    public var lipschitz: [(path: String, report: LipschitzReport)] = []
    /// What could not be shown, and why.
    public var notes: [String] = []

    /// Reads every file of `paths`, looking for data sets (the clean images of attacks, the images of
    /// recordings made without them) along `search`.
    /// - Throws: `FileFormatError` for a file that is not a neuron-probe file; `ReportError` for none at all.
    public static func load(_ paths: [String], search: DataSearchPaths = DataSearchPaths()) throws -> ReportInputs {
        var inputs = ReportInputs()
        var activationFiles: [(path: String, sha256: String)] = []
        for path in paths {
            if ModelImport.isONNX(path) {
                // An ONNX network, imported as every command imports it.
                let metadata = try ModelFile.load(path).metadata
                inputs.files.append(
                    InputFile(
                        path: path, kind: FileKind.model.rawValue, sha256: metadata.sha256, toolVersion: "", created: "", blasKernel: "",
                        seed: nil, commandLine: nil))
                inputs.models.append(Model(path: path, metadata: metadata))
                continue
            }
            let (file, format) = try NeuronProbeFile.open(path)
            let root = file.root
            func text(_ name: String) -> String { (try? root.stringAttribute(name)) ?? "" }
            let seed = root.hasAttribute("seed") ? (try? root.attribute("seed", as: Int64.self)).map { UInt64(bitPattern: $0) } : nil
            guard let kind = FileKind(format: format) else {
                throw ReportError.unreadable("\(path) is a \(format) file, which this version of neuron-probe cannot report on; update neuron-probe")
            }
            let sha = try Checksum.sha256(ofFile: path)
            inputs.files.append(
                InputFile(
                    path: path, kind: kind.rawValue, sha256: sha, toolVersion: text("tool_version"), created: text("created"),
                    blasKernel: text("blas_kernel"), seed: seed, commandLine: root.hasAttribute("command_line") ? text("command_line") : nil))
            try file.close()
            switch kind {
            case .model: inputs.models.append(Model(path: path, metadata: try ModelFile.load(path).metadata))
            case .activations: activationFiles.append((path, sha))
            case .units:
                let contents = try UnitsFile.read(path)
                inputs.units.append(Units(contents: contents, images: nil))
            case .attack:
                let contents = try AttackFile.read(path)
                var clean: Tensor?
                do {
                    clean = try DatasetRegistry.standard.load(contents.dataset, split: contents.split, search: search).images.gathering(
                        rows: contents.indices)
                } catch {
                    inputs.notes.append(
                        "the clean images of \(path) (\(contents.dataset), \(contents.split.rawValue)) were not found, so its examples are not shown: pass --data-dir"
                    )
                }
                inputs.attacks.append(Attack(contents: contents, clean: clean))
            case .transfer:
                let (report, sources) = try TransferFile.read(path)
                inputs.transfers.append((path, report, sources))
            case .lipschitz: inputs.lipschitz.append((path, try LipschitzFile.read(path)))
            }
        }
        guard !inputs.files.isEmpty else { throw ReportError.unreadable("no input files: give model, units, attack, transfer or Lipschitz files") }
        for activation in activationFiles where !inputs.units.contains(where: { $0.contents.activationsSHA256 == activation.sha256 }) {
            inputs.notes.append(
                "\(activation.path) is an activation file, which the report shows through a units analysis of it (probe units \(activation.path)); it is listed in the provenance"
            )
        }
        for index in inputs.units.indices {
            let contents = inputs.units[index].contents
            let candidates =
                activationFiles.filter { $0.sha256 == contents.activationsSHA256 }.map(\.path) + [
                    contents.activationsFile,
                    URL(fileURLWithPath: contents.path).deletingLastPathComponent().appendingPathComponent(
                        URL(fileURLWithPath: contents.activationsFile).lastPathComponent
                    ).path,
                ]
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                inputs.notes.append(
                    "the activation file of \(contents.path) (\(contents.activationsFile)) was not found, so its top images are not shown: give it as an input"
                )
                continue
            }
            do {
                let activations = try ActivationFile(path: found)
                guard let images = try RecordedImages.pixels(of: activations, search: search) else {
                    inputs.notes.append("\(found) holds no images and its data set is unknown, so the top images of \(contents.path) are not shown")
                    continue
                }
                inputs.units[index].images = images
                inputs.units[index].activations = found
            } catch {
                inputs.notes.append(
                    "the images of the rows recorded in \(found) could not be read (\(error)), so the top images of \(contents.path) are not shown")
            }
        }
        return inputs
    }
}
