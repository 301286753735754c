#!/usr/bin/env bash
# bin/bench generate: generation tokens/s at batch 1 against PyTorch, measured in the same run.
#
# For RNN-512 and GRU-256 (d2l ch. 9 scratch models, vocabulary 28, random weights N(0,1)×0.01)
# and the strategies greedy and temperature (T = 0.8):
#   - torch:  bench/torch_generate.py, d2l's `predict` per-token loop under torch.no_grad(), at
#             BENCH_THREADS threads and at 1 thread (on a shared 2-core machine torch's
#             2 OpenMP threads can collapse; the table compares against torch's better figure);
#   - LMKit:  lm-generate --stats on the very same weights, which torch_generate.py --export
#             writes as an LMKit run directory (stdout to /dev/null; one write per token).
# It also prints both greedy continuations of "time traveller" (LMKit with --allow-unk, since
# d2l's predict does not mask <unk>) to show that the two decode the same way.
#
# Env knobs:
#   BENCH_SECONDS  torch seconds per contender (default 3); LMKit generates BENCH_TOKENS
#   BENCH_TOKENS   tokens per LMKit run (default 100000)
#   BENCH_THREADS  torch threads (default 2)
#   BENCH_MODELS   model:hidden list (default "rnn:512 gru:256")
#   BENCH_REPEAT   rounds (default 1); the table keeps each contender's best round
#   BENCH_LMKIT_RUNS  lm-generate runs per contender and round (default 3; each takes about a
#                  second, so a moment when another process holds a core does not decide the figure)
#   LM_GENERATE    use this lm-generate binary instead of building one
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

secs="${BENCH_SECONDS:-3}"
tokens="${BENCH_TOKENS:-100000}"
threads="${BENCH_THREADS:-2}"
models="${BENCH_MODELS:-rnn:512 gru:256}"
repeat="${BENCH_REPEAT:-1}"
lmkit_runs="${BENCH_LMKIT_RUNS:-3}"

bench_name=generate
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"   # die, build_release

# shellcheck source=bench/torch-env.sh
source "$root/bench/torch-env.sh" || die "could not set up the PyTorch venv (bench/torch-env.sh)"
py="$BENCH_PY"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "${LM_GENERATE:-}" ]; then gen="$LM_GENERATE"; else build_release lm-generate .build-bench-generate; gen="$built"; fi
[ -x "$gen" ] || die "lm-generate not found at $gen"

results="$work/results.jsonl"
: >"$results"

# torch LABEL ARGS...: one torch_generate.py run, its JSON line tagged with LABEL.
torch_run() {
  local label="$1"; shift
  echo "  $label: torch_generate.py $*" >&2
  "$py" bench/torch_generate.py "$@" >"$work/out" 2>"$work/err" || { tail -n 20 "$work/err" >&2; die "torch $label failed"; }
  "$py" -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); d["contender"]=sys.argv[2]; print(json.dumps(d))' \
    "$work/out" "$label" >>"$results"
}

# lmkit LABEL DIR ARGS...: one lm-generate --stats run; parses "generated N tokens in S s (X tokens/s".
lmkit_run() {
  local label="$1" dir="$2"; shift 2
  echo "  $label: lm-generate --model $dir --prefix 'time traveller' --length $tokens --stats $*" >&2
  "$gen" --model "$dir" --prefix "time traveller" --length "$tokens" --stats "$@" >/dev/null 2>"$work/err" \
    || { tail -n 20 "$work/err" >&2; die "lm-generate $label failed"; }
  "$py" - "$work/err" "$label" >>"$results" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"generated (\d+) tokens in ([0-9.]+) s \(([0-9]+) tokens/s", text)
if not m:
    sys.exit("no stats line in: " + text[-300:])
print(json.dumps({"contender": sys.argv[2], "tokens": int(m.group(1)), "seconds": float(m.group(2)),
                  "tokens_per_second": float(m.group(3))}))
EOF
}

echo "measuring (torch ${secs} s per contender at ${threads} and 1 thread(s), LMKit ${tokens} tokens, ${repeat} round(s)) ..." >&2
for ((round = 1; round <= repeat; round++)); do
  for spec in $models; do
    m="${spec%%:*}"; h="${spec##*:}"; dir="$work/$m-$h"
    torch_run "torch$threads:$m:greedy" --model "$m" --hidden "$h" --threads "$threads" --seconds "$secs" --export "$dir"
    torch_run "torch$threads:$m:temperature" --model "$m" --hidden "$h" --threads "$threads" --seconds "$secs" --strategy temperature --temperature 0.8
    if [ "$threads" != 1 ]; then
      torch_run "torch1:$m:greedy" --model "$m" --hidden "$h" --threads 1 --seconds "$secs"
      torch_run "torch1:$m:temperature" --model "$m" --hidden "$h" --threads 1 --seconds "$secs" --strategy temperature --temperature 0.8
    fi
    for ((i = 0; i < lmkit_runs; i++)); do
      lmkit_run "lmkit:$m:greedy" "$dir"
      lmkit_run "lmkit:$m:temperature" "$dir" --temperature 0.8 --seed 0
    done
    if [ "$round" = 1 ]; then
      "$gen" --model "$dir" --prefix "time traveller" --length 50 --allow-unk >"$work/text-$m" 2>/dev/null || true
    fi
  done
done

"$py" - "$results" "$models" "$threads" "$repeat" "$work" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
models, threads, repeat, work = sys.argv[2].split(), sys.argv[3], int(sys.argv[4]), sys.argv[5]
best = {}
for r in rows:
    b = best.get(r["contender"])
    if b is None or r["tokens_per_second"] > b["tokens_per_second"]:
        best[r["contender"]] = r
if repeat > 1:
    print(f"best of {repeat} rounds")
print("generation at batch 1, tokens/s (torch: d2l predict under torch.no_grad(); LMKit: lm-generate)")
tcols = [f"torch {threads}T"] + (["torch 1T"] if threads != "1" else [])
hdr = ["model", "strategy", "LMKit"] + tcols + ["LMKit/torch best"]
fmt = "{:<9} {:<12} {:>10}" + " {:>10}" * len(tcols) + " {:>17}"
print(fmt.format(*hdr))
for spec in models:
    m, h = spec.split(":")
    for s in ("greedy", "temperature"):
        lm = best[f"lmkit:{m}:{s}"]["tokens_per_second"]
        ts = [best[f"torch{t}:{m}:{s}"]["tokens_per_second"] for t in ([threads] + (["1"] if threads != "1" else []))]
        print(fmt.format(f"{m.upper()}-{h}", s, f"{lm:,.0f}", *[f"{t:,.0f}" for t in ts], f"{lm / max(ts):.1f}x"))
print('greedy continuations of "time traveller" (same random weights; LMKit with --allow-unk as d2l does not mask <unk>):')
for spec in models:
    m, h = spec.split(":")
    t = best[f"torch{threads}:{m}:greedy"].get("text", "")
    try:
        lmk = open(f"{work}/text-{m}").read().rstrip("\n")
    except OSError:
        lmk = ""
    print(f"  {m.upper()}-{h} torch: {t}")
    print(f"  {m.upper()}-{h} LMKit: {lmk}  [{'same' if lmk == t else 'DIFFERENT'}]")
EOF
