"""The full all-mpnet-base-v2 transformer as a router's encoder, for the quality side of issue
#14's "measure a larger encoder": mean-pooled sentence embeddings (the model's own use, at most
384 tokens as its sentence-transformers config says) of a seeded sample of the prompts, so that
`offline_lodo.py --rows` can put its heads on them beside the shipped static encoder's vectors of
the same prompts.

  python mpnet_sentence.py MODEL_DIR OUT_DIR [--per-dataset 2000] DATA.jsonl...

writes OUT_DIR/rows.txt (the sampled rows' indices, in the order of the data files) and
OUT_DIR/prompts-mpnet-full.f32 (one 768-dimensional row per sampled prompt). A pass over every
prompt would take hours in numpy on 2 cores (4.1 M tokens); the sample keeps at most
`--per-dataset` prompts of each dataset (all of the smaller ones). Needs numpy and tokenizers.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from mpnet_static import MPNet, sentence_embeddings

MAX_TOKENS = 384  # all-mpnet-base-v2's sentence_bert_config.json
BATCH_TOKENS = 8192  # padded tokens per forward pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--per-dataset", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("data", nargs="+")
    a = ap.parse_args()
    a.out_dir.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(l) for f in a.data for l in open(f) if l.strip()]
    ds = np.array([r["source"].split("/")[0] for r in rows])
    rng = np.random.default_rng(a.seed)
    keep = []
    for d in sorted(set(ds)):
        idx = np.where(ds == d)[0]
        keep.extend(sorted(rng.choice(idx, min(len(idx), a.per_dataset), replace=False)))
    keep = np.array(sorted(keep))
    np.savetxt(a.out_dir / "rows.txt", keep, fmt="%d")

    model = MPNet(a.model_dir)
    tok = Tokenizer.from_file(str(a.model_dir / "tokenizer.json"))
    tok.no_padding()  # tokenizer.json pads to 128; sentence_embeddings pads each batch itself
    tok.enable_truncation(MAX_TOKENS)
    probe = sentence_embeddings(model, tok, ["A man is eating food.", "A man is eating bread.", "A monkey drums."])
    print(f"forward pass check: similar {probe[0] @ probe[1]:.3f}, unrelated {probe[0] @ probe[2]:.3f}", file=sys.stderr)
    texts = [rows[i]["prompt"] for i in keep]
    lengths = np.array([len(e.ids) for e in tok.encode_batch(texts)])
    out = np.zeros((len(keep), model.cfg["hidden_size"]), dtype=np.float32)
    order = np.argsort(lengths, kind="stable")  # batches of like lengths pad little
    started, done, s = time.time(), 0, 0
    while s < len(order):
        e = s + 1  # lengths ascend along `order`: a batch is as wide as its last prompt
        while e < len(order) and (e + 1 - s) * lengths[order[e]] <= BATCH_TOKENS:
            e += 1
        batch = order[s:e]
        out[batch] = sentence_embeddings(model, tok, [texts[i] for i in batch])
        done += int(lengths[batch].sum())
        s = e
        print(f"  {s}/{len(order)} prompts, {done} tokens ({time.time() - started:.0f} s)", file=sys.stderr)
    out.tofile(a.out_dir / "prompts-mpnet-full.f32")
    print(f"{len(keep)} prompts -> {a.out_dir / 'prompts-mpnet-full.f32'}", file=sys.stderr)


if __name__ == "__main__":
    main()
