"""Leave-one-dataset-out APGR of simple heads (knn, cluster, ridge) on precomputed prompt vectors,
in seconds: for comparing encoders and heads and for the ceiling of a difficulty router, beside
`switchboard eval`.

  python offline_lodo.py --inputs INPUTS.f32 --report EVAL.json [--extra NAME=VECTORS.f32 ...] DATA.jsonl...

INPUTS.f32 is `cargo run --release -p router-core --example dump_inputs -- INPUTS.f32 DATA...`
(the static encoder's 256 dimensions and the explicit prompt features, one row per prompt);
EVAL.json is a `switchboard eval --json` report on the same files, for each dataset's strong/weak
pair; --extra adds another encoder's vectors (mpnet_static.py's, or with --rows, which keeps
only the rows a sample file lists, mpnet_sentence.py's of that sample); --scores
NAME=FILE reads a `switchboard eval --cv dataset --scores-out FILE` run's held-out scores and
reports them alone and blended with prompt length (mean of the two ranks within the dataset,
weights 0.25 / 0.5 / 0.75 on the router); with several --scores, every ensemble of them too
(the mean of their ranks). The target
every head learns is a prompt's difficulty: 1 - the mean score of its dataset's middle fifth of
models (ranked by mean score, among those scoring at least half its prompts), which every file
has whatever its model set. Needs numpy.
"""
import argparse
import functools
import itertools
import json
import re

import numpy as np


def canon(name):
    n = re.sub(r"[_. ]", "-", name.split("/")[-1].lower())
    return "gpt-4-" + n[5:] if n.startswith("gpt4-") else n


def apgr(score, strong, weak):
    """RouteLLM's APGR: the weak->strong gap recovered, averaged over every strong-call share.
    Tied scores are routed together, as metrics.rs does: inside a tie each step gains the tie's
    mean, so the figure does not depend on the order of tied prompts (a cluster router ties
    every prompt of a cluster)."""
    order = np.argsort(-score, kind="stable")
    gain = (strong - weak)[order]
    _, starts, counts = np.unique(-score[order], return_index=True, return_counts=True)
    for start, count in zip(starts, counts):
        if count > 1:
            gain[start : start + count] = gain[start : start + count].mean()
    q = np.concatenate([[weak.sum()], weak.sum() + np.cumsum(gain)]) / len(order)
    pgr = (q - q[0]) / (q[-1] - q[0])
    return ((pgr[1:] + pgr[:-1]) / 2).sum() / len(order)


