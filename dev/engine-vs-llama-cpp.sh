#!/usr/bin/env bash
# The engine's prefill and decode speed beside llama.cpp's (node-llama-cpp's prebuilt CPU build, as the
# export tests install it) on the same weights: a random Qwen3-0.6B-shaped checkpoint in bf16 and in f16,
# exported to GGUF by `thinksafe export`. Not part of CI: speeds depend on the machine and its load, so
# compare the numbers of one run only.
#   dev/engine-vs-llama-cpp.sh [THREADS]      (after `mvn package`, which installs node-llama-cpp)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
threads="${1:-$(nproc)}"
work=target/bench
mkdir -p "$work"
node_dir=target/node-llama-cpp
if [ ! -d "$node_dir/node_modules/node-llama-cpp" ]; then
  echo "engine-vs-llama-cpp: $node_dir is not installed; run mvn -B package (without -DskipTests) first" >&2
  exit 2
fi
cp dev/llama-cpp-speed.mjs "$node_dir/"
for dtype in BF16 F16; do
  lower="$(echo "$dtype" | tr 'A-Z' 'a-z')"
  ckpt="$work/qwen3-0.6b-$lower"
  if [ ! -f "$ckpt/config.json" ]; then
    bin/thinksafe random-model --shape qwen3-0.6b --dtype "$dtype" --seed 7 --out "$ckpt" \
      --tokenizer target/npm/tokenizer-qwen3/package/models >/dev/null
  fi
  gguf="$work/qwen3-0.6b-$lower.gguf"
  if [ ! -f "$gguf" ]; then
    bin/thinksafe export --model "$ckpt" --format gguf --dtype "$lower" --out "$gguf" >/dev/null
  fi
  # llama.cpp's threads wait for each other by spinning: on shared cores one thread can beat two, so both
  for t in 1 "$threads"; do
    echo "== $dtype: llama.cpp ($t threads)"
    (cd "$node_dir" && node llama-cpp-speed.mjs "$root/$gguf" "$t" 512 32)
  done
  echo "== $dtype: thinksafe"
  bin/thinksafe bench engine --model "$ckpt" --batches 1 --prompt 512 --steps 16 2>&1 | grep -v '^WARNING'
done
