#!/usr/bin/env bash
# Builds the release product $1 when its sources are newer than the binary, then runs it
# with the remaining arguments. Used by bin/lm-vocab, bin/lm-train, bin/lm-generate.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
product="$1"; shift
binary="$root/.build/release/$product"
if [ ! -x "$binary" ] || [ -n "$(find "$root/Sources" "$root/Package.swift" -newer "$binary" -print -quit)" ]; then
  "$root/bin/setup"
  echo "building $product (release)..." >&2
  (cd "$root" && swift build -c release --product "$product" >&2) || {
    echo "$product: build failed (see above)" >&2; exit 1; }
fi
export LM_CORPUS_REGISTRY="${LM_CORPUS_REGISTRY:-$root/corpora/registry.json}"
export LM_RECIPES="${LM_RECIPES:-$root/recipes}"
# Offline machines keep corpora in a mirror directory; a checkout that sits beside one
# (../shared/data, as CI has) uses it unless LM_CORPUS_MIRROR says otherwise.
if [ -z "${LM_CORPUS_MIRROR:-}" ] && [ -d "$root/../shared/data" ]; then
  export LM_CORPUS_MIRROR="$root/../shared/data"
fi
exec "$binary" "$@"
