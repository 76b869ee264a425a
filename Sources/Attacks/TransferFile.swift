import Files
import Foundation
import HDF5
import Engine

/// Transfer files (`format = "neuron-probe/transfer"`): the matrix `probe transfer -o` computed,
/// so that a report renders Szegedy et al.'s Table 2 without evaluating a model again;
/// docs/results-files.md.
public enum TransferFile {
    /// Where the sets and the models came from: the files and their sha256, in matrix order.
    public struct Sources: Sendable, Equatable {
        /// The attack file of each set (row).
        public var attackFiles: [String]
        /// SHA-256 of each set's attack file.
        public var attackSHA256: [String]
        /// The model file of each column.
        public var modelFiles: [String]
        /// SHA-256 of each model file.
        public var modelSHA256: [String]

        /// The files behind a matrix's rows and columns.
        public init(attackFiles: [String], attackSHA256: [String], modelFiles: [String], modelSHA256: [String]) {
            self.attackFiles = attackFiles
            self.attackSHA256 = attackSHA256
            self.modelFiles = modelFiles
            self.modelSHA256 = modelSHA256
        }
    }

    /// Writes `report` atomically to `path`.
    public static func write(_ report: TransferReport, sources: Sources, to path: String) throws {
        let matrix = report.matrix
        let (s, m) = (matrix.sets.count, matrix.models.count)
        try AtomicFile.writeHDF5(to: path, kind: .transfer, engine: .current) { root in
            try root.setAttribute("set_names", matrix.sets)
            try root.setAttribute("model_names", matrix.models)
            try root.setAttribute("attack_files", sources.attackFiles)
            try root.setAttribute("attack_sha256s", sources.attackSHA256)
            try root.setAttribute("model_files", sources.modelFiles)
            try root.setAttribute("model_sha256s", sources.modelSHA256)
            if let amplify = report.amplify { try root.setAttribute("amplify", amplify) }
            try root.write("error", matrix.error.flatMap { $0 }, shape: [s, m]).setDimensionLabels(["set", "model"])
            if matrix.cleanError.allSatisfy({ $0.count == m }) {
                try root.write("clean_error", matrix.cleanError.flatMap { $0 }, shape: [s, m]).setDimensionLabels(["set", "model"])
            }
            try root.write("distortion", matrix.distortion, shape: [s]).setDimensionLabels(["set"])
        }
    }

    /// Reads a transfer file back.
    /// - Throws: `FileFormatError` with one line when it is missing, not HDF5, or not a transfer file.
    public static func read(_ path: String) throws -> (report: TransferReport, sources: Sources) {
        let file = try NeuronProbeFile.open(path, as: .transfer)
        let root = file.root
        let sets = try root.stringArrayAttribute("set_names"), models = try root.stringArrayAttribute("model_names")
        func rows(_ name: String) throws -> [[Double]] {
            let values = try root.openDataset(name, of: Double.self).read()
            return (0..<sets.count).map { Array(values[($0 * models.count)..<(($0 + 1) * models.count)]) }
        }
        let clean = root.contains("clean_error") ? try rows("clean_error") : sets.map { _ in [Double]() }
        let matrix = TransferMatrix(
            sets: sets, models: models, error: try rows("error"), cleanError: clean,
            distortion: try root.openDataset("distortion", of: Double.self).read())
        let amplify = root.hasAttribute("amplify") ? try root.attribute("amplify", as: Double.self) : nil
        let sources = Sources(
            attackFiles: try root.stringArrayAttribute("attack_files"), attackSHA256: try root.stringArrayAttribute("attack_sha256s"),
            modelFiles: try root.stringArrayAttribute("model_files"),
            modelSHA256: try root.stringArrayAttribute("model_sha256s"))
        return (TransferReport(matrix: matrix, amplify: amplify), sources)
    }
}
