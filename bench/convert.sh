#!/usr/bin/env bash
# bin/bench convert: LMKit ↔ PyTorch ↔ Hugging Face tokenizers give the same numbers
# (bench/convert_check.py: logits within 1e-5 relative, identical greedy text, perplexity within
# 1e-4, tokenizers' ids equal to lm-vocab encode's). Runs only when named: it trains ~20 tiny models.
#
#   bin/bench convert                     # every case
#   CONVERT_ONLY=lstm bash bench/convert.sh   # the cases whose name contains "lstm"
#
# Env knobs:
#   CONVERT_PY    python with torch, safetensors and tokenizers (default: bench/torch-env.sh's bench/.venv,
#                 to which the two packages are added)
#   CONVERT_BIN   directory of the LMKit tools (default bin/, the release wrappers)
#   CONVERT_OUT   where runs and files go (default runs/convert)
#   CONVERT_ONLY  run only the cases whose name contains this ("vocab": only the vocabulary checks)
#   CONVERT_TOL   relative tolerance of the logits (default 1e-5)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
die() { echo "bench convert: $*" >&2; exit 1; }
if [ -n "${CONVERT_PY:-}" ]; then
  py="$CONVERT_PY"
else
  # shellcheck source=bench/torch-env.sh
  source "$root/bench/torch-env.sh" || die "could not set up the PyTorch venv (bench/torch-env.sh)"
  py="$BENCH_PY"
fi
"$py" -c "import torch, safetensors, tokenizers, numpy" 2>/dev/null \
  || die "$py cannot import torch, safetensors, tokenizers and numpy (set CONVERT_PY or run bench/torch-env.sh)"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 LMKIT_BLAS_THREADS=1 LMKIT_BLAS_SMALL_THREADS=1
export LM_CORPUS_REGISTRY="${LM_CORPUS_REGISTRY:-$root/corpora/registry.json}"
if [ -z "${LM_CORPUS_MIRROR:-}" ] && [ -d "$root/../shared/data" ]; then export LM_CORPUS_MIRROR="$root/../shared/data"; fi
exec "$py" -W ignore "$root/bench/convert_check.py" --bin "${CONVERT_BIN:-$root/bin}" --out "${CONVERT_OUT:-$root/runs/convert}" \
  --only "${CONVERT_ONLY:-}"
