#!/usr/bin/env bash
# bin/bench allocs: heap allocations per training window, counted, not timed (issue 29, item 3).
#
# How: valgrind's memcheck counts every malloc, calloc, realloc and aligned allocation of a process
# ("total heap usage: N allocs"). For each workload, a release lm-bench runs `train --windows A`
# and `train --windows B` (after the same 3 warm-up windows); (allocs(B) - allocs(A)) / (B - A) is
# what one window of a training step costs in allocations: forward, backward, clipping and the
# optimizer update, with the data-parallel sums left out (one process). Set-up, warm-up and the
# report cost the same in both runs and cancel, but for the report's numbers, whose text may take
# a string buffer more or less: a workload fails from (B - A) / 2 allocations up, which any
# allocation in every second window reaches. On one core (taskset -c 0, OPENBLAS_NUM_THREADS=1,
# --threads 1), so that nothing is split across threads: valgrind runs threads one at a time, and
# the pool's choice between splitting and not follows its timing. A job the pool does split
# carries one 32-byte box from the Swift runtime (withoutActuallyEscaping's escape check, in
# WorkerPool.run): the one allocation a step still makes on more than one core.
# valgrind 3.19 cannot read the toolchain's DWARF 5, so it runs a copy without debug sections.
#
# Prints a table and fails when a workload allocates in its steps. Valgrind comes from apt-get
# when it is missing. OPENBLAS_CORETYPE is left as the environment sets it (the count does not
# depend on the kernels).
#
# Env knobs: ALLOCS_WINDOWS ("A B", default "4 12"), LM_BENCH (a prebuilt lm-bench).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
if ! command -v valgrind >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  { $sudo apt-get install -y -qq valgrind || { $sudo apt-get update -qq && $sudo apt-get install -y -qq valgrind; }; } >/dev/null 2>&1 \
    || die "valgrind is not installed and apt-get could not install it"
fi
bench_setup allocs --no-torch
read -r first second <<<"${ALLOCS_WINDOWS:-4 12}"
[ "$second" -gt "$first" ] || die "ALLOCS_WINDOWS: the second count must be larger than the first"
objcopy --strip-debug "$lmbench" "$work/lm-bench" || die "objcopy --strip-debug failed"

# name: lm-bench train flags (shapes small, structure as the suites': embedding rows, layers, the
# optimizers, dropout, each cell).
workloads=(
  "ptb-lstm:--model lstm --layers 2 --hidden 64 --embedding 64 --vocab 1000 --batch 8 --steps 10 --init pytorch --lr 20 --clip 0.25"
  "ptb-lstm-dropout:--model lstm --layers 2 --hidden 64 --embedding 64 --vocab 1000 --batch 8 --steps 10 --init pytorch --lr 20 --clip 0.25 --dropout 0.5"
  "char-lstm-adam:--model lstm --layers 2 --hidden 64 --embedding 16 --vocab 66 --batch 10 --steps 10 --init pytorch --optimizer adam --lr 0.002 --clip 5"
  "d2l-gru:--model gru --hidden 64 --vocab 28 --batch 8 --steps 10"
  "d2l-rnn-rmsprop:--model rnn --hidden 64 --vocab 28 --batch 8 --steps 10 --optimizer rmsprop --lr 0.01 --clip 0"
)
count() {  # count WINDOWS FLAGS...: the process's total heap allocations
  local windows="$1"; shift
  local out
  out="$(OPENBLAS_NUM_THREADS=1 taskset -c 0 valgrind --tool=memcheck --leak-check=no --undef-value-errors=no \
        "$work/lm-bench" train "$@" --threads 1 --windows "$windows" 2>&1 >/dev/null)" || { echo "$out" | tail -n 20 >&2; die "lm-bench train $* failed under valgrind"; }
  echo "$out" | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
printf '%-18s %12s %12s %18s\n' workload "allocs@$first" "allocs@$second" "allocs/window"
failed=0
for w in "${workloads[@]}"; do
  name="${w%%:*}"; read -r -a flags <<<"${w#*:}"
  a="$(count "$first" "${flags[@]}")"; b="$(count "$second" "${flags[@]}")"
  [ -n "$a" ] && [ -n "$b" ] || die "$name: no heap summary from valgrind"
  per="$(python3 -c "print(f'{($b - $a) / ($second - $first):g}')")"
  printf '%-18s %12s %12s %18s\n' "$name" "$a" "$b" "$per"
  [ $((2 * (b - a))) -lt $((second - first)) ] || failed=1
done
[ "$failed" -eq 0 ] || die "a training window allocates (see the table); find where with valgrind --xtree-memory=full"
echo "no workload allocates in its training windows"
