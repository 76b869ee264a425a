import XCTest
@testable import Engine

/// Choosing OpenBLAS's kernel: a fallback to a generic core is replaced by the fastest vector
/// kernel the processor runs, a recognised processor keeps OpenBLAS's choice, and the user's
/// OPENBLAS_CORETYPE is kept when it can run and refused when it cannot.
final class BLASKernelTests: XCTestCase {
    private let sse: Set<ProcessorFeature> = [.sse2, .sse3, .ssse3, .sse4_1, .sse4_2]
    private var avx2: Set<ProcessorFeature> { sse.union([.avx, .fma, .avx2]) }
    private var avx512: Set<ProcessorFeature> { avx2.union([.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl]) }
    private var avx512bf16: Set<ProcessorFeature> { avx512.union([.avx512_bf16]) }

    func testAPrescottFallbackOnAnAVX512BF16XeonIsCorrectedToCooperlake() {
        XCTAssertEqual(
            BLASKernel.decide(openBLASChoice: "Prescott", environment: nil, features: avx512bf16), .correct(from: "Prescott", to: "Cooperlake"))
    }

    func testAPrescottFallbackOnAnAVX512CPUWithoutBF16IsCorrectedToSkylakeX() {
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Prescott", environment: nil, features: avx512), .correct(from: "Prescott", to: "SkylakeX"))
    }

    func testAPrescottFallbackOnAnAVX2CPUIsCorrectedToHaswell() {
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Prescott", environment: nil, features: avx2), .correct(from: "Prescott", to: "Haswell"))
    }

    func testAHaswellFallbackOnAnAVX512CPUIsCorrected() {
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Haswell", environment: nil, features: avx512), .correct(from: "Haswell", to: "SkylakeX"))
    }

    func testAnUnknownCoreNameIsCorrected() {
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Unknown", environment: nil, features: avx2), .correct(from: "Unknown", to: "Haswell"))
    }

    func testARecognisedCPUKeepsOpenBLASsChoice() {
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Zen", environment: nil, features: avx2), .keep)
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Haswell", environment: nil, features: avx2), .keep)
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "SkylakeX", environment: nil, features: avx512), .keep)
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Cooperlake", environment: nil, features: avx512bf16), .keep)
        // An AVX-512 kernel OpenBLAS picked for a BF16 processor is the same class: not changed either.
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "SkylakeX", environment: nil, features: avx512bf16), .keep)
    }

    func testACPUWithoutAVX2KeepsOpenBLASsChoice() {
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Prescott", environment: nil, features: sse), .keep)
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Sandybridge", environment: nil, features: sse.union([.avx])), .keep)
    }

    func testAKernelTheUserSetIsKeptEvenWhenSlower() {
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Prescott", environment: "Prescott", features: avx512bf16), .keepEnvironment("Prescott"))
        XCTAssertEqual(BLASKernel.decide(openBLASChoice: "Zen", environment: "haswell", features: avx2), .keepEnvironment("Haswell"))
    }

    func testAKernelTheUserSetThatTheCPUCannotRunIsRefusedNamingWhatItLacks() {
        guard case .refuse(let message) = BLASKernel.decide(openBLASChoice: "Zen", environment: "SkylakeX", features: avx2) else {
            return XCTFail("SkylakeX on an AVX2 processor was not refused")
        }
        XCTAssertTrue(message.hasPrefix("OPENBLAS_CORETYPE=SkylakeX"), message)
        XCTAssertTrue(message.contains("avx512f"), message)
        XCTAssertTrue(message.contains("Haswell"), message)  // what this processor runs instead
        XCTAssertFalse(message.contains("\n"))
    }

    func testAnEmptyKernelNameIsRefusedNotTakenForUnset() {
        guard case .refuse(let message) = BLASKernel.decide(openBLASChoice: "Haswell", environment: "", features: avx2) else {
            return XCTFail("an empty OPENBLAS_CORETYPE was not refused")
        }
        XCTAssertTrue(message.contains("set but empty"), message)
    }

    func testAnUnknownKernelTheUserSetIsRefused() {
        guard case .refuse(let message) = BLASKernel.decide(openBLASChoice: "Zen", environment: "Pentium9", features: avx2) else {
            return XCTFail("an unknown name was not refused")
        }
        XCTAssertTrue(message.contains("OPENBLAS_CORETYPE=Pentium9 is not a kernel"), message)
    }

    func testTheKernelInUsePassesItsCheck() {
        XCTAssertNil(BLASKernelCheck.run())
    }

    func testThisProcessorRunsTheKernelOpenBLASChose() {
        // OpenBLAS never picks a kernel the processor cannot execute; the feature reading must agree.
        let kernel = try! XCTUnwrap(BLASKernel.named(BLASKernelSelection.kernelInUse), BLASKernelSelection.kernelInUse)
        XCTAssertTrue(kernel.requires.isSubset(of: ProcessorInfo.current.featureSet), "\(kernel.name) needs \(kernel.requires)")
        XCTAssertTrue(ProcessorInfo.current.features.contains(.sse2))
    }
}
