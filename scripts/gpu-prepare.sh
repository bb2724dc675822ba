#!/usr/bin/env bash
# Prepares the ignored folders the GPU check carries to the bare GPU machine (GPU.md): .gpu/
# (this machine's node binary, xz-compressed, and the N-API header folders for a plain cmake
# build) and dist/ (compiled JS; the check needs no npm packages at run time).
#   bash scripts/gpu-prepare.sh   then   run: bash scripts/gpu-check.sh   carrying [".gpu", "dist"]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu
xz -T2 -6 -c "$(command -v node)" > .gpu/node.xz
rm -rf .gpu/napi-include .gpu/node-addon-api
cp -r node_modules/node-api-headers/include .gpu/napi-include
mkdir -p .gpu/node-addon-api && cp node_modules/node-addon-api/*.h .gpu/node-addon-api/
npm run --silent build:ts
du -sh .gpu dist
