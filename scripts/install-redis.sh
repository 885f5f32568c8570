#!/usr/bin/env bash
# Installs redis-server (Debian package) for the shared-limits tests, unless present.
set -euo pipefail
command -v redis-server >/dev/null && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "redis-server is needed by the tests: install it (e.g. apt-get install redis-server) and rerun" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# The package starts a system instance; the tests start their own on free ports.
(systemctl stop redis-server 2>/dev/null || service redis-server stop 2>/dev/null || true) >/dev/null
command -v redis-server
