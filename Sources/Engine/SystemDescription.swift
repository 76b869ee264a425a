import Files
import Foundation

/// What the tool runs on: its version, the processor, the BLAS library and the kernel in use with
/// how it was chosen, and the threads. `probe system` prints it; bench/RESULTS.md names the same facts.
public struct SystemDescription: Codable, Equatable, Sendable {
    /// The neuron-probe version.
    public var toolVersion: String
    /// The processor: vendor, brand string, family and model, usable features.
    public var processor: ProcessorInfo
    /// The OpenBLAS build (`openblas_get_config()`).
    public var blasLibrary: String
    /// The kernel in use and how it was chosen.
    public var blasKernel: BLASKernelStatus
    /// The kernels this processor can run, fastest class first.
    public var runnableKernels: [String]
    /// OpenBLAS's thread count outside the tool's own per-core shares.
    public var blasThreads: Int
    /// The cores the tool splits its work over.
    public var cores: Int

    /// This process's description.
    public static var current: SystemDescription {
        SystemDescription(
            toolVersion: ToolInfo.version, processor: .current, blasLibrary: BLASKernelSelection.configuration,
            blasKernel: BLASKernelSelection.status, runnableKernels: BLASKernel.runnable(on: ProcessorInfo.current.featureSet).map(\.name),
            blasThreads: LinearAlgebra.threadCount, cores: Cores.count)
    }
}
