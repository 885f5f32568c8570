"""APGR per source (the part after the dataset in a row's `source`, e.g. llmrouter/gsm8k) of
held-out router scores beside prompt length: which kinds of prompt a leave-one-dataset-out
figure is made of, and where a router wins or loses against length.

  python by_source.py --report EVAL.json --inputs INPUTS.f32 --scores NAME=FILE... DATA.jsonl...

EVAL.json is a `switchboard eval --json` report on the same files (each dataset's strong/weak
pair); INPUTS.f32 is dump_inputs' output (offline_lodo.py), for the length feature; each FILE a
`switchboard eval --cv dataset --scores-out FILE` run. Sources with fewer than --min prompts,
or whose strong model beats the weak one by less than --min-gap a prompt on average (APGR
divides by that gap, so there it is noise: figures of -1 or 3), are left out. Intervals: 95 %, prompts resampled within the source (--resamples). Also prints
each source's share of its dataset's strong-minus-weak gain, which tells how much of a
dataset's figure one source decides, and per dataset the mean of its sources' figures weighted
by that share beside the whole dataset's: where the whole-dataset figure is far above the
within-source mean, it is won by ranking the sources (which of them needs the strong model),
not the prompts inside one. Needs numpy.
"""
import argparse
import json

import numpy as np

from offline_lodo import apgr, difficulty


def sources_of(rows, dataset, pair, min_prompts, min_gap):
    """The prompts of `dataset` both models of `pair` scored, and its sources among them, sorted:
    (source, indices, strong scores, weak scores), leaving out those with fewer than `min_prompts`
    prompts or a strong - weak gap under `min_gap` a prompt."""
    s_m, w_m = pair
    both = [i for i, r in enumerate(rows) if r["source"].split("/")[0] == dataset and s_m in r["scores"] and w_m in r["scores"]]
    sources = []
    for source in sorted({rows[i]["source"] for i in both}):
        idx = np.array([i for i in both if rows[i]["source"] == source])
        strong = np.array([rows[i]["scores"][s_m] for i in idx])
        weak = np.array([rows[i]["scores"][w_m] for i in idx])
        if len(idx) >= min_prompts and (strong - weak).mean() >= min_gap:
            sources.append((source, idx, strong, weak))
    return both, sources


def within_mean(score, sources):
    """The APGR of `score` in each source, averaged with each source weighted by its gain."""
    gains = np.array([(strong - weak).sum() for _, _, strong, weak in sources])
    figures = [apgr(score[idx], strong, weak) for _, idx, strong, weak in sources]
    return float(np.dot(figures, gains) / gains.sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--scores", action="append", default=[])
    ap.add_argument("--ceiling", action="store_true", help="add offline_lodo.py's ceiling: each prompt ranked by its own measured difficulty")
    ap.add_argument("--min", type=int, default=100)
    ap.add_argument("--min-gap", type=float, default=0.05)
    ap.add_argument("--resamples", type=int, default=200)
    ap.add_argument("data", nargs="+")
    a = ap.parse_args()
    rows = [json.loads(l) for f in a.data for l in open(f) if l.strip()]
    inputs = np.fromfile(a.inputs, dtype=np.float32).reshape(len(rows), -1)
    length = inputs[:, 256]
    pairs = {d["dataset"]: (d["pair"]["strong"], d["pair"]["weak"]) for d in json.load(open(a.report))["datasets"]}
    kinds = {"length": length}
    for e in a.scores:
        name, path = e.split("=", 1)
        scored = [json.loads(l) for l in open(path) if l.strip()]
        assert [s["id"] for s in scored] == [r["id"] for r in rows], f"{path} scores other rows"
        kinds[name] = np.array([np.nan if s["score"] is None else s["score"] for s in scored])
    if a.ceiling:
        kinds["ceiling"] = np.nan_to_num(difficulty(rows, np.array([r["source"].split("/")[0] for r in rows])))
    rng = np.random.default_rng(42)
    header = "".join(f"{k:>24s}" for k in kinds)
    print(f"{'source':36s} {'n':>5s} {'gain share':>10s}{header}   {'first - length':>16s}")
    for dataset, (s_m, w_m) in pairs.items():
        both, sources = sources_of(rows, dataset, (s_m, w_m), a.min, a.min_gap)
        total_gain = sum(rows[i]["scores"][s_m] - rows[i]["scores"][w_m] for i in both)
        for source, idx, strong, weak in sources:
            cells, diffs = [], None
            first = [k for k in kinds if k not in ("length", "ceiling")][:1]
            samples = [rng.integers(0, len(idx), len(idx)) for _ in range(a.resamples)]
            boot = {}
            for name, score in kinds.items():
                point = apgr(score[idx], strong, weak)
                boot[name] = np.array([apgr(score[idx][s], strong[s], weak[s]) if strong[s].sum() != weak[s].sum() else np.nan for s in samples])
                lo, hi = np.nanpercentile(boot[name], [2.5, 97.5])
                cells.append(f"{point:.3f} [{lo:.2f}, {hi:.2f}]".rjust(24))
            if first:
                lo, hi = np.nanpercentile(boot[first[0]] - boot["length"], [2.5, 97.5])
                diffs = f"[{lo:+.3f}, {hi:+.3f}]"
            share = (strong - weak).sum() / total_gain if total_gain else np.nan
            print(f"{source:36s} {len(idx):5d} {share:10.2f}{''.join(cells)}   {diffs or '':>16s}", flush=True)
        if sources:
            idx = np.array(both)
            strong = np.array([rows[i]["scores"][s_m] for i in idx])
            weak = np.array([rows[i]["scores"][w_m] for i in idx])
            cells = [f"{apgr(score[idx], strong, weak):.3f} (within {within_mean(score, sources):.3f})".rjust(24) for score in kinds.values()]
            print(f"{dataset + ' (whole, within sources)':36s} {len(idx):5d} {'':10s}{''.join(cells)}", flush=True)

if __name__ == "__main__":
    main()
