#!/usr/bin/env python3
"""PyTorch baseline for `bin/bench generate`: d2l's `predict` per-token loop (ch. 9.5).

d2l's from-scratch RNN (9.5) or GRU (9.7) with random weights (N(0, 1) x 0.01, zero biases,
vocabulary 28 as the time machine's characters), batch 1, one `net(get_input(), state)` call
per token under `torch.no_grad()`, as `predict_ch8` runs it:

    state = net.begin_state(batch_size=1)
    outputs = [vocab[prefix[0]]]
    for y in prefix[1:]: _, state = net(get_input(), state); outputs.append(vocab[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1)))          # greedy
        # temperature: torch.multinomial(softmax(y / T), 1)

Prints one JSON object: {"impl", "model", "hidden", "strategy", "tokens", "seconds",
"tokens_per_second", "threads", "text"}.

`--export DIR` also writes the same weights as an LMKit run directory (config.json,
vocab.json from vocab/timemachine-char.json, model.safetensors), so that lm-generate runs the
very model this script times.
"""
import argparse
import array
import json
import os
import struct
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # torch warns when numpy is absent; it is not needed here
import torch  # noqa: E402
from torch.nn import functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def normal(shape, g):
    return torch.randn(size=shape, generator=g) * 0.01


def rnn_params(v, h, g):
    return {"W_xh": normal((v, h), g), "W_hh": normal((h, h), g), "b_h": torch.zeros(h),
            "W_hq": normal((h, v), g), "b_q": torch.zeros(v)}


def gru_params(v, h, g):
    p = {}
    for gate in ("z", "r", "h"):
        p["W_x" + gate] = normal((v, h), g)
        p["W_h" + gate] = normal((h, h), g)
        p["b_" + gate] = torch.zeros(h)
    p["W_hq"] = normal((h, v), g)
    p["b_q"] = torch.zeros(v)
    return p


def rnn(inputs, state, p):
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(torch.mm(X, p["W_xh"]) + torch.mm(H, p["W_hh"]) + p["b_h"])
        outputs.append(torch.mm(H, p["W_hq"]) + p["b_q"])
    return torch.cat(outputs, dim=0), (H,)


def gru(inputs, state, p):
    H, = state
    outputs = []
    for X in inputs:
        Z = torch.sigmoid((X @ p["W_xz"]) + (H @ p["W_hz"]) + p["b_z"])
        R = torch.sigmoid((X @ p["W_xr"]) + (H @ p["W_hr"]) + p["b_r"])
        H_tilda = torch.tanh((X @ p["W_xh"]) + ((R * H) @ p["W_hh"]) + p["b_h"])
        H = Z * H + (1 - Z) * H_tilda
        outputs.append(H @ p["W_hq"] + p["b_q"])
    return torch.cat(outputs, dim=0), (H,)


class RNNModelScratch:
    """d2l's RNNModelScratch."""

    def __init__(self, vocab_size, num_hiddens, params, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params, self.forward_fn = params, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size):
        return (torch.zeros((batch_size, self.num_hiddens)),)


def predict(prefix, num_preds, net, token_to_idx, temperature=None, g=None):
    """d2l's predict_ch8 (greedy), or the same loop drawing from softmax(y / T)."""
    state = net.begin_state(batch_size=1)
    outputs = [token_to_idx[prefix[0]]]
    get_input = lambda: torch.tensor([outputs[-1]]).reshape((1, 1))
    for y in prefix[1:]:
        _, state = net(get_input(), state)
        outputs.append(token_to_idx[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        if temperature is None:
            outputs.append(int(y.argmax(dim=1).reshape(1)))
        else:
            probs = torch.softmax(y / temperature, dim=1)
            outputs.append(int(torch.multinomial(probs, 1, generator=g).reshape(1)))
    return outputs


def export(directory, kind, hidden, params, vocab_file):
    """Writes an LMKit run directory holding `params`."""
    os.makedirs(directory, exist_ok=True)
    with open(vocab_file, "rb") as f:
        vocab_bytes = f.read()
    vocab = json.loads(vocab_bytes)
    v = len(vocab["tokens"])
    config = {
        "format": "lmkit-run", "version": 1,
        "model": {"kind": kind, "activation": "tanh", "vocabularySize": v, "hiddenSize": hidden,
                  "layers": 1, "initialization": {"scheme": "normal", "scale": 0.01}},
        "training": {"corpus": "timemachine", "batch": 32, "steps": 35, "epochs": 1, "lr": 1,
                     "optimizer": "sgd", "momentum": 0, "nesterov": False, "clip": 1,
                     "sampler": "sequential", "maxTokens": 10000, "validationFraction": 0,
                     "seed": 0, "checkpointEvery": 10, "keep": 3},
    }
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(directory, "vocab.json"), "wb") as f:
        f.write(vocab_bytes)
    if kind == "rnn":
        tensors = [("rnn.0.W_xh", params["W_xh"]), ("rnn.0.W_hh", params["W_hh"]), ("rnn.0.b_h", params["b_h"])]
    else:
        # LMKit's GRU is gate-concatenated [R | Z | H~] along the columns.
        cat = lambda a, b, c: torch.cat([params[a], params[b], params[c]], dim=-1)
        tensors = [("gru.0.W_xh", cat("W_xr", "W_xz", "W_xh")), ("gru.0.W_hh", cat("W_hr", "W_hz", "W_hh")),
                   ("gru.0.b_h", cat("b_r", "b_z", "b_h"))]
    tensors += [("output.W_hq", params["W_hq"]), ("output.b_q", params["b_q"])]
    header, blobs, offset = {}, [], 0
    for name, t in tensors:
        values = array.array("f", t.detach().to(torch.float32).flatten().tolist())
        if sys.byteorder != "little":
            values.byteswap()
        data = values.tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(directory, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["rnn", "gru"], default="rnn")
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--strategy", choices=["greedy", "temperature"], default="greedy")
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seconds", type=float, default=3.0, help="time to spend generating (approximately)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--prefix", default="time traveller")
    ap.add_argument("--vocab", default=os.path.join(ROOT, "vocab", "timemachine-char.json"))
    ap.add_argument("--export", metavar="DIR", help="also write the weights as an LMKit run directory")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(args.seed)
    with open(args.vocab) as f:
        tokens = json.load(f)["tokens"]
    v = len(tokens)
    token_to_idx = {t: i for i, t in enumerate(tokens)}
    params = (rnn_params if args.model == "rnn" else gru_params)(v, args.hidden, g)
    net = RNNModelScratch(v, args.hidden, params, rnn if args.model == "rnn" else gru)
    if args.export:
        export(args.export, args.model, args.hidden, params, args.vocab)

    temperature = args.temperature if args.strategy == "temperature" else None
    with torch.no_grad():
        predict(args.prefix, 200, net, token_to_idx, temperature, g)           # warm-up
        chunk, total, elapsed, first = 1000, 0, 0.0, None
        while elapsed < args.seconds:
            t0 = time.perf_counter()
            out = predict(args.prefix, chunk, net, token_to_idx, temperature, g)
            elapsed += time.perf_counter() - t0
            total += chunk
            if first is None:
                first = "".join(tokens[i] for i in out[:len(args.prefix) + 50])
    print(json.dumps({"impl": "torch", "model": args.model, "hidden": args.hidden, "strategy": args.strategy,
                      "tokens": total, "seconds": round(elapsed, 4), "tokens_per_second": round(total / elapsed, 1),
                      "threads": args.threads, "text": first}))


if __name__ == "__main__":
    sys.exit(main())
