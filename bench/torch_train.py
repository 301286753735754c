#!/usr/bin/env python3
"""PyTorch baseline for `bin/bench train`: d2l chapter 9 recurrent language models, training throughput.

Two implementations, written to d2l's math (d2l.ai ch. 9 "RNN from scratch" / "concise", GRU 9.1, LSTM 9.2):

  --impl scratch  d2l's RNNModelScratch in eager mode: F.one_hot(X.T, vocab).float() input, one matmul
                  per gate per time step over plain tensors with requires_grad (get_params / rnn / gru /
                  lstm), loss CrossEntropy mean, d2l's grad_clipping (global norm, theta=1) and d2l's sgd
                  (lr 1, batch_size 1 because the loss is already a mean).
  --impl concise  d2l's RNNModel: nn.RNN / nn.GRU / nn.LSTM + nn.Linear head on one-hot input,
                  torch.optim.SGD(lr=1), torch.nn.utils.clip_grad_norm_(max_norm=1).

Both follow train_epoch_ch8 with sequential partitioning: the state is carried across steps and
detached before each step. Data are uniform random token ids. After a warm-up, full training steps
(forward + backward + clip + update) are timed for about --seconds, and one JSON line is printed
(tokens_per_second = timed tokens / wall time; extra fields add diagnostics):

  {"bench":"train","impl":"scratch","model":"rnn","hidden":512,"threads":2,"tokens_per_second":...}

tokens per step = batch x steps (the target tokens).
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


# ---------------------------------------------------------------- scratch (d2l 9.5, 9.1 GRU, 9.2 LSTM)

def normal(shape):
    return torch.randn(size=shape) * 0.01


def get_rnn_params(vocab_size, num_hiddens):
    num_inputs = num_outputs = vocab_size
    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens)
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs)
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_rnn_state(batch_size, num_hiddens):
    return (torch.zeros((batch_size, num_hiddens)),)


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


def get_gru_params(vocab_size, num_hiddens):
    num_inputs = num_outputs = vocab_size

    def three():
        return (normal((num_inputs, num_hiddens)),
                normal((num_hiddens, num_hiddens)),
                torch.zeros(num_hiddens))

    W_xz, W_hz, b_z = three()  # update gate
    W_xr, W_hr, b_r = three()  # reset gate
    W_xh, W_hh, b_h = three()  # candidate hidden state
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs)
    params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_gru_state(batch_size, num_hiddens):
    return (torch.zeros((batch_size, num_hiddens)),)


def gru(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        Z = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
        R = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
        H_tilda = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
        H = Z * H + (1 - Z) * H_tilda
        Y = H @ W_hq + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


def get_lstm_params(vocab_size, num_hiddens):
    num_inputs = num_outputs = vocab_size

    def three():
        return (normal((num_inputs, num_hiddens)),
                normal((num_hiddens, num_hiddens)),
                torch.zeros(num_hiddens))

    W_xi, W_hi, b_i = three()  # input gate
    W_xf, W_hf, b_f = three()  # forget gate
    W_xo, W_ho, b_o = three()  # output gate
    W_xc, W_hc, b_c = three()  # candidate memory cell
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs)
    params = [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_lstm_state(batch_size, num_hiddens):
    return (torch.zeros((batch_size, num_hiddens)),
            torch.zeros((batch_size, num_hiddens)))


def lstm(inputs, state, params):
    [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] = params
    (H, C) = state
    outputs = []
    for X in inputs:
        I = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)
        Fg = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
        O = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)
        C_tilda = torch.tanh((X @ W_xc) + (H @ W_hc) + b_c)
        C = Fg * C + I * C_tilda
        H = O * torch.tanh(C)
        Y = (H @ W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H, C)


SCRATCH = {
    "rnn": (get_rnn_params, init_rnn_state, rnn),
    "gru": (get_gru_params, init_gru_state, gru),
    "lstm": (get_lstm_params, init_lstm_state, lstm),
}


class RNNModelScratch:
    """d2l's RNNModelScratch."""

    def __init__(self, vocab_size, num_hiddens, get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size):
        return self.init_state(batch_size, self.num_hiddens)


