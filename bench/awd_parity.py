#!/usr/bin/env python3
"""AWD-LSTM parity: LMKit's `bin/lm-train ptb --recipe awd-lstm` against bench/awd_torch.py, epoch
by epoch. Run through bench/awd-parity.sh (which finds a python with torch); see bench/README.md.

1. LMKit: `bin/lm-train ptb --recipe awd-lstm --epochs E --threads T --out OUT/lmkit --overwrite`
   (plus $AWD_LMKIT_ARGS).
2. The baseline's settings are read from that run's config.json (everything that does not
   depend on the seed: per-layer widths, dropouts, AR and TAR, initialization schemes, biases,
   tying, batch, BPTT length and its variation, lr, clip, weight decay, NT-ASGD, evaluation rows)
   and its vocabulary size from what lm-train printed; what the config holds that is not mapped
   is listed, and awd_torch.py keeps AWD's defaults there. Then `awd_torch.py --epochs E --json`.
3. The table: per epoch each side's validation loss (nats), their relative difference, seconds
   and tokens/s of each side's training pass; PASS when every epoch is within the tolerance.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--recipe", default="awd-lstm")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--threads", type=int, default=2, help="each side's threads (the sides run one after the other)")
    p.add_argument("--tol", type=float, default=0.02, help="relative tolerance on each epoch's validation loss")
    p.add_argument("--out", default=os.path.join(ROOT, "runs", "awd-parity"))
    p.add_argument("--sides", choices=["both", "lmkit", "torch", "compare"], default="both",
                   help="lmkit or torch: run one side (torch reads OUT/lmkit's settings when they are there); "
                        "compare: only the table, from what OUT holds")
    p.add_argument("--lmkit-args", default=os.environ.get("AWD_LMKIT_ARGS", ""), help="more lm-train flags")
    p.add_argument("--torch-args", default=os.environ.get("AWD_TORCH_ARGS", ""),
                   help="more awd_torch.py flags (after the mapped ones, so they win)")
    a = p.parse_args(argv)
    if a.epochs < 1:
        p.error("--epochs must be at least 1")
    return a


def die(text):
    sys.exit(f"bench awd-parity: {text}")


def scheme(init, where):
    """config.json's {"scheme": ..., "scale": ...} as awd_torch.py's SCHEME[:VALUE]."""
    kind = init.get("scheme")
    if kind == "pytorch":
        return "pytorch"
    if kind in ("uniform", "normal"):
        return f"{kind}:{init['scale']!r}"
    die(f"{where}: initialization {kind!r} has no counterpart in awd_torch.py (pytorch, uniform, normal)")


def torch_flags(config, printed):
    """awd_torch.py flags for an LMKit run's config.json and what lm-train printed; returns the
    flags and the config's keys left unmapped."""
    model, training = config.get("model", {}), config.get("training", {})
    flags, used = [], set()

    def take(section, key, flag, convert=lambda v: v):
        if key in section and section[key] is not None:
            used.add(f"{'model' if section is model else 'training'}.{key}")
            flags.extend([flag, str(convert(section[key]))])

    if model.get("kind") != "lstm":
        die(f"the LMKit run's model is {model.get('kind')!r}, not an LSTM")
    take(model, "embeddingSize", "--emsize")
    # hiddenSize: one width for every layer, or (per-layer widths) a list of them.
    hidden = model.get("hiddenSize")
    if isinstance(hidden, list):
        widths = hidden
    elif hidden:
        widths = [hidden] * model.get("layers", 1)
    else:
        widths = None
    if widths:
        flags.extend(["--widths", ",".join(map(str, widths))])
        used.update(("model.hiddenSize", "model.layers"))
    # AR and TAR: absent means off.
    regularization = model.get("activationRegularization") or {}
    flags.extend(["--alpha", repr(float(regularization.get("ar", 0))), "--beta", repr(float(regularization.get("tar", 0)))])
    used.add("model.activationRegularization")
    dropout = model.get("dropout") or {}
    for key, flag in (("input", "--dropouti"), ("hidden", "--dropouth"), ("output", "--dropout"),
                      ("embedding", "--dropoute"), ("weightDrop", "--wdrop")):
        if key in dropout:
            flags.extend([flag, repr(float(dropout[key]))])
            used.add(f"model.dropout.{key}")
    if dropout.get("locked") is False and any(dropout.get(k) for k in ("input", "hidden", "output")):
        die("the LMKit run's dropout is not locked (model.dropout.locked false); awd_torch.py's is AWD's locked dropout")
    used.add("model.dropout.locked")
    if model.get("tied") is False:
        flags.append("--no-tied")
    used.add("model.tied")
    if model.get("recurrentBias") is False:
        flags.append("--single-bias")
    used.add("model.recurrentBias")
    if "initialization" in model:
        base = model["initialization"]
        flags.extend(["--init", scheme(base, "model.initialization"),
                      "--init-embedding", scheme(model.get("embeddingInitialization") or base, "model.embeddingInitialization"),
                      "--init-output", scheme(model.get("outputInitialization") or base, "model.outputInitialization")])
        used.update(("model.initialization", "model.embeddingInitialization", "model.outputInitialization"))
    if model.get("forgetBias") is not None:
        die("the LMKit run sets model.forgetBias; awd_torch.py has no forget-gate bias option")
    used.update(("model.vocabularySize", "model.activation", "model.gruVariant", "model.kind"))
    if printed.get("vocabulary"):
        flags.extend(["--vocab-size", str(printed["vocabulary"])])
    if training.get("optimizer", "sgd") != "sgd":
        die(f"the LMKit run's optimizer is {training['optimizer']!r}; AWD's (and awd_torch.py's) is SGD")
    used.add("training.optimizer")
    take(training, "batch", "--batch-size")
    take(training, "steps", "--bptt")
    # Variable-length BPTT: absent means windows of exactly `steps`.
    variable = training.get("variableSteps")
    if variable is None:
        flags.append("--fixed-bptt")
    else:
        flags.extend(["--bptt-half", repr(float(variable["halfProbability"])), "--bptt-std", repr(float(variable["spread"]))])
    used.add("training.variableSteps")
    take(training, "lr", "--lr", repr)
    if "clip" in training:
        flags.extend(["--clip", repr(training["clip"] or 0.0)])
        used.add("training.clip")
    flags.extend(["--wdecay", repr(training.get("weightDecay") or 0.0)])
    used.add("training.weightDecay")
    if training.get("asgdNonmonotone") is None:
        flags.append("--no-asgd")
    else:
        take(training, "asgdNonmonotone", "--nonmono")
    used.add("training.asgdNonmonotone")
    take(training, "evalBatch", "--eval-batch")
    if training.get("maxTokens"):
        take(training, "maxTokens", "--max-tokens")
    take(training, "seed", "--seed")
    # Where the run lives, what it reads and how it is kept: not the baseline's business.
    used.update(f"training.{k}" for k in ("corpus", "epochs", "checkpointEvery", "keep", "maxTokens", "validationFraction",
                                           "validFile", "testFile", "testModel", "sampler", "momentum", "nesterov"))
    left = sorted(k for k in flatten(config) if k.startswith(("model.", "training.")) and k not in used
                  and not any(k.startswith(u + ".") for u in used))
    return flags, left


