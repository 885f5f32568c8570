#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests, unless present.
# Prints its path. playwright-core drives it; no browser is ever downloaded.
set -euo pipefail
if command -v chromium >/dev/null; then
  command -v chromium
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "chromium is needed by the console tests: install it (e.g. apt-get install chromium) and rerun" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium
