"""The default's length slope (heads/length_slope.rs) is gated on prompts that offer options or
carry two maths markers. Maths word problems ("Natalia sold clips to 48 of her friends ... How
many clips did she sell?") usually carry one marker, so most of llmrouter/gsm8k is not gated
(18 %). Declared 2026-12-08 before it ran: the gate widened to word problems, a question (the
`question` feature) with at least one maths marker and a digit (`math` and `digits` above 0),
is kept if, offline and leave one dataset out, its worst case is at least the default gate's
and its mean is higher, and inside the word-problem source (llmrouter/gsm8k) it moves the
held-out figure towards length's.

Prints, per source of at least 100 prompts (and a strong - weak gap of at least `--min-gap`
a prompt, 0.05 unless told: llmrouter/gsm8k's is 0.042), the share each gate marks and the
held-out figure of the plain `cluster` head, of the default's gate and of the widened one
beside length's; then the whole-dataset figures, worst and mean. With `--spearman`, each
source's rank correlation of every head's held-out score and of length with the prompts' own
difficulty (what the heads learn; independent of one pair's small gap).

  python word_problems.py [--min-gap G] [--spearman] --inputs INPUTS.f32 --report EVAL.json DATA.jsonl...

Inputs as offline_lodo.py's. Needs numpy; about a minute.
"""
import functools

import numpy as np

from by_source import sources_of
from offline_lodo import apgr, cluster, gated_slope, load_study, print_report, ranks, study_args, unit


def main():
    ap = study_args()
    ap.add_argument("--min-gap", type=float, default=0.05)
    ap.add_argument("--spearman", action="store_true")
    a = ap.parse_args()
    rows, ds, inputs, pairs, target = load_study(a)
    static, features = inputs[:, :256], inputs[:, 256:]
    with_features = unit(np.hstack([static, features]))
    z = (features[:, 0] - features[:, 0].mean()) / features[:, 0].std()
    default_gate = (features[:, 7] > 0) | (features[:, 3] >= 0.5)
    word_problem = (features[:, 6] > 0) & (features[:, 3] > 0) & (features[:, 4] > 0)
    gates = {"default gate": default_gate, "with word problems": default_gate | word_problem}
    plain = functools.partial(cluster, ds=ds)
    heads = {"cluster": plain} | {name: gated_slope(plain, gate, z, ds) for name, gate in gates.items()}

    held = {name: np.full(len(rows), np.nan) for name in heads}
    for d in pairs:
        test = np.where(ds == d)[0]
        train = np.where((ds != d) & ~np.isnan(target))[0]
        for name, head in heads.items():
            held[name][test] = head(with_features, train, target, test)

    print(f"{'source':36s} {'n':>5s} " + " ".join(f"{g[:18]:>18s}" for g in gates) + "  " +
          " ".join(f"{h[:18]:>18s}" for h in heads) + f" {'length':>7s}")
    def figure(score, idx, strong, weak):
        if not a.spearman:
            return apgr(score[idx], strong, weak)
        known = idx[~np.isnan(target[idx])]
        return float(np.corrcoef(ranks(score[known]), ranks(target[known]))[0, 1])

    for d, pair in pairs.items():
        _, sources = sources_of(rows, d, pair, min_prompts=100, min_gap=a.min_gap)
        for source, idx, strong, weak in sources:
            shares = " ".join(f"{gate[idx].mean():18.2f}" for gate in gates.values())
            figures = " ".join(f"{figure(held[h], idx, strong, weak):18.3f}" for h in heads)
            print(f"{source:36s} {len(idx):5d} {shares}  {figures} {figure(features[:, 0], idx, strong, weak):7.3f}", flush=True)
    print()
    print_report("length (prompt tokens)", lambda d, idx: features[idx, 0], rows=rows, ds=ds, pairs=pairs)
    for name in heads:
        print_report(name, lambda d, idx, h=held[name]: h[idx], rows=rows, ds=ds, pairs=pairs)


if __name__ == "__main__":
    main()
