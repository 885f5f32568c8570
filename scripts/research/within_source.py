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

import functools

import numpy as np

from by_source import sources_of, within_mean
from offline_lodo import cluster, knn, load_study, print_report, ridge, study_args, unit

rows, ds, inputs, pairs, target = load_study(study_args().parse_args())
src = np.array([r["source"] for r in rows])
static, features = inputs[:, :256], inputs[:, 256:]
centred = target.copy()
for s in np.unique(src):
    m = (src == s) & ~np.isnan(target)
    if m.sum():
        centred[m] = target[m] - target[m].mean()
vec = unit(np.hstack([static, features]))
lin = np.hstack([static, features])
sources = {d: sources_of(rows, d, pair, 100, 0.05)[1] for d, pair in pairs.items()}
report = functools.partial(print_report, rows=rows, ds=ds, pairs=pairs)


def held_out(head, tg):
    """Every prompt's score from the head trained without its dataset (on `tg`)."""
    out = np.full(len(rows), np.nan)
    for d in pairs:
        test = np.where(ds == d)[0]
        out[test] = head(np.where((ds != d) & ~np.isnan(tg))[0], test, tg)
    return out


def show(name, score):
    report(name, lambda d, idx: score[idx])
    cells = " ".join(f"{d[:9]} {within_mean(score, sources[d]):.3f}" for d in pairs)
    print(f"{name:40s} within: {cells}  mean {np.mean([within_mean(score, sources[d]) for d in pairs]):.3f}")


plain = held_out(lambda tr, te, tg: cluster(vec, tr, tg, te, ds=ds), target)
show("cluster raw", plain)
centred_heads = {
    "ridge source-centred": held_out(lambda tr, te, tg: ridge(lin, tr, tg, te, lam=10.0), centred),
    "knn source-centred": held_out(lambda tr, te, tg: knn(vec, tr, tg, te), centred),
    "cluster source-centred": held_out(lambda tr, te, tg: cluster(vec, tr, tg, te, ds=ds), centred),
}
for name, score in centred_heads.items():
    show(name, score)
for name, score in centred_heads.items():
    show(f"cluster raw + {name}", plain + score)
show("length", features[:, 0])
