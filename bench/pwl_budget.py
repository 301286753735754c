#!/usr/bin/env python3
"""PyTorch's word_language_model on Penn Treebank under a wall-time budget: what PyTorch reaches in
the minutes LMKit's `ptb-hour` recipe is given. Written for LMKit after the example's main.py
(pytorch/examples, word_language_model); defaults are its defaults.

Model: nn.Embedding (--emsize, U(±0.1)) -> dropout -> nn.LSTM (--nlayers x --nhid, dropout
between layers) -> dropout -> nn.Linear (U(±0.1), bias 0; --tied shares the embedding). Training:
batchify into --batch-size streams, windows of --bptt with the state carried (from zero each
epoch), the mean cross-entropy, clip_grad_norm_ (--clip), SGD at --lr; after an epoch whose
validation loss is not below the best, lr x --lr-factor (main.py: / 4). Validation and test read
--eval-batch rows; the test uses the best-validation weights.

The budget (--minutes, wall time from the start of this process) covers everything, the final
test included: training stops at the end of the batch after which the time left would not cover
a validation and the test (at the evaluation rate timed on a few validation windows before
training, then on each whole validation, with a 25 % margin). A partial last epoch is validated
like a whole one, and kept when it is the best.

Output: JSON lines on stdout, the curve: {"event": "start", ...}; per epoch (or partial epoch)
{"epoch", "partial", "elapsed", "train_loss", "val_loss", "val_ppl", "lr", "seconds",
"tokens_per_second", "batches"}; last {"event": "test", "test_loss", "test_ppl", "elapsed",
"budget_seconds", "best_epoch", ...}. Notes go to stderr.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import ptb_torch

MARGIN = 1.25


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=None, help="d2l's ptb.zip or a directory of ptb.{train,valid,test}.txt "
                                                "(default $LM_CORPUS_MIRROR/ptb.zip, else ../shared/data/ptb.zip)")
    p.add_argument("--minutes", type=float, default=60.0, help="wall-time budget, final test included")
    p.add_argument("--emsize", type=int, default=200)
    p.add_argument("--nhid", type=int, default=200)
    p.add_argument("--nlayers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--tied", action="store_true", help="the decoder's weight is the embedding (needs --emsize = --nhid)")
    p.add_argument("--lr", type=float, default=20.0)
    p.add_argument("--lr-factor", type=float, default=0.25, help="lr x this after an epoch without a new best validation")
    p.add_argument("--clip", type=float, default=0.25, help="global gradient norm bound (0: none)")
    p.add_argument("--epochs", type=int, default=40, help="upper limit; the budget usually ends the run first")
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--eval-batch", type=int, default=10, help="rows of the validation and test texts")
    p.add_argument("--bptt", type=int, default=35)
    p.add_argument("--seed", type=int, default=1111)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: every core)")
    p.add_argument("--max-batches", type=int, default=0, help="stop each epoch after N batches (smoke tests)")
    p.add_argument("--max-eval-batches", type=int, default=0, help="evaluate only the first N windows (smoke tests)")
    a = p.parse_args(argv)
    for name in ("emsize", "nhid", "nlayers", "batch_size", "eval_batch", "bptt"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 <= a.dropout < 1:
        p.error(f"--dropout {a.dropout}: must be in [0, 1)")
    if a.tied and a.emsize != a.nhid:
        p.error(f"--tied needs --emsize equal to --nhid (got {a.emsize} and {a.nhid})")
    if not a.minutes > 0 or a.lr <= 0 or a.clip < 0 or not 0 < a.lr_factor <= 1 or a.epochs < 1:
        p.error("--minutes and --lr must be positive, --clip non-negative, --lr-factor in (0, 1], --epochs at least 1")
    return a


def build(torch, a, vocab):
    nn = torch.nn

    class RNNModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(a.dropout)
            self.encoder = nn.Embedding(vocab, a.emsize)
            self.rnn = nn.LSTM(a.emsize, a.nhid, a.nlayers, dropout=a.dropout if a.nlayers > 1 else 0.0)
            self.decoder = nn.Linear(a.nhid, vocab)
            if a.tied:
                self.decoder.weight = self.encoder.weight
            with torch.no_grad():
                self.encoder.weight.uniform_(-0.1, 0.1)
                self.decoder.bias.zero_()
                if not a.tied:
                    self.decoder.weight.uniform_(-0.1, 0.1)

        def init_state(self, rows):
            h = torch.zeros(a.nlayers, rows, a.nhid)
            return (h, torch.zeros_like(h))

        def forward(self, x, state):
            out, state = self.rnn(self.drop(self.encoder(x)), state)
            return self.decoder(self.drop(out)), state

    torch.manual_seed(a.seed)
    return RNNModel()


def process_start():
    """When this process started (epoch seconds), from /proc on Linux (so the interpreter's own
    start-up counts against the budget); now where /proc is not there."""
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()


def main(argv=None):
    t0 = process_start()
    a = parse_args(argv)
    budget = a.minutes * 60
    torch = ptb_torch.set_threads(a.threads)

    def now():
        return time.time() - t0

    def emit(record):
        print(json.dumps(record), flush=True)

    corpus, (train, valid, test) = ptb_torch.load(torch, a.data, (a.batch_size, a.eval_batch, a.eval_batch), "pwl_budget.py")
    vocab = len(corpus.words)
    model = build(torch, a, vocab)
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr=a.lr)
    eval_tokens = valid.numel() + test.numel()
    if a.max_eval_batches:
        eval_tokens = min(eval_tokens, 2 * a.max_eval_batches * a.bptt * a.eval_batch)
    emit({"event": "start", "parameters": sum(p.numel() for p in params), "vocabulary": vocab,
          "train_tokens": len(corpus.train), "budget_seconds": budget, "threads": torch.get_num_threads(),
          "torch": torch.__version__, "args": vars(a)})

    # Evaluated tokens per second: first from a few validation windows (after one to warm up),
    # then from each whole validation.
    ptb_torch.evaluate(torch, model, valid, a.bptt, 1)
    calibration = time.time()
    _, predicted = ptb_torch.evaluate(torch, model, valid, a.bptt, 4)
    eval_rate = predicted / (time.time() - calibration)
    lr, best_loss, best_state, best_epoch = a.lr, math.inf, None, None
    out_of_time = False
    for epoch in range(1, a.epochs + 1):
        model.train()
        state = model.init_state(a.batch_size)
        start = time.time()
        loss_sum, batches, tokens = 0.0, 0, 0
        for i in range(0, train.size(0) - 1, a.bptt):
            n = min(a.bptt, train.size(0) - 1 - i)
            x, y = train[i:i + n], train[i + 1:i + 1 + n]
            state = tuple(s.detach() for s in state)
            optimizer.zero_grad(set_to_none=True)
            logits, state = model(x, state)
            loss = torch.nn.functional.cross_entropy(logits.view(-1, vocab), y.reshape(-1))
            loss.backward()
            if a.clip:
                torch.nn.utils.clip_grad_norm_(params, a.clip)
            optimizer.step()
            loss_sum += loss.item() * y.numel()
            tokens += y.numel()
            batches += 1
            step = (time.time() - start) / batches
            if now() + step + MARGIN * eval_tokens / eval_rate >= budget:
                out_of_time = True
                break
            if a.max_batches and batches >= a.max_batches:
                break
        seconds = time.time() - start
        eval_start = time.time()
        val_loss, predicted = ptb_torch.evaluate(torch, model, valid, a.bptt, a.max_eval_batches)
        eval_rate = predicted / (time.time() - eval_start)
        record = {"epoch": epoch, "partial": out_of_time, "elapsed": round(now(), 3), "train_loss": loss_sum / tokens,
                  "val_loss": val_loss, "val_ppl": ptb_torch.perplexity(val_loss), "lr": lr, "seconds": round(seconds, 3),
                  "tokens_per_second": round(tokens / seconds, 1), "batches": batches}
        emit(record)
        print(f"pwl_budget.py: epoch {epoch}{' (partial)' if out_of_time else ''} | {now() / 60:6.2f} min | "
              f"valid ppl {record['val_ppl']:8.2f} | lr {lr:g} | {record['tokens_per_second']:.0f} tokens/s",
              file=sys.stderr, flush=True)
        if val_loss < best_loss:
            best_loss, best_state, best_epoch = val_loss, copy.deepcopy(model.state_dict()), epoch
        else:
            lr *= a.lr_factor
            for group in optimizer.param_groups:
                group["lr"] = lr
        if out_of_time or now() + MARGIN * eval_tokens / eval_rate >= budget:
            break
    model.load_state_dict(best_state)
    test_loss, predicted = ptb_torch.evaluate(torch, model, test, a.bptt, a.max_eval_batches)
    emit({"event": "test", "test_loss": test_loss, "test_ppl": ptb_torch.perplexity(test_loss), "test_tokens": predicted,
          "best_epoch": best_epoch, "best_val_loss": best_loss, "best_val_ppl": ptb_torch.perplexity(best_loss),
          "elapsed": round(now(), 3), "budget_seconds": budget, "within_budget": now() <= budget})
    print(f"pwl_budget.py: test ppl {ptb_torch.perplexity(test_loss):.2f} (best validation epoch {best_epoch}) after "
          f"{now() / 60:.2f} of {a.minutes:g} minutes", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
