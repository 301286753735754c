#!/usr/bin/env python3
"""PyTorch baseline for `bin/bench ptb` and `bin/bench char`: an embedding LSTM language model, training throughput.

The model is PyTorch's examples/word_language_model RNNModel (untied): nn.Embedding(V, E) → nn.Dropout(p) →
nn.LSTM(E, H, num_layers=L, dropout=p) → nn.Dropout(p) → nn.Linear(H, V), module default initialisation,
in train mode. The loss is F.cross_entropy's default, the mean over the window's tokens. One training step
(the example's train()): detach the carried state, zero the gradients, forward over a window of --steps × --batch
token ids (time-major, the example's batchify/get_batch), backward, torch.nn.utils.clip_grad_norm_(--clip), and
torch.optim.SGD or torch.optim.Adam (default betas and eps) at --lr. Data are uniform random token ids. After a
warm-up, steps are timed for about --seconds and one JSON line is printed:

  {"bench":"lm","model":"lstm","layers":2,"hidden":200,"embedding":200,"vocab":10000,...,"tokens_per_second":...}

with "lstm_kernel": which implementation ran nn.LSTM in one more step after the timing (lstm_kernel()), so
that the table shows the baseline is PyTorch's fused oneDNN RNN, its fastest CPU path.

tokens per step = batch × steps (the target tokens). flops_per_token is the count lm-bench uses for the same
shapes (LMKit's ModelConfig.flopsPerToken): multiply-adds × 2 of the forward products, times 3 for forward +
backward (weight and input gradients), the embedding lookup and its gradient scatter counted as 0 and
element-wise work (gates, softmax, dropout, clipping, the update) not counted:

  6 · (H·V + Σ_l (in_l + H) · 4H),  in_0 = E, in_l = H for l > 0.
"""
import argparse
import json
import math
import sys
import warnings

warnings.filterwarnings("ignore", message=".*NumPy.*")  # the CPU wheel is installed without numpy

import torch
from torch import nn
from torch.nn import functional as F

from benchlib import add_timing_arguments, timed_steps


def lstm_kernel(step, window):
    """Which implementation ran nn.LSTM in one more training step, from the ATen operators that
    torch.profiler records: "oneDNN" when the forward was aten::mkldnn_rnn_layer and the backward
    aten::mkldnn_rnn_layer_backward (PyTorch's fused CPU RNN primitive, its fastest CPU path),
    else the LSTM operators that did run, e.g. "aten::lstm_cell" for ATen's step-by-step loop."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        step(*window)
    names = {e.key for e in prof.key_averages()}
    if {"aten::mkldnn_rnn_layer", "aten::mkldnn_rnn_layer_backward"} <= names:
        return "oneDNN"
    rnn = sorted(n for n in names if "lstm" in n.lower() or "rnn" in n.lower())
    return "+".join(rnn) or "unknown"


class RNNModel(nn.Module):
    """word_language_model's RNNModel for an LSTM, untied: encoder, dropout, LSTM, dropout, decoder."""

    def __init__(self, vocab, embedding, hidden, layers, dropout):
        super().__init__()
        self.vocab = vocab
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(vocab, embedding)
        self.rnn = nn.LSTM(embedding, hidden, layers, dropout=dropout)
        self.decoder = nn.Linear(hidden, vocab)
        self.layers, self.hidden = layers, hidden

    def forward(self, inputs, state):
        emb = self.drop(self.encoder(inputs))
        output, state = self.rnn(emb, state)
        output = self.drop(output)
        return self.decoder(output).view(-1, self.vocab), state

    def begin_state(self, batch):
        shape = (self.layers, batch, self.hidden)
        return (torch.zeros(shape), torch.zeros(shape))


def flops_per_token(vocab, embedding, hidden, layers):
    """Forward + backward multiply-adds × 2 per target token (see the module docstring)."""
    gh = 4 * hidden
    total = 6 * hidden * vocab
    for l in range(layers):
        total += 6 * ((embedding if l == 0 else hidden) + hidden) * gh
    return float(total)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vocab", type=int, default=10000)
    p.add_argument("--embedding", type=int, default=200)
    p.add_argument("--hidden", type=int, default=200)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch", type=int, default=20)
    p.add_argument("--steps", type=int, default=20, help="time steps per window (bptt)")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--lr", type=float, default=1.0)
    p.add_argument("--clip", type=float, default=0.25, help="global gradient-norm bound; 0 for none")
    p.add_argument("--dropout", type=float, default=0.0)
    add_timing_arguments(p)
    args = p.parse_args(argv)
    if min(args.vocab, args.embedding, args.hidden, args.layers, args.batch, args.steps) < 1:
        p.error("sizes must be positive")
    if not 0 <= args.dropout < 1:
        p.error("--dropout must be in [0, 1)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    # A random corpus batchified into `batch` columns, read window after window (get_batch).
    chunks = 64
    corpus = torch.randint(0, args.vocab, (chunks * args.steps + 1, args.batch))

    def batch(i):
        o = (i % chunks) * args.steps
        return corpus[o:o + args.steps], corpus[o + 1:o + 1 + args.steps].reshape(-1)

    model = RNNModel(args.vocab, args.embedding, args.hidden, args.layers, args.dropout)
    model.train()
    optim = (torch.optim.SGD if args.optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=args.lr)
    state = model.begin_state(args.batch)

    def step(data, targets):
        nonlocal state
        state = tuple(s.detach() for s in state)  # repackage_hidden: keep the state, cut the graph
        optim.zero_grad()
        output, state = model(data, state)
        loss = F.cross_entropy(output, targets)
        loss.backward()
        if args.clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optim.step()
        return loss.detach()

    n, elapsed, median, l = timed_steps(step, batch, args.seconds, args.warmup)
    kernel = lstm_kernel(step, batch(n))
    loss = float(l)
    if not math.isfinite(loss):
        print(f"torch_lm_bench: non-finite loss {loss}", file=sys.stderr)
        return 1

    tokens = n * args.batch * args.steps
    tps = tokens / elapsed
    fpt = flops_per_token(args.vocab, args.embedding, args.hidden, args.layers)
    print(json.dumps({
        "bench": "lm", "model": "lstm", "layers": args.layers, "hidden": args.hidden, "embedding": args.embedding,
        "vocab": args.vocab, "batch": args.batch, "steps": args.steps, "optimizer": args.optimizer, "lr": args.lr,
        "clip": args.clip, "dropout": args.dropout, "threads": args.threads,
        "tokens_per_second": round(tps, 1),
        "train_steps": n, "seconds": round(elapsed, 3), "loss": round(loss, 4),
        # diagnostic: throughput at the median step time, which ignores stalls from a busy machine
        "median_step_ms": round(median * 1e3, 3),
        "tokens_per_second_median": round(args.batch * args.steps / median, 1),
        "flops_per_token": fpt, "gflops": round(tps * fpt / 1e9, 3),
        "torch": torch.__version__, "lstm_kernel": kernel,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
