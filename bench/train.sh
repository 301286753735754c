#!/usr/bin/env bash
# bin/bench train: training throughput of LMKit's recurrent models against PyTorch, measured in the same run.
#
# For each of RNN-512, GRU-256, LSTM-256 (d2l ch. 9: vocab 28, batch 32, 35 time steps) it runs
#   - LMKit:          lm-bench train --model M --hidden H --seconds S
#   - torch scratch:  bench/torch_train.py --impl scratch  (d2l's from-scratch model, eager mode)
#   - torch concise:  bench/torch_train.py --impl concise  (nn.RNN/nn.GRU/nn.LSTM + nn.Linear)
# and `lm-bench sgemm` once (the machine's matmul ceiling), then prints a table of tokens/s, the
# ratios LMKit/torch, and LMKit's achieved GFLOP/s (flops_per_token x tokens/s) as a fraction of sgemm.
#
# Env knobs:
#   BENCH_SECONDS  timed seconds per contender (default 5)
#   BENCH_THREADS  torch threads (default 2)
#   BENCH_MODELS   model:hidden list (default "rnn:512 gru:256 lstm:256")
#   BENCH_DROPOUT  also time LMKit with this dropout (between layers and on the top output, as
#                  lm-train --dropout with one-hot input) and print its throughput against
#                  dropout 0, measured in the same rounds (default 0.5; 0 turns it off)
#   BENCH_REPEAT   rounds over all contenders (default 1); the table keeps each one's best round,
#                  which helps on a machine whose 2 cores are shared with other work
#   LM_BENCH       use this lm-bench binary instead of building one (for testing the script)
#   BENCH_JSONL    also write every contender's JSON line (tagged "contender") to this file
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_setup train

secs="${BENCH_SECONDS:-5}"
threads="${BENCH_THREADS:-2}"
models="${BENCH_MODELS:-rnn:512 gru:256 lstm:256}"
repeat="${BENCH_REPEAT:-1}"
dropout="${BENCH_DROPOUT:-0.5}"

echo "measuring (${secs} s per contender, torch threads ${threads}, ${repeat} round(s)) ..." >&2
for ((round = 1; round <= repeat; round++)); do
  run sgemm "$lmbench" sgemm
  for spec in $models; do
    m="${spec%%:*}"; h="${spec##*:}"
    run "lmkit:$m" "$lmbench" train --model "$m" --hidden "$h" --seconds "$secs"
    if [ "$dropout" != 0 ]; then
      run "dropout:$m" "$lmbench" train --model "$m" --hidden "$h" --seconds "$secs" --dropout "$dropout"
    fi
    run "scratch:$m" "$py" bench/torch_train.py --impl scratch --model "$m" --hidden "$h" --threads "$threads" --seconds "$secs"
    run "concise:$m" "$py" bench/torch_train.py --impl concise --model "$m" --hidden "$h" --threads "$threads" --seconds "$secs"
  done
done

if [ -n "${BENCH_JSONL:-}" ]; then cp "$results" "$BENCH_JSONL"; fi

PYTHONPATH="$root/bench" "$py" - "$results" "$models" "$repeat" "$dropout" <<'EOF'
import sys
from benchlib import best_rounds, ceiling, stall_notes
rows, by = best_rounds(sys.argv[1])  # by: contender -> its best round
if int(sys.argv[3]) > 1:
    print(f"best of {sys.argv[3]} rounds")
sgemm, line = ceiling(by, rows, "lmkit:", "scratch:")
print(line)
hdr = ("model", "LMKit tok/s", "scratch tok/s", "concise tok/s", "LMKit/scratch", "LMKit/concise", "LMKit GFLOP/s", "of sgemm")
fmt = "{:<10} {:>12} {:>14} {:>14} {:>14} {:>14} {:>14} {:>9}"
print(fmt.format(*hdr))
for spec in sys.argv[2].split():
    m, h = spec.split(":")
    lm, sc, co = by[f"lmkit:{m}"], by[f"scratch:{m}"], by[f"concise:{m}"]
    lt, st, ct = (float(r["tokens_per_second"]) for r in (lm, sc, co))
    fpt = lm.get("flops_per_token")
    if isinstance(fpt, (int, float)) and fpt > 0:
        gf = fpt * lt / 1e9
        gfs, frac = f"{gf:.2f}", f"{100 * gf / sgemm:.1f}%"
    else:
        gfs, frac = "n/a", "n/a"
    print(fmt.format(f"{m.upper()}-{h}", f"{lt:,.0f}", f"{st:,.0f}", f"{ct:,.0f}",
                     f"{lt / st:.2f}x", f"{lt / ct:.2f}x", gfs, frac))
if sys.argv[4] != "0":
    for spec in sys.argv[2].split():
        m, h = spec.split(":")
        if f"dropout:{m}" in by:
            d, base = float(by[f"dropout:{m}"]["tokens_per_second"]), float(by[f"lmkit:{m}"]["tokens_per_second"])
            print(f"{m.upper()}-{h} with dropout {sys.argv[4]}: {d:,.0f} tok/s, {d / base:.3f}x of dropout 0")
note = stall_notes(by)
if note:
    print(note)
EOF
