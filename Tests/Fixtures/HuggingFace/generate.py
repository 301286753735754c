#!/usr/bin/env python3
"""Writes the Hugging Face tokenizers fixtures: WordLevel tokenizers trained by tokenizers' own
WordLevelTrainer on a slice of Penn Treebank, and the ids tokenizers gives for PTB test lines.

    python -m venv .venv-parity && .venv-parity/bin/pip install tokenizers
    .venv-parity/bin/python Tests/Fixtures/HuggingFace/generate.py [PTB_ZIP]

PTB_ZIP is d2l's ptb.zip (default: $LM_CORPUS_MIRROR/ptb.zip). Written beside this script:
  ptb-whitespace.json, ptb-whitespacesplit.json
      Tokenizer(WordLevel(unk_token="<unk>")) with the Whitespace (`\\w+|[^\\w\\s]+`) or the
      WhitespaceSplit pre-tokenizer, trained with WordLevelTrainer(special_tokens=[]) on the
      first 3,000 lines of ptb.train.txt, saved by Tokenizer.save (not pretty-printed). PTB's literal `<unk>` is an
      ordinary corpus word: WhitespaceSplit puts it at id 1 (after "the"); Whitespace splits it
      into "<", "unk", ">", so that tokenizer has no "<unk>" entry at all.
  ptb-ids.json
      {"tokenizers": version, "lines": the first 60 lines of ptb.test.txt,
       "WhitespaceSplit": their ids, "Whitespace": their ids, or null where tokenizers fails (a
       word outside the vocabulary with no "<unk>" entry to map it to),
       "pieces": {"lines": Unicode lines, "Whitespace": the pre-tokenizer's pieces of each}}
The Unicode lines are the d2l fixture's (../D2LPreset/lines.txt) whose code points are all
assigned in this Python's Unicode version (the libraries' Unicode versions differ on newer ones),
to pin the Whitespace pre-tokenizer's word characters (Oniguruma's \\w) and white space (\\s).
"""
import io
import json
import os
import sys
import unicodedata
import zipfile

import tokenizers
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

here = os.path.dirname(os.path.abspath(__file__))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("LM_CORPUS_MIRROR", ""), "ptb.zip")
with zipfile.ZipFile(path) as z:
    def read(name):
        return io.TextIOWrapper(z.open(name), encoding="utf-8").readlines()
    train, test = read("ptb/ptb.train.txt")[:3000], read("ptb/ptb.test.txt")[:60]

result = {"tokenizers": tokenizers.__version__, "lines": test}
trained = {}
for name in ("WhitespaceSplit", "Whitespace"):
    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.pre_tokenizer = getattr(pre_tokenizers, name)()
    tokenizer.train_from_iterator(train, trainers.WordLevelTrainer(special_tokens=[]))
    tokenizer.save(os.path.join(here, f"ptb-{name.lower()}.json"), pretty=False)
    trained[name] = tokenizer
    ids = []
    for line in test:
        try:
            ids.append(tokenizer.encode(line).ids)
        except Exception:   # WordLevel error: Missing [UNK] token from the vocabulary
            ids.append(None)
    result[name] = ids
    vocab = tokenizer.get_vocab()
    print(f"{name}: {len(vocab)} tokens, <unk> id {vocab.get('<unk>')}, "
          f"{sum(i is not None for i in ids)} of {len(test)} lines encoded", file=sys.stderr)

unicode_lines = [line for line in open(os.path.join(here, "..", "D2LPreset", "lines.txt"), encoding="utf-8").read().split("\n")[:-1]
                 if all(unicodedata.category(c) != "Cn" for c in line)]
result["pieces"] = {"lines": unicode_lines,
                    "Whitespace": [[p for p, _ in trained["Whitespace"].pre_tokenizer.pre_tokenize_str(l)] for l in unicode_lines]}
with open(os.path.join(here, "ptb-ids.json"), "w", encoding="utf-8") as f:
    json.dump(result, f, indent=0)   # ASCII escapes: Foundation drops a leading U+FEFF of raw UTF-8 strings
    f.write("\n")
