#!/usr/bin/env bash
# Sets up the development environment and runs every check CI runs:
# ruff, mypy, then the whole pytest suite (browser tests included, never skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy  # the files and settings are in pyproject.toml
# pytest exits 5 when it collects no test: that is a failure too.
.venv/bin/python -m pytest "$@"
