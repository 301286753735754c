"""Reference values for Tests/LMModelsTests/AdaptiveSoftmaxTests.swift (the PyTorch pin).

Builds torch.nn.AdaptiveLogSoftmaxWithLoss(in_features=4, n_classes=10, cutoffs=[3, 6],
div_value=2.0) in float64 (defaults: head_bias=False; projections 4 -> 2 and 4 -> 1), sets
its weights to fixed values, and prints them with log_prob(h) and the loss of forward(h, y)
as Swift literals in LMKit's layouts (input x output, the transpose of nn.Linear.weight).

    /work/baseline/bench/.venv/bin/python bench/adaptive_softmax_reference.py
"""
import math

import torch

torch.set_default_dtype(torch.float64)
H, V, CUTOFFS, DIV = 4, 10, [3, 6], 2.0
m = torch.nn.AdaptiveLogSoftmaxWithLoss(H, V, CUTOFFS, div_value=DIV)


def fill(t, salt):
    # Fixed, irregular values in [-0.9, 0.9], by flat index in PyTorch's layout.
    with torch.no_grad():
        flat = t.view(-1)
        for k in range(flat.numel()):
            flat[k] = 0.9 * math.sin(1.7 * k + salt)


fill(m.head.weight, 0.3)
for i, tail in enumerate(m.tail):
    fill(tail[0].weight, 1.1 + i)
    fill(tail[1].weight, 2.3 + i)
h = torch.tensor([[0.5 * math.cos(0.9 * (4 * r + c) + 0.2) for c in range(H)] for r in range(6)])
y = torch.tensor([0, 2, 3, 5, 6, 9])  # shortlist, shortlist, cluster 0 (twice), cluster 1 (twice)
out = m(h, y)
logp = m.log_prob(h)


def swift(name, t):
    values = ", ".join(repr(float(x)) for x in t.reshape(-1).tolist())
    print(f"    static let {name}: [Double] = [{values}]")


swift("head", m.head.weight.t())
for i, tail in enumerate(m.tail):
    swift(f"projection{i}", tail[0].weight.t())
    swift(f"cluster{i}", tail[1].weight.t())
swift("hidden", h)
print(f"    static let targets: [Int32] = {y.tolist()}")
swift("logProbabilities", logp)
print(f"    static let loss = {float(out.loss.detach())!r}")
