#!/usr/bin/env bash
# Prepares the ignored folders the GPU check carries to the bare GPU machine (no Node, no npm, no
# network): .gpu/ (this machine's node binary and the production node_modules, xz-compressed, and
# the N-API header folders for a plain cmake build) and dist/ (compiled JS). 64 MiB in all.
#   bash scripts/gpu-prepare.sh   then   run: bash scripts/gpu-check.sh   carrying [".gpu", "dist"]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu
xz -T2 -6 -c "$(command -v node)" > .gpu/node.xz
rm -rf .gpu/napi-include .gpu/node-addon-api
cp -r node_modules/node-api-headers/include .gpu/napi-include
mkdir -p .gpu/node-addon-api && cp node_modules/node-addon-api/*.h .gpu/node-addon-api/
# The packages runSft/runGrpo load at run time (sharp, tokenizers, yaml, zod, ...), without the
# build-only ones (cmake-js and the header packages).
npm ls --omit=dev --all --parseable 2>/dev/null | grep '/node_modules/' | sed "s#^$PWD/##" | grep -v -e '^node_modules/cmake-js$' -e '^node_modules/node-addon-api$' -e '^node_modules/node-api-headers$' | sort -u > .gpu/node_modules.txt
tar -cf - -T .gpu/node_modules.txt | xz -T2 -6 > .gpu/node_modules.tar.xz
npm run --silent build:ts
du -sh .gpu dist
