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