def difficulty(rows, ds):
    out = np.full(len(rows), np.nan)
    for d in np.unique(ds):
        idx = np.where(ds == d)[0]
        count, total = {}, {}
        for i in idx:
            for m, y in rows[i]["scores"].items():
                m = canon(m)
                count[m] = count.get(m, 0) + 1
                total[m] = total.get(m, 0) + y
        covered = sorted((m for m in count if count[m] >= 0.5 * len(idx)), key=lambda m: (-total[m] / count[m], m))
        fifth = max(len(covered) // 5, 1)
        start = max(len(covered) // 2 - fifth // 2, fifth)
        middle = set(covered[start : start + fifth])
        for i in idx:
            ys = [y for m, y in rows[i]["scores"].items() if canon(m) in middle]
            if ys:
                out[i] = 1 - np.mean(ys)
    return out


def per_dataset(target, ds, how):
    """The target made comparable across datasets: each dataset's figures as percentiles
    (tied figures share their mean rank) or standardised (mean 0, sd 1), NaN kept."""
    out = np.full(len(target), np.nan)
    for d in np.unique(ds):
        idx = np.where((ds == d) & ~np.isnan(target))[0]
        t = target[idx]
        if how == "percentile":
            order = np.argsort(t, kind="stable")
            r = np.empty(len(t))
            r[order] = np.arange(len(t))
            _, inverse = np.unique(t, return_inverse=True)
            r = (np.bincount(inverse, weights=r) / np.bincount(inverse))[inverse]
            out[idx] = r / max(len(t) - 1, 1)
        else:
            out[idx] = (t - t.mean()) / max(t.std(), 1e-9)
    return out


def ranks(v):
    out = np.empty(len(v))
    out[np.argsort(v, kind="stable")] = np.arange(len(v))
    return out / max(len(v) - 1, 1)


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def knn(vectors, train, target, test, k=64, temperature=0.05):
    out = np.zeros(len(test))
    for s in range(0, len(test), 512):
        sims = vectors[test[s : s + 512]] @ vectors[train].T
        nearest = np.argpartition(-sims, k, axis=1)[:, :k]
        near = np.take_along_axis(sims, nearest, 1)
        w = np.exp((near - near.max(1, keepdims=True)) / temperature)
        out[s : s + 512] = (w / w.sum(1, keepdims=True) * target[train][nearest]).sum(1)
    return out


def invariant_slopes(assign, k, weight, z, t, ds, prior, min_prompts=20):
    """Each cluster's length slope fitted inside every training dataset on its own (each
    dataset's prompts centred on their own means in the cluster), and the smallest of them
    kept, never below zero: a slope only where longer is harder in every dataset with at least
    `min_prompts` prompts in the cluster, and none where fewer than two datasets have that
    many (nothing to check the slope against)."""
    slopes = []
    for d in np.unique(ds):
        m = ds == d
        a, w = assign[m], weight[m]
        n = np.bincount(a, minlength=k)
        sw = np.maximum(np.bincount(a, weights=w, minlength=k), 1e-9)
        zc = np.bincount(a, weights=w * z[m], minlength=k) / sw
        tc = np.bincount(a, weights=w * t[m], minlength=k) / sw
        dz, dt = z[m] - zc[a], t[m] - tc[a]
        spread = np.bincount(a, weights=w * dz * dz, minlength=k)
        s = np.bincount(a, weights=w * dz * dt, minlength=k) / (spread + prior)
        slopes.append(np.where(n >= min_prompts, s, np.inf))
    slopes = np.array(slopes)
    enough = np.isfinite(slopes).sum(0) >= 2
    return np.where(enough, np.maximum(slopes.min(0), 0), 0.0)


def cluster(vectors, train, target, test, ks=(8, 16, 32, 64, 128), temperature=0.05, shrink=10.0, seed=0, ds=None, length=None, slope_prior=None, invariant=False, restarts=1, math=None):
    """heads/cluster.rs: spherical k-means at every k the data fills (four prompts a cluster),
    per-cluster means with each dataset weighted 1/sqrt(size) and shrunk towards the overall
    mean, a prompt spread over each resolution's clusters by a softmax of its similarity, the
    resolutions averaged. (Random starts, not rust's k-means++: close figures, not equal ones.)
    With `length` (one value per prompt) and `slope_prior`, each cluster also fits how its
    target moves with length (a slope shrunk by `slope_prior` prompts' worth of zero, and
    never negative: longer is not easier), and a prompt's figure is its clusters' means moved
    along those slopes by how much longer it is than their prompts. With `math` (the math
    feature of every prompt) the slope is kept only in clusters whose prompts are mostly
    maths (weighted mean of the feature at least 0.5)."""
    x = vectors[train]
    size = {d: (ds[train] == d).sum() for d in np.unique(ds[train])}
    weight = np.array([size[d] for d in ds[train]], float) ** -0.5
    weight /= weight.mean()
    overall = np.average(target[train], weights=weight)
    out = np.zeros(len(test))
    levels = [k for k in ks if 4 * k <= len(train)] or [ks[0]]
    # `restarts` runs of each resolution from different random starts (heads/cluster.rs: RESTARTS)
    runs = [(k, r) for k in levels for r in range(restarts)]
    for k, r in runs:
        centres = x[np.random.default_rng(seed + 1000 * r).choice(len(x), k, replace=False)]
        for _ in range(20):
            assign = np.argmax(x @ centres.T, 1)
            centres = unit(np.array([x[assign == j].mean(0) if (assign == j).any() else centres[j] for j in range(k)]))
        assign = np.argmax(x @ centres.T, 1)
        total = np.bincount(assign, weights=weight * target[train], minlength=k)
        count = np.bincount(assign, weights=weight, minlength=k)
        means = (total + shrink * overall) / (count + shrink)
        sims = vectors[test] @ centres.T
        w = np.exp((sims - sims.max(1, keepdims=True)) / temperature)
        w /= w.sum(1, keepdims=True)
        if length is None:
            out += w @ means
            continue
        z = length[train]
        centre_z = np.bincount(assign, weights=weight * z, minlength=k) / np.maximum(count, 1e-9)
        if invariant:
            slope = invariant_slopes(assign, k, weight, z, target[train], ds[train], slope_prior)
        else:
            dz, dt = z - centre_z[assign], target[train] - means[assign]
            slope = np.bincount(assign, weights=weight * dz * dt, minlength=k)
            slope = np.maximum(slope / (np.bincount(assign, weights=weight * dz * dz, minlength=k) + slope_prior), 0)
        if math is not None:
            mathy = np.bincount(assign, weights=weight * math[train], minlength=k) / np.maximum(count, 1e-9)
            slope = np.where(mathy >= 0.5, slope, 0.0)
        out += (w * (means + slope * (length[test][:, None] - centre_z))).sum(1)
    return out / len(runs)


def gated_slope(head, gate, length, ds, prior=100.0):
    """`head` plus one length slope for the prompts `gate` marks (a bool per prompt), none for
    the others: the slope fitted over the marked training prompts, each dataset centred on its
    own means (weighted 1/sqrt(size), as the cluster head weighs them), shrunk by `prior`
    prompts' worth of zero and never negative. Unlike the per-cluster slopes it is one number,
    so a kind of prompt the training data marks (an exam question offering options, say) gets
    the slope its marked prompts agree on wherever the held-out ones fall in the clusters."""

    def scored(vectors, train, target, test):
        g = train[gate[train]]
        size = {d: (ds[g] == d).sum() for d in np.unique(ds[g])}
        # weights 1/sqrt(size), scaled to a mean of one a prompt so `prior` counts prompts
        scale = len(g) / max(sum(n**0.5 for n in size.values()), 1e-9)
        spread = moved = 0.0
        for d, n in size.items():
            m = g[ds[g] == d]
            dz, dt = length[m] - length[m].mean(), target[m] - target[m].mean()
            w = scale * n**-0.5
            spread, moved = spread + w * (dz * dz).sum(), moved + w * (dz * dt).sum()
        slope = max(moved / (spread + prior), 0.0)
        centre = length[g].mean() if len(g) else 0.0
        return head(vectors, train, target, test) + slope * gate[test] * (length[test] - centre)

    return scored


def ridge(vectors, train, target, test, lam=10.0):
    """A linear difficulty head (ridge regression on the vector and a bias): the simplest
    learned router, beside the neighbour and cluster heads."""
    a = np.hstack([vectors[train], np.ones((len(train), 1))])
    w = np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ target[train])
    return np.hstack([vectors[test], np.ones((len(test), 1))]) @ w


def study_args():
    """The arguments every script here takes: --inputs, --report and the data files."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("data", nargs="+")
    return ap


def load_study(a, keep=None):
    """The rows of the data files (only `keep`'s, when given), each row's dataset, its inputs
    (dump_inputs: the static vector, then the features), each dataset's strong/weak pair from
    the report and the difficulty every head learns."""
    rows = [json.loads(l) for f in a.data for l in open(f) if l.strip()]
    inputs = np.fromfile(a.inputs, dtype=np.float32).reshape(len(rows), -1)
    if keep is not None:
        rows, inputs = [rows[i] for i in keep], inputs[keep]
    ds = np.array([r["source"].split("/")[0] for r in rows])
    pairs = {d["dataset"]: (d["pair"]["strong"], d["pair"]["weak"]) for d in json.load(open(a.report))["datasets"]}
    return rows, ds, inputs, pairs, difficulty(rows, ds)


def pair_figure(rows, ds, dataset, pair, score_of):
    """APGR on `dataset` of `score_of(prompt indices)`, on its strong/weak pair (the prompts both
    models scored)."""
    s_m, w_m = pair
    idx = np.array([i for i in np.where(ds == dataset)[0] if s_m in rows[i]["scores"] and w_m in rows[i]["scores"]])
    strong = np.array([rows[i]["scores"][s_m] for i in idx])
    weak = np.array([rows[i]["scores"][w_m] for i in idx])
    return apgr(score_of(idx), strong, weak)


def print_report(name, score_of, rows, ds, pairs):
    """One line: APGR per dataset of `score_of(dataset, prompt indices)` on its strong/weak pair,
    then the worst and the mean."""
    figures = [pair_figure(rows, ds, d, pair, lambda idx, d=d: score_of(d, idx)) for d, pair in pairs.items()]
    cells = " ".join(f"{d[:11]:>11s} {x:.3f}" for d, x in zip(pairs, figures))
    print(f"{name:34s} {cells}  worst {min(figures):.3f} mean {np.mean(figures):.3f}", flush=True)


def main():
    ap = study_args()
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("--scores", action="append", default=[])
    ap.add_argument("--rows", help="only these rows (indices, one a line; mpnet_sentence.py's rows.txt)")
    a = ap.parse_args()
    assert not (a.rows and a.scores), "--scores are of every row"
    rows, ds, inputs, pairs, target = load_study(a, np.loadtxt(a.rows, dtype=np.int64) if a.rows else None)
    static, features = inputs[:, :256], inputs[:, 256:]
    encoders = {"static MiniLM": static}
    for e in a.extra:
        name, path = e.split("=", 1)
        encoders[name] = np.fromfile(path, dtype=np.float32).reshape(len(rows), -1)

    report = functools.partial(print_report, rows=rows, ds=ds, pairs=pairs)

    def held_out(head, vectors, learn=target):
        def score_of(d, idx):
            train = np.where((ds != d) & ~np.isnan(learn))[0]
            return head(vectors, train, learn, idx)

        return score_of

    report("length (prompt tokens)", lambda d, idx: features[idx, 0])
    kinds = {}
    for e in a.scores:
        name, path = e.split("=", 1)
        scored = [json.loads(l) for l in open(path) if l.strip()]
        assert [s["id"] for s in scored] == [r["id"] for r in rows], f"{path} scores other rows"
        held = np.array([np.nan if s["score"] is None else s["score"] for s in scored])
        kinds[name] = held
        report(name, lambda d, idx: held[idx])
        for weight in (0.25, 0.5, 0.75):
            report(
                f"{name}, {weight} blend with length",
                lambda d, idx, w=weight: w * ranks(held[idx]) + (1 - w) * ranks(features[idx, 0]),
            )
    # Ensembles of the trained kinds: the mean of their ranks within the dataset.
    for size in range(2, len(kinds) + 1):
        for combo in itertools.combinations(kinds, size):
            report(" + ".join(combo), lambda d, idx, c=combo: sum(ranks(kinds[k][idx]) for k in c))
    report("ceiling: the prompt's own difficulty", lambda d, idx: np.nan_to_num(target[idx]))
    for name, emb in encoders.items():
        with_features = unit(np.hstack([emb, features]))
        report(f"{name} knn", held_out(knn, with_features))
        report(f"{name} knn, embedding only", held_out(knn, unit(emb)))
        report(f"{name} cluster", held_out(functools.partial(cluster, ds=ds), with_features))
        for how in ("percentile", "standardised"):
            learn = per_dataset(target, ds, how)
            report(f"{name} cluster, {how} target", held_out(functools.partial(cluster, ds=ds), with_features, learn))
        z = (features[:, 0] - features[:, 0].mean()) / features[:, 0].std()
        for prior in (1000, 100, 10):
            head = functools.partial(cluster, ds=ds, length=z, slope_prior=prior)
            report(f"{name} cluster, length slope {prior}", held_out(head, with_features))
            head = functools.partial(cluster, ds=ds, length=z, slope_prior=prior, invariant=True)
            report(f"{name} cluster, invariant slope {prior}", held_out(head, with_features))
        # Declared 2026-12-06 before it ran: the slope only where the cluster is mostly maths
        # (where length beats the router inside a source), at the prior of 100.
        head = functools.partial(cluster, ds=ds, length=z, slope_prior=100, math=features[:, 3])
        report(f"{name} cluster, math-cluster slope 100", held_out(head, with_features))
        # Declared 2026-12-07 before it ran: one length slope (prior 100, floored at zero) for
        # the prompts that offer options (exam questions), or that or mostly maths, none for
        # the others, added to the plain head.
        plain = functools.partial(cluster, ds=ds)
        for label, gate in (("options", features[:, 7] > 0), ("options or maths", (features[:, 7] > 0) | (features[:, 3] >= 0.5))):
            report(f"{name} cluster, {label} slope 100", held_out(gated_slope(plain, gate, z, ds), with_features))
        report(f"{name} ridge", held_out(ridge, np.hstack([emb, features])))
        report(f"{name} ridge, embedding only", held_out(ridge, emb))


if __name__ == "__main__":
    main()
