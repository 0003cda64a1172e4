#!/usr/bin/env bash
# Prints the path of a python that imports duckdb: the first of python3, python on
# PATH that does, else target/bench-venv/bin/python, which it creates first when
# missing (python3 -m venv, then pip install duckdb from PyPI). Progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for p in python3 python; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "import duckdb" 2>/dev/null; then
        command -v "$p"
        exit 0
    fi
done
venv=${CARGO_TARGET_DIR:-$root/target}/bench-venv
if ! "$venv/bin/python" -c "import duckdb" 2>/dev/null; then
    echo "no python with duckdb on PATH: making $venv (pip install duckdb)" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet duckdb >&2
fi
echo "$venv/bin/python"
