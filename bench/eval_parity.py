#!/usr/bin/env python3
"""PyTorch's word_language_model `evaluate(batchify(test, bsz))` on an LMKit run's weights: the
reference `lm-eval --batch bsz` must equal (bench/eval_parity.sh compares them).

Written from a reading of pytorch/examples word_language_model (data.py, model.py, main.py), not
from LMKit's evaluator:

  data.py   Corpus.tokenize: for every line of the file (read as UTF-8 text),
            words = line.split() + ['<eos>'], each word's id from the dictionary.
  main.py   batchify(data, bsz): nbatch = data.size(0) // bsz; data.narrow(0, 0, nbatch * bsz)
            .view(bsz, -1).t().contiguous()  → a (nbatch × bsz) matrix, column j holding tokens
            j·nbatch … (j+1)·nbatch − 1; the tail of fewer than bsz tokens is dropped.
            get_batch(source, i): seq_len = min(bptt, len(source) − 1 − i);
            data = source[i:i+seq_len], target = source[i+1:i+1+seq_len].view(-1).
            evaluate: hidden = model.init_hidden(bsz) once; for i in range(0, source.size(0) − 1,
            bptt): output, hidden = model(data, hidden) (hidden repackaged);
            total_loss += len(data) · NLLLoss(output, targets); return total_loss / (len(source) − 1).
  model.py  RNNModel: encoder nn.Embedding → dropout → nn.LSTM / nn.GRU / nn.RNN → dropout →
            decoder nn.Linear (weight tied to the encoder's with --tied) → log_softmax.

The dictionary is the run's (vocab.json's token list, id = position): LMKit's ids are what the
weights were trained on. The weights come from `lm-convert export --format pytorch`, loaded with
load_state_dict(strict=True).

Usage: python bench/eval_parity.py --weights W.safetensors --vocab RUN/vocab.json --text FILE
       [--batch 10] [--bptt 35] [--rnn-type LSTM]
Prints one JSON line: {"loss": nats per prediction, "ppl": exp(loss), "rows": bsz, "nbatch": ...}.
"""
import argparse
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open


class RNNModel(nn.Module):
    """word_language_model's model.py RNNModel (eval mode, so dropout is the identity)."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.0, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ["LSTM", "GRU"]:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


def tokenize(path, word2idx):
    """data.py's Corpus.tokenize with a given dictionary (every word must be in it)."""
    ids = []
    with open(path, "r", encoding="utf8") as f:
        for number, line in enumerate(f, 1):
            for word in line.split() + ["<eos>"]:
                if word not in word2idx:
                    sys.exit(f"eval_parity.py: {path}:{number}: {word!r} is not in the vocabulary")
                ids.append(word2idx[word])
    return torch.tensor(ids, dtype=torch.int64)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].view(-1)


def repackage_hidden(h):
    return h.detach() if isinstance(h, torch.Tensor) else tuple(repackage_hidden(v) for v in h)


def evaluate(model, data_source, bsz, bptt):
    model.eval()
    criterion = nn.NLLLoss()
    total_loss = 0.0
    hidden = model.init_hidden(bsz)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i, bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def load(path, rnn_type):
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
        state = {name: f.get_tensor(name) for name in f.keys()}
    rnn_type = rnn_type or metadata.get("rnn_type")
    if rnn_type is None:
        sys.exit(f"eval_parity.py: {path} names no rnn_type; give --rnn-type")
    ntoken, ninp = state["encoder.weight"].shape
    nhid = state["rnn.weight_hh_l0"].shape[1]
    nlayers = sum(1 for name in state if name.startswith("rnn.weight_hh_l"))
    model = RNNModel(rnn_type, ntoken, ninp, nhid, nlayers, tie_weights=metadata.get("tied") == "true")
    model.load_state_dict(state, strict=True)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", required=True, help="lm-convert export --format pytorch's safetensors file")
    parser.add_argument("--vocab", required=True, help="the run's vocab.json (word level, raw preset, <eos> after lines)")
    parser.add_argument("--text", required=True, help="the text to evaluate on")
    parser.add_argument("--batch", type=int, default=10, help="main.py's eval_batch_size")
    parser.add_argument("--bptt", type=int, default=35)
    parser.add_argument("--rnn-type", default=None, help="RNN_TANH, RNN_RELU, GRU or LSTM (default: the file's metadata)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    vocab = json.load(open(args.vocab, encoding="utf-8"))
    pipeline = vocab.get("pipeline", {})
    if pipeline.get("level") != "word" or not pipeline.get("endOfLine") or pipeline.get("preprocessor", {}).get("filter") != "none":
        sys.exit(f"eval_parity.py: {args.vocab}: data.py reads words split on white space with <eos> after each line; "
                 f"the run's vocabulary is not that (pipeline {pipeline})")
    word2idx = {token: i for i, token in enumerate(vocab["tokens"])}
    model = load(args.weights, args.rnn_type)
    data = batchify(tokenize(args.text, word2idx), args.batch)
    loss = evaluate(model, data, args.batch, args.bptt)
    print(json.dumps({"loss": loss, "ppl": math.exp(loss), "rows": args.batch, "nbatch": data.size(0),
                      "predictions": args.batch * (data.size(0) - 1)}))


if __name__ == "__main__":
    main()
