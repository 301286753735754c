#!/usr/bin/env bash
# AWD-LSTM parity: `bin/lm-train ptb --recipe awd-lstm` against the PyTorch baseline
# bench/awd_torch.py, per-epoch validation loss side by side (bench/awd_parity.py does the work).
#
#   bash bench/awd-parity.sh                      # 2 epochs a side, tolerance 2 %, 2 threads
#   bash bench/awd-parity.sh --epochs 1 --sides torch --torch-args "--max-batches 5"   # smoke test
#   bash bench/awd-parity.sh --help
#
# Env: AWD_PY (a python with torch; default bench/torch-env.sh's bench/.venv), AWD_LMKIT_ARGS and
# AWD_TORCH_ARGS (extra flags for each side), LM_TRAIN (default bin/lm-train).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${AWD_PY:-}" ]; then
  py="$AWD_PY"
else
  # shellcheck source=bench/torch-env.sh
  source "$root/bench/torch-env.sh" || { echo "bench awd-parity: could not set up the PyTorch venv (bench/torch-env.sh)" >&2; exit 1; }
  py="$BENCH_PY"
fi
"$py" -c "import torch" 2>/dev/null || { echo "bench awd-parity: $py cannot import torch (set AWD_PY or run bench/torch-env.sh)" >&2; exit 1; }
exec "$py" "$root/bench/awd_parity.py" "$@"
