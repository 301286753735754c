import CCPUID
import Foundation
import LMFileSystem
import Testing

/// The CPU's flags as `/proc/cpuinfo` lists them.
@Suite struct CPUFeaturesTests {
    @Test func theFirstFlagsLineIsRead() {
        let text = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 fma avx512f\nbugs\t\t: sysret_ss_attrs\n"
            + "processor\t: 1\nflags\t\t: fpu\n"
        #expect(CPUFeatures.flags(inCPUInfo: text) == ["fpu", "sse2", "avx2", "fma", "avx512f"])
        #expect(CPUFeatures.flags(inCPUInfo: "processor : 0\n").isEmpty)
        #expect(CPUFeatures.flags(inCPUInfo: "").isEmpty)
    }

    @Test func thisHostSaysSomething() {
        // Every x86-64 Linux host lists at least SSE2; elsewhere the set may be empty.
        #if arch(x86_64) && os(Linux)
        #expect(CPUFeatures.host.contains("sse2"))
        #endif
    }
}

/// The start-up check (CCPUID's constructor, before `main`): the one line it prints for a
/// CPU below the floor or an `LMKIT_KERNELS` this CPU cannot serve, and nothing otherwise.
@Suite struct StartupCheckTests {
    static let haswell = "sse2 pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm movbe xsave osxsave avx f16c fma abm bmi1 avx2 bmi2"
    static let westmere = "sse2 pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm"
    static let avx512 = haswell + " avx512f avx512dq avx512cd avx512bw avx512vl"

    func refusal(_ flags: String, _ kernels: String?) -> String? {
        guard let line = kernels.map({ lmkit_cpu_refusal(flags, $0) }) ?? lmkit_cpu_refusal(flags, nil) else { return nil }
        return String(cString: line)
    }

    @Test func theFloorRuns() {
        #expect(refusal(Self.haswell, nil) == nil)
        #expect(refusal(Self.haswell, "") == nil)
        #expect(refusal(Self.haswell, "avx2") == nil)
        #expect(refusal(Self.avx512, "avx512") == nil)
        #expect(refusal(Self.avx512, nil) == nil)
    }

    @Test func aCPUBelowTheFloorIsNamedWhatItLacks() {
        #if arch(x86_64)
        #expect(refusal(Self.westmere, nil)
            == "this CPU lacks AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE, XSAVE (LMKit needs x86-64-v3: Intel Haswell, AMD Excavator or later)")
        let noFMA = Self.haswell.replacingOccurrences(of: " fma", with: "")
        #expect(refusal(noFMA, "avx2")?.hasPrefix("this CPU lacks FMA (") == true)
        #endif
    }

    @Test func kernelsTheCPUCannotServeAreRefused() {
        #if arch(x86_64)
        #expect(refusal(Self.haswell, "avx512") == "LMKIT_KERNELS=avx512, but this CPU lacks AVX512F, AVX512BW, AVX512CD, AVX512DQ, AVX512VL")
        #expect(refusal(Self.avx512, "sse") == "LMKIT_KERNELS=sse is not a kernel set (avx2 or avx512; unset: the best this CPU runs)")
        #endif
    }

    @Test func thisCPUPassedTheCheck() {
        // The check ran before this test binary's main; on x86-64 the flags it read hold the floor.
        #if arch(x86_64)
        #expect(["avx", "avx2", "fma", "bmi2", "movbe"].allSatisfy(CPUFeatures.host.contains))
        #expect(refusal(CPUFeatures.host.sorted().joined(separator: " "), nil) == nil)
        #endif
    }
}
