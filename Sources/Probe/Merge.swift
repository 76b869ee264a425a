import ArgumentParser
import Activations
import Foundation
import HDF5

/// `probe merge`: joins shard recordings into one file of virtual datasets.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the shards of a recording (probe record --shard I/N) into one activation file of HDF5 virtual datasets, without copying.",
        discussion: "The merged file refers to the shards by name: keep them beside it (or move the directory as a whole).")

    @Argument(help: "The shard files, every one of the recording's N shards once.")
    var shards: [String]

    @Option(name: [.short, .customLong("output")], help: "The merged activation file to write.")
    var output: String

    @OptionGroup var jsonOutput: JSONOption

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give the shard files to merge") }
        try checkOutputPath(output, inputs: shards)
    }

    func run() throws {
        try ShardMerger.merge(shards, into: output)
        let merged = try ActivationFile(path: output)
        if jsonOutput.json {
            try printJSON(MergeSummary(file: output, rows: merged.count, shards: shards.count, layers: merged.metadata.layerNames))
        } else {
            print("merged \(shards.count) shards into \(output): \(merged.count) rows, layers \(merged.metadata.layerNames.joined(separator: ", "))")
        }
    }
}
