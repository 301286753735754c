#!/usr/bin/env bash
# bin/bench distributed: data-parallel training over Open MPI (issue 15) against one process, on this machine.
#
# Workloads: RNN-512 (d2l ch. 9: one-hot input, vocab 28, batch 32 x 35 steps, SGD lr 1, clip 1, d2l init),
# ptb200 and ptb650 (as bench/ptb.sh: LSTM 2x200 and 2x650, embedding = hidden, vocabulary 10,000,
# batch 20 x 20 and 20 x 35, SGD lr 1, clip 0.25, PyTorch's init, no dropout). Each round runs, per workload,
#   - np1x2t: lm-bench train ... --threads 2                                  (one process, 2 BLAS threads)
#   - np2x1t: mpirun -np 2 --bind-to core lm-bench train ... --threads 1      (2 ranks, one core each)
# in alternating order (np1 first in odd rounds), then `mpirun -np 2 lm-bench allreduce` of 1 float and of
# each workload's gradient (loopback latency and bandwidth). --batch is the whole batch in both: each rank
# trains half its rows and the gradients are summed by MPI_Allreduce every step. The table gives tokens/s of
# the whole batch, np2/np1, both step times, the 2-rank run's seconds in the gradient sum per step (rank 0;
# it includes waiting for the slower rank) and its share of the step, the gradient's MB, and the allreduce
# of that size alone.
#
# Needs Open MPI's mpirun (bin/setup installs it), not PyTorch. Env knobs: BENCH_SECONDS (default 5),
# BENCH_REPEAT (rounds, each contender's best kept, default 1), BENCH_WORKLOADS (replaces the workloads:
# name:model:layers:hidden:embedding:vocab:batch:steps:init:clip, embedding 0 for one-hot), LM_BENCH and
# BENCH_JSONL (as train.sh; the allreduce lines are appended).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

bench_setup distributed --no-torch
command -v mpirun >/dev/null || die "mpirun not found: this suite needs Open MPI (run bin/setup)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
allreduce="$work/allreduce.jsonl"
: >"$allreduce"

specs="${BENCH_WORKLOADS:-rnn512:rnn:1:512:0:28:32:35:d2l:1 ptb200:lstm:2:200:200:10000:20:20:pytorch:0.25 ptb650:lstm:2:650:650:10000:20:35:pytorch:0.25}"
secs="${BENCH_SECONDS:-5}"
repeat="${BENCH_REPEAT:-1}"
for spec in $specs; do
  IFS=: read -r name model layers hidden emb vocab batch steps init clip <<<"$spec"
  [ -n "$clip" ] || die "workload '$spec' is not name:model:layers:hidden:embedding:vocab:batch:steps:init:clip"
done

# train_args SPEC: lm-bench train's arguments for a workload (sets name).
train_args() {
  local model layers hidden emb vocab batch steps init clip
  IFS=: read -r name model layers hidden emb vocab batch steps init clip <<<"$1"
  args=(train --model "$model" --layers "$layers" --hidden "$hidden" --vocab "$vocab" --batch "$batch" --steps "$steps"
        --init "$init" --optimizer sgd --lr 1 --clip "$clip" --seconds "$secs")
  [ "$emb" = 0 ] || args+=(--embedding "$emb")
}

echo "measuring (${secs} s per contender, ${repeat} round(s); $(mpirun --version 2>/dev/null | head -n 1)) ..." >&2
for ((round = 1; round <= repeat; round++)); do
  for spec in $specs; do
    train_args "$spec"
    order="np1 np2"
    [ $((round % 2)) -eq 0 ] && order="np2 np1"
    for c in $order; do
      if [ "$c" = np1 ]; then
        run "np1:$name" "$lmbench" "${args[@]}" --threads 2
      else
        run "np2:$name" mpirun -np 2 --bind-to core "$lmbench" "${args[@]}" --threads 1
      fi
    done
  done
  sizes="1"
  for spec in $specs; do
    train_args "$spec"
    sizes+=",$("$py" -c 'import json,sys; print(next(json.loads(l)["gradient_bytes"] // 4 for l in open(sys.argv[1]) if json.loads(l)["contender"] == sys.argv[2]))' "$results" "np2:$name")"
  done
  echo "  allreduce: mpirun -np 2 --bind-to core $lmbench allreduce --floats $sizes" >&2
  mpirun -np 2 --bind-to core "$lmbench" allreduce --floats "$sizes" >"$work/out" 2>"$work/err" \
    || { tail -n 20 "$work/err" >&2; die "lm-bench allreduce failed"; }
  grep '^{' "$work/out" >>"$allreduce" || die "lm-bench allreduce printed no JSON line"
done

if [ -n "${BENCH_JSONL:-}" ]; then cat "$results" "$allreduce" >"$BENCH_JSONL"; fi

model_name="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
PYTHONPATH="$root/bench" "$py" - "$results" "$allreduce" "$specs" "$repeat" "${model_name:-?}" "$(nproc)" <<'EOF'
import json, sys
from benchlib import best_rounds, stall_notes
rows, by = best_rounds(sys.argv[1])  # by: contender -> its best round
ar = {}  # floats -> the fastest round's allreduce line
for line in open(sys.argv[2]):
    d = json.loads(line)
    if d["floats"] not in ar or d["mean_s"] < ar[d["floats"]]["mean_s"]:
        ar[d["floats"]] = d
print(f"{sys.argv[5]}, {sys.argv[6]} cores" + (f"; best of {sys.argv[4]} rounds" if int(sys.argv[4]) > 1 else ""))
hdr = ("workload", "np1x2t tok/s", "np2x1t tok/s", "np2/np1", "np1 ms/step", "np2 ms/step",
       "allreduce ms/step", "of step", "MPI ms/step", "gradient MB", "alone ms", "alone GB/s")
fmt = "{:<9} {:>12} {:>12} {:>8} {:>11} {:>11} {:>17} {:>7} {:>11} {:>11} {:>8} {:>10}"
print(fmt.format(*hdr))
for spec in sys.argv[3].split():
    name = spec.split(":")[0]
    one, two = by[f"np1:{name}"], by[f"np2:{name}"]
    t1, t2 = float(one["tokens_per_second"]), float(two["tokens_per_second"])
    step1, step2 = float(one["seconds"]) / one["train_steps"], float(two["seconds"]) / two["train_steps"]
    sum_s = float(two["allreduce_seconds_per_step"])
    alone = ar.get(two["gradient_bytes"] // 4)
    print(fmt.format(name, f"{t1:,.0f}", f"{t2:,.0f}", f"{t2 / t1:.2f}x", f"{step1 * 1e3:.2f}", f"{step2 * 1e3:.2f}",
                     f"{sum_s * 1e3:.2f}", f"{100 * sum_s / step2:.0f}%",
                     f"{float(two['allreduce_mpi_seconds_per_step']) * 1e3:.2f}", f"{two['gradient_bytes'] / 1e6:.2f}",
                     f"{alone['mean_s'] * 1e3:.2f}" if alone else "n/a", f"{alone['gb_per_s']:.2f}" if alone else "n/a"))
if 1 in ar:
    print(f"allreduce of 1 float (2 ranks): mean {ar[1]['mean_s'] * 1e6:.1f} us, min {ar[1]['min_s'] * 1e6:.1f} us")
print("allreduce ms/step: rank 0's time in the gradient sum (weighting in place, MPI_Allreduce), waits for the "
      "slower rank included; MPI ms/step: MPI_Allreduce alone; alone: lm-bench allreduce of the same size")
note = stall_notes(by)
if note:
    print(note)
EOF
