"""Python reference of profile `mia` (metrics.md §4.2-4.4) for timing against bench.

The same attacks with numpy / scipy / scikit-learn on one fold of an exported simulated dataset:
gan_leaks, gan_leaks_cal (LOO reference = test fold), mc (P = 10, strict <), domias_kde (PCA on
the synthetic set, q = min(100, |Ref| - 2), Scott's bandwidth matrix, each reference row's density
from the KDE refitted without it),
mahalanobis / mahalanobis_cc (ridge 1e-6 * tr/p), lr_loss / lr_conf (scikit-learn OvR
LogisticRegression C = 1, lbfgs, max_iter 1000, tol 1e-4), marginal_ratio (4 bins), each scored
with roc_auc_score. The synthetic set is a per-class multivariate normal drawn here (numpy).

Inputs: `bench datasets export sim-brca --layout tidy --out DIR` and
`bench datasets export sim-brca --layout challenge --out DIR` (for the splits YAML).
Run:    python3 scripts/mia_reference.py DIR/sim-brca.csv DIR/SIM-BRCA_splits.yaml
"""
import sys
import time

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from scipy.spatial.distance import cdist
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.multiclass import OneVsRestClassifier


def read_split(path, k=1):
    ids, part, cur = {"train_index": [], "test_index": []}, None, None
    for line in open(path):
        s = line.strip()
        if s.startswith("split_"):
            cur = s.rstrip(":")
        elif s in ("train_index:", "test_index:"):
            part = s.rstrip(":")
        elif s.startswith("- ") and cur == f"split_{k}":
            ids[part].append(s[2:])
    return ids["train_index"], ids["test_index"]


def kde_log_density(points, queries):
    n, q = points.shape
    h = n ** (-2.0 / (q + 4)) * np.cov(points, rowvar=False)
    chol = np.linalg.cholesky(h)
    wp = np.linalg.solve(chol, points.T).T
    wq = np.linalg.solve(chol, queries.T).T
    d2 = cdist(wq, wp, "sqeuclidean")
    half_logdet = 0.5 * q * np.log(2 * np.pi) + np.log(np.diag(chol)).sum()
    return logsumexp(-0.5 * d2, axis=1) - np.log(n) - half_logdet


def kde_log_density_loo(points):
    """Each point's density under the KDE refitted on the other points (metrics.md §4.5)."""
    return np.array([kde_log_density(np.delete(points, i, axis=0), points[i:i + 1])[0] for i in range(len(points))])


def mahalanobis(fit_rows, x, alpha=1e-6):
    mu = fit_rows.mean(axis=0)
    sigma = np.cov(fit_rows, rowvar=False)
    sigma += alpha * np.trace(sigma) / sigma.shape[0] * np.eye(sigma.shape[0])
    chol = np.linalg.cholesky(sigma)
    z = np.linalg.solve(chol, (x - mu).T)
    return np.sqrt((z * z).sum(axis=0))


def attacks(xc, yc, n_mem, xs, ys):
    ref = xc[n_mem:]
    out = {}
    d_g = cdist(xc, xs, "sqeuclidean")
    dg = d_g.min(axis=1)
    out["gan_leaks"] = -dg
    d_rr = cdist(ref, ref, "sqeuclidean")
    np.fill_diagonal(d_rr, np.inf)
    dr = np.concatenate([cdist(xc[:n_mem], ref, "sqeuclidean").min(axis=1), d_rr.min(axis=1)])
    out["gan_leaks_cal"] = dr - dg
    eps = np.percentile(dg, 10)
    out["mc"] = (d_g < eps).sum(axis=1) / len(xs)
    q = min(100, len(ref) - 2)
    pca = PCA(q).fit(xs)
    pc, ps = pca.transform(xc), pca.transform(xs)
    log_r = np.concatenate([kde_log_density(pc[n_mem:], pc[:n_mem]), kde_log_density_loo(pc[n_mem:])])
    out["domias_kde"] = kde_log_density(ps, pc) - log_r
    out["mahalanobis"] = -mahalanobis(xs, xc)
    cc = np.empty(len(xc))
    for c in np.unique(yc):
        rows = yc == c
        fit = xs[ys == c] if (ys == c).sum() >= 3 else xs
        cc[rows] = -mahalanobis(fit, xc[rows])
    out["mahalanobis_cc"] = cc
    lr = OneVsRestClassifier(LogisticRegression(C=1.0, max_iter=1000, tol=1e-4)).fit(xs, ys)
    proba = lr.predict_proba(xc)
    classes = list(lr.classes_)
    out["lr_loss"] = np.log([proba[i, classes.index(y)] if y in classes else 0.0 for i, y in enumerate(yc)])
    out["lr_conf"] = proba.max(axis=1)
    edges = np.percentile(xs, [25, 50, 75], axis=0)
    bins_c = (xc[:, None, :] >= edges[None, :, :]).sum(axis=1)
    bins_s = (xs[:, None, :] >= edges[None, :, :]).sum(axis=1)
    score = np.zeros(len(xc))
    for i in range(len(xc)):
        c, b = yc[i], bins_c[i]
        s_rows = bins_s[ys == c] if (ys == c).sum() >= 5 else bins_s
        r_mask = yc[n_mem:] == c
        r_rows = bins_c[n_mem:][r_mask]
        if i >= n_mem:
            r_rows = np.delete(bins_c[n_mem:], i - n_mem, axis=0)[np.delete(r_mask, i - n_mem)]
        if len(r_rows) < 5:
            r_rows = bins_c[n_mem:] if i < n_mem else np.delete(bins_c[n_mem:], i - n_mem, axis=0)
        fs = (s_rows == b).mean(axis=0) + 1 / (len(s_rows) + 4)
        fr = (r_rows == b).mean(axis=0) + 1 / (len(r_rows) + 4)
        score[i] = np.log(fs / fr).sum()
    out["marginal_ratio"] = score
    return out


def main(tidy, splits):
    df = pd.read_csv(tidy, index_col=0)
    labels = df.pop("label").to_numpy() if "label" in df.columns else df.pop(df.columns[-1]).to_numpy()
    train_ids, test_ids = read_split(splits)
    xtr, ytr = df.loc[train_ids].to_numpy(float), labels[df.index.get_indexer(train_ids)]
    xte, yte = df.loc[test_ids].to_numpy(float), labels[df.index.get_indexer(test_ids)]
    rng = np.random.default_rng(2)
    xs = np.vstack([rng.multivariate_normal(xtr[ytr == c].mean(0), np.cov(xtr[ytr == c], rowvar=False),
                                            (ytr == c).sum(), method="eigh") for c in np.unique(ytr)])
    ys = np.concatenate([[c] * (ytr == c).sum() for c in np.unique(ytr)])
    xc, yc = np.vstack([xtr, xte]), np.concatenate([ytr, yte])
    scaler_mu, scaler_sd = xs.mean(0), xs.std(0)
    scaler_sd[scaler_sd == 0] = 1
    t = time.perf_counter()
    scores = attacks((xc - scaler_mu) / scaler_sd, yc, len(xtr), (xs - scaler_mu) / scaler_sd, ys)
    member = np.arange(len(xc)) < len(xtr)
    aucs = {k: roc_auc_score(member, v) for k, v in scores.items()}
    elapsed = time.perf_counter() - t
    for k, v in aucs.items():
        print(f"{k:<15} AUC {v:.4f}")
    print(f"shape {len(xtr)}/{len(xte)}/{len(xs)} x {xc.shape[1]}: attacks + AUCs in {elapsed:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
