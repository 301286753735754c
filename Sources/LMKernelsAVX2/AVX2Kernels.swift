import LMKernels

/// LMKit's kernels compiled for the floor, x86-64-v3 (AVX2, FMA: Package.swift's `floorCPU`):
/// the entry points the shared source is inlined into. Written here, not in LMKernels, so that
/// each instruction set's module holds its own functions (a shared generic body would be one
/// symbol, and the linker would keep only one of its copies).
public let avx2Kernels = KernelTable(
    recurrentBlock: { m, k, lo, hi, a, lda, w, ldw, c, ldc, wide32, descending in
        RecurrentTiles.block(m: m, k: k, cols: lo..<hi, a: a, lda: lda, w: w, ldw: ldw, c: c, ldc: ldc, wide32: wide32, descending: descending)
    },
    vectorMatrixWide: { x, w, k, n, stride, y, backwards in
        VectorMatrixKernels.wide(x, w, rows: k, cols: n, stride: stride, into: y, backwards: backwards)
    },
    vectorMatrixNarrow: { x, w, k, n, stride, y in
        VectorMatrixKernels.narrow(x, w, rows: k, cols: n, stride: stride, into: y)
    })
