#!/usr/bin/env bash
# Builds the OpenTelemetry Collector the tracing tests send spans to (the
# OTLP receiver and the contrib file exporter, test/otel/collector), once,
# into a cache keyed by its sources. Prints the path of the binary.
#
# Cold build: a few minutes on 2 cores; cached: instant.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/test/otel/collector"
key="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
cache="${SWITCHBOARD_CACHE:-$HOME/.cache/switchboard}/otelcol-$key"

if [[ -x "$cache/otelcol" ]]; then
  echo "$cache/otelcol"
  exit 0
fi
mkdir -p "$cache"
start=$SECONDS
echo "building the OpenTelemetry Collector (OTLP receiver, file exporter) into $cache ..." >&2
(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$cache/otelcol.tmp" .)
mv "$cache/otelcol.tmp" "$cache/otelcol"
echo "collector built in $((SECONDS - start)) s" >&2
# Older builds (other source hashes) are no longer needed.
find "$(dirname "$cache")" -maxdepth 1 -name 'otelcol-*' ! -path "$cache" -exec rm -rf {} + 2>/dev/null || true
echo "$cache/otelcol"
