import ArgumentParser
import Foundation
import Engine

/// `probe system`: the tool version, the processor, the BLAS library and the kernel it runs.
struct SystemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system",
        abstract: "Show what the tool runs on: its version, the CPU and its features, the BLAS library, the kernel in use and why.")

    @OptionGroup var jsonOutput: JSONOption

    func run() throws {
        let system = SystemDescription.current
        if jsonOutput.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            FileHandle.standardOutput.write(try encoder.encode(system))
            print()
            return
        }
        let p = system.processor
        print("neuron-probe \(system.toolVersion)")
        print("CPU:         \(p.model.isEmpty ? p.vendor : p.model) (\(p.vendor), family \(p.family) model \(p.modelNumber)), \(system.cores) cores")
        print("features:    \(p.features.map(\.rawValue).joined(separator: " "))")
        print("BLAS:        \(system.blasLibrary)")
        print("kernel:      \(system.blasKernel.summary)")
        print("runs also:   \(system.runnableKernels.filter { $0 != system.blasKernel.kernel }.joined(separator: ", "))")
        print("threads:     \(system.blasThreads) BLAS threads")
    }
}
