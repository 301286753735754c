#!/usr/bin/env bash
# bin/bench eval-parity: lm-eval --batch N against PyTorch's word_language_model evaluate(batchify(test, N))
# on the same weights (bench/eval_parity.py, an independent reading of PyTorch's example, not of LMKit).
#
#   bin/bench eval-parity                       # LSTM (tied), GRU and tanh RNN; batches 10, 7 and 1
#   EVAL_PARITY_MODELS=lstm bash bench/eval-parity.sh
#
# Each model is a small word-level run trained one epoch by lm-train on Penn Treebank (raw preset,
# <eos> after lines, 100,000 training tokens by default; the vocabulary is the whole training text's, so every
# test word has an id), exported by lm-convert export --format pytorch. Both sides read
# ptb.test.txt; a case passes when the perplexities agree within EVAL_PARITY_TOL (relative).
#
# Env knobs:
#   EVAL_PARITY_MODELS   models (default "lstm gru rnn")
#   EVAL_PARITY_BATCHES  rows (default "10 7 1")
#   EVAL_PARITY_TOL      relative tolerance on the perplexity (default 1e-6)
#   EVAL_PARITY_TOKENS   training tokens of each model (default 100000; any weights will do)
#   EVAL_PARITY_LINES    evaluate on the first N lines of ptb.test.txt only (default: all 3,761)
#   EVAL_PARITY_BIN      directory of the LMKit tools (default bin/, the release wrappers)
#   EVAL_PARITY_OUT      where runs and files go (default runs/eval-parity)
#   EVAL_PARITY_PY       python with torch and safetensors (default: bench/torch-env.sh's bench/.venv)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
die() { echo "bench eval-parity: $*" >&2; exit 1; }
py="${EVAL_PARITY_PY:-}"
# shellcheck source=bench/torch-env.sh
[ -n "$py" ] || { source "$root/bench/torch-env.sh" || die "could not set up the PyTorch venv (bench/torch-env.sh)"; py="$BENCH_PY"; }
"$py" -c "import torch, safetensors" 2>/dev/null || die "$py cannot import torch and safetensors (set EVAL_PARITY_PY)"
bin="${EVAL_PARITY_BIN:-$root/bin}"
out="${EVAL_PARITY_OUT:-$root/runs/eval-parity}"
tol="${EVAL_PARITY_TOL:-1e-6}"
export OMP_NUM_THREADS=1 LMKIT_BLAS_THREADS=1 LMKIT_BLAS_SMALL_THREADS=1
zip="${LM_CORPUS_MIRROR:-$root/../shared/data}/ptb.zip"
[ -f "$zip" ] || die "no Penn Treebank: $zip is missing (set LM_CORPUS_MIRROR to the directory holding d2l's ptb.zip)"
mkdir -p "$out"
for split in train test; do
  unzip -p "$zip" "ptb/ptb.$split.txt" >"$out/ptb.$split.txt" || die "could not read ptb/ptb.$split.txt from $zip"
done
if [ -n "${EVAL_PARITY_LINES:-}" ]; then
  head -n "$EVAL_PARITY_LINES" "$out/ptb.test.txt" >"$out/test.part" && mv "$out/test.part" "$out/ptb.test.txt"
fi

failed=0
echo "| model | rows | lm-eval cross-entropy | PyTorch cross-entropy | perplexity rel. diff | |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
for model in ${EVAL_PARITY_MODELS:-lstm gru rnn}; do
  case "$model" in
    lstm) flags=(--model lstm --layers 2 --hidden 64 --embedding 64 --tied --init pytorch --recurrent-bias) ;;
    gru) flags=(--model gru --gru-variant pytorch --hidden 64 --embedding 32 --init pytorch --recurrent-bias) ;;
    rnn) flags=(--model rnn --hidden 64 --embedding 32) ;;
    *) die "no model '$model' (have: lstm gru rnn)" ;;
  esac
  run="$out/$model"
  "$bin/lm-train" "$out/ptb.train.txt" "${flags[@]}" --level word --preset raw --eos --max-tokens "${EVAL_PARITY_TOKENS:-100000}" \
    --batch 20 --steps 35 --optimizer adam --lr 0.003 --epochs 1 --threads 1 --out "$run" --overwrite \
    >"$out/$model.train.log" 2>&1 || { tail -n 5 "$out/$model.train.log" >&2; die "$model: lm-train failed"; }
  "$bin/lm-convert" export --format pytorch "$run" "$out/$model.safetensors" >/dev/null 2>&1 || die "$model: lm-convert export failed"
  for rows in ${EVAL_PARITY_BATCHES:-10 7 1}; do
    ours="$("$bin/lm-eval" --model "$run" --batch "$rows" --json "$out/ptb.test.txt")" || die "$model: lm-eval --batch $rows failed"
    theirs="$("$py" -W ignore "$root/bench/eval_parity.py" --weights "$out/$model.safetensors" --vocab "$run/vocab.json" \
      --text "$out/ptb.test.txt" --batch "$rows" --bptt 35)" || die "$model: bench/eval_parity.py failed"
    "$py" - "$model" "$rows" "$ours" "$theirs" "$tol" <<'PY' || failed=1
import json, math, sys
model, rows, ours, theirs, tol = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])["crossEntropy"], json.loads(sys.argv[4]), float(sys.argv[5])
rel = abs(math.exp(ours - theirs["loss"]) - 1)   # |ppl_LMKit / ppl_PyTorch − 1|
print(f"| {model} | {rows} | {ours:.8f} | {theirs['loss']:.8f} | {rel:.1e} | {'PASS' if rel <= tol else 'FAIL'} |")
sys.exit(0 if rel <= tol else 1)
PY
  done
done
[ "$failed" = 0 ] || die "some case is outside the tolerance $tol (FAIL above)"