def flatten(d, prefix=""):
    keys = []
    for k, v in d.items():
        name = f"{prefix}{k}"
        keys.extend(flatten(v, name + ".") if isinstance(v, dict) else [name])
    return keys


def lmkit_printed(text):
    """The sizes lm-train printed: training and validation tokens, vocabulary, parameters."""
    found = {}
    m = re.search(r"(\d+) training tokens(?:, (\d+) validation)?, vocabulary (\d+)", text)
    if m:
        found.update(train_tokens=int(m.group(1)), valid_tokens=int(m.group(2) or 0), vocabulary=int(m.group(3)))
    m = re.search(r"(\d+) parameters", text)
    if m:
        found["parameters"] = int(m.group(1))
    return found


def read_lines(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip().startswith("{")]
    except OSError:
        return []


def run(cmd, stdout, stderr, what, env=None):
    print("  " + " ".join(cmd), file=sys.stderr, flush=True)
    with open(stdout, "w") as out, open(stderr, "w") as err:
        rc = subprocess.call(cmd, stdout=out, stderr=err, cwd=ROOT, env=env)
    if rc != 0:
        with open(stderr) as f:
            tail = f.read().splitlines()[-15:]
        print("\n".join(tail), file=sys.stderr)
        die(f"{what} failed (exit {rc}; log {stderr})")


