#!/usr/bin/env bash
# Installs the pinned node-llama-cpp (package-lock.json, with llama.cpp prebuilt for Linux x64) into
# the folder given, with `npm ci`, unless that exact lock is installed there already; copies the
# check script beside it. The Maven build runs this before the tests (generate-test-resources).
# Optional packages are left out: they are node-llama-cpp's other platforms and its CUDA/Vulkan builds;
# the CPU build for Linux x64 is a direct dependency. Install scripts are not run: node-llama-cpp's
# postinstall would only look for (or build) binaries that the prebuilt package already holds.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$1"
if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm not found: the export tests run llama.cpp through node-llama-cpp and need Node.js 20 or newer with npm" >&2
  exit 1
fi
mkdir -p "$target"
cp "$src/check-gguf.mjs" "$target/"
if cmp -s "$src/package-lock.json" "$target/package-lock.json" && [ -d "$target/node_modules/@node-llama-cpp/linux-x64" ]; then
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$target/"
cd "$target"
npm ci --omit=optional --ignore-scripts --no-audit --no-fund
