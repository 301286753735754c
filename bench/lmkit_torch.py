"""LMKit models in PyTorch: word_language_model's RNNModel, built to match a state_dict that
`lm-convert export --format pytorch RUN OUT.safetensors` wrote, and saved back for
`lm-convert import --format pytorch`.

    import lmkit_torch
    model = lmkit_torch.load("model.safetensors")     # RNNModel, load_state_dict(strict=True)
    logits, hidden = model(ids)                        # ids: (T, B) int64 → logits (T, B, V)
    lmkit_torch.save(model, "state.safetensors")      # for lm-convert import

The module is PyTorch's examples/word_language_model/model.py RNNModel (encoder nn.Embedding,
rnn nn.RNN / nn.GRU / nn.LSTM, decoder nn.Linear, optional tying), except that forward returns
logits rather than log-probabilities. One-hot LMKit models come with an identity encoder.weight
(V x V), so the same module runs them. Needs torch and safetensors.
"""
import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import save_file

RNN_TYPES = ("RNN_TANH", "RNN_RELU", "GRU", "LSTM")


class RNNModel(nn.Module):
    """word_language_model's RNNModel: encoder → rnn → decoder (time-major, batch_first=False)."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.0, tie_weights=False):
        super().__init__()
        if rnn_type not in RNN_TYPES:
            raise ValueError(f"rnn_type {rnn_type!r}: use one of {', '.join(RNN_TYPES)}")
        self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ("LSTM", "GRU"):
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=rnn_type[4:].lower(), dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("tied weights need nhid == ninp (LMKit: --hidden equal to --embedding)")
            self.decoder.weight = self.encoder.weight

    def forward(self, input, hidden=None):
        """input: (T, B) token ids; returns logits (T, B, V) and the new hidden state."""
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(output)), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        zeros = weight.new_zeros(self.nlayers, bsz, self.nhid)
        return (zeros, zeros.clone()) if self.rnn_type == "LSTM" else zeros


def load(path, rnn_type=None):
    """The RNNModel of an `lm-convert export` file (or any RNNModel state_dict in safetensors),
    loaded with load_state_dict(strict=True). The sizes come from the tensors; rnn_type and
    tying from the file's metadata (rnn_type may be given for files without it)."""
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
        state = {name: f.get_tensor(name) for name in f.keys()}
    rnn_type = rnn_type or metadata.get("rnn_type")
    gates = state["rnn.weight_hh_l0"].shape[0] // state["rnn.weight_hh_l0"].shape[1]
    if rnn_type is None:
        rnn_type = {1: "RNN_TANH", 3: "GRU", 4: "LSTM"}[gates]
    ntoken, ninp = state["encoder.weight"].shape
    nhid = state["rnn.weight_hh_l0"].shape[1]
    nlayers = sum(1 for name in state if name.startswith("rnn.weight_hh_l"))
    tied = metadata.get("tied") == "true"
    model = RNNModel(rnn_type, ntoken, ninp, nhid, nlayers, tie_weights=tied)
    model.load_state_dict(state, strict=True)
    return model.eval()


def save(model, path, metadata=None):
    """Writes model's state_dict as safetensors for `lm-convert import --format pytorch`
    (a tied decoder.weight is written as its own copy, as safetensors stores no shared tensors)."""
    state = {name: tensor.detach().clone().contiguous() for name, tensor in model.state_dict().items()}
    save_file(state, path, metadata={"format": "pt", **(metadata or {})})
