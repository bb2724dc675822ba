#!/usr/bin/env bash
# One-step set-up for a fresh Debian/Ubuntu machine with Node 20: system packages, the Python
# side (libtorch comes from the pip torch wheel unless LIBTORCH/Torch_DIR is set; the oracle
# packages for tests), npm dependencies, the native addon, and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cmake >/dev/null || need_apt+=(cmake)
command -v g++ >/dev/null || need_apt+=(g++)
command -v ninja >/dev/null || need_apt+=(ninja-build)
command -v python3 >/dev/null || need_apt+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
command -v chromium >/dev/null || need_apt+=(chromium) # test/report renders report.html headless
# c10d Gloo headers (ProcessGroupGloo.hpp needs them; the torch wheel ships the code, not the headers)
[ -f /usr/include/gloo/algorithm.h ] || need_apt+=(libgloo-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[setup] apt-get install ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if [ -z "${VSR1_SKIP_PIP:-}" ]; then
  echo "[setup] pip install -r requirements-oracle.txt"
  python3 -m pip install --quiet --disable-pip-version-check -r requirements-oracle.txt
fi

echo "[setup] npm ci"
npm ci --no-audit --no-fund
echo "[setup] building the native addon"
npm run --silent build:native
echo "[setup] compiling TypeScript"
npm run --silent build:ts
echo "[setup] done"
