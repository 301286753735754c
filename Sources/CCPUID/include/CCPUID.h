// The CPU's features from the CPUID instruction, and LMKit's start-up check against its floor
// (x86-64-v3). Compiled for the baseline x86-64 (no -target-cpu), so it runs on any x86-64 CPU.
#ifndef CCPUID_H
#define CCPUID_H

#include <stddef.h>

/// Writes the features this CPU offers and the operating system enables, as /proc/cpuinfo
/// names them ("sse2 avx avx2 fma … avx512f …"), space-separated and NUL-terminated, into
/// `buffer` (at most `size` bytes with the NUL); returns the length the whole list needs
/// without the NUL. CPUID answers for the CPU the program runs on, an emulated one included,
/// where /proc/cpuinfo describes the machine. Empty on other architectures.
size_t lmkit_cpu_flags(char *buffer, size_t size);

/// The start-up check's verdict for a space-separated flag list as `lmkit_cpu_flags` writes
/// it and a `LMKIT_KERNELS` value (NULL when unset): NULL when the program may run, else the
/// one line to print after "<program>: " (static storage, no newline). Run by a constructor
/// in every program that links LMKit, before `main`, on this CPU's flags.
const char *lmkit_cpu_refusal(const char *flags, const char *kernels);

#endif
