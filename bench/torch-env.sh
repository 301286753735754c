#!/usr/bin/env bash
# PyTorch baseline environment for the benchmarks: a git-ignored venv at bench/.venv.
#
#   source bench/torch-env.sh   # or: bash bench/torch-env.sh
#
# Idempotent: does nothing when `bench/.venv/bin/python -c "import torch"` already works.
# After sourcing, BENCH_PY is the venv's python.
#
# Install strategy, leanest first (each is checked with `import torch` and a matmul):
#   1. a CPU-only torch wheel from a local wheel directory (pip's find-links, /opt/wheels on our
#      machines), installed --no-deps with torch's pure-python dependencies from PyPI: ~900 MB venv,
#      ~15 s. No CUDA libraries.
#   2. torch from PyPI --no-deps plus the same pure-python dependencies (works where PyPI's wheel
#      is CPU-only; on x86_64 Linux PyPI's wheel needs the nvidia-* libraries and fails here).
#   3. a full `pip install torch` from PyPI (pulls several GB of CUDA libraries).
# Env: TORCH_WHEEL_DIR overrides the local wheel directory (default /opt/wheels).

_lmkit_torch_env() (
  set -euo pipefail
  local root venv py wheeldir deps wheel t0
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  venv="$root/bench/.venv"
  py="$venv/bin/python"
  log() { echo "torch-env: $*" >&2; }
  ok() { "$py" - >/dev/null 2>&1 <<'EOF'
import warnings
warnings.filterwarnings("ignore")
import torch
a = torch.ones(64, 64)
assert float((a @ a)[0, 0]) == 64.0
EOF
  }
  # The conversion checks (bench/convert.sh) also need safetensors, tokenizers and numpy (small wheels).
  extras() {
    "$py" -c "import safetensors, tokenizers, numpy" >/dev/null 2>&1 \
      || "$py" -m pip install --quiet --disable-pip-version-check safetensors tokenizers numpy
  }
  if [ -x "$py" ] && ok; then extras; return 0; fi

  t0=$(date +%s)
  if [ ! -x "$py" ]; then
    log "creating $venv with $(command -v python3) ($(python3 --version 2>&1))"
    python3 -m venv "$venv"
  fi
  # torch's runtime dependencies that are plain Python (sympy pins mpmath<1.4; torch asks a new setuptools).
  deps=(filelock typing-extensions sympy "mpmath>=1.1,<1.4" networkx jinja2 fsspec "setuptools>=77.0.3")
  local pip=("$py" -m pip install --quiet --disable-pip-version-check)

  wheeldir="${TORCH_WHEEL_DIR:-/opt/wheels}"
  wheel="$(ls -1 "$wheeldir"/torch-*+cpu-cp3*-linux_"$(uname -m)".whl "$wheeldir"/torch-*+cpu-cp3*-manylinux*_"$(uname -m)".whl 2>/dev/null \
    | grep "cp$("$py" -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")')-" | sort -V | tail -n 1 || true)"
  if [ -n "$wheel" ]; then
    log "installing local CPU wheel $(basename "$wheel") --no-deps + pure-python deps"
    if "${pip[@]}" --no-deps "$wheel" && "${pip[@]}" "${deps[@]}" && ok && extras; then
      log "torch ready ($(( $(date +%s) - t0 )) s, venv $(du -sh "$venv" | cut -f1))"
      return 0
    fi
    log "local CPU wheel did not work; trying PyPI"
  fi

  log "installing torch from PyPI --no-deps + pure-python deps"
  if "${pip[@]}" --no-deps torch && "${pip[@]}" "${deps[@]}" && ok && extras; then
    log "torch ready ($(( $(date +%s) - t0 )) s, venv $(du -sh "$venv" | cut -f1))"
    return 0
  fi

  log "torch without its binary dependencies does not import; full install from PyPI (large)"
  "${pip[@]}" torch
  if ok && extras; then
    log "torch ready ($(( $(date +%s) - t0 )) s, venv $(du -sh "$venv" | cut -f1))"
    return 0
  fi
  log "FAILED: could not install a working torch into $venv"
  return 1
)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _lmkit_torch_env
else
  _lmkit_torch_env || return 1
  BENCH_PY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.venv/bin/python"
  export BENCH_PY
fi