def main(argv=None):
    a = parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    lrun = os.path.join(a.out, "lmkit")
    lout, lerr = os.path.join(a.out, "lmkit.out"), os.path.join(a.out, "lmkit.err")
    tjson, terr = os.path.join(a.out, "torch.jsonl"), os.path.join(a.out, "torch.err")
    print(f"== AWD-LSTM parity, recipe {a.recipe}: {a.epochs} epochs, tolerance {100 * a.tol:g} %, "
          f"{a.threads} threads per side, outputs in {a.out}", file=sys.stderr)
    if a.sides in ("both", "lmkit"):
        lm_train = os.environ.get("LM_TRAIN", os.path.join(ROOT, "bin", "lm-train"))
        # bin/lm-train sets these; a binary given by LM_TRAIN needs them from here.
        lm_env = dict(os.environ)
        lm_env.setdefault("LM_RECIPES", os.path.join(ROOT, "recipes"))
        lm_env.setdefault("LM_CORPUS_REGISTRY", os.path.join(ROOT, "corpora", "registry.json"))
        if "LM_CORPUS_MIRROR" not in lm_env and os.path.isdir(os.path.join(os.path.dirname(ROOT), "shared", "data")):
            lm_env["LM_CORPUS_MIRROR"] = os.path.join(os.path.dirname(ROOT), "shared", "data")
        run([lm_train, "ptb", "--recipe", a.recipe, "--epochs", str(a.epochs), "--threads", str(a.threads),
             "--out", lrun, "--overwrite"] + a.lmkit_args.split(), lout, lerr,
            f"lm-train --recipe {a.recipe} (is the recipe there? bin/lm-train --help, recipes/)", env=lm_env)
    printed = {}
    for path in (lout, lerr):
        if os.path.exists(path):
            printed.update(lmkit_printed(open(path).read()))
    config_path = os.path.join(lrun, "config.json")
    if a.sides in ("both", "torch"):
        flags = []
        if os.path.exists(config_path):
            with open(config_path) as f:
                flags, left = torch_flags(json.load(f), printed)
            print(f"  settings from {config_path}: {' '.join(flags)}", file=sys.stderr)
            if left:
                print(f"  not mapped (awd_torch.py keeps AWD's defaults there): {', '.join(left)}", file=sys.stderr)
        else:
            print(f"  no LMKit run in {lrun}: awd_torch.py runs with AWD's defaults", file=sys.stderr)
        env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
        run([sys.executable, os.path.join(ROOT, "bench", "awd_torch.py")] + flags
            + ["--epochs", str(a.epochs), "--threads", str(a.threads), "--json", "--no-test"] + a.torch_args.split(),
            tjson, terr, "awd_torch.py", env=env)
    if a.sides in ("lmkit", "torch"):
        print(f"  ({a.sides} only: outputs in {a.out})", file=sys.stderr)
        return 0
    return compare(a, read_lines(os.path.join(lrun, "log.jsonl")), read_lines(tjson), printed)


def compare(a, lm, tl, printed):
    start = next((r for r in tl if r.get("event") == "start"), {})
    te = [r for r in tl if "epoch" in r]
    if not lm or not te:
        die(f"nothing to compare: {len(lm)} LMKit epochs ({a.out}/lmkit/log.jsonl), {len(te)} torch epochs ({a.out}/torch.jsonl)")
    for what, key in (("training tokens", "train_tokens"), ("validation tokens", "valid_tokens"),
                      ("vocabulary", "vocabulary"), ("parameters", "parameters")):
        if key in printed and key in start:
            same = "same" if printed[key] == start[key] else f"DIFFERENT by {start[key] - printed[key]:+d}"
            print(f"{what}: LMKit {printed[key]}, torch {start[key]} ({same})")
    print(f"{a.recipe}: validation loss per epoch (nats), LMKit vs PyTorch (awd_torch.py)")
    print("| epoch | LMKit val | torch val | rel. diff | LMKit val ppl | torch val ppl | LMKit s | torch s | LMKit tok/s | torch tok/s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = len(lm) == len(te)
    prev = 0.0
    for x, y in zip(lm, te):
        if x.get("val_ppl") is None:
            die(f"the LMKit log has no validation perplexity at epoch {x.get('epoch')}")
        lv, tv = math.log(x["val_ppl"]), y["val_loss"]
        rel = abs(lv - tv) / tv
        ok &= rel <= a.tol
        print(f"| {x['epoch']} | {lv:.4f} | {tv:.4f} | {100 * rel:.2f} % | {x['val_ppl']:.2f} | {y['val_ppl']:.2f} | "
              f"{x['seconds'] - prev:.0f} | {y['seconds']:.0f} | {x['tokens_per_second']:.0f} | {y['tokens_per_second']:.0f} |")
        prev = x["seconds"]
    if len(lm) != len(te):
        print(f"epochs differ: LMKit logged {len(lm)}, torch {len(te)}")
    print(f"{a.recipe}: {'PASS' if ok else 'FAIL'} (every epoch within {100 * a.tol:g} %)")
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
