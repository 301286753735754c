#!/usr/bin/env python3
"""Helpers the training benchmarks share (bench/train.sh, bench/ptb.sh, bench/char.sh and their torch scripts).

Standard library only (the suites call it before and without torch):

  python bench/benchlib.py check LABEL OUT   validate a contender's output (its last JSON line must hold
                                             a positive "gflops" for sgemm, else "tokens_per_second")
                                             and print that line tagged {"contender": LABEL}

In Python: best_rounds() keeps each contender's best round, ceiling() reads the sgemm line,
stall_notes() flags stalled contenders, timed_steps() is the torch scripts' warm-up and timed loop.
"""
import json
import sys
import time


def rate_key(row):
    """The figure a contender is ranked by: GFLOP/s for sgemm, tokens/s for the rest."""
    return "gflops" if row.get("bench") == "sgemm" or row.get("contender") == "sgemm" else "tokens_per_second"


def check(label, path):
    """The last JSON line of a contender's stdout at `path`, tagged with `label` (SystemExit if unusable)."""
    lines = [l for l in open(path).read().splitlines() if l.strip().startswith("{")]
    if not lines:
        sys.exit("no JSON line in its output")
    d = json.loads(lines[-1])
    key = rate_key(d)
    if not isinstance(d.get(key), (int, float)) or d[key] <= 0:
        sys.exit(f"no positive '{key}' in {lines[-1]}")
    d["contender"] = label
    return d


def best_rounds(path):
    """(rows, by): every JSON line of a results file, and each contender's best round."""
    rows = [json.loads(l) for l in open(path)]
    by = {}
    for r in rows:
        key = rate_key(r)
        best = by.get(r["contender"])
        if best is None or r[key] > best[key]:
            by[r["contender"]] = r
    return rows, by


def ceiling(by, rows, lmkit_prefix, torch_prefix):
    """(sgemm GFLOP/s, the header line naming it with both sides' threads and torch's version)."""
    sg = by["sgemm"]
    sgemm = float(sg["gflops"])
    shape = " x ".join(str(sg[k]) for k in ("m", "n", "k") if k in sg)
    torch_v = next((r.get("torch") for r in rows if r.get("torch")), "?")
    lm_threads = next((r.get("threads") for c, r in by.items() if c.startswith(lmkit_prefix)), "?")
    t_threads = next((r.get("threads") for c, r in by.items() if c.startswith(torch_prefix)), "?")
    line = (f"sgemm ceiling: {sgemm:.1f} GFLOP/s" + (f" ({shape})" if shape else "")
            + f"; LMKit threads {lm_threads}; torch {torch_v}, {t_threads} threads")
    return sgemm, line


def stall_notes(by):
    """A line naming contenders whose wall-clock rate fell far below their median-step rate, or None."""
    notes = []
    for c, r in sorted(by.items()):
        med = r.get("tokens_per_second_median")
        if isinstance(med, (int, float)) and med > 0 and r["tokens_per_second"] < 0.8 * med:
            notes.append(f"{c} {r['tokens_per_second']:,.0f} tok/s wall vs {med:,.0f} at its median step")
    if notes:
        return "note: stalls (a busy machine?); rerun or raise BENCH_REPEAT: " + "; ".join(notes)
    return None


def add_timing_arguments(parser):
    """The options of timed_steps's callers: --threads, --seconds, --warmup, --seed."""
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0, help="timed duration, after warm-up")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up training steps (at least)")
    parser.add_argument("--seed", type=int, default=0)


def timed_steps(step, batch, seconds, warmup):
    """Runs `step(*batch(i))` for a warm-up (at least `warmup` steps and about min(0.5, seconds/4) s),
    then for about `seconds`. Returns (timed steps, elapsed s, median step s, last step's result)."""
    i = 0
    t0 = time.perf_counter()
    while i < warmup or time.perf_counter() - t0 < min(0.5, seconds / 4):
        l = step(*batch(i))
        i += 1

    n = 0
    t0 = time.perf_counter()
    t = t0
    step_times = []
    while True:
        l = step(*batch(i + n))
        n += 1
        now = time.perf_counter()
        step_times.append(now - t)
        t = now
        elapsed = now - t0
        if elapsed >= seconds:
            break
    median = sorted(step_times)[len(step_times) // 2]
    return n, elapsed, median, l


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        print(json.dumps(check(sys.argv[2], sys.argv[3])))
    else:
        sys.exit("usage: benchlib.py check LABEL STDOUT_FILE")
