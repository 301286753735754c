#!/usr/bin/env bash
# bin/bench parity: per-epoch validation loss of a named recipe in LMKit (bin/lm-train) and in the
# PyTorch baseline bench/torch_lm.py, side by side, with the relative difference and PASS/FAIL.
#
#   bin/bench parity                               # the recipes in PARITY_RECIPES (default below)
#   bash bench/parity.sh torch-rnn-char pwl-tied   # the named recipes
#   PARITY_EPOCHS=1 bash bench/parity.sh torch-rnn-char-d2l
#
# Both sides get the same token ids (LMKit's: the run's vocab.json applied by `lm-vocab encode`, and
# the counts checked against what lm-train printed), the same batches (LMKit's parallel sampler,
# replicated by torch_lm.py), the same loss convention (mean per token), clipping, optimizer,
# schedule and initialization scheme; only the random draws differ. A recipe passes when every
# epoch's validation loss (nats) is within PARITY_TOL (relative) of PyTorch's.
#
# Recipes (the table in recipe() below; each gives lm-train's flags and torch_lm.py's):
#   torch-rnn-char      2x256 LSTM, embedding 64, batch 50 x 50, Adam 2e-3, clip 5, PyTorch's init,
#                       on Penn Treebank's train text at character level (first 1,000,000 characters,
#                       --preset raw), validated on its valid text
#   torch-rnn-char-d2l  the same with LMKit's default initialization (d2l's N(0, 0.01), one bias):
#                       runs with today's lm-train flags only
#   pwl-tied            PyTorch word_language_model --tied: 2x200 LSTM, embedding 200, dropout 0.2,
#                       SGD lr 20, clip 0.25, bptt 35, batch 20, lr / 4 on plateau, on PTB words
#   pwl-650-tied        the same at 2x650 with dropout 0.5 (slow: ~tens of minutes per epoch per side)
#
# Env knobs:
#   PARITY_RECIPES     recipes when no argument is given (default "torch-rnn-char pwl-tied")
#   PARITY_EPOCHS      epochs per side (default 3)
#   PARITY_TOL         relative tolerance on the validation loss (default 0.02)
#   PARITY_THREADS     threads for each side (default 2; the sides run one after the other)
#   PARITY_OUT         where runs, ids and logs go (default runs/parity/<recipe>)
#   PARITY_USE_RECIPE  1: call `lm-train CORPUS --recipe NAME` (the recipes registered in LMKit)
#                      instead of the explicit flags of the table (default 0)
#   PARITY_SIDES       both (default), lmkit or torch (torch reuses PARITY_OUT's LMKit run, or builds
#                      the vocabulary with lm-vocab when there is none), or compare (only the table, from
#                      the outputs already in PARITY_OUT: run the lmkit and torch sides at once, one thread
#                      each, then compare)
#   PARITY_TORCH_ARGS  extra torch_lm.py arguments (e.g. "--max-batches 50" for a smoke test)
#   PARITY_PY          python with torch (default: bench/torch-env.sh's bench/.venv)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

epochs="${PARITY_EPOCHS:-3}"
tol="${PARITY_TOL:-0.02}"
threads="${PARITY_THREADS:-2}"
sides="${PARITY_SIDES:-both}"
use_recipe="${PARITY_USE_RECIPE:-0}"
die() { echo "bench parity: $*" >&2; exit 1; }
case "$sides" in both|lmkit|torch|compare) ;; *) die "PARITY_SIDES=$sides: use both, lmkit, torch or compare" ;; esac
[[ "$epochs" =~ ^[1-9][0-9]*$ ]] || die "PARITY_EPOCHS=$epochs: give a positive whole number"

if [ -n "${PARITY_PY:-}" ]; then
  py="$PARITY_PY"
else
  # shellcheck source=bench/torch-env.sh
  source "$root/bench/torch-env.sh" || die "could not set up the PyTorch venv (bench/torch-env.sh)"
  py="$BENCH_PY"
fi
"$py" -c "import torch" 2>/dev/null || die "$py cannot import torch (set PARITY_PY or run bench/torch-env.sh)"

# Penn Treebank's three files, from the corpus mirror's ptb.zip (d2l's, sha1 checked) into bench/data/ptb.
ptb="$root/bench/data/ptb"
ptb_files() {
  [ -f "$ptb/ptb.train.txt" ] && [ -f "$ptb/ptb.valid.txt" ] && [ -f "$ptb/ptb.test.txt" ] && return 0
  local mirror="${LM_CORPUS_MIRROR:-$root/../shared/data}" zip
  zip="$mirror/ptb.zip"
  [ -f "$zip" ] || die "no Penn Treebank: $zip is missing (set LM_CORPUS_MIRROR to the directory holding d2l's ptb.zip)"
  "$py" - "$zip" "$root/bench/data" <<'EOF' || die "could not extract $zip"
import hashlib, sys, zipfile
path, target = sys.argv[1], sys.argv[2]
digest = hashlib.sha1(open(path, "rb").read()).hexdigest()
if digest != "319d85e578af0cdc590547f26231e4e31cdf1e42":
    sys.exit(f"{path}: sha1 {digest}, not d2l's ptb.zip (319d85e5...)")
with zipfile.ZipFile(path) as z:
    for name in ("ptb/ptb.train.txt", "ptb/ptb.valid.txt", "ptb/ptb.test.txt"):
        z.extract(name, target)
EOF
}

