#!/usr/bin/env python3
"""PyTorch baseline language-model trainer that reproduces lm-train's training in everything
but the random draws (initial weights, dropout masks).

Model: nn.Embedding (or one-hot input) -> nn.Dropout -> nn.LSTM/nn.GRU/nn.RNN (num_layers,
dropout between layers) -> nn.Dropout -> nn.Linear (optionally tied to the embedding), the mean
cross-entropy per token, torch's SGD or Adam (or LMKit's Adam formula, --adam lmkit),
clip_grad_norm_, the step / after / plateau learning-rate schedules and weight decay.

Data: token ids made by LMKit (`lm-vocab encode --vocab RUN/vocab.json`), so tokenization is
LMKit's. Batches follow LMKit's `parallel` sampler (Chainer's ParallelSequentialIterator as
lm-train drives it): with n training tokens, B rows and T steps, batch k (from 0) is

    X[i][t] = ids[(i*n//B + k*T + t) % n],   Y[i][t] = ids[(i*n//B + k*T + t + 1) % n]

(the stream wraps around), epoch e (from 1) ends with the first batch k+1 with
(k+1)*T*B >= e*n, and the state is carried (detached) through the whole run, reset only before
the first batch. Validation and test are LMKit's Evaluator, as word_language_model's batchify:
rows = min(E, m//2) with E = --eval-batch (default B), row r holds ids[r*L : (r+1)*L] with
L = m//rows (the last m mod rows ids left out), windows of T steps (the last one shorter), state
carried across windows from zero, the mean over every prediction.

Output: one JSON line per epoch on stdout (epoch, train_loss, train_ppl, val_loss, val_ppl, lr,
seconds, batches), then {"test_loss", "test_ppl", "test_tokens"} with --test. Notes go to stderr.

Limitation: nn.GRU applies the reset gate after the recurrent product (R * (H W_hh + b)); LMKit's
GRU is d2l's (R * H) W_hh, a different model. --model gru runs nn.GRU anyway and says so.
"""
import argparse
import json
import math
import os
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    d = p.add_argument_group("data (ids from LMKit: whitespace-separated integers, line breaks ignored)")
    d.add_argument("--train", required=True, help="training ids file")
    d.add_argument("--valid", help="validation ids file")
    d.add_argument("--test", help="test ids file, evaluated after the last epoch")
    d.add_argument("--vocab", help="LMKit vocab.json (its token count is the vocabulary size)")
    d.add_argument("--vocab-size", type=int, help="vocabulary size (instead of --vocab)")
    d.add_argument("--max-tokens", type=int, default=0, help="keep the first N training ids (0: all), as lm-train --max-tokens")
    m = p.add_argument_group("model")
    m.add_argument("--model", choices=["lstm", "gru", "rnn"], default="lstm")
    m.add_argument("--activation", choices=["tanh", "relu"], default="tanh", help="--model rnn only")
    m.add_argument("--layers", type=int, default=1)
    m.add_argument("--hidden", type=int, default=256)
    m.add_argument("--embedding", type=int, default=0, help="embedding width; 0 for one-hot input")
    m.add_argument("--dropout", type=float, default=0.0, help="on the embedding output, between layers and on the stack output")
    m.add_argument("--tied", action="store_true", help="the head's weight is the embedding matrix (needs --embedding = --hidden)")
    m.add_argument("--init", default="pytorch",
                   help="pytorch (torch's defaults: cell U(+-1/sqrt(H)), embedding N(0,1), head U(+-1/sqrt(H))), "
                        "normal:S (d2l: every matrix N(0,S^2), biases 0), uniform:A (every parameter U(+-A)), "
                        "or xavier (per gate block, biases 0)")
    m.add_argument("--init-embedding", help="override for the embedding: normal:S or uniform:A")
    m.add_argument("--init-output", help="override for the head's weight: normal:S or uniform:A (bias U(±A) for uniform, else zero, as LMKit; "
                                         "word_language_model zeroes it)")
    m.add_argument("--recurrent-bias", action="store_true",
                   help="train PyTorch's second bias b_hh too (default: one bias per gate, as LMKit; b_hh is frozen at 0)")
    t = p.add_argument_group("training")
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--eval-batch", type=int, default=0, help="rows of the validation and test texts (0: --batch), as lm-train --eval-batch")
    t.add_argument("--steps", type=int, default=35)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--max-batches", type=int, default=0,
                   help="stop each epoch after this many batches (smoke tests; breaks parity with LMKit)")
    t.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    t.add_argument("--lr", type=float, default=None, help="default 1 for sgd, 0.001 for adam")
    t.add_argument("--adam", choices=["torch", "lmkit"], default="torch",
                   help="torch: torch.optim.Adam (eps added to sqrt(v_hat)); lmkit: LMKit's Adam "
                        "(bias correction folded into the step, eps added to sqrt(v))")
    t.add_argument("--adam-eps", type=float, default=1e-8)
    t.add_argument("--clip", type=float, default=1.0, help="global L2 norm bound; 0 for none")
    t.add_argument("--weight-decay", type=float, default=0.0, help="L2 (coupled) for sgd, decoupled (AdamW) for adam")
    t.add_argument("--lr-schedule", default="none",
                   help="none, step:FACTOR:EVERY (x FACTOR every EVERY epochs), after:EPOCHS:FACTOR (constant for "
                        "EPOCHS epochs, then x FACTOR per epoch), plateau:FACTOR (x FACTOR after an epoch whose "
                        "validation loss is not below the best so far)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--progress", type=int, default=0, help="print a note to stderr every N batches")
    a = p.parse_args(argv)
    if a.lr is None:
        a.lr = 1.0 if a.optimizer == "sgd" else 0.001
    for name in ("layers", "hidden", "batch", "steps"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be at least 1")
    if a.epochs < 0:
        p.error("--epochs must be non-negative")
    if not 0 <= a.dropout < 1:
        p.error(f"--dropout {a.dropout}: must be in [0, 1)")
    if a.tied and a.embedding != a.hidden:
        p.error(f"--tied needs --embedding equal to --hidden (got {a.embedding} and {a.hidden})")
    if (a.vocab is None) == (a.vocab_size is None):
        p.error("give --vocab RUN/vocab.json or --vocab-size V (one of them)")
    try:
        a.init_scheme = parse_init(a.init, allow_defaults=True)
        a.embedding_scheme = parse_init(a.init_embedding) if a.init_embedding else None
        a.output_scheme = parse_init(a.init_output) if a.init_output else None
        a.schedule = parse_schedule(a.lr_schedule)
    except ValueError as e:
        p.error(str(e))
    return a


def parse_init(text, allow_defaults=False):
    """'pytorch', 'xavier', 'normal:S' or 'uniform:A' -> (kind, value)."""
    if allow_defaults and text in ("pytorch", "xavier"):
        return (text, None)
    kind, _, value = text.partition(":")
    if kind in ("normal", "uniform") and value:
        try:
            v = float(value)
        except ValueError:
            v = float("nan")
        if v > 0 and math.isfinite(v):
            return (kind, v)
    choices = "pytorch, xavier, normal:S or uniform:A" if allow_defaults else "normal:S or uniform:A"
    raise ValueError(f"initialization {text!r}: use {choices} with a positive S or A")


def parse_schedule(text):
    parts = text.split(":")
    try:
        if parts == ["none"]:
            return ("none",)
        if parts[0] == "step" and len(parts) == 3:
            return ("step", float(parts[1]), int(parts[2]))
        if parts[0] == "after" and len(parts) == 3:
            return ("after", int(parts[1]), float(parts[2]))
        if parts[0] == "plateau" and len(parts) == 2:
            return ("plateau", float(parts[1]))
    except ValueError:
        pass
    raise ValueError(f"--lr-schedule {text!r}: use none, step:FACTOR:EVERY, after:EPOCHS:FACTOR or plateau:FACTOR")


def read_ids(path, what):
    try:
        with open(path, "rb") as f:
            data = f.read().split()
    except OSError as e:
        sys.exit(f"torch_lm.py: cannot read the {what} ids {path}: {e.strerror}")
    try:
        return [int(x) for x in data]
    except ValueError:
        sys.exit(f"torch_lm.py: {path}: the {what} ids must be whitespace-separated integers")


def vocabulary_size(a):
    if a.vocab_size is not None:
        return a.vocab_size
    try:
        with open(a.vocab) as f:
            return len(json.load(f)["tokens"])
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"torch_lm.py: --vocab {a.vocab}: not a readable LMKit vocabulary ({e})")


