"""Does clustering each resolution more often make the `cluster` head's held-out figures depend
less on its training seed, and lift its worst case? heads/cluster.rs runs every resolution
RESTARTS times from different starts and averages them (3 until 2026-12-07, 10 since); here 1,
3 and 10 runs, each at
three seeds, leave one dataset out on offline_lodo.py's inputs (its cluster head: random starts,
not k-means++).

  python restarts.py --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

Prints one line per (runs, seed) and, per number of runs, the mean and spread over seeds of the
worst case and of each dataset's figure. Needs numpy; about 4 minutes on 2 cores.
"""
import functools

import numpy as np

from offline_lodo import cluster, load_study, pair_figure, study_args, unit

RUNS = (1, 3, 10)
SEEDS = (0, 1, 2)


def main():
    rows, ds, inputs, pairs, target = load_study(study_args().parse_args())
    vectors = unit(inputs)  # the static vector and the features, as offline_lodo.py's cluster reads them

    def figures(runs, seed):
        head = functools.partial(cluster, ds=ds, seed=seed, restarts=runs)
        out = {}
        for d, pair in pairs.items():
            train = np.where((ds != d) & ~np.isnan(target))[0]
            out[d] = pair_figure(rows, ds, d, pair, lambda idx: head(vectors, train, target, idx))
        return out

    for runs in RUNS:
        by_seed = []
        for seed in SEEDS:
            f = figures(runs, seed)
            by_seed.append(f)
            cells = " ".join(f"{d[:11]:>11s} {x:.3f}" for d, x in f.items())
            print(f"runs {runs:2d} seed {seed}  {cells}  worst {min(f.values()):.3f} mean {np.mean(list(f.values())):.3f}", flush=True)
        worst = [min(f.values()) for f in by_seed]
        spread = " ".join(f"{d[:11]} sd {np.std([f[d] for f in by_seed]):.3f}" for d in pairs)
        print(f"runs {runs:2d}: worst case over seeds mean {np.mean(worst):.3f} (min {min(worst):.3f}); {spread}", flush=True)


if __name__ == "__main__":
    main()
