#!/usr/bin/env python3
"""The table of `bin/bench ptb` and `bin/bench char` (bench/lib.sh lm_suite), from the suite's JSON lines.

  lm_table.py RESULTS SPECS REPEAT DROPOUT

For each workload and dropout: FLOP/token (lm-bench's flops_per_token, which torch_lm_bench.py computes the
same way; a mismatch is reported), the limit at the sgemm rate (sgemm FLOP/s ÷ FLOP/token), LMKit's and
PyTorch's tokens/s (best round), LMKit/torch, and each side's achieved FLOP/s as a share of sgemm (= its
tokens/s as a share of the limit). Then which implementation ran PyTorch's nn.LSTM (torch_lm_bench.py's
lstm_kernel: "oneDNN" is its fused RNN primitive, its fastest CPU path), each dropout-DROPOUT throughput
against the dropout-0 one, and issue 29's targets for each dropout: LMKit ≥ 1.5× torch and ≥ 85 % of the
limit (goal 90 %), with issue 12's: dropout within 5 % of dropout 0.
"""
import sys

from benchlib import best_rounds, ceiling, stall_notes


def main(path, specs, repeat, dropout):
    rows, by = best_rounds(path)
    if int(repeat) > 1:
        print(f"best of {repeat} rounds")
    sgemm, line = ceiling(by, rows, "lmkit:", "torch:")
    print(line)
    names = [s.split(":")[0] for s in specs.split()]
    rates = ["0"] + ([dropout] if dropout != "0" else [])
    hdr = ("workload", "dropout", "MFLOP/tok", "limit tok/s", "LMKit tok/s", "torch tok/s", "LMKit/torch",
           "LMKit GFLOP/s", "of sgemm", "torch of sgemm")
    fmt = "{:<9} {:>7} {:>9} {:>11} {:>11} {:>11} {:>11} {:>13} {:>8} {:>14}"
    print(fmt.format(*hdr))
    shares, speedups = {}, {}
    for name in names:
        for p in rates:
            lm, th = by[f"lmkit:{name}:{p}"], by[f"torch:{name}:{p}"]
            fpt = float(lm["flops_per_token"])
            if abs(float(th["flops_per_token"]) - fpt) > 1e-6 * fpt:
                print(f"warning: {name}: FLOP/token differ, LMKit {fpt:.0f}, torch {th['flops_per_token']:.0f} (different shapes?)")
            lt, tt = float(lm["tokens_per_second"]), float(th["tokens_per_second"])
            limit = sgemm * 1e9 / fpt
            shares[name, p], speedups[name, p] = lt / limit, lt / tt
            print(fmt.format(name, p, f"{fpt / 1e6:.2f}", f"{limit:,.0f}", f"{lt:,.0f}", f"{tt:,.0f}", f"{lt / tt:.2f}x",
                             f"{lt * fpt / 1e9:.2f}", f"{100 * lt / limit:.1f}%", f"{100 * tt / limit:.1f}%"))
    kernels = sorted({str(by[f"torch:{name}:{p}"].get("lstm_kernel", "not reported")) for name in names for p in rates})
    print("torch's nn.LSTM ran: " + ", ".join(kernels))
    for s in specs.split():
        n, layers, hidden, emb, vocab, batch, steps, opt, lr, clip = s.split(":")
        print(f"  {n}: LSTM {layers}x{hidden}, embedding {emb}, vocabulary {vocab}, batch {batch} x {steps}, "
              f"{opt} lr {lr}, clip {clip}")
    if dropout != "0":
        for name in names:
            ratio = {side: float(by[f"{side}:{name}:{dropout}"]["tokens_per_second"])
                     / float(by[f"{side}:{name}:0"]["tokens_per_second"]) for side in ("lmkit", "torch")}
            print(f"{name} with dropout {dropout}: LMKit {ratio['lmkit']:.3f}x, torch {ratio['torch']:.3f}x of its dropout 0")
    for name in names:
        checks = []
        for p in rates:
            checks.append(f"dropout {p}: {speedups[name, p]:.2f}x torch " + ("ok" if speedups[name, p] >= 1.5 else "below 1.5x")
                          + f", {100 * shares[name, p]:.0f}% of limit " + ("ok" if shares[name, p] >= 0.85 else "below 85%"))
        if dropout != "0":
            d = float(by[f"lmkit:{name}:{dropout}"]["tokens_per_second"]) / float(by[f"lmkit:{name}:0"]["tokens_per_second"])
            checks.append(f"dropout {dropout} at {d:.3f}x of dropout 0 " + ("ok" if d >= 0.95 else "below 0.95x"))
        print(f"target {name}: " + "; ".join(checks))
    note = stall_notes(by)
    if note:
        print(note)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: lm_table.py RESULTS SPECS REPEAT DROPOUT")
    main(*sys.argv[1:])