# recipe NAME: sets corpus (lm-train's corpus argument), train/valid/test (the text files the
# torch side encodes), lmkit (lm-train's flags for the recipe) and torch (torch_lm.py's flags).
recipe() {
  local char_data word_data
  char_data="--level char --preset raw --max-tokens 1000000 --valid $ptb/ptb.valid.txt --test $ptb/ptb.test.txt"
  word_data="--level word --preset raw --eos --max-tokens 0 --valid $ptb/ptb.valid.txt --test $ptb/ptb.test.txt"
  train="$ptb/ptb.train.txt"; valid="$ptb/ptb.valid.txt"; test="$ptb/ptb.test.txt"
  corpus="$train"; max_tokens=0
  case "$1" in
    torch-rnn-char)
      max_tokens=1000000
      lmkit="--model lstm --layers 2 --hidden 256 --embedding 64 --batch 50 --steps 50 --optimizer adam --lr 0.002
             --clip 5 --sampler parallel --init pytorch --recurrent-bias $char_data"
      torch="--model lstm --layers 2 --hidden 256 --embedding 64 --batch 50 --steps 50 --optimizer adam --lr 0.002
             --clip 5 --init pytorch --recurrent-bias" ;;
    torch-rnn-char-d2l)
      max_tokens=1000000
      lmkit="--model lstm --layers 2 --hidden 256 --embedding 64 --batch 50 --steps 50 --optimizer adam --lr 0.002
             --clip 5 --sampler parallel $char_data"
      torch="--model lstm --layers 2 --hidden 256 --embedding 64 --batch 50 --steps 50 --optimizer adam --lr 0.002
             --clip 5 --init normal:0.01" ;;
    pwl-tied|pwl-650-tied)
      local h=200 p=0.2
      if [ "$1" = pwl-650-tied ]; then h=650; p=0.5; fi
      # word_language_model: nn.LSTM's defaults (two biases), encoder and decoder weight U(±0.1), decoder bias 0.
      lmkit="--model lstm --layers 2 --hidden $h --embedding $h --dropout $p --tied --batch 20 --steps 35
             --optimizer sgd --lr 20 --clip 0.25 --lr-schedule plateau:0.25 --sampler parallel --init pytorch
             --recurrent-bias --init-embedding uniform:0.1 --init-output uniform:0.1 --eval-batch 10 $word_data"
      torch="--model lstm --layers 2 --hidden $h --embedding $h --dropout $p --tied --batch 20 --steps 35
             --optimizer sgd --lr 20 --clip 0.25 --lr-schedule plateau:0.25 --init pytorch --recurrent-bias
             --init-embedding uniform:0.1 --init-output uniform:0.1 --eval-batch 10" ;;
    *) die "no recipe '$1' (have: torch-rnn-char torch-rnn-char-d2l pwl-tied pwl-650-tied)" ;;
  esac
  if [ "$use_recipe" = 1 ]; then
    local base="${1%-d2l}"
    case "$1" in
      pwl-*) corpus=ptb; lmkit="--recipe $base --valid $valid --test $test" ;;
      *) lmkit="--recipe $base $char_data" ;;
    esac
    if [ "$1" = torch-rnn-char-d2l ]; then lmkit="$lmkit --init normal --init-scale 0.01"; fi
  fi
}

# ids FILE VOCAB OUT: LMKit's token ids of FILE under VOCAB (concatenated over lines, as TokenStream).
ids() {
  bin/lm-vocab encode --vocab "$2" <"$1" | tr '\n' ' ' >"$3" || die "lm-vocab encode failed on $1"
}
count() { wc -w <"$1" | tr -d ' '; }

