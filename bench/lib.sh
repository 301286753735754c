#!/usr/bin/env bash
# What the suites share (sourced by bench/train.sh, bench/ptb.sh, bench/char.sh, bench/generate.sh; not a suite).
#
#   bench_setup NAME [--no-torch]  die() messages say "bench NAME:"; sets up the PyTorch venv
#                      (bench/torch-env.sh; with --no-torch, py is the system python3) and sets py (its
#                      python), work (a temporary directory removed on exit), lmbench (a release lm-bench
#                      built in .build-bench/, or $LM_BENCH) and results (an empty JSON-lines file)
#   build_release PRODUCT SCRATCH  a release build of PRODUCT in SCRATCH (needs work); sets built
#   run LABEL CMD...   runs a contender, checks it printed a JSON line with a positive rate
#                      (bench/benchlib.py check) and appends that line, tagged with LABEL, to $results
#   lm_suite NAME SPECS  the embedding-LSTM suites (ptb, char): see below
#
# Env knobs, all suites: BENCH_SECONDS, BENCH_THREADS, BENCH_REPEAT, LM_BENCH, BENCH_JSONL (see train.sh).

die() { echo "bench ${bench_name:-?}: $*" >&2; exit 1; }

bench_setup() {
  bench_name="$1"
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$root"
  if [ "${2:-}" = --no-torch ]; then
    command -v python3 >/dev/null || die "python3 not found (bench/benchlib.py checks and tabulates the results)"
    py=python3
  else
    # PyTorch baseline environment (creates bench/.venv when missing).
    # shellcheck source=bench/torch-env.sh
    source "$root/bench/torch-env.sh" || die "could not set up the PyTorch venv (bench/torch-env.sh)"
    py="$BENCH_PY"
  fi

  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT

  # LMKit's benchmark executable, release build in its own scratch path (git-ignored .build-*/).
  if [ -n "${LM_BENCH:-}" ]; then lmbench="$LM_BENCH"; else build_release lm-bench .build-bench; lmbench="$built"; fi
  [ -x "$lmbench" ] || die "lm-bench not found at $lmbench"

  results="$work/results.jsonl"
  : >"$results"
}

# build_release PRODUCT SCRATCH: release build of PRODUCT in the scratch path SCRATCH; sets built (its path).
build_release() {
  echo "building $1 (release, --scratch-path $2) ..." >&2
  if ! swift build -c release --product "$1" --scratch-path "$2" >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    die "swift build of $1 failed"
  fi
  built="$(swift build -c release --product "$1" --scratch-path "$2" --show-bin-path)/$1"
}

run() {
  local label="$1"; shift
  echo "  $label: $*" >&2
  local rc=0
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 20 "$work/err" >&2
    die "contender '$label' failed (exit $rc): $*"
  fi
  if ! "$py" "$root/bench/benchlib.py" check "$label" "$work/out" >>"$results" 2>"$work/perr"; then
    echo "--- its stdout:" >&2; tail -n 20 "$work/out" >&2
    echo "--- its stderr:" >&2; tail -n 20 "$work/err" >&2
    die "contender '$label' printed no usable JSON ($(cat "$work/perr" | tail -n 1)): $*"
  fi
}

# lm_suite NAME SPECS: for each workload of SPECS (space-separated
# name:layers:hidden:embedding:vocab:batch:steps:optimizer:lr:clip), LMKit (`lm-bench train --embedding`,
# PyTorch's initialisation) and PyTorch (bench/torch_lm_bench.py) with dropout 0 and, unless BENCH_DROPOUT
# is 0, with dropout BENCH_DROPOUT (default 0.5); `lm-bench sgemm` once per round; then the table
# (bench/lm_table.py). BENCH_WORKLOADS replaces SPECS.
lm_suite() {
  bench_setup "$1"
  local specs="${BENCH_WORKLOADS:-$2}"
  local secs="${BENCH_SECONDS:-5}" threads="${BENCH_THREADS:-2}" repeat="${BENCH_REPEAT:-1}" dropout="${BENCH_DROPOUT:-0.5}"
  local round spec name layers hidden emb vocab batch steps opt lr clip p
  local rates=0
  [ "$dropout" != 0 ] && rates="0 $dropout"
  for spec in $specs; do
    IFS=: read -r name layers hidden emb vocab batch steps opt lr clip <<<"$spec"
    [ -n "$clip" ] || die "workload '$spec' is not name:layers:hidden:embedding:vocab:batch:steps:optimizer:lr:clip"
  done
  echo "measuring (${secs} s per contender, torch threads ${threads}, ${repeat} round(s)) ..." >&2
  for ((round = 1; round <= repeat; round++)); do
    run sgemm "$lmbench" sgemm
    for spec in $specs; do
      IFS=: read -r name layers hidden emb vocab batch steps opt lr clip <<<"$spec"
      for p in $rates; do
        run "lmkit:$name:$p" "$lmbench" train --model lstm --layers "$layers" --hidden "$hidden" --embedding "$emb" \
          --vocab "$vocab" --batch "$batch" --steps "$steps" --optimizer "$opt" --lr "$lr" --clip "$clip" \
          --init pytorch --dropout "$p" --seconds "$secs"
        run "torch:$name:$p" "$py" bench/torch_lm_bench.py --layers "$layers" --hidden "$hidden" --embedding "$emb" \
          --vocab "$vocab" --batch "$batch" --steps "$steps" --optimizer "$opt" --lr "$lr" --clip "$clip" \
          --dropout "$p" --threads "$threads" --seconds "$secs"
      done
    done
  done
  if [ -n "${BENCH_JSONL:-}" ]; then cp "$results" "$BENCH_JSONL"; fi
  "$py" bench/lm_table.py "$results" "$specs" "$repeat" "$dropout"
}
