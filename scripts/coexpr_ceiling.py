#!/usr/bin/env python3
"""How much co-expression a DP generator can keep: the evidence behind issue 18's blocked bar.

    python3 scripts/coexpr_ceiling.py KIT [KIT ...] --out experiments/coexpr-ceiling/ceiling.md

KIT: a folder with X_train_real_split_{k}.csv and y_train_real_split_{k}.csv (`bench export
--with-real`); every split found is used. Needs numpy only.

Two measurements per kit and split:

1. Oracle recall. A generator that knows the exact class means and the exact top-k eigenpairs of
   the within-class covariance (the rest of each gene's variance as independent noise) samples as
   many rows per class as the train fold has; its co-expression recall and precision at τ = 0.3
   (docs/metrics.md §5.2, mode abs) against the train fold is measured for several k. This is a
   non-private upper bound for every generator of the low-rank-Gaussian family (dp-copula included).

2. Directions above the DP noise floor. Clipping every residual row to a common L2 norm (the
   best case: the covariance's scale drops out) leaves the normalised second moment
   S = Σ_i r_i r_iᵀ / ‖r_i‖², whose sensitivity under adding or removing one row is 1 (Frobenius).
   The Gaussian mechanism with ALL of the budget ρ on S adds a symmetric matrix with entry sd
   σ = 1/√(2ρ); a spike of S is detectable only above σ√p (the BBP threshold of a Wigner matrix)
   and separated from the noise bulk above 2σ√p. The Gaussian mechanism is optimal up to
   constants for (ε, δ)-DP PCA (Dwork, Talwar, Thakurta, Zhang, "Analyze Gauss", STOC 2014), so
   counts far below the k the oracle needs are evidence of a limit, not of a weak implementation.
   ρ is bench's cdp_rho(ε, δ = 1e-5) (docs/generators.md §1.2).
"""

import argparse
import math
import os
import re
import sys

import numpy as np

TAU = 0.3
KS = [0, 2, 4, 8, 12, 16, 32]
EPSILONS = [1, 2, 4, 10]
DELTA = 1e-5


def cdp_delta(rho, eps):
    lo, hi = 1.01, (eps + 1) / (2 * rho) + 2
    for _ in range(1000):
        a = (lo + hi) / 2
        if (2 * a - 1) * rho - eps + math.log(1 - 1 / a) < 0:
            lo = a
        else:
            hi = a
    a = (lo + hi) / 2
    return min(1.0, math.exp((a - 1) * (a * rho - eps) + a * math.log(1 - 1 / a)) / (a - 1))


def cdp_rho(eps, delta):
    lo, hi = 0.0, eps + 1.0
    for _ in range(1000):
        r = (lo + hi) / 2
        if cdp_delta(r, eps) <= delta:
            lo = r
        else:
            hi = r
    return lo


def read_split(kit, k):
    x = np.loadtxt(os.path.join(kit, f"X_train_real_split_{k}.csv"), delimiter=",", skiprows=1)
    y = np.loadtxt(os.path.join(kit, f"y_train_real_split_{k}.csv"), delimiter=",", skiprows=1, dtype=str)
    return x, y


def edges(x):
    """Bitset of |r_gh| > τ over g < h (zero-variance genes have no edges)."""
    sd = x.std(0)
    z = (x - x.mean(0)) / np.where(sd > 0, sd, 1.0)
    r = z.T @ z / x.shape[0]
    r[:, sd == 0] = 0.0
    iu = np.triu_indices(x.shape[1], 1)
    return np.abs(r[iu]) > TAU


def oracle_sample(means, counts, vecs, vals, resid, k, rng):
    rows = []
    for mean, n in zip(means, counts):
        z = rng.standard_normal((n, k)) * np.sqrt(vals[:k])
        e = rng.standard_normal((n, len(mean))) * np.sqrt(resid[k])
        rows.append(mean + z @ vecs[:, :k].T + e)
    return np.vstack(rows)


def analyse(kit, k, rng):
    x, y = read_split(kit, k)
    n, p = x.shape
    classes = sorted(set(y))
    means = np.stack([x[y == c].mean(0) for c in classes])
    counts = [int((y == c).sum()) for c in classes]
    resid = x - means[[classes.index(c) for c in y]]
    vals, vecs = np.linalg.eigh(resid.T @ resid / n)
    vals, vecs = vals[::-1].clip(min=0), vecs[:, ::-1]
    diag = np.diag(resid.T @ resid / n)
    resid_var = {j: np.maximum(diag - (vecs[:, :j] ** 2) @ vals[:j], 1e-12) for j in KS}
    real = edges(x)
    oracle = {}
    for j in KS:
        syn = edges(oracle_sample(means, counts, vecs, vals, resid_var, j, rng))
        both = int((real & syn).sum())
        oracle[j] = (both / real.sum(), both / max(int(syn.sum()), 1))
    unit = resid / np.linalg.norm(resid, axis=1, keepdims=True)
    spikes = np.linalg.eigvalsh(unit.T @ unit)[::-1]
    floor = {}
    for eps in EPSILONS:
        sigma = 1 / math.sqrt(2 * cdp_rho(eps, DELTA))
        floor[eps] = (int((spikes > sigma * math.sqrt(p)).sum()), int((spikes > 2 * sigma * math.sqrt(p)).sum()))
    return dict(n=n, p=p, classes=len(classes), real_edges=int(real.sum()), oracle=oracle, floor=floor, spikes=spikes[:16])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kits", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    lines = [
        "# Co-expression ceiling (scripts/coexpr_ceiling.py)",
        "",
        f"Command: `python3 scripts/coexpr_ceiling.py {' '.join(args.kits)} --out {args.out}` (seed {args.seed}).",
        "Oracle recall / precision at τ = 0.3 with exact class means and the exact top-k within-class",
        "eigenpairs; DP columns: number of normalised within-class spikes above the BBP threshold σ√p",
        "(and above the bulk edge 2σ√p) when the whole ρ(ε, δ = 1e-5) goes to the second moment.",
        "",
        "| kit | split | n × p | real edges | " + " | ".join(f"oracle k={j}" for j in KS) + " | "
        + " | ".join(f"ε={e}: k above floor" for e in EPSILONS) + " |",
        "|" + "---|" * (4 + len(KS) + len(EPSILONS)),
    ]
    for kit in args.kits:
        splits = sorted(int(m.group(1)) for f in os.listdir(kit) if (m := re.fullmatch(r"X_train_real_split_(\d+)\.csv", f)))
        for k in splits:
            a = analyse(kit, k, rng)
            oracle = " | ".join(f"{r:.3f} / {pr:.3f}" for r, pr in a["oracle"].values())
            floor = " | ".join(f"{lo} ({hi})" for lo, hi in a["floor"].values())
            lines.append(f"| {os.path.basename(os.path.normpath(kit))} | {k} | {a['n']} × {a['p']} | {a['real_edges']} | {oracle} | {floor} |")
            print(lines[-1], file=sys.stderr)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
