#!/usr/bin/env bash
# Renders manifests/ from the charts with helm (built by build-kube-tools.sh):
# crds.yaml (switchboard-crds) and install.yaml (switchboard, default values,
# namespace "switchboard"), for `kubectl apply -f` without Helm. CI fails
# when the committed files differ from a fresh render.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
helm="$(bash "$root/scripts/build-kube-tools.sh")/helm"
header="# Rendered from charts/ by scripts/render-manifests.sh. Do not edit."
{
  echo "$header"
  "$helm" template switchboard-crds "$root/charts/switchboard-crds"
} > "$root/manifests/crds.yaml"
{
  echo "$header"
  echo "# Install: kubectl apply -f manifests/crds.yaml -f manifests/install.yaml"
  echo "# then create Secret switchboard/switchboard-api-keys (key keys.yaml), see docs/api-keys-reference.md."
  echo "---"
  echo "apiVersion: v1"
  echo "kind: Namespace"
  echo "metadata:"
  echo "  name: switchboard"
  "$helm" template switchboard "$root/charts/switchboard" --namespace switchboard
} > "$root/manifests/install.yaml"
