#!/usr/bin/env python3
"""Python/scipy reference timing of profile `bio` (metrics.md §5), for the performance note.

The same computation as bench's `bio` families with a cold per-fold cache: the rank-sum tests
of every class pair and gene for the real train fold and for the synthetic rows
(scipy.stats.mannwhitneyu, method="asymptotic", use_continuity=True, vectorised over genes),
the DE sets at p < 0.05 and TPR/FPR per pair and direction, and the Pearson correlations of both
sets (numpy corrcoef) with |r| > τ edge sets for τ = 0.3, 0.5 and their precision/recall.

Inputs are two challenge-layout exports of a built-in dataset (`bench datasets export NAME
--layout challenge --seed S --out DIR`): the real train fold is split_1's train rows of the first
export, the "synthetic" rows are split_1's train rows of the second (same shape).

Usage:
  python3 scripts/bio_reference.py REAL_DIR SYNTHETIC_DIR [--repeats 5]
Prints the median wall time of the whole computation and of its two parts.
"""

import argparse
import glob
import itertools
import os
import time

import numpy as np
import yaml
from scipy.stats import mannwhitneyu

DE_P = 0.05
CUTOFFS = [0.3, 0.5]


def load_train(directory):
    """(X, labels) of split_1's train rows of a challenge-layout export."""
    tsv = glob.glob(os.path.join(directory, "*_lmgenes.tsv"))[0]
    meta = glob.glob(os.path.join(directory, "*_subtypes.csv"))[0]
    splits = glob.glob(os.path.join(directory, "*_splits.yaml"))[0]
    with open(tsv) as f:
        samples = f.readline().rstrip("\n").split("\t")[1:]
        values = np.array([[float(v) for v in line.rstrip("\n").split("\t")[1:]] for line in f])
    x = values.T  # samples x genes
    label_of = {}
    with open(meta) as f:
        f.readline()
        for line in f:
            sid, _, label = line.rstrip("\n").split(",")
            label_of[sid] = label
    with open(splits) as f:
        train_ids = yaml.safe_load(f)["splits"]["split_1"]["train_index"]
    index = {s: i for i, s in enumerate(samples)}
    rows = [index[s] for s in train_ids]
    return x[rows], np.array([label_of[s] for s in train_ids])


def de_tests(x, labels, classes):
    """{(a, b): (p_up, p_down)} over genes; p = 1 where sigma = 0 (scipy gives NaN)."""
    out = {}
    for a, b in itertools.combinations(classes, 2):
        xa, xb = x[labels == a], x[labels == b]
        up = mannwhitneyu(xa, xb, alternative="greater", method="asymptotic", use_continuity=True, axis=0).pvalue
        down = mannwhitneyu(xa, xb, alternative="less", method="asymptotic", use_continuity=True, axis=0).pvalue
        out[(a, b)] = (np.nan_to_num(up, nan=1.0), np.nan_to_num(down, nan=1.0))
    return out


def de_columns(real, syn, genes):
    rates = {"up": ([], []), "down": ([], [])}
    for pair in real:
        for k, d in enumerate(["up", "down"]):
            r, s = real[pair][k] < DE_P, syn[pair][k] < DE_P
            nr = r.sum()
            if nr > 0:
                rates[d][0].append((s & r).sum() / nr)
            if nr < genes:
                rates[d][1].append((s & ~r).sum() / (genes - nr))
    return {f"DE_{m}_{d}": float(np.mean(rates[d][i])) for d in rates for i, m in enumerate(["TPR", "FPR"])}


def upper_correlations(x):
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.corrcoef(x, rowvar=False)
    return r[np.triu_indices(x.shape[1], k=1)]


def coexpr_columns(r_real, r_syn):
    out = {}
    for tau in CUTOFFS:
        e_real, e_syn = np.abs(r_real) > tau, np.abs(r_syn) > tau
        correct = int((e_real & e_syn).sum())
        s = "c" + repr(tau).replace(".", "")
        out[f"coexpr_precision_{s}"] = correct / e_syn.sum() if e_syn.any() else float("nan")
        out[f"coexpr_recall_{s}"] = correct / e_real.sum() if e_real.any() else float("nan")
        out[f"coexpr_correct_edges_{s}"] = correct
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("real")
    ap.add_argument("synthetic")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    xr, yr = load_train(args.real)
    xs, ys = load_train(args.synthetic)
    classes = sorted(set(yr))
    print(f"real train {xr.shape}, synthetic {xs.shape}, {len(classes)} classes")
    t_de, t_co, t_all = [], [], []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        de = de_columns(de_tests(xr, yr, classes), de_tests(xs, ys, classes), xr.shape[1])
        t1 = time.perf_counter()
        co = coexpr_columns(upper_correlations(xr), upper_correlations(xs))
        t2 = time.perf_counter()
        t_de.append(t1 - t0)
        t_co.append(t2 - t1)
        t_all.append(t2 - t0)
    print({**de, **co})
    print(f"median seconds: bio {np.median(t_all):.4f}  DE {np.median(t_de):.4f}  coexpr {np.median(t_co):.4f}")


if __name__ == "__main__":
    main()
