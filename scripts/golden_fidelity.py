#!/usr/bin/env python3
"""Golden values for the fidelity metrics (metrics.md §2.7, §2.9, §2.11, §3.3-§3.6).

Writes small VST-like inputs and the values an independent numpy/scipy/scikit-learn 1.5.2
implementation gives for them, following the formulas of the official CAMDA evaluator
(PMBio/Health-Privacy-Challenge src/evaluation/utils/stats.py and prdc.py):

  tests/golden/fidelity_{train,test,synthetic}.csv   label,g01..g50 (values in repr form)
  tests/golden/fidelity_expected.json                 expected metric values and projections

Deviations from upstream are the ones the spec mandates: a constant gene has KL 0 (upstream
NaN), and submmd_<c> is NaN when a side has fewer than 2 rows (upstream drops the column).

Run from the repository root:  python3 scripts/golden_fidelity.py
"""

import json
import os

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.decomposition import PCA
from sklearn.metrics.pairwise import pairwise_distances, pairwise_kernels
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

OUT = os.path.join("tests", "golden")
P = 50
CLASSES = ["BRCA.Basal", "BRCA.Her2", "BRCA.LumA", "BRCA.Normal"]
TRAIN_COUNTS = [40, 40, 30, 10]
TEST_COUNTS = [13, 13, 10, 4]
# BRCA.Normal has a single synthetic row: its submmd is NaN (too_few_rows).
SYN_COUNTS = [45, 40, 34, 1]
CONSTANT_GENE = P - 1
N_COPIES = 10  # synthetic rows that are exact copies of train rows
NEAREST_K = 5


# ---- metrics, following the official evaluator -------------------------------------------

def mmd(x, y, gamma):
    """Unbiased MMD² as upstream Statistics.get_mmd_score / compute_mmd."""
    if len(x) < 2 or len(y) < 2:
        return float("nan")
    kxx = pairwise_kernels(x, x, metric="rbf", gamma=gamma)
    kyy = pairwise_kernels(y, y, metric="rbf", gamma=gamma)
    kxy = pairwise_kernels(x, y, metric="rbf", gamma=gamma)
    m, n = len(x), len(y)
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
            + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2.0 * kxy.sum() / (m * n))


def dcr(query, ref):
    """Mean 1-NN Euclidean distance, unrounded, by exact brute force (scipy cdist), as §2.9
    asks. Upstream's NearestNeighbors expands ‖a‖² + ‖b‖² − 2a·b and gives ~1e-7 instead of 0
    for exact duplicates; the check below bounds that difference."""
    exact = np.sqrt(cdist(query, ref, "sqeuclidean").min(axis=1))
    upstream, _ = NearestNeighbors(n_neighbors=1).fit(ref).kneighbors(query)
    assert np.allclose(upstream[:, 0], exact, rtol=0, atol=1e-5)
    return float(np.mean(exact))


def kl_mean(x_synthetic, x_real, n_bins=50):
    """Upstream compute_kl_divergences (KL(real || synthetic)), with constant genes → 0."""
    out = []
    for i in range(x_real.shape[1]):
        lo = min(np.min(x_real[:, i]), np.min(x_synthetic[:, i]))
        hi = max(np.max(x_real[:, i]), np.max(x_synthetic[:, i]))
        if hi == lo:
            out.append(0.0)
            continue
        bins = np.linspace(lo, hi, n_bins)
        hr, _ = np.histogram(x_real[:, i], bins=bins, density=True)
        hs, _ = np.histogram(x_synthetic[:, i], bins=bins, density=True)
        hr = hr + 1e-10
        hs = hs + 1e-10
        hr = hr / np.sum(hr)
        hs = hs / np.sum(hs)
        out.append(np.sum(hr * np.log(hr / hs)))
    return float(np.mean(out))


def kth_value(unsorted, k):
    idx = np.argpartition(unsorted, k, axis=-1)[..., :k]
    return np.take_along_axis(unsorted, idx, axis=-1).max(axis=-1)


def prdc(real, fake, k=NEAREST_K):
    """Upstream PRDensityCoverage.compute_prdc."""
    if len(real) <= k or len(fake) <= k:
        return dict(precision=float("nan"), recall=float("nan"), density=float("nan"), coverage=float("nan"))
    r_radii = kth_value(pairwise_distances(real, real, metric="euclidean"), k + 1)
    f_radii = kth_value(pairwise_distances(fake, fake, metric="euclidean"), k + 1)
    d = pairwise_distances(real, fake, metric="euclidean")
    return dict(
        precision=float((d < r_radii[:, None]).any(axis=0).mean()),
        recall=float((d < f_radii[None, :]).any(axis=1).mean()),
        density=float((1.0 / k) * (d < r_radii[:, None]).sum(axis=0).mean()),
        coverage=float((d.min(axis=1) < r_radii).mean()),
    )


