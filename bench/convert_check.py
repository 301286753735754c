"""bin/bench convert: LMKit ↔ PyTorch ↔ Hugging Face tokenizers give the same numbers.

For every case (RNN tanh and relu, LSTM, GRU of PyTorch's variant; 1 and 2 layers; one-hot,
embedding and tied input; one bias and PyTorch's two):
  LMKit → PyTorch: a tiny model trained one epoch by lm-train, exported by lm-convert, loaded
    into bench/lmkit_torch.py's RNNModel with load_state_dict(strict=True): its logits on a fixed
    window equal lm-eval --logits within CONVERT_TOL (1e-5 relative), and its greedy continuation
    of "time traveller" is lm-generate's text;
  PyTorch → LMKit: an RNNModel trained a few Adam steps in PyTorch, saved as safetensors,
    imported by lm-convert: lm-eval's perplexity on the window equals PyTorch's within 1e-4.
Vocabulary: lm-convert vocab --format hf's tokenizer.json, loaded by `tokenizers`, encodes the
corpus's first 1,000 lines to the ids of `lm-vocab encode` (word level, and character level),
and reads back (--format lmkit) to the same tokens and pipeline.

Usage: python bench/convert_check.py --bin DIR --out DIR [--only SUBSTRING]
(bench/convert.sh sets it up; one thread everywhere). Prints one line per check and exits 1
if any fails.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True   # no bench/__pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lmkit_torch  # noqa: E402

torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIDDEN = 16
PREFIX = "time traveller"


def case_list():
    """(name, lm-train flags, rnn_type, layers, input) for every case."""
    cases = []
    kinds = [("rnn", "RNN_TANH", []), ("lstm", "LSTM", []), ("gru", "GRU", ["--gru-variant", "pytorch"])]
    for kind, rnn_type, extra in kinds:
        for layers in (1, 2):
            for inp in ("onehot", "embedding", "tied"):
                flags = ["--model", kind, "--hidden", str(HIDDEN), "--layers", str(layers), "--optimizer", "adam", "--lr", "0.01", "--batch", "8", "--max-tokens", "30000"] + extra
                if inp != "onehot":
                    flags += ["--embedding", str(HIDDEN)]
                if inp == "tied":
                    flags += ["--tied"]
                if layers == 2:
                    flags += ["--init", "pytorch"]   # two biases per gate, nonzero bias_hh
                cases.append((f"{kind}-{layers}l-{inp}", flags, rnn_type, layers, inp))
    cases.append(("rnn-relu-1l-onehot", ["--model", "rnn", "--hidden", str(HIDDEN), "--activation", "relu", "--optimizer", "adam", "--lr", "0.01", "--batch", "8", "--max-tokens", "30000"],
                  "RNN_RELU", 1, "onehot"))
    return cases


class Checker:
    def __init__(self, args):
        self.bin, self.out, self.tol = args.bin, args.out, args.tol
        self.failures = 0
        self.env = dict(os.environ, LMKIT_BLAS_THREADS="1", LMKIT_BLAS_SMALL_THREADS="1", OMP_NUM_THREADS="1")

    def tool(self, name, *arguments, stdin=None):
        result = subprocess.run([os.path.join(self.bin, name), *arguments], input=stdin, capture_output=True,
                                text=True, env=self.env, cwd=ROOT)
        if result.returncode != 0:
            raise RuntimeError(f"{name} {' '.join(arguments)}: exit {result.returncode}: {result.stderr.strip()}")
        return result.stdout

    def report(self, ok, what, detail):
        print(f"{'PASS' if ok else 'FAIL'}  {what}: {detail}", flush=True)
        if not ok:
            self.failures += 1

    def ids(self, vocab, text):
        lines = self.tool("lm-vocab", "encode", "--vocab", vocab, stdin=text).splitlines()
        return [int(x) for line in lines for x in line.split()]

    def eval(self, run, window, logits=None):
        args = ["--model", run, window] + (["--logits", logits] if logits else [])
        text = self.tool("lm-eval", *args)
        return float(re.search(r"perplexity: +([0-9.]+)", text).group(1))

    # LMKit → PyTorch
    def lmkit_to_torch(self, name, flags, window_text, window):
        run = os.path.join(self.out, name)
        self.tool("lm-train", "timemachine", *flags, "--epochs", "1", "--threads", "1", "--out", run, "--overwrite")
        state = run + ".safetensors"
        self.tool("lm-convert", "export", "--format", "pytorch", run, state)
        model = lmkit_torch.load(state)
        vocab = os.path.join(run, "vocab.json")
        ids = self.ids(vocab, window_text)
        logits_file = run + ".logits.safetensors"
        self.eval(run, window, logits_file)
        from safetensors.torch import load_file
        ours = load_file(logits_file)["logits"].double()
        with torch.no_grad():
            theirs, _ = model(torch.tensor(ids[:-1]).view(-1, 1))
        theirs = theirs.squeeze(1).double()
        if ours.shape != theirs.shape:
            self.report(False, f"{name} logits", f"LMKit {list(ours.shape)} vs PyTorch {list(theirs.shape)}")
        else:
            rel = ((ours - theirs).abs() / ours.abs().clamp(min=1.0)).max().item()
            self.report(rel <= self.tol, f"{name} LMKit→PyTorch logits",
                        f"{ours.shape[0]} positions × {ours.shape[1]}, max relative difference {rel:.2e} (≤ {self.tol:g})")
        # Greedy: lm-generate's text against PyTorch's argmax (never <unk>, lowest id on ties).
        tokens = json.load(open(vocab))["tokens"]
        word = json.load(open(vocab))["pipeline"]["level"] == "word"
        generated = self.tool("lm-generate", "--model", run, "--prefix", PREFIX, "--length", "50").strip("\n")
        prefix_ids = self.ids(vocab, PREFIX)
        with torch.no_grad():
            out, hidden = model(torch.tensor(prefix_ids).view(-1, 1))
            step = out[-1, 0]
            continuation = []
            for _ in range(50):
                step = step.clone()
                step[0] = -math.inf
                token = int(torch.argmax(step))
                continuation.append(token)
                out, hidden = model(torch.tensor([[token]]), hidden)
                step = out[-1, 0]
        text = (" " if word else "").join(tokens[i] for i in prefix_ids + continuation)
        self.report(text == generated, f"{name} greedy", repr(generated[:70]) + ("" if text == generated else f" vs PyTorch {text[:70]!r}"))
        return vocab

    # PyTorch → LMKit
    def torch_to_lmkit(self, name, rnn_type, layers, inp, vocab, train_ids, window_text, window):
        torch.manual_seed(0)
        v = len(json.load(open(vocab))["tokens"])
        ninp = v if inp == "onehot" else HIDDEN
        model = lmkit_torch.RNNModel(rnn_type, v, ninp, HIDDEN, layers, tie_weights=inp == "tied")
        if inp == "onehot":
            with torch.no_grad():
                model.encoder.weight.copy_(torch.eye(v))
            model.encoder.weight.requires_grad_(False)
        optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.01)
        data = torch.tensor(train_ids)
        batch, steps = 8, 35
        rows = (len(data) - 1) // batch
        x_all = data[:rows * batch].view(batch, rows).t()
        y_all = data[1:rows * batch + 1].view(batch, rows).t()
        model.train()
        for i in range(10):
            x, y = x_all[i * steps:(i + 1) * steps], y_all[i * steps:(i + 1) * steps]
            optimizer.zero_grad()
            logits, _ = model(x)
            F.cross_entropy(logits.reshape(-1, v), y.reshape(-1)).backward()
            optimizer.step()
        model.eval()
        state = os.path.join(self.out, name + ".torch.safetensors")
        lmkit_torch.save(model, state)
        run = os.path.join(self.out, name + "-imported")
        if os.path.isdir(run):
            subprocess.run(["rm", "-rf", run], check=True)
        config = []
        if rnn_type == "RNN_RELU":
            config_path = os.path.join(self.out, name + ".config.json")
            json.dump({"activation": "relu"}, open(config_path, "w"))
            config = ["--config", config_path]
        self.tool("lm-convert", "import", "--format", "pytorch", state, "--vocab", vocab, *config, run)
        ids = torch.tensor(self.ids(vocab, window_text))
        with torch.no_grad():
            logits, _ = model(ids[:-1].view(-1, 1))
            theirs = F.cross_entropy(logits.squeeze(1).double(), ids[1:]).item()
        ours, theirs = self.eval(run, window), math.exp(theirs)   # lm-eval prints 4 decimals
        rel = abs(ours - theirs) / theirs
        self.report(rel <= 1e-4, f"{name} PyTorch→LMKit perplexity",
                    f"lm-eval {ours:.4f}, PyTorch {theirs:.6f} (relative {rel:.1e} ≤ 1e-4)")

    # Vocabulary
    def vocabulary(self, level, corpus_lines):
        from tokenizers import Tokenizer
        vocab = os.path.join(self.out, f"timemachine-{level}.json")
        self.tool("lm-vocab", "build", "timemachine", "--level", level, "--output", vocab)
        hf = os.path.join(self.out, f"tokenizer-{level}", "tokenizer.json")
        os.makedirs(os.path.dirname(hf), exist_ok=True)
        self.tool("lm-convert", "vocab", "--format", "hf", vocab, hf)
        tokenizer = Tokenizer.from_file(hf)
        expected = self.tool("lm-vocab", "encode", "--vocab", vocab, stdin="".join(corpus_lines)).splitlines()
        got = [" ".join(str(i) for i in tokenizer.encode(line).ids) for line in corpus_lines]
        bad = [i for i, (a, b) in enumerate(zip(expected, got)) if a != b]
        same = len(expected) == len(got) and not bad
        detail = f"{len(corpus_lines)} lines, {sum(len(l.split()) for l in expected)} ids"
        if not same:
            detail += f"; first difference at line {bad[0] + 1 if bad else min(len(expected), len(got))}"
        self.report(same, f"tokenizers {level} level", detail)
        if level == "char":
            self.d2l_normalizer(tokenizer)
        back = os.path.join(self.out, f"timemachine-{level}.back.json")
        self.tool("lm-convert", "vocab", "--format", "lmkit", hf, back)
        a, b = json.load(open(vocab)), json.load(open(back))
        self.report(a["tokens"] == b["tokens"] and a["pipeline"] == b["pipeline"], f"tokenizer.json → LMKit {level} level",
                    f"{len(b['tokens'])} tokens, pipeline {'equal' if a['pipeline'] == b['pipeline'] else 'DIFFERENT'}")

    def d2l_normalizer(self, tokenizer):
        """The exported d2l preset on the non-ASCII fixture: tokenizers' normalizer gives d2l's
        Python (Tests/Fixtures/D2LPreset/expected.txt) on every line."""
        fixture = os.path.join(ROOT, "Tests", "Fixtures", "D2LPreset")
        lines = open(os.path.join(fixture, "lines.txt"), encoding="utf-8").readlines()
        expected = open(os.path.join(fixture, "expected.txt"), encoding="utf-8").read().split("\n")[:-1]
        got = [tokenizer.normalizer.normalize_str(line) for line in lines]
        bad = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
        same = len(got) == len(expected) and not bad
        detail = f"{len(lines)} non-ASCII lines"
        if bad:
            detail += f"; line {bad[0] + 1}: {got[bad[0]]!r}, d2l {expected[bad[0]]!r}"
        elif not same:
            detail += f"; {len(expected)} expected lines"
        self.report(same, "tokenizers d2l normalizer", detail)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "bin"), help="directory of the LMKit tools")
    parser.add_argument("--out", default=os.path.join(ROOT, "runs", "convert"))
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--tol", type=float, default=float(os.environ.get("CONVERT_TOL", "1e-5")))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    checker = Checker(args)
    # lm-vocab build fetches corpora/timemachine.txt (from LM_CORPUS_MIRROR) on first use.
    checker.tool("lm-vocab", "build", "timemachine", "--output", os.path.join(args.out, "timemachine-char.json"))
    corpus = open(os.path.join(ROOT, "corpora", "timemachine.txt"), encoding="utf-8").read()
    window = os.path.join(args.out, "window.txt")
    with open(window, "w", encoding="utf-8") as f:   # the fixed window: lines 200–239, past the front matter
        f.write("".join(corpus.splitlines(keepends=True)[200:240]))
    window_text = open(window, encoding="utf-8").read()
    for name, flags, rnn_type, layers, inp in case_list():
        if args.only not in name:
            continue
        vocab = checker.lmkit_to_torch(name, flags, window_text, window)
        train_ids = checker.ids(vocab, corpus)[:10000]
        checker.torch_to_lmkit(name, rnn_type, layers, inp, vocab, train_ids, window_text, window)
    if args.only in "vocabulary":
        lines = open(os.path.join(ROOT, "corpora", "timemachine.txt"), encoding="utf-8").readlines()[:1000]
        for level in ("word", "char"):
            checker.vocabulary(level, lines)
    print(f"convert: {'all passed' if checker.failures == 0 else f'{checker.failures} FAILED'}")
    sys.exit(1 if checker.failures else 0)


if __name__ == "__main__":
    main()
