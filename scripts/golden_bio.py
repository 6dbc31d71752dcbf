#!/usr/bin/env python3
"""Golden values for profile `bio` (metrics.md §5) from an independent numpy/scipy implementation.

Writes:
  tests/golden/bio_{train,test,synthetic}.csv   label,g01..g16 (values in repr form)
  tests/golden/bio_expected.json                train/synthetic correlations (numpy corrcoef),
                                                edge sets per mode and cutoff, the 14 bio columns
                                                and the de_pairs side table

Design of the inputs:
  * labels c1, c10, c2, c3: byte order puts c10 before c2; the synthetic rows have no c3
    (pairs with c3 get empty synthetic DE sets);
  * gene g06 is the constant 0.1 in every set (no correlation edges; rank-sum sigma = 0);
  * genes g01..g05 are noise rounded to 1 decimal (heavy ties) with class shifts (DE);
  * genes g08..g15 are built in pairs whose correlation over all rows is set to a target just
    beside a cutoff (0.3 ± 2e-6, 0.5 ± 3e-6, −0.3 ∓ 2e-6, −0.5 ± 3e-6): no correlation lies within
    1e-7 of a cutoff (asserted below), so float rounding in a different implementation cannot flip
    an edge: there are no exact ties with τ by construction.

DE p-values: scipy.stats.mannwhitneyu(a, b, alternative=..., method="asymptotic",
use_continuity=True) (tie-corrected normal approximation, as R's wilcox.test with exact=FALSE),
with the spec's rule p = 1 when n1·n2 < 2 or sigma = 0 (scipy returns NaN there).

Run from the repository root:  python3 scripts/golden_bio.py
"""

import itertools
import json
import os

import numpy as np
import scipy
from scipy.stats import mannwhitneyu

OUT = os.path.join("tests", "golden")
P = 16
CLASSES = ["c1", "c10", "c2", "c3"]  # sorted by code point
TRAIN_COUNTS = {"c1": 20, "c10": 15, "c2": 14, "c3": 11}
TEST_COUNTS = {"c1": 5, "c10": 4, "c2": 4, "c3": 3}
SYN_COUNTS = {"c1": 22, "c10": 18, "c2": 15}
CONSTANT_GENE = 5
DE_P = 0.05
CUTOFFS = [0.3, 0.5]
TARGETS = [0.3 + 2e-6, 0.3 - 2e-6, 0.5 + 3e-6, -0.5 + 3e-6]


def with_correlation(z, w, rho):
    """A vector whose Pearson correlation with z is rho (z, w centred, orthonormal)."""
    return rho * z + np.sqrt(1.0 - rho * rho) * w


def orthonormal_columns(rng, n, k):
    """k centred, orthonormal vectors of length n (QR of centred noise)."""
    a = rng.normal(size=(n, k))
    a -= a.mean(axis=0)
    q, _ = np.linalg.qr(a)
    return q


def make_set(rng, counts, shift_sign, targets):
    labels = [c for c in CLASSES for _ in range(counts.get(c, 0))]
    n = len(labels)
    x = np.empty((n, P))
    cls = np.array([CLASSES.index(c) for c in labels])
    shifts = np.array([[0.0, 1.2, -0.8, 0.4, 0.0], [0.5, 0.0, 0.9, -1.0, 0.0],
                       [-0.7, 0.6, 0.0, 0.0, 0.3], [1.5, -1.5, 0.2, 0.8, -0.6]])
    for g in range(5):
        x[:, g] = np.round(rng.normal(size=n) + shift_sign * shifts[cls, g], 1)
    x[:, CONSTANT_GENE] = 0.1
    x[:, 6] = rng.normal(size=n) * 2.0 + 5.0
    q = orthonormal_columns(rng, n, 2 * len(targets))
    for i, rho in enumerate(targets):
        z, w = q[:, 2 * i], q[:, 2 * i + 1]
        x[:, 7 + 2 * i] = 10.0 + 3.0 * z
        x[:, 8 + 2 * i] = 4.0 + 2.0 * with_correlation(z, w, rho)
    x[:, 15] = rng.normal(size=n) + 0.3 * x[:, 0]
    return labels, x


