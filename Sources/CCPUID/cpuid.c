// CPUID-based features and the constructor that refuses, with one line, a CPU below LMKit's
// floor before any code built for the floor runs (never SIGILL). Baseline x86-64 code only.
#define _GNU_SOURCE  // program_invocation_short_name
#include "CCPUID.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>  // program_invocation_short_name

#if defined(__x86_64__)
#include <cpuid.h>

/// One feature: its /proc/cpuinfo name, the CPUID leaf, subleaf, register (0 EAX … 3 EDX)
/// and bit, and the XCR0 state bits the OS must enable for it (0 for none).
typedef struct { const char *name; unsigned leaf, subleaf, reg, bit, xcr0; } Feature;

enum { YMM = 0x6, ZMM = 0xe6 };

static const Feature features[] = {
    {"sse2", 1, 0, 3, 26, 0}, {"pni", 1, 0, 2, 0, 0}, {"ssse3", 1, 0, 2, 9, 0},
    {"cx16", 1, 0, 2, 13, 0}, {"sse4_1", 1, 0, 2, 19, 0}, {"sse4_2", 1, 0, 2, 20, 0},
    {"popcnt", 1, 0, 2, 23, 0}, {"lahf_lm", 0x80000001, 0, 2, 0, 0},
    {"movbe", 1, 0, 2, 22, 0}, {"xsave", 1, 0, 2, 26, 0}, {"osxsave", 1, 0, 2, 27, 0},
    {"avx", 1, 0, 2, 28, YMM}, {"f16c", 1, 0, 2, 29, YMM}, {"fma", 1, 0, 2, 12, YMM},
    {"abm", 0x80000001, 0, 2, 5, 0}, {"bmi1", 7, 0, 1, 3, 0}, {"avx2", 7, 0, 1, 5, YMM},
    {"bmi2", 7, 0, 1, 8, 0},
    {"avx512f", 7, 0, 1, 16, ZMM}, {"avx512dq", 7, 0, 1, 17, ZMM}, {"avx512cd", 7, 0, 1, 28, ZMM},
    {"avx512bw", 7, 0, 1, 30, ZMM}, {"avx512vl", 7, 0, 1, 31, ZMM},
    {"avx512_bf16", 7, 1, 0, 5, ZMM},
};

static int has(const Feature *f, unsigned xcr0) {
    unsigned r[4] = {0, 0, 0, 0};
    unsigned top = __get_cpuid_max(f->leaf & 0x80000000u, NULL);
    if (top < f->leaf) return 0;
    __cpuid_count(f->leaf, f->subleaf, r[0], r[1], r[2], r[3]);
    return ((r[f->reg] >> f->bit) & 1) && (xcr0 & f->xcr0) == f->xcr0;
}

static unsigned enabledState(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) return 0;  // no OSXSAVE: no XGETBV
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo;
}

size_t lmkit_cpu_flags(char *buffer, size_t size) {
    unsigned xcr0 = enabledState();
    size_t length = 0;
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
        if (!has(&features[i], xcr0)) continue;
        size_t n = strlen(features[i].name) + (length > 0);
        if (buffer && length + n < size) {
            if (length > 0) buffer[length] = ' ';
            memcpy(buffer + length + (length > 0), features[i].name, n - (length > 0));
        }
        length += n;
    }
    if (buffer && size > 0) buffer[length < size ? length : size - 1] = 0;
    return length;
}
#else
size_t lmkit_cpu_flags(char *buffer, size_t size) {
    if (buffer && size > 0) buffer[0] = 0;
    return 0;
}
#endif

/// Whether the space-separated `flags` hold `name`.
static int listed(const char *flags, const char *name) {
    size_t n = strlen(name);
    for (const char *p = flags; (p = strstr(p, name)) != NULL; p += n) {
        if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
    }
    return 0;
}

/// A floor or kernel set: its features as /proc/cpuinfo names them and as people do.
typedef struct { const char *flag, *label; } Need;

static const Need floorNeeds[] = {
    {"avx", "AVX"}, {"avx2", "AVX2"}, {"bmi1", "BMI1"}, {"bmi2", "BMI2"}, {"f16c", "F16C"},
    {"fma", "FMA"}, {"abm", "LZCNT"}, {"movbe", "MOVBE"}, {"xsave", "XSAVE"},
    {"cx16", "CMPXCHG16B"}, {"lahf_lm", "LAHF"}, {"popcnt", "POPCNT"}, {"pni", "SSE3"},
    {"sse4_1", "SSE4.1"}, {"sse4_2", "SSE4.2"}, {"ssse3", "SSSE3"},
};

static const Need avx512Needs[] = {
    {"avx512f", "AVX512F"}, {"avx512bw", "AVX512BW"}, {"avx512cd", "AVX512CD"},
    {"avx512dq", "AVX512DQ"}, {"avx512vl", "AVX512VL"},
};

/// The labels of `needs` missing from `flags`, comma-separated, into `out`; 0 when none is.
static int missing(const char *flags, const Need *needs, size_t count, char *out, size_t size) {
    out[0] = 0;
    for (size_t i = 0; i < count; i++) {
        if (listed(flags, needs[i].flag)) continue;
        if (out[0]) strncat(out, ", ", size - strlen(out) - 1);
        strncat(out, needs[i].label, size - strlen(out) - 1);
    }
    return out[0] != 0;
}

const char *lmkit_cpu_refusal(const char *flags, const char *kernels) {
#if defined(__x86_64__)
    static char line[512];
    char names[256];
    if (missing(flags, floorNeeds, sizeof floorNeeds / sizeof floorNeeds[0], names, sizeof names)) {
        snprintf(line, sizeof line,
                 "this CPU lacks %s (LMKit needs x86-64-v3: Intel Haswell, AMD Excavator or later)", names);
        return line;
    }
    if (kernels == NULL || kernels[0] == 0 || strcmp(kernels, "avx2") == 0) return NULL;
    if (strcmp(kernels, "avx512") != 0) {
        snprintf(line, sizeof line, "LMKIT_KERNELS=%.64s is not a kernel set (avx2 or avx512; unset: the best this CPU runs)",
                 kernels);
        return line;
    }
    if (missing(flags, avx512Needs, sizeof avx512Needs / sizeof avx512Needs[0], names, sizeof names)) {
        snprintf(line, sizeof line, "LMKIT_KERNELS=avx512, but this CPU lacks %s", names);
        return line;
    }
#else
    (void)flags; (void)kernels;
#endif
    return NULL;
}

/// Runs before main (and before any Swift code of LMKit, which runs only from main): a CPU
/// below the floor, or a LMKIT_KERNELS it cannot serve, ends the program with one line and
/// exit status 1.
__attribute__((constructor)) static void lmkit_check_cpu(void) {
    char flags[512];
    lmkit_cpu_flags(flags, sizeof flags);
    const char *refusal = lmkit_cpu_refusal(flags, getenv("LMKIT_KERNELS"));
    if (refusal == NULL) return;
    fprintf(stderr, "%s: %s\n", program_invocation_short_name, refusal);
    _exit(1);
}
