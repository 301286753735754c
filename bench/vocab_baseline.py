"""Baseline for `bin/bench vocab`: d2l's read + tokenize + Counter (chapter 9, 2021 edition)
on the same file, timed in the same run. Prints one JSON line."""
import collections
import json
import re
import resource
import sys
import time


def read_lines(path):
    # d2l.read_time_machine
    with open(path, "r") as f:
        lines = f.readlines()
    return [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]


def tokenize(lines):
    # d2l.tokenize(lines, 'char')
    return [list(line) for line in lines]


def count_corpus(tokens):
    # d2l.count_corpus
    return collections.Counter([token for line in tokens for token in line])


def main(path):
    start = time.perf_counter()
    counter = count_corpus(tokenize(read_lines(path)))
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tokens": sum(counter.values()), "types": len(counter) + 1,
                      "seconds": seconds, "peak_mib": peak_kib / 1024}))


if __name__ == "__main__":
    main(sys.argv[1])
