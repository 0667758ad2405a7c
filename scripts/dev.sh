#!/usr/bin/env bash
# Installs everything, then starts the whole supergraph on embedded defaults
# (SQLite, in-process Redis and MongoDB stand-ins, demo data) behind Hive Gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
PYTHONPATH=. exec .venv/bin/python scripts/dev.py "$@"
