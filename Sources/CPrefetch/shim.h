// Software prefetch for LMTensor's kernels (Swift has no prefetch intrinsic): a hint that
// the cache line at `p` will be read soon. Header-only: nothing to link.
static inline void lmkit_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
