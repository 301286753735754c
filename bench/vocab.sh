#!/usr/bin/env bash
# bin/bench vocab: MB/s and peak memory of `lm-vocab build` at character level on a 100 MB
# file made by repeating timemachine, next to d2l's Python (read + tokenize + Counter) on the
# same file in the same run, with a pass/fail line for the targets.
# BENCH_RUNS (default 3): rounds, best kept. BENCH_VOCAB_BEFORE=/path/to/an/older/lm-vocab: time it in
# the same rounds too (before/after in one sitting) and check that it writes the same vocabulary file.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export LM_CORPUS_REGISTRY="$root/corpora/registry.json"
data="$root/bench/data"
mkdir -p "$data"
big="$data/timemachine-100mb.txt"
if [ ! -f "$big" ]; then
  bin/lm-vocab build timemachine --output "$data/.warmup.json" > /dev/null   # fetches the corpus if missing
  source="$root/corpora/timemachine.txt"
  copies=$(( (100000000 + $(stat -c %s "$source") - 1) / $(stat -c %s "$source") ))
  echo "making $big ($copies copies of timemachine)"
  for _ in $(seq "$copies"); do cat "$source"; done > "$big.tmp" && mv "$big.tmp" "$big"
fi
bytes=$(stat -c %s "$big")
bin/lm-vocab build "$big" --output "$data/.warmup.json" > /dev/null   # build the release binary first

runs=${BENCH_RUNS:-3}
before="${BENCH_VOCAB_BEFORE:-}"
best_swift=""; best_python=""; best_before=""
for run in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$data/.time" "$root/.build/release/lm-vocab" build "$big" --output "$data/.vocab.json" > "$data/.swift.log"
  read -r seconds kib < "$data/.time"
  echo "lm-vocab run $run: ${seconds}s, peak $((kib / 1024)) MiB"
  if [ -z "$best_swift" ] || awk "BEGIN{exit !($seconds < ${best_swift%% *})}"; then best_swift="$seconds $kib"; fi
  if [ -n "$before" ]; then
    /usr/bin/time -f "%e %M" -o "$data/.time" "$before" build "$big" --output "$data/.vocab-before.json" > /dev/null
    read -r seconds kib < "$data/.time"
    echo "before   run $run: ${seconds}s, peak $((kib / 1024)) MiB"
    if [ -z "$best_before" ] || awk "BEGIN{exit !($seconds < ${best_before%% *})}"; then best_before="$seconds $kib"; fi
    cmp -s "$data/.vocab.json" "$data/.vocab-before.json" || { echo "bin/bench vocab: $before writes a different vocabulary file" >&2; exit 1; }
  fi
  python3 "$root/bench/vocab_baseline.py" "$big" > "$data/.python.json"
  pyseconds=$(python3 -c "import json;print(json.load(open('$data/.python.json'))['seconds'])")
  pymib=$(python3 -c "import json;print(int(json.load(open('$data/.python.json'))['peak_mib']))")
  echo "python   run $run: ${pyseconds}s, peak ${pymib} MiB"
  if [ -z "$best_python" ] || awk "BEGIN{exit !($pyseconds < ${best_python%% *})}"; then best_python="$pyseconds $pymib"; fi
done
python3 - "$bytes" $best_swift $best_python $best_before <<'PY'
import sys
size, s_sec, s_kib, p_sec, p_mib = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
mb = size / 1e6
print(f"file: {mb:.1f} MB (best of runs)")
print(f"{'':10} {'MB/s':>8} {'peak MiB':>9}")
print(f"{'lm-vocab':10} {mb / s_sec:8.0f} {s_kib / 1024:9.1f}")
if len(sys.argv) > 6:
    b_sec, b_kib = float(sys.argv[6]), int(sys.argv[7])
    print(f"{'before':10} {mb / b_sec:8.0f} {b_kib / 1024:9.1f}")
print(f"{'python':10} {mb / p_sec:8.1f} {p_mib:9d}")
print(f"ratio lm-vocab / python: {p_sec / s_sec:.1f}x   (targets: >= 10x, >= 300 MB/s, peak < 64 MiB)")
if len(sys.argv) > 6:
    print(f"ratio lm-vocab / before: {b_sec / s_sec:.2f}x")
checks = [(p_sec / s_sec >= 10, f"{p_sec / s_sec:.1f}x python"), (mb / s_sec >= 300, f"{mb / s_sec:.0f} MB/s"),
          (s_kib / 1024 < 64, f"peak {s_kib / 1024:.1f} MiB")]
failed = [text for ok, text in checks if not ok]
print("vocab targets: " + ("PASS" if not failed else "FAIL (" + ", ".join(failed) + ")")
      + " (" + ", ".join(text for _, text in checks) + ")")
PY
