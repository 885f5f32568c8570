"""Can a head learn what makes a prompt harder than the other prompts of its own source, on
datasets it never saw? Leave one dataset out (offline_lodo.py's split, APGR and heads), each
head trained on the difficulty as it is and on the difficulty centred per source (minus the
mean of the prompt's source: llmrouter/gsm8k, mmlu/astronomy ...), and the sum of the plain
cluster head and a centred one; each reported on the whole held-out dataset and as the mean of
its sources' figures weighted by their strong-minus-weak gain (by_source.py's within figure,
sources of at least 100 prompts and a gap of 0.05).

  python within_source.py --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

(inputs and report as for offline_lodo.py). Needs numpy.
"""

import argparse
import functools
import json
import numpy as np
from offline_lodo import apgr, cluster, difficulty, knn, print_report, ridge, unit

ap = argparse.ArgumentParser()
ap.add_argument("--inputs", required=True)
ap.add_argument("--report", required=True)
ap.add_argument("data", nargs="+")
a = ap.parse_args()
files = a.data
rows = [json.loads(l) for f in files for l in open(f) if l.strip()]
ds = np.array([r["source"].split("/")[0] for r in rows])
src = np.array([r["source"] for r in rows])
inputs = np.fromfile(a.inputs, dtype=np.float32).reshape(len(rows), -1)
static, features = inputs[:, :256], inputs[:, 256:]
pairs = {d["dataset"]: (d["pair"]["strong"], d["pair"]["weak"]) for d in json.load(open(a.report))["datasets"]}
target = difficulty(rows, ds)
centred = target.copy()
for s in np.unique(src):
    m = (src == s) & ~np.isnan(target)
    if m.sum():
        centred[m] = target[m] - target[m].mean()
vec = unit(np.hstack([static, features]))
lin = np.hstack([static, features])


def within_report(name, score_of):
    out = []
    for d, (s_m, w_m) in pairs.items():
        idx_all = np.array([i for i in np.where(ds == d)[0] if s_m in rows[i]["scores"] and w_m in rows[i]["scores"]])
        sc = score_of(d, idx_all)
        full = dict(zip(idx_all, sc))
        num = den = 0
        for s in np.unique(src[idx_all]):
            idx = idx_all[src[idx_all] == s]
            st = np.array([rows[i]["scores"][s_m] for i in idx])
            wk = np.array([rows[i]["scores"][w_m] for i in idx])
            if len(idx) < 100 or (st - wk).mean() < 0.05:
                continue
            g = (st - wk).sum()
            num += g * apgr(np.array([full[i] for i in idx]), st, wk)
            den += g
        out.append(num / den if den else np.nan)
    print(
        f"{name:40s} within: "
        + " ".join(f"{d[:9]} {x:.3f}" for d, x in zip(pairs, out))
        + f"  mean {np.nanmean(out):.3f}"
    )


def held(head, tg):
    def s(d, idx):
        train = np.where((ds != d) & ~np.isnan(tg))[0]
        return head(train, idx, tg)

    return s


report = functools.partial(print_report, rows=rows, ds=ds, pairs=pairs)
heads = {
    "cluster raw": held(lambda tr, te, tg: cluster(vec, tr, tg, te, ds=ds), target),
    "ridge source-centred": held(lambda tr, te, tg: ridge(lin, tr, tg, te, lam=10.0), centred),
    "knn source-centred": held(lambda tr, te, tg: knn(vec, tr, tg, te), centred),
    "cluster source-centred": held(lambda tr, te, tg: cluster(vec, tr, tg, te, ds=ds), centred),
}
cache = {}
for n, h in heads.items():
    memo = {}

    def f(d, idx, h=h, memo=memo):
        key = (d, len(idx))
        if key not in memo:
            memo[key] = h(d, idx)
        return memo[key]

    cache[n] = f
    report(n, f)
    within_report(n, f)
for extra in ["ridge source-centred", "knn source-centred", "cluster source-centred"]:
    f = lambda d, idx, e=extra: cache["cluster raw"](d, idx) + cache[e](d, idx)
    report(f"cluster raw + {extra}", f)
    within_report(f"cluster raw + {extra}", f)
report("length", lambda d, idx: features[idx, 0])
within_report("length", lambda d, idx: features[idx, 0])
