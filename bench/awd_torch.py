#!/usr/bin/env python3
"""AWD-LSTM in PyTorch (Merity, Keskar & Socher 2018, "Regularizing and Optimizing LSTM Language
Models"; salesforce/awd-lstm-lm), the baseline for LMKit's `awd-lstm` recipe. Written for LMKit
from the paper and a reading of that repository; defaults are its Penn Treebank command
(`python main.py --batch_size 20 --data data/penn --dropouti 0.4 --dropouth 0.25 --seed 141
--epoch 500` with main.py's other defaults).

Model: nn.Embedding (emsize) with embedding dropout (whole vocabulary rows, one mask per window,
--dropoute) -> locked dropout (--dropouti) -> LSTM layers of their own widths (--nhid for all but
the last, whose width is --emsize so that the decoder can be tied; --widths to give each), each
an nn.LSTM whose W_hh is weight-dropped (DropConnect, one mask per window, --wdrop), with locked
dropout between layers (--dropouth) and on the last output (--dropout) -> nn.Linear decoder tied
to the embedding. Locked dropout draws one mask per sequence and feature for the whole window.

Training step: the mean cross-entropy per token, plus AR (--alpha times the mean square of the
last layer's dropped output) and TAR (--beta times the mean square of the difference of
consecutive raw outputs of the last layer); variable-length BPTT (base --bptt with probability
0.95, else bptt/2; length max(5, int(N(base, 5)))) with the learning rate scaled by length/bptt
for that step; clip_grad_norm_ (--clip); SGD with L2 weight decay (--wdecay). NT-ASGD: after each
epoch, once more than --nonmono validation losses are recorded and the new one is above the
best of all but the last --nonmono, averaging starts (torch.optim.ASGD with t0=0, lambd=0 as
main.py builds it: the same SGD update, plus the running mean of the weights after every
update, with ASGD's mu = 1/max(1, n-1) at the n-th update); validation, the best model and the
test then use the average.

Data: PTB words with <eos> per line (ptb_torch.read_ptb), batchify into --batch-size streams,
validation in --eval-batch (10) rows and test in --test-batch (1) rows, windows of --bptt, the
state carried from zero; the training state starts from zero each epoch (main.py's train()).

Output: per epoch, validation loss (nats) and perplexity, seconds and tokens/s of the training
pass; with --json one JSON line per epoch on stdout (the notes go to stderr then), a first line
{"event": "start", ...} with the sizes, and a last one with the test loss of the best model.

Differences from main.py, none of which changes what is trained on average: the evaluation mean
is over every prediction (main.py divides by all L tokens of a row, of which L - 1 are predicted);
torch's ASGD applies each step's learning rate one update late (its eta is computed after the
update), so in main.py's averaging phase step k runs with step k-1's length scaling, here with its
own; the training loss reported is the token-weighted mean of the raw loss (no AR/TAR).
"""
import argparse
import copy
import json
import math
import random
import sys
import time

