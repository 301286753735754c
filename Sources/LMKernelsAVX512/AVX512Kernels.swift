import LMKernels

/// LMKit's kernels compiled for x86-64-v4 (AVX-512 F, BW, CD, DQ, VL: Package.swift's
/// `avx512CPU`), as LMKernelsAVX2 does for the floor. Only read on a CPU that has them
/// (LMTensor's `KernelSet`): even this table's initialiser is AVX-512 code.
public let avx512Kernels = KernelTable(
    recurrentBlock: { m, k, lo, hi, a, lda, w, ldw, c, ldc, wide32, descending in
        RecurrentTiles.block(m: m, k: k, cols: lo..<hi, a: a, lda: lda, w: w, ldw: ldw, c: c, ldc: ldc, wide32: wide32, descending: descending)
    },
    vectorMatrixWide: { x, w, k, n, stride, y, backwards in
        VectorMatrixKernels.wide(x, w, rows: k, cols: n, stride: stride, into: y, backwards: backwards)
    },
    vectorMatrixNarrow: { x, w, k, n, stride, y in
        VectorMatrixKernels.narrow(x, w, rows: k, cols: n, stride: stride, into: y)
    })
