"""The figures inside the maths sources (mmlu-pro/math, zeroeval/math-l5, ...) of the plain
`cluster` head, of the same head with a length slope only in clusters of maths
(offline_lodo.py's "cluster, math-cluster slope 100") and with one slope for the prompts that
offer options or are mostly maths ("cluster, options or maths slope 100", the default's since
2026-12-07), beside prompt length: did the slope help where it was meant to? Each dataset held
out in turn, as in offline_lodo.py.

  python math_sources.py --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

Inputs as offline_lodo.py's. Needs numpy; about 15 seconds.
"""
import functools

import numpy as np

from by_source import sources_of
from offline_lodo import apgr, cluster, gated_slope, load_study, study_args, unit


def main():
    rows, ds, inputs, pairs, target = load_study(study_args().parse_args())
    static, features = inputs[:, :256], inputs[:, 256:]
    with_features = unit(np.hstack([static, features]))
    z = (features[:, 0] - features[:, 0].mean()) / features[:, 0].std()
    heads = {
        "cluster": functools.partial(cluster, ds=ds),
        "math-cluster slope 100": functools.partial(cluster, ds=ds, length=z, slope_prior=100, math=features[:, 3]),
        "options or maths slope 100": gated_slope(
            functools.partial(cluster, ds=ds), (features[:, 7] > 0) | (features[:, 3] >= 0.5), z, ds
        ),
    }
    for d, pair in pairs.items():
        _, sources = sources_of(rows, d, pair, min_prompts=100, min_gap=0.05)
        sources = [s for s in sources if "math" in s[0] or "algebra" in s[0]]
        if not sources:
            continue
        held = np.where(ds == d)[0]
        train = np.where((ds != d) & ~np.isnan(target))[0]
        score = np.full(len(rows), np.nan)
        for name, head in heads.items():
            score[held] = head(with_features, train, target, held)
            for source, idx, strong, weak in sources:
                print(f"{source:36s} {name:26s} {apgr(score[idx], strong, weak):.3f}", flush=True)
        for source, idx, strong, weak in sources:
            print(f"{source:36s} {'length':26s} {apgr(features[idx, 0], strong, weak):.3f}")


if __name__ == "__main__":
    main()
