import ArgumentParser
import Activations
import Foundation
import Attacks
import Files
import HDF5

/// `probe merge`: joins the shards of a recording or of an attack into one file of virtual datasets.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Join the shards of a recording (probe record --shard I/N) or of an attack (probe attack … --shard I/N) into one file of HDF5 virtual datasets, without copying.",
        discussion: "The merged file refers to the shards by name: keep them beside it (or move the directory as a whole).")

    @Argument(help: "The shard files, every one of the recording's or attack's N shards once.")
    var shards: [String]

    @Option(name: [.short, .customLong("output")], help: "The merged activation file to write.")
    var output: String

    @OptionGroup var jsonOutput: JSONOption

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give the shard files to merge") }
        try checkOutputPath(output, inputs: shards)
    }

    func run() throws {
        let formats = try shards.map { path -> String in
            let (file, format) = try NeuronProbeFile.open(path)
            try file.close()
            return format
        }
        if formats.allSatisfy({ $0 == FileKind.attack.format }) {
            try AttackShardMerger.merge(shards, into: output)
            let merged = try AttackFile.read(output)
            if jsonOutput.json {
                try printJSON(MergeSummary(file: output, rows: merged.indices.count, shards: shards.count, layers: []))
            } else {
                print(
                    "merged \(shards.count) attack shards into \(output): \(merged.indices.count) examples, \(merged.epsilons.count) run(s) of \(merged.method)"
                )
            }
            return
        }
        guard formats.allSatisfy({ $0 == FileKind.activations.format }) else {
            throw CommandError(
                "probe merge joins the shards of one recording or of one attack; these files are \(Set(formats).sorted().joined(separator: " and "))")
        }
        try ShardMerger.merge(shards, into: output)
        let merged = try ActivationFile(path: output)
        if jsonOutput.json {
            try printJSON(MergeSummary(file: output, rows: merged.count, shards: shards.count, layers: merged.metadata.layerNames))
        } else {
            print("merged \(shards.count) shards into \(output): \(merged.count) rows, layers \(merged.metadata.layerNames.joined(separator: ", "))")
        }
    }
}
