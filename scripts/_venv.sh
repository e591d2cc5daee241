# Shared by scripts/run, scripts/test and scripts/bench: create or update the virtual environment
# from pyproject.toml (re-installs only when pyproject.toml changed since the last install).
# Sets VENV_PY to its python.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "Routing ML needs a 64-bit Python 3.11 or newer; '$PY' was not found (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi
if ! VENV="$("$PY" scripts/check_python.py "$ROOT")"; then
  echo "$VENV" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
VENV_PY="$VENV/bin/python"
STAMP="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  "$VENV_PY" -m pip install -q --upgrade pip >/dev/null
  "$VENV_PY" -m pip install -q -e ".[dev]"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
