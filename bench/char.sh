#!/usr/bin/env bash
# bin/bench char: training throughput of a character-level embedding LSTM against PyTorch, in the same run.
#
# Workload (issue 12): char256, LSTM 2x256, embedding 64, vocabulary 66, batch 50 x 50 steps, Adam lr 2e-3,
# clip 5, with dropout 0 and BENCH_DROPOUT (embedding output, between layers, top output):
#   - LMKit:  lm-bench train --embedding 64 --optimizer adam --lr 0.002 --clip 5 --dropout P ...
#   - torch:  bench/torch_lm_bench.py (nn.Embedding + nn.LSTM + nn.Dropout + nn.Linear, torch.optim.Adam)
# and `lm-bench sgemm` once per round; the table as bin/bench ptb's. Env knobs as bench/ptb.sh.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
lm_suite char "char256:2:256:64:66:50:50:adam:0.002:5"
