/// One of the x86-64 sgemm kernels that a DYNAMIC_ARCH OpenBLAS (Debian's 0.3.21) carries and
/// accepts in `OPENBLAS_CORETYPE`, with the processor features it executes and its class of speed.
///
/// OpenBLAS picks a kernel by processor model; a model newer than the library (an Emerald Rapids
/// Xeon for 0.3.21) gets its generic SSE3 `Prescott` kernel at a quarter of the speed its features
/// allow. The tool then picks the fastest kernel those features run (`decide`).
public struct BLASKernel: Equatable, Sendable {
    /// The name OpenBLAS uses for it (`openblas_get_corename()`, `OPENBLAS_CORETYPE`).
    public let name: String
    /// The features its code executes.
    public let requires: Set<ProcessorFeature>
    /// Its class of speed: 0 SSE, 1 AVX, 2 AVX2 with FMA, 3 AVX-512. Cooperlake is SkylakeX's class
    /// (its sgemm blocks differently for the processors with BF16, and is the faster of the two there),
    /// so an AVX-512 kernel that OpenBLAS picked is never replaced.
    public let tier: Int

    private static let avx512: Set<ProcessorFeature> = [.avx2, .fma, .avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl]

    /// Every kernel of OpenBLAS 0.3.21's x86-64 DYNAMIC_ARCH build.
    public static let known: [BLASKernel] = [
        BLASKernel(name: "Cooperlake", requires: avx512.union([.avx512_bf16]), tier: 3),
        BLASKernel(name: "SkylakeX", requires: avx512, tier: 3),
        BLASKernel(name: "Haswell", requires: [.avx2, .fma], tier: 2),
        BLASKernel(name: "Zen", requires: [.avx2, .fma], tier: 2),
        BLASKernel(name: "Excavator", requires: [.avx2, .fma, .fma4], tier: 2),
        BLASKernel(name: "Sandybridge", requires: [.avx], tier: 1),
        BLASKernel(name: "Steamroller", requires: [.avx, .fma, .fma4], tier: 1),
        BLASKernel(name: "Piledriver", requires: [.avx, .fma, .fma4], tier: 1),
        BLASKernel(name: "Bulldozer", requires: [.avx, .fma4], tier: 1),
        BLASKernel(name: "Nehalem", requires: [.sse4_2], tier: 0),
        BLASKernel(name: "Dunnington", requires: [.sse4_1], tier: 0),
        BLASKernel(name: "Penryn", requires: [.sse4_1], tier: 0),
        BLASKernel(name: "Core2", requires: [.ssse3], tier: 0),
        BLASKernel(name: "Atom", requires: [.ssse3], tier: 0),
        BLASKernel(name: "Bobcat", requires: [.ssse3], tier: 0),
        BLASKernel(name: "Barcelona", requires: [.sse3], tier: 0),
        BLASKernel(name: "Opteron_SSE3", requires: [.sse3], tier: 0),
        BLASKernel(name: "Nano", requires: [.sse3], tier: 0),
        BLASKernel(name: "Prescott", requires: [.sse3], tier: 0),
        BLASKernel(name: "Opteron", requires: [.sse2], tier: 0),
        BLASKernel(name: "Athlon", requires: [.sse2], tier: 0),
        BLASKernel(name: "Banias", requires: [.sse2], tier: 0),
        BLASKernel(name: "Northwood", requires: [.sse2], tier: 0),
        BLASKernel(name: "Coppermine", requires: [.sse2], tier: 0),
        BLASKernel(name: "Katmai", requires: [.sse2], tier: 0),
    ]

    /// The kernels the tool chooses among, fastest first: AVX-512 with BF16 → Cooperlake,
    /// AVX-512F/DQ/CD/BW/VL → SkylakeX, AVX2 with FMA → Haswell.
    static let vectorKernels = ["Cooperlake", "SkylakeX", "Haswell"]

    /// The kernel called `name`, ignoring case as OpenBLAS does.
    public static func named(_ name: String) -> BLASKernel? {
        known.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The kernels a processor with `features` can run, fastest class first.
    public static func runnable(on features: Set<ProcessorFeature>) -> [BLASKernel] {
        known.filter { $0.requires.isSubset(of: features) }
    }

    /// The fastest vector kernel a processor with `features` runs, or nil when it has no AVX2 and FMA.
    public static func fastest(on features: Set<ProcessorFeature>) -> BLASKernel? {
        vectorKernels.compactMap(named).first { $0.requires.isSubset(of: features) }
    }

    /// What to do about the kernel of a process, given OpenBLAS's own choice, the value of
    /// `OPENBLAS_CORETYPE` (nil when unset) and the processor's features.
    ///
    /// A value in the environment is never overridden: it is kept when the processor runs it and
    /// refused otherwise. Without one, OpenBLAS's choice is kept unless it is of a slower class
    /// than the fastest vector kernel the processor runs (a fallback to a generic core).
    public static func decide(openBLASChoice: String, environment: String?, features: Set<ProcessorFeature>) -> BLASKernelDecision {
        let runnableNames = runnable(on: features).map(\.name).joined(separator: ", ")
        if let environment {
            guard !environment.isEmpty else {
                return .refuse("OPENBLAS_CORETYPE is set but empty; this CPU runs \(runnableNames): set one of them or unset OPENBLAS_CORETYPE")
            }
            guard let kernel = named(environment) else {
                return .refuse(
                    "OPENBLAS_CORETYPE=\(environment) is not a kernel OpenBLAS knows; this CPU runs \(runnableNames): set one of them or unset OPENBLAS_CORETYPE"
                )
            }
            let missing = kernel.requires.subtracting(features)
            guard missing.isEmpty else {
                return .refuse(
                    "OPENBLAS_CORETYPE=\(environment) names a kernel this CPU cannot run (it lacks \(missing.sorted().map(\.rawValue).joined(separator: ", "))); this CPU runs \(runnableNames): set one of them or unset OPENBLAS_CORETYPE"
                )
            }
            return .keepEnvironment(kernel.name)
        }
        guard let fastest = fastest(on: features) else { return .keep }
        let chosen = named(openBLASChoice)?.tier ?? -1
        return chosen < fastest.tier ? .correct(from: openBLASChoice, to: fastest.name) : .keep
    }
}

/// What `BLASKernel.decide` concludes.
public enum BLASKernelDecision: Equatable, Sendable {
    /// OpenBLAS's own choice is as fast a class as the processor allows.
    case keep
    /// `OPENBLAS_CORETYPE` names this kernel, which the processor runs.
    case keepEnvironment(String)
    /// OpenBLAS fell back to `from`; the process should run with `to`.
    case correct(from: String, to: String)
    /// `OPENBLAS_CORETYPE` cannot be used; the message says why and what to set.
    case refuse(String)
}
