"""Leave-one-dataset-out APGR of a linear difficulty head trained for the worst training dataset
(group distributionally robust optimisation, Sagawa et al. 2020) instead of the average: a test of
whether optimising the worst case of the datasets a router sees carries over to a dataset it has
not seen.

  python group_dro.py --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

The inputs and report are offline_lodo.py's. The head is a weighted ridge regression of the
difficulty on the standardised static vector and prompt features; each training dataset weighs
q_g / size_g, and q is moved towards the datasets the head ranks worst (q_g *= exp(eta * loss_g),
loss_g = 1 - Spearman correlation of its predicted and measured difficulties), 30 rounds. eta = 0
is the plain head. `centre` subtracts each dataset's mean from its targets and vectors first (a
dataset fixed effect), since only the order within a dataset matters for APGR. Needs numpy.
"""
import functools

import numpy as np

from offline_lodo import load_study, print_report, ranks, study_args


def main():
    rows, ds, inputs, pairs, target = load_study(study_args().parse_args())
    inputs = inputs.astype(np.float64)
    x = (inputs - inputs.mean(0)) / (inputs.std(0) + 1e-6)
    x = np.hstack([x, np.ones((len(x), 1))])

    def fit(train, q, lam, centre):
        y, a_ = target[train].copy(), x[train].copy()
        sample_weight = np.zeros(len(train))
        for g, share in q.items():
            m = ds[train] == g
            sample_weight[m] = share / m.sum()
            if centre:
                y[m] -= y[m].mean()
                a_[m, :-1] -= a_[m, :-1].mean(0)
        aw = a_ * sample_weight[:, None]
        return np.linalg.solve(a_.T @ aw + lam * np.eye(a_.shape[1]), aw.T @ y)

    def rank_loss(w, idx):
        return 1 - np.corrcoef(ranks(x[idx] @ w), ranks(target[idx]))[0, 1]

    def robust_head(train, lam, centre, eta):
        groups = np.unique(ds[train])
        q = {g: 1 / len(groups) for g in groups}
        for _ in range(30 if eta else 1):
            w = fit(train, q, lam, centre)
            z = {g: q[g] * np.exp(eta * rank_loss(w, train[ds[train] == g])) for g in groups}
            q = {g: z[g] / sum(z.values()) for g in groups}
        return w

    report = functools.partial(print_report, rows=rows, ds=ds, pairs=pairs)

    report("length (prompt tokens)", lambda d, idx: inputs[idx, 256])
    for centre in (False, True):
        for lam in (1.0, 100.0):
            for eta in (0.0, 5.0, 20.0):
                train_of = lambda d: np.where((ds != d) & ~np.isnan(target))[0]
                report(
                    f"centre={centre} lambda={lam:g} eta={eta:g}",
                    lambda d, idx: x[idx] @ robust_head(train_of(d), lam, centre, eta),
                )


if __name__ == "__main__":
    main()
