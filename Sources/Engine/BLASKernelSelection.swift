import CBLAS
import Foundation

/// Which OpenBLAS kernel this process runs and why: the choice `BLASKernelSelection.select()` made,
/// reported by `probe system` and recorded in every file the tool writes (`blas_kernel`).
public struct BLASKernelStatus: Codable, Equatable, Sendable {
    /// How the kernel in use was chosen.
    public enum Selection: String, Codable, Sendable {
        /// OpenBLAS's own choice, kept (it is as fast a class as the processor allows).
        case openblas
        /// Named by `OPENBLAS_CORETYPE` in the environment the process was started with.
        case environment
        /// The tool replaced OpenBLAS's fallback with a faster kernel and checked it.
        case corrected
        /// The tool's kernel failed its check; OpenBLAS's own choice is in use.
        case checkFailed = "check-failed"
    }

    /// The kernel in use (`openblas_get_corename()`).
    public var kernel: String
    /// How it was chosen.
    public var selection: Selection
    /// What OpenBLAS picked on its own, when the tool changed or tried to change it.
    public var openBLASChoice: String?
    /// The kernel that failed its check (`checkFailed` only).
    public var rejectedKernel: String?

    /// One line for people and for the files' `blas_kernel_selection` attribute.
    public var summary: String {
        switch selection {
        case .openblas: return "\(kernel), OpenBLAS's choice"
        case .environment: return "\(kernel), set by OPENBLAS_CORETYPE"
        case .corrected: return "\(kernel), chosen and checked by neuron-probe (OpenBLAS chose \(openBLASChoice ?? "?"))"
        case .checkFailed: return "\(kernel), OpenBLAS's choice (\(rejectedKernel ?? "?") failed neuron-probe's check)"
        }
    }
}

/// Errors of choosing the BLAS kernel.
public enum BLASKernelError: Error, CustomStringConvertible, Equatable {
    /// `OPENBLAS_CORETYPE` names no kernel, or one the processor cannot run.
    case unusableEnvironment(String)

    public var description: String {
        switch self {
        case .unusableEnvironment(let message): return message
        }
    }
}

/// Puts the process on the fastest OpenBLAS kernel its processor runs, when OpenBLAS fell back to a
/// generic one (`BLASKernel.decide`), and says which kernel it runs.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, so a correction re-executes the
/// process (`/proc/self/exe`, same arguments) with the variable set. The new process checks the
/// kernel with sgemm products of awkward shapes against a double-precision reference
/// (`BLASKernelCheck`); if they disagree it runs again with OpenBLAS's own choice and says so once
/// on stderr. Call `select()` first thing in `main`, before any thread starts or any output is
/// written: `probe` and `ProbeBench` do.
public enum BLASKernelSelection {
    /// Set by the tool on the process it re-executes: `corrected:FROM:TO` or `check-failed:FROM:TO`.
    static let markerVariable = "NEURON_PROBE_BLAS_SELECTION"
    /// Test-only: the kernel to believe OpenBLAS chose, to show the correction on a processor
    /// that OpenBLAS recognises.
    public static let pretendChoiceVariable = "NEURON_PROBE_TEST_OPENBLAS_CHOICE"
    /// Test-only: when set, the check of a corrected kernel fails.
    public static let failCheckVariable = "NEURON_PROBE_TEST_FAIL_KERNEL_CHECK"
    static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// The kernel OpenBLAS runs in this process.
    public static var kernelInUse: String { String(cString: openblas_get_corename()) }

    /// The OpenBLAS build (`openblas_get_config()`: version, DYNAMIC_ARCH, the kernel, thread limit).
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// How this process's kernel was chosen, from the environment it was started with.
    public static var status: BLASKernelStatus {
        let kernel = kernelInUse
        if let marker = Marker.current {
            return marker.failed
                ? BLASKernelStatus(kernel: kernel, selection: .checkFailed, openBLASChoice: marker.from, rejectedKernel: marker.to)
                : BLASKernelStatus(kernel: kernel, selection: .corrected, openBLASChoice: marker.from)
        }
        if getenv(coreTypeVariable) != nil { return BLASKernelStatus(kernel: kernel, selection: .environment) }
        return BLASKernelStatus(kernel: kernel, selection: .openblas)
    }

    /// Chooses the kernel for this process; may replace the process (see the type's comment).
    /// - Throws: `BLASKernelError.unusableEnvironment` when `OPENBLAS_CORETYPE` names no kernel or
    ///   one the processor cannot run.
    public static func select() throws {
        if let marker = Marker.current {
            guard !marker.failed else { return }
            let failure =
                kernelInUse.lowercased() == marker.to.lowercased()
                ? BLASKernelCheck.run(forceFailure: environment(failCheckVariable) != nil)
                : "OpenBLAS runs \(kernelInUse) when asked for \(marker.to)"
            guard let failure else { return }
            FileHandle.standardError.write(
                Data(
                    "neuron-probe: the \(marker.to) BLAS kernel failed its check (\(failure)); running with OpenBLAS's choice, \(marker.from)\n".utf8)
            )
            unsetenv(coreTypeVariable)
            reexecute(marker: Marker(failed: true, from: marker.from, to: marker.to))
            return
        }
        let choice = environment(pretendChoiceVariable) ?? kernelInUse
        // NOTE: set but empty is not unset: OpenBLAS then forces a kernel of its own, whatever the CPU.
        let requested = getenv(coreTypeVariable).map { String(cString: $0) }
        switch BLASKernel.decide(openBLASChoice: choice, environment: requested, features: ProcessorInfo.current.featureSet) {
        case .keep, .keepEnvironment:
            return
        case .refuse(let message):
            throw BLASKernelError.unusableEnvironment(message)
        case .correct(let from, let to):
            setenv(coreTypeVariable, to, 1)
            reexecute(marker: Marker(failed: false, from: from, to: to))
            // Only reached when the process could not be replaced: OpenBLAS's choice stays.
            unsetenv(coreTypeVariable)
        }
    }

