"""How much weight the explicit prompt features should have beside the embedding in the `cluster`
head, chosen the honest way: per outer fold (a dataset held out) by the worst APGR of an inner
leave-one-dataset-out over the five training datasets alone, then measured on the held-out one.
Beside it, each fixed weight measured on the outer folds directly, which is what picking a weight
by those figures would report.

  python nested_feature_weight.py --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

Inputs as offline_lodo.py's. Needs numpy; about 5 minutes on 2 cores (124 cluster heads).
"""
import functools

import numpy as np

from offline_lodo import cluster, load_study, pair_figure, study_args, unit

WEIGHTS = (0.0, 0.5, 1.0, 2.0)


def main():
    rows, ds, inputs, pairs, target = load_study(study_args().parse_args())
    static, features = inputs[:, :256], inputs[:, 256:]
    vectors = {w: unit(np.hstack([static, w * features])) for w in WEIGHTS}
    head = functools.partial(cluster, ds=ds)

    def figure(held, weight, left_out):
        """APGR on dataset `held` of the head trained on every dataset not in `left_out`."""
        train = np.where(~np.isin(ds, left_out) & ~np.isnan(target))[0]
        return pair_figure(rows, ds, held, pairs[held], lambda idx: head(vectors[weight], train, target, idx))

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