def grad_clipping(net, theta):
    """d2l's grad_clipping: rescale all gradients when their global L2 norm exceeds theta."""
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def sgd(params, lr, batch_size):
    """d2l's minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# ---------------------------------------------------------------- concise (d2l 9.6 RNNModel)

class RNNModel(nn.Module):
    """d2l's RNNModel: a torch recurrent layer and a linear output layer."""

    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, batch_size):
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if not isinstance(self.rnn, nn.LSTM):
            return torch.zeros(shape)
        return (torch.zeros(shape), torch.zeros(shape))


CONCISE = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


# ---------------------------------------------------------------- training step (train_epoch_ch8)

def make_step(args):
    loss = nn.CrossEntropyLoss()
    if args.impl == "scratch":
        get_params, init_state, forward_fn = SCRATCH[args.model]
        net = RNNModelScratch(args.vocab, args.hidden, get_params, init_state, forward_fn)

        def update():
            grad_clipping(net, 1)
            sgd(net.params, args.lr, batch_size=1)  # the loss is already a mean
    else:
        net = RNNModel(CONCISE[args.model](args.vocab, args.hidden), args.vocab)
        optimizer = torch.optim.SGD(net.parameters(), lr=args.lr)

        def update():
            nn.utils.clip_grad_norm_(net.parameters(), max_norm=1)
            optimizer.step()

    state = net.begin_state(args.batch)

    def step(X, Y):
        nonlocal state
        # sequential partitioning: keep the state, cut the graph
        if isinstance(state, tuple):
            for s in state:
                s.detach_()
        else:
            state.detach_()
        y = Y.T.reshape(-1)
        if args.impl == "concise":
            optimizer.zero_grad()
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        l.backward()
        update()
        return l.detach()

    return step


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--impl", choices=["scratch", "concise"], default="scratch")
    p.add_argument("--model", choices=["rnn", "gru", "lstm"], default="rnn")
    p.add_argument("--hidden", type=int, default=None, help="hidden units (d2l: rnn 512, gru/lstm 256)")
    p.add_argument("--vocab", type=int, default=28)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=35, help="time steps per sequence (num_steps)")
    p.add_argument("--lr", type=float, default=1.0)
    add_timing_arguments(p)
    args = p.parse_args(argv)
    if args.hidden is None:
        args.hidden = 512 if args.model == "rnn" else 256

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    # A random corpus cut into `batch` parallel streams, read sequentially (seq_data_iter_sequential).
    chunks = 64
    corpus = torch.randint(0, args.vocab, (args.batch, chunks * args.steps + 1))

    def batch(i):
        o = (i % chunks) * args.steps
        return corpus[:, o:o + args.steps], corpus[:, o + 1:o + 1 + args.steps]

    step = make_step(args)

    # Warm-up (allocator, thread pool, lazy init), then about --seconds of timed steps.
    n, elapsed, median, l = timed_steps(step, batch, args.seconds, args.warmup)
    loss = float(l)
    if not math.isfinite(loss):
        print(f"torch_train: non-finite loss {loss}", file=sys.stderr)
        return 1

    tokens = n * args.batch * args.steps
    print(json.dumps({
        "bench": "train", "impl": args.impl, "model": args.model, "hidden": args.hidden,
        "threads": args.threads, "tokens_per_second": round(tokens / elapsed, 1),
        "vocab": args.vocab, "batch": args.batch, "steps": args.steps,
        "train_steps": n, "seconds": round(elapsed, 3), "loss": round(loss, 4),
        # diagnostic: throughput at the median step time, which ignores stalls from a busy machine
        "median_step_ms": round(median * 1e3, 3),
        "tokens_per_second_median": round(args.batch * args.steps / median, 1),
        "torch": torch.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