def main(argv=None):
    a = parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(a.threads))
    import torch
    import torch.nn as nn
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.model == "gru":
        note("nn.GRU resets after the recurrent product; LMKit's GRU is d2l's (reset before it): different models")

    V = vocabulary_size(a)
    train_ids = read_ids(a.train, "training")
    if a.max_tokens > 0:
        train_ids = train_ids[:a.max_tokens]
    valid_ids = read_ids(a.valid, "validation") if a.valid else None
    test_ids = read_ids(a.test, "test") if a.test else None
    for name, ids in (("training", train_ids), ("validation", valid_ids), ("test", test_ids)):
        if ids is None:
            continue
        bad = next((x for x in ids if not 0 <= x < V), None)
        if bad is not None:
            sys.exit(f"torch_lm.py: the {name} ids hold {bad}, outside the vocabulary 0..<{V}")
    n = len(train_ids)
    if n < max(2, a.batch):
        sys.exit(f"torch_lm.py: {n} training ids are too few for {a.batch} rows (at least {max(2, a.batch)})")
    for name, ids in (("validation", valid_ids), ("test", test_ids)):
        if ids is not None and len(ids) < 2:
            sys.exit(f"torch_lm.py: the {name} ids hold {len(ids)} tokens; at least 2 are needed")

    model = Model(torch, nn, a, V)
    params = [p for p in model.parameters() if p.requires_grad]
    note(f"{a.model.upper()}-{a.hidden} x{a.layers}, "
         + (f"embedding {a.embedding}" if a.embedding else "one-hot input")
         + f", {sum(p.numel() for p in params)} trained parameters; {n} training tokens"
         + (f", {len(valid_ids)} validation" if valid_ids else "") + f", vocabulary {V}")
    optimizer = make_optimizer(torch, a, params)
    stream = torch.tensor(train_ids, dtype=torch.long)
    offsets = torch.tensor([i * n // a.batch for i in range(a.batch)], dtype=torch.long)
    columns = torch.arange(a.steps, dtype=torch.long)
    valid_t = torch.tensor(valid_ids, dtype=torch.long) if valid_ids else None
    loss_fn = nn.CrossEntropyLoss()

    state = model.zero_state(a.batch)
    k = 0                      # batches done in the run (the sampler's iteration is k * steps)
    lr = a.lr
    best_val = None
    elapsed = 0.0
    for epoch in range(1, a.epochs + 1):
        lr = scheduled_lr(a, epoch, lr)
        set_lr(optimizer, lr)
        model.train()
        start = time.time()
        loss_sum, batches = 0.0, 0
        end_k = -(-epoch * n // (a.steps * a.batch))   # first k + 1 with (k + 1)·T·B ≥ epoch·n
        while k < end_k:
            positions = (offsets[:, None] + (k * a.steps) + columns[None, :]) % n   # B × T
            x = stream[positions].t().contiguous()                                 # T × B
            y = stream[(positions + 1) % n].t().contiguous()
            state = detach(state)
            optimizer.zero_grad(set_to_none=True)
            logits, state = model(x, state)
            loss = loss_fn(logits.view(-1, V), y.view(-1))
            if not torch.isfinite(loss):
                sys.exit(f"torch_lm.py: the loss diverged at epoch {epoch}, batch {batches + 1}")
            loss.backward()
            if a.clip > 0:
                torch.nn.utils.clip_grad_norm_(params, a.clip)
            optimizer.step()
            loss_sum += loss.item()
            batches += 1
            k += 1
            if a.progress and batches % a.progress == 0:
                note(f"epoch {epoch} batch {batches}/{end_k - (k - batches)} loss {loss_sum / batches:.4f} "
                     f"{time.time() - start:.0f} s")
            if a.max_batches and batches >= a.max_batches:
                k = end_k   # smoke test: skip the rest of the epoch's windows
        seconds = time.time() - start
        elapsed += seconds
        train_loss = loss_sum / batches
        report = {"epoch": epoch, "train_loss": train_loss, "train_ppl": math.exp(train_loss)}
        val_loss = None
        if valid_t is not None:
            val_loss, _ = evaluate(torch, model, valid_t, a.eval_batch or a.batch, a.steps, V)
            report.update(val_loss=val_loss, val_ppl=math.exp(val_loss))
        report.update(lr=lr, seconds=round(seconds, 3), elapsed=round(elapsed, 3), batches=batches)
        print(json.dumps(report), flush=True)
        if a.schedule[0] == "plateau" and val_loss is not None:
            if best_val is None or val_loss < best_val:
                best_val = val_loss
            else:
                lr *= a.schedule[1]
    if test_ids:
        test_loss, tokens = evaluate(torch, model, torch.tensor(test_ids, dtype=torch.long), a.eval_batch or a.batch, a.steps, V)
        print(json.dumps({"test_loss": test_loss, "test_ppl": math.exp(test_loss), "test_tokens": tokens}), flush=True)


def note(text):
    print("torch_lm.py: " + text, file=sys.stderr, flush=True)


def scheduled_lr(a, epoch, current):
    """The learning rate of `epoch` (1-based); plateau changes it after an epoch instead."""
    kind = a.schedule[0]
    if kind == "step":
        factor, every = a.schedule[1], a.schedule[2]
        return a.lr * factor ** ((epoch - 1) // every)
    if kind == "after":
        epochs, factor = a.schedule[1], a.schedule[2]
        return a.lr * factor ** max(0, epoch - epochs)
    return current


def set_lr(optimizer, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr


def detach(state):
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def evaluate(torch, model, ids, batch, steps, V):
    """LMKit's Evaluator: mean cross-entropy over every prediction of `ids` cut as batchify cuts it."""
    m = len(ids)
    rows = min(batch, m // 2)
    length = m // rows
    sequences = ids[:rows * length].view(rows, length)  # row r: ids[r*length : (r+1)*length]
    length -= 1                                         # predictions per row
    was_training = model.training
    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        state = model.zero_state(rows)
        for start in range(0, length, steps):
            window = min(steps, length - start)
            x = sequences[:, start:start + window].t().contiguous()
            y = sequences[:, start + 1:start + 1 + window].t().contiguous()
            logits, state = model(x, state)
            loss = torch.nn.functional.cross_entropy(logits.view(-1, V), y.reshape(-1), reduction="sum")
            total += loss.item()
            tokens += window * rows
    model.train(was_training)
    return total / tokens, tokens


def make_optimizer(torch, a, params):
    if a.optimizer == "sgd":
        return torch.optim.SGD(params, lr=a.lr, weight_decay=a.weight_decay)
    if a.adam == "lmkit":
        return LMKitAdam(torch, params, a.lr, eps=a.adam_eps, weight_decay=a.weight_decay)
    if a.weight_decay > 0:
        return torch.optim.AdamW(params, lr=a.lr, eps=a.adam_eps, weight_decay=a.weight_decay)
    return torch.optim.Adam(params, lr=a.lr, eps=a.adam_eps)


class LMKitAdam:
    """LMKit's Adam (Sources/LMTraining/Adam.swift): θ ← θ − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε);
    torch's is θ ← θ − lr/(1−β₁ᵗ) · m/(√v/√(1−β₂ᵗ) + ε), i.e. LMKit's ε is torch's ε·√(1−β₂ᵗ).
    Weight decay (when set) is decoupled, θ ← θ(1 − lr·wd), as torch's AdamW."""

    def __init__(self, torch, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.torch = torch
        self.param_groups = [{"params": list(params), "lr": lr}]
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.t = 0
        self.m = [torch.zeros_like(p) for p in self.param_groups[0]["params"]]
        self.v = [torch.zeros_like(p) for p in self.param_groups[0]["params"]]

    def zero_grad(self, set_to_none=True):
        for p in self.param_groups[0]["params"]:
            p.grad = None

    def step(self):
        group = self.param_groups[0]
        self.t += 1
        b1, b2 = self.betas
        rate = group["lr"] * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        with self.torch.no_grad():
            for p, m, v in zip(group["params"], self.m, self.v):
                if p.grad is None:
                    continue
                g = p.grad
                if self.weight_decay:
                    p.mul_(1 - group["lr"] * self.weight_decay)
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                p.addcdiv_(m, v.sqrt().add_(self.eps), value=-rate)


def Model(torch, nn, a, V):
    """The network, initialised by `a.init_scheme` and the per-part overrides."""

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            width = a.embedding or V
            self.embedding = nn.Embedding(V, a.embedding) if a.embedding else None
            self.drop = nn.Dropout(a.dropout)
            between = a.dropout if a.layers > 1 else 0.0
            if a.model == "lstm":
                self.rnn = nn.LSTM(width, a.hidden, a.layers, dropout=between)
            elif a.model == "gru":
                self.rnn = nn.GRU(width, a.hidden, a.layers, dropout=between)
            else:
                self.rnn = nn.RNN(width, a.hidden, a.layers, nonlinearity=a.activation, dropout=between)
            self.head = nn.Linear(a.hidden, V)
            if a.tied:
                self.head.weight = self.embedding.weight

        def zero_state(self, rows):
            h = torch.zeros(a.layers, rows, a.hidden)
            return (h, torch.zeros_like(h)) if a.model == "lstm" else h

        def forward(self, x, state):
            if self.embedding is not None:
                e = self.embedding(x)
            else:
                e = nn.functional.one_hot(x, V).float()
            out, state = self.rnn(self.drop(e), state)
            return self.head(self.drop(out)), state

    torch.manual_seed(a.seed)
    lm = LM()
    initialise(torch, lm, a)
    return lm


def fill(torch, tensor, scheme):
    kind, value = scheme
    with torch.no_grad():
        if kind == "normal":
            tensor.normal_(0, value)
        elif kind == "uniform":
            tensor.uniform_(-value, value)


def xavier_(torch, matrix, rows, gate_width):
    """LMKit's xavier: U(±√(6 / (rows + gate width))) on a rows × (gates·width) matrix; torch
    stores it transposed, (gates·width) × rows."""
    bound = math.sqrt(6.0 / (rows + gate_width))
    with torch.no_grad():
        matrix.uniform_(-bound, bound)


def initialise(torch, lm, a):
    kind, value = a.init_scheme
    rnn_weights = [p for name, p in lm.rnn.named_parameters() if name.startswith("weight")]
    rnn_input_biases = [p for name, p in lm.rnn.named_parameters() if name.startswith("bias_ih")]
    rnn_recurrent_biases = [p for name, p in lm.rnn.named_parameters() if name.startswith("bias_hh")]
    if kind == "pytorch":
        pass   # the modules' own reset_parameters: U(±1/√H) cell, N(0, 1) embedding, nn.Linear's head
    elif kind == "xavier":
        for name, p in lm.rnn.named_parameters():
            if name.startswith("weight"):
                xavier_(torch, p, p.shape[1], a.hidden)
            else:
                p.data.zero_()
        if lm.embedding is not None:
            xavier_(torch, lm.embedding.weight, lm.embedding.weight.shape[0], lm.embedding.weight.shape[1])
        if not a.tied:
            xavier_(torch, lm.head.weight, a.hidden, lm.head.weight.shape[0])
        lm.head.bias.data.zero_()
    else:
        for p in rnn_weights:
            fill(torch, p, (kind, value))
        if lm.embedding is not None:
            fill(torch, lm.embedding.weight, (kind, value))
        if not a.tied:
            fill(torch, lm.head.weight, (kind, value))
        for p in rnn_input_biases + rnn_recurrent_biases + [lm.head.bias]:
            if kind == "uniform":
                fill(torch, p, (kind, value))
            else:
                p.data.zero_()
    if a.embedding_scheme and lm.embedding is not None:
        fill(torch, lm.embedding.weight, a.embedding_scheme)
    if a.output_scheme:
        if not a.tied:   # tied: the shared matrix keeps the embedding's initialization
            fill(torch, lm.head.weight, a.output_scheme)
        if a.output_scheme[0] == "uniform":   # LMKit's uniform fills biases too; its other schemes zero them
            fill(torch, lm.head.bias, a.output_scheme)
        else:
            lm.head.bias.data.zero_()
    if not a.recurrent_bias:
        for p in rnn_recurrent_biases:   # one bias per gate, as LMKit: b_hh stays 0
            p.data.zero_()
            p.requires_grad_(False)


if __name__ == "__main__":
    main()
