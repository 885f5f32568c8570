#!/usr/bin/env bash
# Creates (once) a Python virtualenv with the interop test dependencies
# (test/interop/requirements.txt), cached by the file's hash. Prints the
# venv's python path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
req="$root/test/interop/requirements.txt"
key="$(sha256sum "$req" | cut -c1-16)"
venv="${SWITCHBOARD_CACHE:-$HOME/.cache/switchboard}/pyenv-$key"
if [[ ! -x "$venv/bin/python" || ! -f "$venv/.complete" ]]; then
  echo "creating $venv (pip install -r test/interop/requirements.txt) ..." >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/python"
