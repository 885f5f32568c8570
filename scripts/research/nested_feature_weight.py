"""How much weight the explicit prompt features should have beside the embedding in the `cluster`
head, chosen the honest way: per outer fold (a dataset held out) by the worst APGR of an inner
leave-one-dataset-out over the five training datasets alone, then measured on the held-out one.
Beside it, each fixed weight measured on the outer folds directly, which is what picking a weight
by those figures would report.

  python nested_feature_weight.py --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

Inputs as offline_lodo.py's. Needs numpy; about 5 minutes on 2 cores (124 cluster heads).
"""
import argparse
import functools
import json

import numpy as np

from offline_lodo import apgr, cluster, difficulty, unit

WEIGHTS = (0.0, 0.5, 1.0, 2.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("data", nargs="+")
    a = ap.parse_args()
    rows = [json.loads(l) for f in a.data for l in open(f) if l.strip()]
    ds = np.array([r["source"].split("/")[0] for r in rows])
    inputs = np.fromfile(a.inputs, dtype=np.float32).reshape(len(rows), -1)
    static, features = inputs[:, :256], inputs[:, 256:]
    pairs = {d["dataset"]: (d["pair"]["strong"], d["pair"]["weak"]) for d in json.load(open(a.report))["datasets"]}
    target = difficulty(rows, ds)
    vectors = {w: unit(np.hstack([static, w * features])) for w in WEIGHTS}
    head = functools.partial(cluster, ds=ds)

    def figure(held, weight, left_out):
        """APGR on dataset `held` of the head trained on every dataset not in `left_out`."""
        s_m, w_m = pairs[held]
        idx = np.array([i for i in np.where(ds == held)[0] if s_m in rows[i]["scores"] and w_m in rows[i]["scores"]])
        train = np.where(~np.isin(ds, left_out) & ~np.isnan(target))[0]
        strong = np.array([rows[i]["scores"][s_m] for i in idx])
        weak = np.array([rows[i]["scores"][w_m] for i in idx])
        return apgr(head(vectors[weight], train, target, idx), strong, weak)

    fixed = {w: {d: figure(d, w, [d]) for d in pairs} for w in WEIGHTS}
    for w in WEIGHTS:
        cells = " ".join(f"{d[:11]:>11s} {x:.3f}" for d, x in fixed[w].items())
        print(f"features x{w:<4} {cells}  worst {min(fixed[w].values()):.3f} mean {np.mean(list(fixed[w].values())):.3f}")
    nested = {}
    for d in pairs:
        inner = {w: [figure(e, w, [d, e]) for e in pairs if e != d] for w in WEIGHTS}
        chosen = max(WEIGHTS, key=lambda w: (min(inner[w]), np.mean(inner[w])))
        nested[d] = fixed[chosen][d]
        print(f"  {d}: inner worst by weight", {w: round(float(min(v)), 3) for w, v in inner.items()}, f"-> x{chosen}")
    cells = " ".join(f"{d[:11]:>11s} {x:.3f}" for d, x in nested.items())
    print(f"nested choice  {cells}  worst {min(nested.values()):.3f} mean {np.mean(list(nested.values())):.3f}")


if __name__ == "__main__":
    main()
