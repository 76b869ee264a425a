import ArgumentParser
import Activations
import Files
import Foundation
import HDF5

/// `probe inspect`: what any neuron-probe file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show what a neuron-probe file holds: its kind, format version, attributes, and every dataset's shape, type, chunks and compression.")

    @Argument(help: "A file written by neuron-probe (model, activations, units or attack file).")
    var file: String

    @OptionGroup var jsonOutput: JSONOption

    func run() throws {
        let description = try FileDescription(path: file)
        if jsonOutput.json {
            try printJSON(description)
        } else {
            print(description.text)
        }
    }
}

extension FileDescription {
    private static func shape(_ extents: [Int]) -> String { "(" + extents.map(String.init).joined(separator: ", ") + ")" }

    var text: String {
        var lines = ["\(path): \(kind)"]
        for (name, value) in attributes { lines.append("  @\(name) = \(value)") }
        for shard in shards ?? [] { lines.append("  shard \(shard.name): \(shard.state.rawValue) (\(shard.path))") }
        for group in groups {
            guard let attributes = groupAttributes[group] else { continue }
            lines.append("  \(group)/")
            for (name, value) in attributes { lines.append("      @\(name) = \(value)") }
        }
        for entry in datasets {
            let info = entry.info
            var line = "  \(info.path)  \(FileDescription.shape(info.shape)) \(info.typeDescription)"
            if let chunk = info.chunk { line += "  chunks \(FileDescription.shape(chunk))" }
            if let compression = info.compression { line += "  \(compression)" }
            if info.isVirtual { line += "  virtual" } else { line += "  \(info.storageBytes) bytes" }
            lines.append(line)
            for (name, value) in entry.attributes { lines.append("      @\(name) = \(value)") }
        }
        return lines.joined(separator: "\n")
    }
}
