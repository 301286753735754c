#!/usr/bin/env bash
# bin/bench serve: lm-serve under load on loopback, against one lm-generate process (the
# single-stream baseline), measured in the same run.
#
# Models: the d2l RNN-512 (time machine, characters, one-hot input; `lm-train timemachine`, one
# epoch) and a word-level PTB model (Zaremba-small, 2 × 200 LSTM, V 10k; one epoch on the
# first 20k tokens): speed does not depend on how well they are trained.
# For each model: lm-generate --stats (temperature 1, one stream) gives the baseline; then
# lm-serve (--rows 32 --queue 64) takes BENCH_CLIENTS levels of concurrent streaming clients
# (bench/serve_load.py: each client loops POST /v1/completions with "stream": true,
# temperature 1, BENCH_SERVE_TOKENS tokens) for BENCH_SECONDS each. Reported: aggregate
# tokens/s and its ratio to one client's and to lm-generate's, p50/p99 time to first token and
# per-token gap, requests refused with 429 (above rows + queue, by design) and errors (any
# other failure; must be 0).
#
# Env knobs:
#   BENCH_SECONDS       seconds per load level (default 10)
#   BENCH_CLIENTS       load levels (default "1 8 32 128")
#   BENCH_SERVE_TOKENS  max_tokens per request (default 64)
#   BENCH_SERVE_MODELS  models (default "rnn512 ptb"; ptb650: PyTorch's 2 × 650 tied LSTM, V 10k)
# OPENBLAS_CORETYPE is left as the environment sets it (neither model's step calls BLAS).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bench_name=serve
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"   # die, build_release
seconds="${BENCH_SECONDS:-10}"
levels="${BENCH_CLIENTS:-1 8 32 128}"
tokens="${BENCH_SERVE_TOKENS:-64}"
models="${BENCH_SERVE_MODELS:-rnn512 ptb}"
command -v python3 >/dev/null || die "python3 not found"

work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for product in lm-serve lm-generate lm-train; do
  build_release "$product" .build-bench-serve
done
bin="$(dirname "$built")"
# The corpora and recipes as bin/lm-train finds them (the mirror beside the checkout when there is one).
export LM_CORPUS_REGISTRY="${LM_CORPUS_REGISTRY:-$root/corpora/registry.json}" LM_RECIPES="${LM_RECIPES:-$root/recipes}"
if [ -z "${LM_CORPUS_MIRROR:-}" ] && [ -d "$root/../shared/data" ]; then export LM_CORPUS_MIRROR="$root/../shared/data"; fi
results="$work/results.jsonl"
: >"$results"

for model in $models; do
  dir="$work/$model"
  case "$model" in
    rnn512) prompt="time traveller"; train=(timemachine --epochs 1) ;;
    ptb) prompt="the company said"; train=(ptb --recipe zaremba-small --epochs 1 --max-tokens 20000) ;;
    ptb650) prompt="the company said"; train=(ptb --recipe pwl-650-tied --epochs 1 --max-tokens 2000) ;;
    *) die "unknown model $model (rnn512, ptb, ptb650)" ;;
  esac
  echo "  $model: lm-train ${train[*]}" >&2
  "$bin/lm-train" "${train[@]}" --out "$dir" >"$work/train.log" 2>&1 || { tail -n 20 "$work/train.log" >&2; die "training $model failed"; }
  echo "  $model: lm-generate --stats --temperature 1 (single-stream baseline)" >&2
  "$bin/lm-generate" --model "$dir" --prefix "$prompt" --length 20000 --temperature 1 --seed 0 --stats >/dev/null 2>"$work/gen.err" \
    || { cat "$work/gen.err" >&2; die "lm-generate failed"; }
  python3 - "$work/gen.err" "$model" >>"$results" <<'PY'
import json, re, sys
m = re.search(r"generated (\d+) tokens in ([0-9.]+) s \(([0-9]+) tokens/s", open(sys.argv[1]).read())
print(json.dumps({"model": sys.argv[2], "clients": 0, "tokens_per_second": float(m.group(3))}))
PY
  "$bin/lm-serve" --model "$dir" --port 0 --rows 32 --queue 64 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 100); do grep -q "http://" "$work/serve.log" && break; sleep 0.1; done
  port="$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.log" | head -n 1)"
  [ -n "$port" ] || { cat "$work/serve.log" >&2; die "lm-serve did not start"; }
  for clients in $levels; do
    echo "  $model: $clients streaming clients for ${seconds}s" >&2
    python3 bench/serve_load.py "$port" "$model" "$clients" "$seconds" "$tokens" "$prompt" \
      | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["model"]=sys.argv[1]; print(json.dumps(d))' "$model" >>"$results"
  done
  kill -TERM "$server"; wait "$server" || die "lm-serve exited $? on SIGTERM"
  server=""
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("lm-serve under load (streaming clients on loopback), tokens/s aggregate; baseline: one lm-generate process")
fmt = "{:<7} {:>7} {:>10} {:>9} {:>11} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7}"
print(fmt.format("model", "clients", "tokens/s", "×1 client", "×generate", "ttft p50", "ttft p99", "gap p50", "gap p99", "refused", "errors"))
def ms(v): return "-" if v is None else f"{v:.1f}"
for model in dict.fromkeys(r["model"] for r in rows):
    base = next(r for r in rows if r["model"] == model and r["clients"] == 0)["tokens_per_second"]
    one = next((r for r in rows if r["model"] == model and r["clients"] == 1), None)
    print(fmt.format(model, "gen", f"{base:,.0f}", "", "1.00", "", "", "", "", "", ""))
    for r in rows:
        if r["model"] != model or r["clients"] == 0:
            continue
        x1 = r["tokens_per_second"] / one["tokens_per_second"] if one else float("nan")
        print(fmt.format(model, r["clients"], f"{r['tokens_per_second']:,.0f}", f"{x1:.2f}", f"{r['tokens_per_second'] / base:.2f}",
                         ms(r["ttft_p50_ms"]), ms(r["ttft_p99_ms"]), ms(r["gap_p50_ms"]), ms(r["gap_p99_ms"]), r["refused"], r["errors"]))
PY