def pca_2025(x):
    """Separate unscaled 2-component PCA (sklearn 1.5 sign convention)."""
    return PCA(n_components=2).fit_transform(x)


def pca_2026(xtr, xs):
    scaler = StandardScaler().fit(xtr)
    pca = PCA(n_components=2).fit(scaler.transform(xtr))
    return pca.transform(scaler.transform(xtr)), pca.transform(scaler.transform(xs))


# ---- output --------------------------------------------------------------------------------

def write_csv(path, x, labels):
    with open(path, "w") as f:
        f.write("label," + ",".join(f"g{j + 1:02d}" for j in range(P)) + "\n")
        for lab, row in zip(labels, x):
            f.write(lab + "," + ",".join(repr(float(v)) for v in row) + "\n")


def nan_to_none(v):
    return None if isinstance(v, float) and np.isnan(v) else v


def main():
    rng = np.random.default_rng(20250531)
    base = rng.uniform(4.0, 14.0, P)
    sd = rng.uniform(0.5, 2.0, P)
    shift = {c: rng.normal(0.0, 1.0, P) for c in CLASSES}

    def draw(counts, extra_shift=0.0, noise=1.0):
        rows, labels = [], []
        for c, n in zip(CLASSES, counts):
            rows.append(base + shift[c] + extra_shift + noise * sd * rng.normal(size=(n, P)))
            labels += [c] * n
        x = np.vstack(rows)
        x[:, CONSTANT_GENE] = 7.25
        return x, labels

    xtr, ytr = draw(TRAIN_COUNTS)
    xte, yte = draw(TEST_COUNTS)
    xs, ys = draw(SYN_COUNTS, extra_shift=0.15, noise=1.1)
    # Exact copies of train rows with their labels; train row 3 is copied twice, so the
    # synthetic set also contains a duplicate pair.
    copies = {2: 3, 9: 17, 20: 3, 47: 44, 60: 70, 88: 90, 95: 98, 101: 102, 110: 105, 117: 108}
    assert len(copies) == N_COPIES
    for d, s in copies.items():
        xs[d] = xtr[s]
        ys[d] = ytr[s]

    gamma = 1.0 / P
    expected = {
        "source": "scripts/golden_fidelity.py (numpy " + np.__version__ + ")",
        "gamma": gamma,
        "MMD_train": mmd(xtr, xs, gamma),
        "MMD_test": mmd(xte, xs, gamma),
        "MMD_base": mmd(xte, xtr, gamma),
        "distance_to_closest_unrounded": dcr(xs, xtr),
        "distance_to_closest_base_unrounded": dcr(xte, xtr),
        "kl_mean_train": kl_mean(xs, xtr),
        "kl_mean_test": kl_mean(xs, xte),
        "kl_mean_base": kl_mean(xtr, xte),
    }
    expected["distance_to_closest"] = float(np.round(expected["distance_to_closest_unrounded"], 4))
    expected["distance_to_closest_base"] = float(np.round(expected["distance_to_closest_base_unrounded"], 4))
    ytr_a, ys_a = np.array(ytr), np.array(ys)
    for c in CLASSES:
        expected[f"submmd_{c}"] = nan_to_none(mmd(xtr[ytr_a == c], xs[ys_a == c], gamma))
    train_prdc = prdc(xtr, xs)
    test_prdc = prdc(xte, xs)
    for key in ["precision", "recall", "density", "coverage"]:
        expected[f"prdc_{key}"] = train_prdc[key]
    expected["prdc_density_test"] = test_prdc["density"]
    expected["prdc_coverage_test"] = test_prdc["coverage"]
    expected["pca_camda2025_real"] = pca_2025(xtr).tolist()
    expected["pca_camda2025_synthetic"] = pca_2025(xs).tolist()
    real26, syn26 = pca_2026(xtr, xs)
    expected["pca_camda2026_real"] = real26.tolist()
    expected["pca_camda2026_synthetic"] = syn26.tolist()

    os.makedirs(OUT, exist_ok=True)
    write_csv(os.path.join(OUT, "fidelity_train.csv"), xtr, ytr)
    write_csv(os.path.join(OUT, "fidelity_test.csv"), xte, yte)
    write_csv(os.path.join(OUT, "fidelity_synthetic.csv"), xs, ys)
    with open(os.path.join(OUT, "fidelity_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    scalars = {k: v for k, v in expected.items() if not k.startswith("pca_")}
    print(json.dumps(scalars, indent=1))


if __name__ == "__main__":
    main()
