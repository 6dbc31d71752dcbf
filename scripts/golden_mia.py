"""Golden values for profile `mia` (metrics.md §4.3-4.4), computed independently of bench.

* Rank metrics on score vectors with heavy ties: AUC (`roc_auc_score`), AP
  (`average_precision_score`, positives = members) and the challenge kit's rule
  `tpr[(fpr >= a).argmax()]` on `roc_curve(drop_intermediate=True)`, all scikit-learn.
* The Gaussian KDE log-density of §4.3 (bandwidth H = n^(-2/(q+4)) Cov(S), ddof 1) computed
  directly with numpy (explicit inverse and slogdet) and cross-checked against
  `scipy.stats.gaussian_kde(...).logpdf`, which uses the same Scott bandwidth matrix; plus the
  leave-one-out values of the fitted points, each from a KDE refitted on the other points (its
  own bandwidth matrix and normaliser n - 1; metrics.md §4.5), also cross-checked with scipy.
* Mahalanobis distances with the ridge Sigma + alpha * tr(Sigma)/p * I, by numpy inverse, with
  more rows than columns and with fewer (bench's Woodbury route).

Run: python3 scripts/golden_mia.py  (writes tests/golden/mia_expected.json)
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.special import logsumexp
from scipy.stats import gaussian_kde
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

rng = np.random.default_rng(20261203)
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "golden", "mia_expected.json")


def kit_rule(member, scores, alpha):
    fpr, tpr, _ = roc_curve(member, scores)  # drop_intermediate=True (default)
    return float(tpr[(fpr >= alpha).argmax()])


def ranking_case(name, scores, member):
    scores = np.asarray(scores, dtype=float)
    member = np.asarray(member, dtype=int)
    return {
        "name": name,
        "scores": scores.tolist(),
        "member": member.astype(bool).tolist(),
        "aucroc": float(roc_auc_score(member, scores)),
        "average_precision": float(average_precision_score(member, scores)),
        "tpr_at_fpr_01_kit": kit_rule(member, scores, 0.1),
        "tpr_at_fpr_001_kit": kit_rule(member, scores, 0.01),
    }


cases = []
# Heavy ties: integer scores in a small range, 80 % members, weak signal.
n = 500
member = rng.random(n) < 0.8
cases.append(ranking_case("ints_0_5_weak", rng.integers(0, 6, n) + member * (rng.random(n) < 0.2), member))
# Mostly one value (MC-like), a few distinct scores.
scores = np.where(rng.random(n) < 0.9, 0.0, rng.integers(1, 4, n) / 871)
cases.append(ranking_case("mc_like_mostly_zero", scores, member))
# Repeating (tp, fp) steps: collinear ROC points that drop_intermediate removes.
s = np.repeat(np.arange(30, 0, -1), 4).astype(float)
m = np.tile([1, 0, 1, 0], 30).astype(bool)
cases.append(ranking_case("collinear_steps", s, m))
# Continuous scores, no ties, strong signal.
cases.append(ranking_case("continuous_strong", rng.normal(size=n) + 1.5 * member, member))
# All tied.
cases.append(ranking_case("all_tied", np.zeros(50), rng.random(50) < 0.8))
# Few candidates, integer ties, 1089 BRCA-sized with coarse rounding.
m = rng.random(1089) < 0.8
cases.append(ranking_case("brca_sized_rounded", np.round(rng.normal(size=1089) + 0.3 * m, 1), m))

# KDE: S = 40 rows in q = 3 dimensions, 6 query rows.
q = 3
S = rng.normal(size=(40, q)) @ np.array([[1.0, 0.3, 0.0], [0.0, 0.8, 0.2], [0.1, 0.0, 0.5]]) + 2.0
X = rng.normal(size=(6, q)) + 2.0
nS = S.shape[0]
f2 = nS ** (-2.0 / (q + 4))
H = f2 * np.cov(S, rowvar=False, ddof=1)
Hinv = np.linalg.inv(H)
_, logdet = np.linalg.slogdet(2 * np.pi * H)


def direct_log_density(x, pts):
    d = x[None, :] - pts
    quad = np.einsum("ij,jk,ik->i", d, Hinv, d)
    return float(logsumexp(-0.5 * quad) - np.log(len(pts)) - 0.5 * logdet)


kde_direct = [direct_log_density(x, S) for x in X]
kde_scipy = gaussian_kde(S.T, bw_method="scott").logpdf(X.T)
assert np.allclose(kde_direct, kde_scipy, rtol=1e-12, atol=0), (kde_direct, kde_scipy)


def refitted_log_density(i):
    """log p(S[i]) under the KDE fitted on the other rows: their own Scott bandwidth matrix
    (mean, covariance, factor (n-1)^(-1/(q+4))) and normaliser n - 1, by explicit inverse."""
    others = np.delete(S, i, axis=0)
    h = len(others) ** (-2.0 / (q + 4)) * np.cov(others, rowvar=False, ddof=1)
    d = S[i][None, :] - others
    quad = np.einsum("ij,jk,ik->i", d, np.linalg.inv(h), d)
    return float(logsumexp(-0.5 * quad) - np.log(len(others)) - 0.5 * np.linalg.slogdet(2 * np.pi * h)[1])


kde_loo = [refitted_log_density(i) for i in range(nS)]
kde_loo_scipy = [float(gaussian_kde(np.delete(S, i, axis=0).T).logpdf(S[i][:, None])[0]) for i in range(nS)]
assert np.allclose(kde_loo, kde_loo_scipy, rtol=1e-12, atol=0), (kde_loo, kde_loo_scipy)

# Mahalanobis: 12 rows x 5 columns, ridge alpha in {1e-6, 0.5}.
P = rng.normal(size=(12, 5)) * np.array([1.0, 2.0, 0.5, 1.5, 3.0]) + 1.0
Q = rng.normal(size=(4, 5)) * 2.0
maha = []
for alpha in (1e-6, 0.5):
    mu = P.mean(axis=0)
    sigma = np.cov(P, rowvar=False, ddof=1)
    reg = sigma + alpha * np.trace(sigma) / P.shape[1] * np.eye(P.shape[1])
    inv = np.linalg.inv(reg)
    d = Q - mu
    maha.append({"alpha": alpha, "delta": np.sqrt(np.einsum("ij,jk,ik->i", d, inv, d)).tolist()})

# Mahalanobis with fewer rows than columns (bench's n x n Woodbury route): 6 rows x 14 columns.
P_wide = rng.normal(size=(6, 14)) * np.linspace(0.5, 2.0, 14) + 1.0
Q_wide = rng.normal(size=(4, 14)) * 1.5
maha_wide = []
for alpha in (1e-6, 0.5):
    sigma = np.cov(P_wide, rowvar=False, ddof=1)
    reg = sigma + alpha * np.trace(sigma) / P_wide.shape[1] * np.eye(P_wide.shape[1])
    d = Q_wide - P_wide.mean(axis=0)
    maha_wide.append({"alpha": alpha, "delta": np.sqrt(np.einsum("ij,jk,ik->i", d, np.linalg.inv(reg), d)).tolist()})

out = {
    "provenance": f"scripts/golden_mia.py; numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__}",
    "ranking": cases,
    "kde": {"points": S.tolist(), "queries": X.tolist(), "log_density": kde_direct,
            "log_density_scipy": kde_scipy.tolist(), "log_density_loo": kde_loo},
    "mahalanobis": {"points": P.tolist(), "queries": Q.tolist(), "cases": maha},
    "mahalanobis_wide": {"points": P_wide.tolist(), "queries": Q_wide.tolist(), "cases": maha_wide},
}
with open(OUT, "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", OUT, "with", len(cases), "ranking cases")
