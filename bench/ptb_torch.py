"""Penn Treebank for the PyTorch word-level baselines (bench/awd_torch.py, bench/pwl_budget.py).

    import ptb_torch
    corpus = ptb_torch.read_ptb(path, "script.py")   # d2l's ptb.zip, or a directory of ptb.{train,valid,test}.txt
    corpus, (train, valid, test) = ptb_torch.load(torch, path, (80, 10, 1), "script.py")   # the same, batchified
    rows = ptb_torch.batchify(torch, corpus.train, 80)      # (n // 80) x 80, column j a contiguous stream
    loss, tokens = ptb_torch.evaluate(torch, model, rows, 70)

Tokens are read as LMKit reads the registered corpus `ptb` (and as word_language_model's and
AWD-LSTM's data.py): each line's `line.split()` words followed by `<eos>`. Ids are given in order
of first appearance over train, valid, test (those scripts' Dictionary); the order does not
change what a model learns, only which row of the embedding a word gets.

`evaluate` needs a model with `init_state(rows)` and `forward(x, state) -> (logits, state)`,
x time-major (T x rows) and logits (T x rows x V).
"""
import math
import os
import sys
import zipfile

SPLITS = ("train", "valid", "test")


def default_ptb_path():
    """$LM_CORPUS_MIRROR/ptb.zip when set, else the checkout's sibling ../shared/data/ptb.zip
    (where bin/lm-train finds the corpus mirror on our machines)."""
    mirror = os.environ.get("LM_CORPUS_MIRROR")
    if not mirror:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        mirror = os.path.join(os.path.dirname(root), "shared", "data")
    return os.path.join(mirror, "ptb.zip")


class Corpus:
    """The three splits as lists of ids, and the words (`words[id]`)."""

    def __init__(self):
        self.words, self.index = [], {}
        self.train = self.valid = self.test = None

    def encode(self, lines):
        ids = []
        for line in lines:
            for word in line.split() + ["<eos>"]:
                i = self.index.get(word)
                if i is None:
                    i = self.index[word] = len(self.words)
                    self.words.append(word)
                ids.append(i)
        return ids


def read_ptb(path, script):
    """The corpus at `path`: d2l's ptb.zip (members ptb/ptb.SPLIT.txt) or a directory holding
    ptb.SPLIT.txt. Exits with a one-line message naming the file when something is missing."""
    corpus = Corpus()
    texts = {}
    if os.path.isdir(path):
        for split in SPLITS:
            name = os.path.join(path, f"ptb.{split}.txt")
            try:
                with open(name, encoding="utf-8") as f:
                    texts[split] = f.read()
            except OSError as e:
                sys.exit(f"{script}: cannot read {name}: {e.strerror}")
    else:
        try:
            with zipfile.ZipFile(path) as z:
                for split in SPLITS:
                    member = f"ptb/ptb.{split}.txt"
                    try:
                        texts[split] = z.read(member).decode("utf-8")
                    except KeyError:
                        sys.exit(f"{script}: {path} holds no {member} (give d2l's ptb.zip or a directory of ptb.*.txt)")
        except (OSError, zipfile.BadZipFile) as e:
            sys.exit(f"{script}: cannot read the Penn Treebank {path}: {getattr(e, 'strerror', None) or e} "
                     "(--data: d2l's ptb.zip or a directory of ptb.*.txt; default $LM_CORPUS_MIRROR/ptb.zip)")
    for split in SPLITS:
        setattr(corpus, split, corpus.encode(texts[split].splitlines()))
    return corpus


def batchify(torch, ids, rows):
    """word_language_model's and AWD's batchify: the first (len // rows) * rows ids as `rows`
    contiguous streams, time-major: column j holds ids[j*L : (j+1)*L], L = len // rows."""
    length = len(ids) // rows
    if length < 2:
        raise ValueError(f"{len(ids)} ids are too few for {rows} rows")
    return torch.tensor(ids[:length * rows], dtype=torch.long).view(rows, length).t().contiguous()


def load(torch, path, rows, script, max_tokens=0):
    """The corpus at `path` (default_ptb_path() when None) and its three splits batchified into
    rows = (train, valid, test) streams; the training text cut to its first max_tokens ids when
    that is positive. Exits naming the flags when a split is too short for its rows."""
    corpus = read_ptb(path or default_ptb_path(), script)
    if max_tokens > 0:
        corpus.train = corpus.train[:max_tokens]
    try:
        splits = [batchify(torch, getattr(corpus, split), n) for split, n in zip(SPLITS, rows)]
    except ValueError as e:
        sys.exit(f"{script}: {e} (the batch sizes)")
    return corpus, splits


def evaluate(torch, model, data, bptt, max_windows=0):
    """Mean cross-entropy (nats) over every prediction of `data` (batchify's L x rows), read in
    windows of `bptt` with the state carried from zero; dropout off. Returns (loss, predictions).
    (word_language_model divides the same sum by L - 1 per row, AWD's main.py by L.)
    max_windows > 0 stops after that many windows (smoke tests)."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        state = model.init_state(data.size(1))
        for i in range(0, data.size(0) - 1, bptt):
            n = min(bptt, data.size(0) - 1 - i)
            x, y = data[i:i + n], data[i + 1:i + 1 + n]
            logits, state = model(x, state)
            total += torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1),
                                                       reduction="sum").item()
            count += y.numel()
            if max_windows and i // bptt + 1 >= max_windows:
                break
    model.train(was_training)
    return total / count, count


def perplexity(loss):
    return math.exp(loss) if loss < 700 else float("inf")


def set_threads(threads):
    """OMP_NUM_THREADS before torch is imported (the OpenMP pool reads it once), then torch's
    own setting; returns torch. threads 0 means every core."""
    threads = threads or os.cpu_count() or 1
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import torch
    torch.set_num_threads(threads)
    return torch
