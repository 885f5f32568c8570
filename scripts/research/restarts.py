"""Does clustering each resolution more often make the `cluster` head's held-out figures depend
less on its training seed, and lift its worst case? heads/cluster.rs runs every resolution
RESTARTS (3) times from different starts and averages them; here 1, 3 and 10 runs, each at
three seeds, leave one dataset out on offline_lodo.py's inputs (its cluster head: random starts,
not k-means++).

  python restarts.py --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

Prints one line per (runs, seed) and, per number of runs, the mean and spread over seeds of the
worst case and of each dataset's figure. Needs numpy; about 4 minutes on 2 cores.
"""
import argparse
import functools
import json

import numpy as np

from offline_lodo import apgr, cluster, difficulty, unit

RUNS = (1, 3, 10)
SEEDS = (0, 1, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("data", nargs="+")
    a = ap.parse_args()
    rows = [json.loads(l) for f in a.data for l in open(f) if l.strip()]
    ds = np.array([r["source"].split("/")[0] for r in rows])
    inputs = np.fromfile(a.inputs, dtype=np.float32).reshape(len(rows), -1)
    vectors = unit(inputs)  # the static vector and the features, as offline_lodo.py's cluster reads them
    pairs = {d["dataset"]: (d["pair"]["strong"], d["pair"]["weak"]) for d in json.load(open(a.report))["datasets"]}
    target = difficulty(rows, ds)

    def figures(runs, seed):
        head = functools.partial(cluster, ds=ds, seed=seed, restarts=runs)
        out = {}
        for d, (s_m, w_m) in pairs.items():
            idx = np.array([i for i in np.where(ds == d)[0] if s_m in rows[i]["scores"] and w_m in rows[i]["scores"]])
            train = np.where((ds != d) & ~np.isnan(target))[0]
            strong = np.array([rows[i]["scores"][s_m] for i in idx])
            weak = np.array([rows[i]["scores"][w_m] for i in idx])
            out[d] = apgr(head(vectors, train, target, idx), strong, weak)
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