def pair_correlations(x):
    """numpy corrcoef over all rows; NaN for pairs with a constant gene."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.corrcoef(x, rowvar=False)
    const = np.all(x == x[0], axis=0)
    r[const, :] = np.nan
    r[:, const] = np.nan
    return [r[g, h] for g in range(P) for h in range(g + 1, P)]


def edges(r, tau, mode):
    r = np.array(r)
    with np.errstate(invalid="ignore"):
        keep = np.abs(r) > tau if mode == "abs" else r >= tau
    return [int(k) for k in np.nonzero(keep)[0]]


def one_sided(a, b, alternative):
    a, b = np.asarray(a), np.asarray(b)
    if len(a) * len(b) < 2 or np.all(np.concatenate([a, b]) == a[0]):
        return 1.0
    return float(mannwhitneyu(a, b, alternative=alternative, method="asymptotic", use_continuity=True).pvalue)


def de_sets(labels, x):
    labels = np.array(labels)
    out = {}
    for a, b in itertools.combinations(range(len(CLASSES)), 2):
        xa, xb = x[labels == CLASSES[a]], x[labels == CLASSES[b]]
        up = {g for g in range(P) if one_sided(xa[:, g], xb[:, g], "greater") < DE_P}
        down = {g for g in range(P) if one_sided(xa[:, g], xb[:, g], "less") < DE_P}
        out[(a, b)] = {"up": up, "down": down}
    return out


def de_columns(real, syn):
    rows = []
    for pair in real:
        for d in ["up", "down"]:
            r, s = real[pair][d], syn[pair][d]
            tpr = len(s & r) / len(r) if r else float("nan")
            fpr = len(s - r) / (P - len(r)) if len(r) < P else float("nan")
            rows.append({"class_a": CLASSES[pair[0]], "class_b": CLASSES[pair[1]], "direction": d,
                         "tpr": tpr, "fpr": fpr, "real_genes": len(r), "synthetic_genes": len(s)})
    cols = {}
    for metric in ["tpr", "fpr"]:
        for d in ["up", "down"]:
            vals = [row[metric] for row in rows if row["direction"] == d and not np.isnan(row[metric])]
            cols[f"DE_{metric.upper()}_{d}"] = float(np.mean(vals))
    return rows, cols


def write_csv(name, labels, x):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("label," + ",".join(f"g{j + 1:02d}" for j in range(P)) + "\n")
        for lab, row in zip(labels, x):
            f.write(lab + "," + ",".join(repr(float(v)) for v in row) + "\n")


def main():
    rng = np.random.default_rng(20261203)
    train_labels, train = make_set(rng, TRAIN_COUNTS, 1.0, TARGETS)
    test_labels, test = make_set(rng, TEST_COUNTS, 1.0, TARGETS)
    syn_labels, syn = make_set(rng, SYN_COUNTS, 0.8, [-t for t in TARGETS])
    r_train, r_syn = pair_correlations(train), pair_correlations(syn)
    finite = np.array([v for v in r_train + r_syn if not np.isnan(v)])
    gap = min(np.min(np.abs(np.abs(finite) - tau)) for tau in CUTOFFS)
    assert gap > 1e-7, f"a correlation lies within {gap} of a cutoff"

    edge_sets = {}
    columns = {}
    for tau in CUTOFFS:
        suffix = "c" + repr(tau).replace(".", "")
        for mode in ["abs", "positive"]:
            e_train, e_syn = edges(r_train, tau, mode), edges(r_syn, tau, mode)
            edge_sets[f"train_{mode}_{suffix}"] = e_train
            edge_sets[f"synthetic_{mode}_{suffix}"] = e_syn
            if mode == "abs":
                correct = len(set(e_train) & set(e_syn))
                columns[f"coexpr_precision_{suffix}"] = correct / len(e_syn) if e_syn else float("nan")
                columns[f"coexpr_correct_edges_{suffix}"] = correct
                columns[f"coexpr_recall_{suffix}"] = correct / len(e_train) if e_train else float("nan")
                columns[f"coexpr_real_edges_{suffix}"] = len(e_train)
                columns[f"coexpr_syn_edges_{suffix}"] = len(e_syn)
    rows, de_cols = de_columns(de_sets(train_labels, train), de_sets(syn_labels, syn))
    columns.update(de_cols)

    write_csv("bio_train.csv", train_labels, train)
    write_csv("bio_test.csv", test_labels, test)
    write_csv("bio_synthetic.csv", syn_labels, syn)
    nan_to_none = lambda v: None if isinstance(v, float) and np.isnan(v) else v
    expected = {
        "source": f"scripts/golden_bio.py, numpy {np.__version__}, scipy {scipy.__version__}",
        "min_distance_to_cutoff": float(gap),
        "correlations_train": [nan_to_none(float(v)) for v in r_train],
        "correlations_synthetic": [nan_to_none(float(v)) for v in r_syn],
        "edges": edge_sets,
        "columns": {k: nan_to_none(float(v)) for k, v in columns.items()},
        "de_pairs": [{k: nan_to_none(v) for k, v in row.items()} for row in rows],
    }
    with open(os.path.join(OUT, "bio_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