    /// Replaces the process with a new run of the same executable and arguments, `markerVariable`
    /// set to `marker`. Returns only when `execv` fails, having said so on stderr.
    private static func reexecute(marker: Marker) {
        setenv(markerVariable, marker.text, 1)
        fflush(stdout)
        fflush(stderr)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(
            Data("neuron-probe: could not restart with another BLAS kernel (\(reason)); running with OpenBLAS's choice, \(kernelInUse)\n".utf8))
        unsetenv(markerVariable)
    }

    /// What a re-executed process is told in `markerVariable`: OpenBLAS chose `from`, the tool asked
    /// for `to`, and whether `to` has failed its check (`corrected:FROM:TO`, `check-failed:FROM:TO`).
    private struct Marker {
        var failed: Bool
        var from, to: String

        var text: String { "\(failed ? "check-failed" : "corrected"):\(from):\(to)" }

        /// The marker this process was started with, if it is one.
        static var current: Marker? {
            guard let parts = environment(markerVariable)?.split(separator: ":").map(String.init), parts.count == 3,
                parts[0] == "corrected" || parts[0] == "check-failed"
            else { return nil }
            return Marker(failed: parts[0] == "check-failed", from: parts[1], to: parts[2])
        }
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}

/// The check a kernel must pass before the tool trusts it: sgemm products of awkward shapes (odd
/// extents, k of 1, both transpositions, leading dimensions beyond the extent, β ≠ 0) against a
/// double-precision reference, each within the bound of float32 summation,
/// `|ĉ − c| ≤ 2·γ_k·Σ|a||b| + 2u·|β c₀|` with `γ_k = k·u / (1 − k·u)`, `u = 2⁻²⁴` (Higham 2002, §3.1).
enum BLASKernelCheck {
    /// nil when every product agrees, else the first one that does not.
    static func run(forceFailure: Bool = false) -> String? {
        if forceFailure { return "made to fail by \(BLASKernelSelection.failCheckVariable)" }
        let shapes: [(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, beta: Float)] = [
            (1, 1, 1, false, false, 0), (7, 13, 33, false, false, 0), (17, 5, 129, true, false, 0.5),
            (65, 3, 2, false, true, 0), (33, 47, 300, true, true, -1), (128, 100, 784, false, true, 1), (5, 257, 1, false, false, 0),
        ]
        var generator = SeededGenerator(seed: 20_140_219)
        for (index, s) in shapes.enumerated() {
            let (rowsA, columnsA) = s.transposeA ? (s.k, s.m) : (s.m, s.k)
            let (rowsB, columnsB) = s.transposeB ? (s.n, s.k) : (s.k, s.n)
            let lda = columnsA + 3, ldb = columnsB + 1, ldc = s.n + 2
            let a = (0..<(rowsA * lda)).map { _ in 2 * generator.nextUniform() - 1 }
            let b = (0..<(rowsB * ldb)).map { _ in 2 * generator.nextUniform() - 1 }
            let c0 = (0..<(s.m * ldc)).map { _ in 2 * generator.nextUniform() - 1 }
            var c = c0
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        gemm(
                            transposeA: s.transposeA, transposeB: s.transposeB, m: s.m, n: s.n, k: s.k,
                            a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: s.beta, c: c.baseAddress!, ldc: ldc)
                    }
                }
            }
            let u = 0x1p-24, gamma = Double(s.k) * u / (1 - Double(s.k) * u)
            for i in 0..<s.m {
                for j in 0..<s.n {
                    var exact = 0.0, magnitude = 0.0
                    for p in 0..<s.k {
                        let x = Double(s.transposeA ? a[p * lda + i] : a[i * lda + p])
                        let y = Double(s.transposeB ? b[j * ldb + p] : b[p * ldb + j])
                        exact += x * y
                        magnitude += abs(x * y)
                    }
                    let scaled = Double(s.beta) * Double(c0[i * ldc + j])
                    let bound = 2 * gamma * magnitude + 4 * u * (abs(scaled) + magnitude)
                    let error = abs(Double(c[i * ldc + j]) - (exact + scaled))
                    if !(error <= bound) {
                        return "product \(index + 1), \(s.m)×\(s.n)×\(s.k): element (\(i), \(j)) is off by \(error), more than \(bound)"
                    }
                }
            }
            // The padding beyond each row of C is not the product's to write.
            for i in 0..<s.m where c[(i * ldc + s.n)..<((i + 1) * ldc)] != c0[(i * ldc + s.n)..<((i + 1) * ldc)] {
                return "product \(index + 1), \(s.m)×\(s.n)×\(s.k): wrote outside C"
            }
        }
        return nil
    }
}
