import Foundation
import LMFileSystem
import LMKernels
import LMKernelsAVX2
import LMKernelsAVX512

/// The instruction sets LMKit's hot kernels (the recurrent product, the vector-matrix
/// products) are compiled for, one chosen per process; everything else is compiled for the
/// floor, x86-64-v3, which a constructor in every LMKit program checks before `main` (CCPUID).
public enum KernelSet: String, CaseIterable, Sendable {
    /// The floor: AVX2 and FMA (x86-64-v3; LMKernelsAVX2). On other architectures, the plain build.
    case avx2
    /// AVX-512 F, BW, CD, DQ and VL (x86-64-v4; LMKernelsAVX512).
    case avx512

    /// The /proc/cpuinfo flags a CPU needs for this set beyond the floor.
    public var requiredFlags: [String] {
        switch self {
        case .avx2: return []
        case .avx512: return ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]
        }
    }

    /// Whether this CPU runs the set (CPUID, ``CPUFeatures/host``; AVX-512 only on x86-64).
    public var isSupported: Bool {
        #if arch(x86_64)
        return requiredFlags.allSatisfy(CPUFeatures.host.contains)
        #else
        return self == .avx2
        #endif
    }

    /// The set's kernels. Reading the AVX-512 table runs AVX-512 code: only where ``isSupported``.
    @inline(__always)
    public var table: KernelTable {
        switch self {
        case .avx2: return avx2Kernels
        case .avx512: return avx512Kernels
        }
    }

    /// The set this process uses: `LMKIT_KERNELS=avx2|avx512` when set (the start-up check has
    /// already refused a value this CPU cannot run), else the widest this CPU supports.
    public static let active: KernelSet = {
        if let name = ProcessInfo.processInfo.environment["LMKIT_KERNELS"], let forced = KernelSet(rawValue: name) {
            return forced
        }
        return KernelSet.avx512.isSupported ? .avx512 : .avx2
    }()
}
