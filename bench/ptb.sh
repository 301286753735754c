#!/usr/bin/env bash
# bin/bench ptb: training throughput of word-level embedding LSTMs against PyTorch, measured in the same run.
#
# Workloads (issue 12): ptb200, Zaremba-small's shape (LSTM 2x200, embedding 200, vocabulary 10,000,
# batch 20 x 20 steps, SGD, clip 0.25, untied) and ptb650, the regularized recipes' size (LSTM 2x650,
# embedding 650, vocabulary 10,000, batch 20 x 35, SGD, clip 0.25), each with dropout 0 and BENCH_DROPOUT
# (on the embedding output, between layers and on the top output, as PyTorch's word_language_model):
#   - LMKit:  lm-bench train --embedding E --optimizer sgd --clip 0.25 --dropout P ...
#   - torch:  bench/torch_lm_bench.py (nn.Embedding + nn.LSTM + nn.Dropout + nn.Linear, torch.optim.SGD)
# and `lm-bench sgemm` once per round (the machine's matmul ceiling); the table (bench/lm_table.py) gives
# tokens/s, LMKit/torch, and each side's achieved FLOP/s as a share of sgemm, which implementation ran
# torch's nn.LSTM (oneDNN's fused RNN, its fastest CPU path, unless the line says otherwise), and
# issue 29's targets.
#
# Env knobs: BENCH_SECONDS (default 5), BENCH_THREADS (torch, default 2), BENCH_REPEAT (rounds, best kept,
# default 1), BENCH_DROPOUT (default 0.5; 0 for dropout 0 only), BENCH_WORKLOADS (replaces the workloads:
# name:layers:hidden:embedding:vocab:batch:steps:optimizer:lr:clip ...), LM_BENCH, BENCH_JSONL (as train.sh).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lm_suite ptb "ptb200:2:200:200:10000:20:20:sgd:1:0.25 ptb650:2:650:650:10000:20:35:sgd:1:0.25"