import ptb_torch


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    d = p.add_argument_group("data")
    d.add_argument("--data", default=None, help="d2l's ptb.zip or a directory of ptb.{train,valid,test}.txt "
                                               "(default $LM_CORPUS_MIRROR/ptb.zip, else ../shared/data/ptb.zip)")
    d.add_argument("--vocab-size", type=int, default=0,
                   help="vocabulary rows (0: the corpus's words); more rows than words, to match a model whose "
                        "vocabulary holds reserved tokens the text never uses")
    d.add_argument("--max-tokens", type=int, default=0, help="train on the first N training tokens only (0: all), as lm-train --max-tokens")
    m = p.add_argument_group("model (AWD's main.py names)")
    m.add_argument("--emsize", type=int, default=400)
    m.add_argument("--nhid", type=int, default=1150, help="width of every layer but the last (which is --emsize)")
    m.add_argument("--nlayers", type=int, default=3)
    m.add_argument("--widths", default=None, help="every layer's width, e.g. 1150,1150,400 (instead of --nhid/--nlayers)")
    m.add_argument("--no-tied", dest="tied", action="store_false", help="an own decoder weight (main.py always ties)")
    m.add_argument("--dropout", type=float, default=0.4, help="locked dropout on the last layer's output")
    m.add_argument("--dropouth", type=float, default=0.25, help="locked dropout between layers (main.py default 0.3; PTB command 0.25)")
    m.add_argument("--dropouti", type=float, default=0.4, help="locked dropout on the embedding output (main.py default 0.65; PTB command 0.4)")
    m.add_argument("--dropoute", type=float, default=0.1, help="embedding dropout: whole vocabulary rows")
    m.add_argument("--wdrop", type=float, default=0.5, help="weight drop on every layer's W_hh")
    i = p.add_argument_group("initialization (LMKit's scheme names)")
    i.add_argument("--init", default="pytorch",
                   help="LSTM weights and biases: pytorch (nn.LSTM's U(±1/sqrt(H)) with H the layer's width; AWD), "
                        "uniform:A (all U(±A)) or normal:S (weights N(0,S²), biases 0)")
    i.add_argument("--init-embedding", default="uniform:0.1",
                   help="uniform:A (AWD: 0.1), normal:S or pytorch (nn.Embedding's N(0,1))")
    i.add_argument("--init-output", default="awd",
                   help="decoder: awd (weight U(±0.1) when untied, bias 0), pytorch (nn.Linear's U(±1/sqrt(fan_in)) "
                        "for the bias and an untied weight), uniform:A (both U(±A)) or normal:S (weight N(0,S²), bias 0); "
                        "a tied weight is the embedding's")
    i.add_argument("--single-bias", action="store_true",
                   help="one bias per gate (b_hh frozen at 0), as LMKit without --recurrent-bias; default both, as nn.LSTM")
    t = p.add_argument_group("training")
    t.add_argument("--lr", type=float, default=30.0)
    t.add_argument("--clip", type=float, default=0.25, help="global gradient norm bound (0: none)")
    t.add_argument("--epochs", type=int, default=500)
    t.add_argument("--batch-size", type=int, default=20)
    t.add_argument("--eval-batch", type=int, default=10, help="validation rows (main.py's eval_batch_size)")
    t.add_argument("--test-batch", type=int, default=1, help="test rows (main.py's test_batch_size)")
    t.add_argument("--bptt", type=int, default=70)
    t.add_argument("--bptt-half", type=float, default=0.05, help="probability of the half base length")
    t.add_argument("--bptt-std", type=float, default=5.0, help="standard deviation of the length around its base")
    t.add_argument("--bptt-min", type=int, default=5, help="shortest drawn length")
    t.add_argument("--fixed-bptt", action="store_true", help="every window --bptt long, lr unscaled (no variable BPTT)")
    t.add_argument("--alpha", type=float, default=2.0, help="AR: weight of the mean square of the dropped last output")
    t.add_argument("--beta", type=float, default=1.0, help="TAR: weight of the mean square of consecutive raw last outputs' difference")
    t.add_argument("--wdecay", type=float, default=1.2e-6, help="L2 weight decay (SGD's weight_decay) on every parameter")
    t.add_argument("--nonmono", type=int, default=5, help="NT-ASGD's non-monotone interval (epochs)")
    t.add_argument("--no-asgd", dest="asgd", action="store_false", help="plain SGD throughout")
    t.add_argument("--seed", type=int, default=141)
    r = p.add_argument_group("run")
    r.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: every core)")
    r.add_argument("--max-batches", type=int, default=0, help="stop each epoch after N batches (smoke tests)")
    r.add_argument("--max-eval-batches", type=int, default=0, help="evaluate only the first N windows (smoke tests)")
    r.add_argument("--no-test", dest="test", action="store_false", help="skip the final test evaluation")
    r.add_argument("--json", action="store_true", help="JSON lines on stdout (one per epoch), notes on stderr")
    r.add_argument("--log-interval", type=int, default=0, help="a note every N batches (0: none)")
    a = p.parse_args(argv)
    try:
        a.widths = [int(w) for w in a.widths.split(",")] if a.widths else [a.nhid] * (a.nlayers - 1) + [a.emsize]
        a.lstm_init = parse_scheme(a.init, ("pytorch", "uniform", "normal"), "--init")
        a.embedding_init = parse_scheme(a.init_embedding, ("pytorch", "uniform", "normal"), "--init-embedding")
        a.output_init = parse_scheme(a.init_output, ("awd", "pytorch", "uniform", "normal"), "--init-output")
    except ValueError as e:
        p.error(str(e))
    if not a.widths or min(a.widths) < 1 or a.emsize < 1:
        p.error("--emsize and every layer width must be at least 1")
    if a.tied and a.widths[-1] != a.emsize:
        p.error(f"tying needs the last layer's width ({a.widths[-1]}) equal to --emsize ({a.emsize})")
    for name in ("dropout", "dropouth", "dropouti", "dropoute", "wdrop"):
        if not 0 <= getattr(a, name) < 1:
            p.error(f"--{name} {getattr(a, name)}: must be in [0, 1)")
    if not 0 <= a.bptt_half <= 1 or not 0 <= a.bptt_std < math.inf:
        p.error("--bptt-half must be in [0, 1] and --bptt-std non-negative")
    for name in ("batch_size", "eval_batch", "test_batch", "bptt", "bptt_min"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if a.epochs < 0 or a.nonmono < 0 or a.lr <= 0 or a.clip < 0 or a.wdecay < 0:
        p.error("--epochs, --nonmono, --clip and --wdecay must be non-negative and --lr positive")
    return a


def parse_scheme(text, kinds, flag):
    """'pytorch', 'awd', 'uniform:A' or 'normal:S' -> (kind, value)."""
    kind, _, value = text.partition(":")
    if kind in kinds and kind in ("pytorch", "awd") and not value:
        return (kind, None)
    if kind in kinds and kind in ("uniform", "normal") and value:
        try:
            v = float(value)
        except ValueError:
            v = float("nan")
        if v > 0 and math.isfinite(v):
            return (kind, v)
    raise ValueError(f"{flag} {text!r}: use " + ", ".join(k + (":A" if k == "uniform" else ":S" if k == "normal" else "")
                                                      for k in kinds) + " with a positive A or S")


def build(torch, a, vocab):
    """The AWD-LSTM module, initialised as --init, --init-embedding and --init-output say."""
    nn = torch.nn
    F = nn.functional
    from torch.func import functional_call

    class AWDLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Embedding(vocab, a.emsize)
            inputs = [a.emsize] + a.widths[:-1]
            self.rnns = nn.ModuleList(nn.LSTM(n, h) for n, h in zip(inputs, a.widths))
            self.decoder = nn.Linear(a.widths[-1], vocab)
            if a.tied:
                self.decoder.weight = self.encoder.weight

        def init_state(self, rows):
            return [(torch.zeros(1, rows, h), torch.zeros(1, rows, h)) for h in a.widths]

        def locked(self, x, p):
            """One mask per sequence and feature for the whole window (T x B x D)."""
            if not self.training or p == 0:
                return x
            return x * (x.new_empty(1, x.size(1), x.size(2)).bernoulli_(1 - p) / (1 - p))

        def embed(self, x):
            """Embedding dropout: a vocabulary row is dropped (and the kept ones scaled by 1/(1-p))
            for the whole window; the same as masking the weight, done on the looked-up rows."""
            e = self.encoder(x)
            if not self.training or a.dropoute == 0:
                return e
            keep = e.new_empty(vocab).bernoulli_(1 - a.dropoute) / (1 - a.dropoute)
            return e * keep[x].unsqueeze(-1)

        def layer(self, rnn, x, state):
            """nn.LSTM with W_hh replaced by its weight-dropped copy in training (one mask per window)."""
            if not self.training or a.wdrop == 0:
                return rnn(x, state)
            weights = dict(rnn.named_parameters())
            weights["weight_hh_l0"] = F.dropout(weights["weight_hh_l0"], a.wdrop, training=True)
            return functional_call(rnn, weights, (x, state))

        def forward(self, x, state, regularized=False):
            """x (T x B) ids -> logits (T x B x V), new state; with `regularized`, also the last
            layer's raw and dropped outputs (for TAR and AR)."""
            h = self.locked(self.embed(x), a.dropouti)
            new_state = []
            for l, rnn in enumerate(self.rnns):
                raw, s = self.layer(rnn, h, state[l])
                new_state.append(s)
                h = self.locked(raw, a.dropouth if l < len(self.rnns) - 1 else a.dropout)
            logits = self.decoder(h)
            return (logits, new_state, raw, h) if regularized else (logits, new_state)

    torch.manual_seed(a.seed)
    model = AWDLSTM()
    with torch.no_grad():
        for rnn, width in zip(model.rnns, a.widths):
            for name, p in rnn.named_parameters():
                kind, v = a.lstm_init
                if kind == "pytorch":
                    p.uniform_(-1 / math.sqrt(width), 1 / math.sqrt(width))
                elif kind == "uniform":
                    p.uniform_(-v, v)
                elif name.startswith("weight"):
                    p.normal_(0, v)
                else:
                    p.zero_()
        kind, v = a.embedding_init
        if kind == "uniform":
            model.encoder.weight.uniform_(-v, v)
        else:
            model.encoder.weight.normal_(0, 1 if kind == "pytorch" else v)
        kind, v = a.output_init
        bound = {"awd": 0.1, "pytorch": 1 / math.sqrt(a.widths[-1]), "uniform": v}.get(kind)
        if not a.tied:
            if kind == "normal":
                model.decoder.weight.normal_(0, v)
            else:
                model.decoder.weight.uniform_(-bound, bound)
        if kind in ("awd", "normal"):
            model.decoder.bias.zero_()
        else:
            model.decoder.bias.uniform_(-bound, bound)
        if a.single_bias:
            for rnn in model.rnns:
                rnn.bias_hh_l0.zero_()
                rnn.bias_hh_l0.requires_grad_(False)
    return model


class Average:
    """NT-ASGD's running mean of the weights after every update once started, with
    torch.optim.ASGD's mu = 1/max(1, n-1) at the n-th update (t0 = 0): the mean of updates 2..n."""

    def __init__(self, params):
        self.params, self.ax, self.updates = params, None, 0

    @property
    def started(self):
        return self.ax is not None

    def start(self):
        self.ax = [p.detach().clone() for p in self.params]

    def accumulate(self):
        if self.ax is None:
            return
        self.updates += 1
        mu = 1.0 / max(1, self.updates - 1)
        for p, ax in zip(self.params, self.ax):
            if mu == 1:
                ax.copy_(p.detach())
            else:
                ax.add_(p.detach() - ax, alpha=mu)

    def swap(self):
        """Exchanges the weights and the average (call twice to undo)."""
        if self.ax is None:
            return
        for p, ax in zip(self.params, self.ax):
            tmp = p.detach().clone()
            p.data.copy_(ax)
            ax.copy_(tmp)


def main(argv=None):
    a = parse_args(argv)
    torch = ptb_torch.set_threads(a.threads)
    out = sys.stdout if a.json else None

    def note(text):
        print(text, file=sys.stderr if a.json else sys.stdout, flush=True)

    corpus, (train, valid, test) = ptb_torch.load(torch, a.data, (a.batch_size, a.eval_batch, a.test_batch),
                                                  "awd_torch.py", a.max_tokens)
    vocab = a.vocab_size or len(corpus.words)
    if vocab < len(corpus.words):
        sys.exit(f"awd_torch.py: --vocab-size {vocab} is below the corpus's {len(corpus.words)} words")
    model = build(torch, a, vocab)
    params = [p for p in model.parameters() if p.requires_grad]
    count = sum(p.numel() for p in model.parameters())
    note(f"AWD-LSTM {'x'.join(map(str, a.widths))}, embedding {a.emsize}{', tied' if a.tied else ''}, vocabulary {vocab}, "
         f"{count} parameters; {len(corpus.train)} training tokens, {len(corpus.valid)} validation, {len(corpus.test)} test; "
         f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if out:
        print(json.dumps({"event": "start", "parameters": count, "vocabulary": vocab, "train_tokens": len(corpus.train),
                          "valid_tokens": len(corpus.valid), "test_tokens": len(corpus.test), "widths": a.widths,
                          "threads": torch.get_num_threads(), "torch": torch.__version__}), file=out, flush=True)

    optimizer = torch.optim.SGD(params, lr=a.lr, weight_decay=a.wdecay)
    average = Average(params)
    rng = random.Random(a.seed)
    history, best_loss, best_state = [], math.inf, None
    elapsed = 0.0
    for epoch in range(1, a.epochs + 1):
        model.train()
        state = model.init_state(a.batch_size)
        start = time.time()
        i = batches = tokens = 0
        loss_sum = 0.0
        while i < train.size(0) - 2:
            if a.fixed_bptt:
                seq_len = a.bptt
            else:
                base = a.bptt if rng.random() >= a.bptt_half else a.bptt / 2
                seq_len = max(a.bptt_min, int(rng.gauss(base, a.bptt_std)))
            n = min(seq_len, train.size(0) - 1 - i)
            x, y = train[i:i + n], train[i + 1:i + 1 + n]
            for group in optimizer.param_groups:
                group["lr"] = a.lr * seq_len / a.bptt
            state = [(h.detach(), c.detach()) for h, c in state]
            optimizer.zero_grad(set_to_none=True)
            logits, state, raw, dropped = model(x, state, regularized=True)
            raw_loss = torch.nn.functional.cross_entropy(logits.view(-1, vocab), y.reshape(-1))
            loss = raw_loss
            if a.alpha:
                loss = loss + a.alpha * dropped.pow(2).mean()
            if a.beta and n > 1:
                loss = loss + a.beta * (raw[1:] - raw[:-1]).pow(2).mean()
            if not torch.isfinite(loss):
                sys.exit(f"awd_torch.py: the loss diverged at epoch {epoch}, batch {batches + 1}")
            loss.backward()
            if a.clip:
                torch.nn.utils.clip_grad_norm_(params, a.clip)
            optimizer.step()
            average.accumulate()
            loss_sum += raw_loss.item() * y.numel()
            tokens += y.numel()
            batches += 1
            i += seq_len
            if a.log_interval and batches % a.log_interval == 0:
                note(f"  epoch {epoch} batch {batches} loss {loss_sum / tokens:.4f} "
                     f"{tokens / (time.time() - start):.0f} tokens/s")
            if a.max_batches and batches >= a.max_batches:
                break
        seconds = time.time() - start
        elapsed += seconds
        eval_start = time.time()
        average.swap()
        val_loss, _ = ptb_torch.evaluate(torch, model, valid, a.bptt, a.max_eval_batches)
        if val_loss < best_loss:
            best_loss, best_state = val_loss, copy.deepcopy(model.state_dict())
        average.swap()
        averaging = average.started
        if a.asgd and not averaging and len(history) > a.nonmono and val_loss > min(history[:len(history) - a.nonmono]):
            average.start()
            note(f"epoch {epoch}: switching to ASGD (validation {val_loss:.4f} above the best before the last {a.nonmono})")
        if not averaging:
            history.append(val_loss)
        report = {"epoch": epoch, "train_loss": loss_sum / tokens, "val_loss": val_loss,
                  "val_ppl": ptb_torch.perplexity(val_loss), "seconds": round(seconds, 3),
                  "tokens_per_second": round(tokens / seconds, 1), "eval_seconds": round(time.time() - eval_start, 3),
                  "elapsed": round(elapsed, 3), "batches": batches, "tokens": tokens, "lr": a.lr, "asgd": averaging}
        note(f"epoch {epoch:3d} | valid loss {val_loss:.4f} nats | valid ppl {report['val_ppl']:8.2f} | "
             f"{seconds:7.1f} s | {report['tokens_per_second']:8.0f} tokens/s | train loss {report['train_loss']:.4f}"
             + (" | ASGD" if averaging else ""))
        if out:
            print(json.dumps(report), file=out, flush=True)
    if a.test and best_state is not None:
        model.load_state_dict(best_state)
        test_loss, predictions = ptb_torch.evaluate(torch, model, test, a.bptt, a.max_eval_batches)
        note(f"end of training | test loss {test_loss:.4f} nats | test ppl {ptb_torch.perplexity(test_loss):.2f} "
             f"(best validation {best_loss:.4f})")
        if out:
            print(json.dumps({"event": "test", "test_loss": test_loss, "test_ppl": ptb_torch.perplexity(test_loss),
                              "test_tokens": predictions, "best_val_loss": best_loss}), file=out, flush=True)


if __name__ == "__main__":
    main()
