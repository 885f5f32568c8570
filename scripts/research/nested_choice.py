"""A setting of the `cluster` head chosen the honest way: per outer fold (a dataset held out) by
the worst APGR of an inner leave-one-dataset-out over the five training datasets alone, then
measured on the held-out one. Beside it, each fixed value measured on the outer folds directly,
which is what picking a value by those figures would report.

  python nested_choice.py --knob features|temperature|resolutions --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

`features`: the weight of the explicit prompt features beside the embedding (0, 0.5, 1, 2; the
head reads them at 1). `temperature`: the softmax temperature over a resolution's centroids
(0.02, 0.05, 0.1, 0.2; the head's is 0.05, picked in 2026-12-02 on the outer folds themselves).
`resolutions`: the numbers of clusters averaged (the head's 8-128, or 4-64, 16-256, 32 alone).
Inputs as offline_lodo.py's. Needs numpy; 124 cluster heads, 2-4 minutes on 2 cores.
"""
import functools

import numpy as np

from offline_lodo import cluster, load_study, pair_figure, study_args, unit

RESOLUTIONS = {"8-128": (8, 16, 32, 64, 128), "4-64": (4, 8, 16, 32, 64), "16-256": (16, 32, 64, 128, 256), "32": (32,)}
VALUES = {"features": (0.0, 0.5, 1.0, 2.0), "temperature": (0.02, 0.05, 0.1, 0.2), "resolutions": tuple(RESOLUTIONS)}


def main():
    ap = study_args()
    ap.add_argument("--knob", choices=sorted(VALUES), default="features")
    a = ap.parse_args()
    rows, ds, inputs, pairs, target = load_study(a)
    static, features = inputs[:, :256], inputs[:, 256:]
    values = VALUES[a.knob]

    def setup(v):
        """The vectors the head reads and the head, at value `v` of the knob."""
        if a.knob == "features":
            return unit(np.hstack([static, v * features])), functools.partial(cluster, ds=ds)
        settings = {"temperature": v} if a.knob == "temperature" else {"ks": RESOLUTIONS[v]}
        return unit(np.hstack([static, features])), functools.partial(cluster, ds=ds, **settings)

    setups = {v: setup(v) for v in values}

    def figure(held, value, left_out):
        """APGR on dataset `held` of the head trained on every dataset not in `left_out`."""
        vectors, head = setups[value]
        train = np.where(~np.isin(ds, left_out) & ~np.isnan(target))[0]
        return pair_figure(rows, ds, held, pairs[held], lambda idx: head(vectors, train, target, idx))

    fixed = {v: {d: figure(d, v, [d]) for d in pairs} for v in values}
    for v in values:
        cells = " ".join(f"{d[:11]:>11s} {x:.3f}" for d, x in fixed[v].items())
        print(f"{a.knob} {v:<6} {cells}  worst {min(fixed[v].values()):.3f} mean {np.mean(list(fixed[v].values())):.3f}", flush=True)
    nested = {}
    for d in pairs:
        inner = {v: [figure(e, v, [d, e]) for e in pairs if e != d] for v in values}
        chosen = max(values, key=lambda v: (min(inner[v]), np.mean(inner[v])))
        nested[d] = fixed[chosen][d]
        print(f"  {d}: inner worst by {a.knob}", {v: round(float(min(x)), 3) for v, x in inner.items()}, f"-> {chosen}", flush=True)
    cells = " ".join(f"{d[:11]:>11s} {x:.3f}" for d, x in nested.items())
    print(f"nested choice  {cells}  worst {min(nested.values()):.3f} mean {np.mean(list(nested.values())):.3f}")


if __name__ == "__main__":
    main()
