import CCPU
import Foundation

/// An instruction-set extension that decides which BLAS kernels a processor can run.
public enum ProcessorFeature: String, CaseIterable, Codable, Comparable, Sendable {
    case sse2, sse3, ssse3, sse4_1, sse4_2, avx, fma, fma4, avx2
    case avx512f, avx512dq, avx512cd, avx512bw, avx512vl
    case avx512_bf16

    public static func < (a: ProcessorFeature, b: ProcessorFeature) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What the processor is and which features both it and the operating system support, read with
/// `cpuid` and `xgetbv` (Intel SDM vol. 2A, CPUID; vol. 1 §13.3): a feature whose registers the OS
/// does not save (AVX without XCR0's YMM bits, AVX-512 without its ZMM and opmask bits) counts as absent.
public struct ProcessorInfo: Codable, Equatable, Sendable {
    /// `GenuineIntel`, `AuthenticAMD`, … (empty off x86).
    public var vendor: String
    /// The brand string, e.g. `AMD EPYC 7B13 64-Core Processor` (empty when the processor has none).
    public var model: String
    /// The display family and model numbers (family 6 model 207 for an Emerald Rapids Xeon).
    public var family: Int
    public var modelNumber: Int
    /// The usable features, in a fixed order.
    public var features: [ProcessorFeature]
    /// The same, as a set.
    public var featureSet: Set<ProcessorFeature> { Set(features) }

    /// A description of a processor with these features (for tests and for other machines' records).
    public init(vendor: String, model: String, family: Int, modelNumber: Int, features: Set<ProcessorFeature>) {
        self.vendor = vendor
        self.model = model
        self.family = family
        self.modelNumber = modelNumber
        self.features = features.sorted()
    }

    /// This machine's processor.
    public static let current = ProcessorInfo.read()

    private static func read() -> ProcessorInfo {
        func bit(_ register: UInt32, _ index: Int) -> Bool { register & (1 << UInt32(index)) != 0 }
        func text(_ registers: [UInt32]) -> String {
            let bytes = registers.flatMap { r in (0..<4).map { UInt8(truncatingIfNeeded: r >> (8 * UInt32($0))) } }
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        let zero = np_cpuid(0, 0)
        let vendor = text([zero.ebx, zero.edx, zero.ecx])
        let one = np_cpuid(1, 0), seven = np_cpuid(7, 0), sevenOne = np_cpuid(7, 1), extended = np_cpuid(0x8000_0001, 0)
        let brand = (0x8000_0002...0x8000_0004).flatMap { leaf -> [UInt32] in
            let r = np_cpuid(UInt32(leaf), 0)
            return [r.eax, r.ebx, r.ecx, r.edx]
        }
        let xcr0 = np_xcr0()
        let osSavesYMM = xcr0 & 0b110 == 0b110  // SSE and AVX state
        let osSavesZMM = osSavesYMM && xcr0 & 0b1110_0000 == 0b1110_0000  // opmask, ZMM0-15 upper halves, ZMM16-31
        var features: Set<ProcessorFeature> = []
        let candidates: [(ProcessorFeature, Bool)] = [
            (.sse2, bit(one.edx, 26)), (.sse3, bit(one.ecx, 0)), (.ssse3, bit(one.ecx, 9)),
            (.sse4_1, bit(one.ecx, 19)), (.sse4_2, bit(one.ecx, 20)),
            (.avx, osSavesYMM && bit(one.ecx, 28)), (.fma, osSavesYMM && bit(one.ecx, 12)),
            (.fma4, osSavesYMM && bit(extended.ecx, 16)), (.avx2, osSavesYMM && bit(seven.ebx, 5)),
            (.avx512f, osSavesZMM && bit(seven.ebx, 16)), (.avx512dq, osSavesZMM && bit(seven.ebx, 17)),
            (.avx512cd, osSavesZMM && bit(seven.ebx, 28)), (.avx512bw, osSavesZMM && bit(seven.ebx, 30)),
            (.avx512vl, osSavesZMM && bit(seven.ebx, 31)), (.avx512_bf16, osSavesZMM && bit(sevenOne.eax, 5)),
        ]
        for (feature, present) in candidates where present { features.insert(feature) }
        // The display family and model (Intel SDM vol. 2A, CPUID leaf 1, EAX).
        let baseFamily = Int(one.eax >> 8 & 0xF), baseModel = Int(one.eax >> 4 & 0xF)
        let family = baseFamily == 0xF ? baseFamily + Int(one.eax >> 20 & 0xFF) : baseFamily
        let model = baseFamily == 0x6 || baseFamily == 0xF ? Int(one.eax >> 16 & 0xF) << 4 | baseModel : baseModel
        return ProcessorInfo(vendor: vendor, model: text(brand), family: family, modelNumber: model, features: features)
    }
}
