#!/usr/bin/env bash
# Builds the tools the Kubernetes tests need, once, into a cache keyed by the
# harness sources: kube-harness (a real kube-apiserver with in-process etcd,
# plus a version-matched kubectl) and helm. Prints the directory holding them.
#
# Cold build: several minutes on 2 cores (kube-apiserver is large); cached: instant.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
harness="$root/test/kube/harness"
helm_version="v3.22.0"
key="$(cat "$harness/go.mod" "$harness/go.sum" "$harness/main.go" <(echo "$helm_version") | sha256sum | cut -c1-16)"
cache="${SWITCHBOARD_CACHE:-$HOME/.cache/switchboard}/kube-tools-$key"

if [[ -x "$cache/kube-harness" && -x "$cache/helm" ]]; then
  touch "$cache"
  echo "$cache"
  exit 0
fi
mkdir -p "$cache"
start=$SECONDS
if [[ ! -x "$cache/kube-harness" ]]; then
  echo "building kube-harness (kube-apiserver + etcd + kubectl) into $cache ..." >&2
  (cd "$harness" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$cache/kube-harness.tmp" .)
  mv "$cache/kube-harness.tmp" "$cache/kube-harness"
fi
if [[ ! -x "$cache/helm" ]]; then
  echo "building helm $helm_version ..." >&2
  tmp="$(mktemp -d)"
  CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags='-s -w' "helm.sh/helm/v3/cmd/helm@$helm_version"
  mv "$tmp/helm" "$cache/helm"
  rm -rf "$tmp"
fi
echo "kube tools built in $((SECONDS - start)) s" >&2
# Builds of other source hashes may belong to other checkouts on this machine
# (worktrees, a CI clone of an older commit): only those unused for a week go.
find "$(dirname "$cache")" -maxdepth 1 -name 'kube-tools-*' ! -path "$cache" -mtime +7 -exec rm -rf {} + 2>/dev/null || true
touch "$cache"
echo "$cache"
