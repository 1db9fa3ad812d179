#!/usr/bin/env bash
# Sets up attnviz on a fresh Linux machine: a virtual environment in .venv with
# the Python requirements, and (for --dev, or when possible) Debian's chromium
# and CJK fonts, which the image export and the browser tests use.
#
#   bash scripts/setup.sh          # what the app needs
#   bash scripts/setup.sh --dev    # plus the test tools and the browser (required)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

# Debian packages: chromium renders exported images (kaleido) and runs the browser
# tests; fonts-noto-cjk makes Chinese labels render as Chinese, not as boxes.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
    if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing ${missing[*]} with apt-get"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    elif [ $dev = 1 ]; then
        echo "setup: the tests need ${missing[*]} (Debian packages); install them and rerun" >&2
        exit 1
    else
        echo "setup: note: ${missing[*]} not installed; image export will tell you what is missing"
    fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ $dev = 1 ]; then
    .venv/bin/python -m pip install -q -r requirements-dev.txt
else
    .venv/bin/python -m pip install -q -r requirements.txt
fi
echo "setup: ready ($(.venv/bin/python -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'))"