parity() {
  local name="$1" out lrun
  recipe "$name"
  out="${PARITY_OUT:-$root/runs/parity}/$name"
  lrun="$out/lmkit"
  mkdir -p "$out"
  echo "== parity $name: $epochs epochs, tolerance $tol" >&2
  # shellcheck disable=SC2086
  if [ "$sides" = lmkit ] || [ "$sides" = both ]; then
    echo "  lmkit: bin/lm-train $corpus $(echo $lmkit) --epochs $epochs --threads $threads --out $lrun --overwrite" >&2
    if ! bin/lm-train "$corpus" $lmkit --epochs "$epochs" --threads "$threads" --out "$lrun" --overwrite \
        >"$out/lmkit.out" 2>"$out/lmkit.err"; then
      tail -n 20 "$out/lmkit.err" >&2
      die "$name: lm-train failed (log $out/lmkit.err)"
    fi
  fi
  if [ "$sides" = torch ] || [ "$sides" = both ]; then
    local vocab="$lrun/vocab.json"
    if [ ! -f "$vocab" ]; then
      vocab="$out/vocab.json"
      local level=char eos=""
      case "$name" in pwl-*) level=word; eos=--eos ;; esac
      bin/lm-vocab build "$train" --preset raw --level "$level" $eos -o "$vocab" >/dev/null || die "lm-vocab build failed"
    fi
    ids "$train" "$vocab" "$out/train.ids"
    ids "$valid" "$vocab" "$out/valid.ids"
    ids "$test" "$vocab" "$out/test.ids"
    if [ -f "$out/lmkit.out" ] && [ "$sides" = both ]; then
      # lm-train's "corpus ...: N training tokens, M validation" must match the ids torch reads.
      local said n m
      said="$(grep -o '[0-9]* training tokens, [0-9]* validation' "$out/lmkit.out" "$out/lmkit.err" | head -n 1 || true)"
      n="$(count "$out/train.ids")"; m="$(count "$out/valid.ids")"
      [ "$max_tokens" -gt 0 ] && [ "$n" -gt "$max_tokens" ] && n="$max_tokens"
      [[ "$said" == *"$n training tokens, $m validation"* ]] || \
        die "$name: lm-train said '${said:-nothing}', the encoded ids hold $n training and $m validation tokens"
    fi
    echo "  torch: torch_lm.py $(echo $torch) --epochs $epochs --max-tokens $max_tokens ${PARITY_TORCH_ARGS:-}" >&2
    # shellcheck disable=SC2086
    if ! OMP_NUM_THREADS="$threads" "$py" bench/torch_lm.py $torch --epochs "$epochs" --threads "$threads" \
        --train "$out/train.ids" --valid "$out/valid.ids" --test "$out/test.ids" --vocab "$vocab" \
        --max-tokens "$max_tokens" ${PARITY_TORCH_ARGS:-} >"$out/torch.jsonl" 2>"$out/torch.err"; then
      tail -n 20 "$out/torch.err" >&2
      die "$name: torch_lm.py failed (log $out/torch.err)"
    fi
  fi
  case "$sides" in lmkit|torch) echo "  ($sides only: outputs in $out)" >&2; return 0 ;; esac
  local rc=0
  "$py" - "$name" "$lrun/log.jsonl" "$out/lmkit.out" "$out/torch.jsonl" "$tol" <<'EOF' || rc=$?
import json, math, re, sys
name, log, lmkit_out, torch_log, tol = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
lm = [json.loads(l) for l in open(log) if l.strip()]
tl = [json.loads(l) for l in open(torch_log) if l.strip()]
te = [r for r in tl if "epoch" in r]
test = next((r for r in tl if "test_ppl" in r), None)
m = re.search(r"test perplexity ([0-9.]+)", open(lmkit_out).read())
print(f"{name}: validation loss per epoch (nats), LMKit vs PyTorch")
print(f"| epoch | LMKit train | torch train | LMKit val | torch val | rel. diff | LMKit s | torch s | lr |")
print(f"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
ok = len(lm) == len(te) and len(lm) > 0
prev = 0.0
for a, b in zip(lm, te):
    lv, tv = math.log(a["val_ppl"]), b["val_loss"]
    rel = abs(lv - tv) / tv
    ok &= rel <= tol
    print(f"| {a['epoch']} | {math.log(a['train_ppl']):.4f} | {b['train_loss']:.4f} | {lv:.4f} | {tv:.4f} | "
          f"{100 * rel:.2f} % | {a['seconds'] - prev:.0f} | {b['seconds']:.0f} | {a['lr']:g} / {b['lr']:g} |")
    prev = a["seconds"]
if m and test:
    print(f"test perplexity: LMKit {float(m.group(1)):.3f}, PyTorch {test['test_ppl']:.3f}")
if len(lm) != len(te):
    print(f"epochs differ: LMKit logged {len(lm)}, torch {len(te)}")
print(f"{name}: {'PASS' if ok else 'FAIL'} (every epoch within {100 * tol:g} %)")
sys.exit(0 if ok else 3)
EOF
  case "$rc" in 0) ;; 3) failed=1 ;; *) die "$name: could not compare $lrun/log.jsonl with $out/torch.jsonl" ;; esac
}

recipes=("$@")
if [ ${#recipes[@]} -eq 0 ]; then
  read -r -a recipes <<<"${PARITY_RECIPES:-torch-rnn-char pwl-tied}"
fi
ptb_files
failed=0
for r in "${recipes[@]}"; do parity "$r"; done
[ "$failed" = 0 ] || { echo "bench parity: some recipe is outside the tolerance (FAIL above)" >&2; exit 3; }
