#!/usr/bin/env python3
"""Golden values for tests/golden_metrics.rs: the LR-based camda2025 / camda2026 metrics
(utility, feature overlap, discriminative score) computed the way the official evaluator does.

Reference: PMBio/Health-Privacy-Challenge src/evaluation/evaluate.py (ModelEvaluator:
train_and_evaluate, get_top_n_feature_importance, discriminative_score, run_train_and_evaluate)
and src/evaluation/utils/stats.py (count_feature_overlap). The calls below are re-implemented from
that code with scikit-learn 1.5.2 (the version the evaluator pins):

* model: OneVsRestClassifier(LogisticRegression(max_iter=1000)); predict, predict_proba
* accuracy = round(accuracy_score, 4); avg_pr_macro = round(average_precision_score(
  LabelEncoder(yte), proba, average="macro"), 4); f1_score(average="weighted");
  roc_auc_score(multi_class="ovr", average="macro"); average_precision_score(yte, proba,
  average="weighted")
* top genes: coef.argsort()[-10:][::-1] per estimator, union; overlap |S & R|, round(|S & R|/|S|, 4)
* discriminative: shuffle(random_state=42), train_test_split(test_size=0.3, random_state=42),
  StandardScaler on the training part, LogisticRegression(max_iter=1000), f1_score on the
  held-out part stacked under the scaled real test fold
* camda2025 = no scaling, no synthetic shuffle; camda2026 = synthetic shuffled with
  random_state=42 first, StandardScaler fitted on the real train fold for both utility models.

Normative deviation (metrics.md §2.5, §3.2): when the model's classes differ from the test
classes, avg_pr_macro / avg_pr_weight / auroc are NaN (null here) instead of the upstream
misaligned value.

Cases (all written to tests/golden/):
* basic: 120 train / 40 test / 120 synthetic rows x 50 genes, 3 classes, VST-like values;
  synthetic rows from per-class independent Gaussians fitted on the train rows.
* missing_class: same data, synthetic rows without class C (its rows relabelled/regenerated as B).
* unconverged: wide gene scales (sd 0.01-10), weak class signal; several OvR fits stop at
  1000 iterations in scikit-learn. Its camda2025 entry also gets "camda2025_sklearn_spread":
  the [min, max] of each value over scikit-learn runs on the same inputs multiplied entry-wise
  by (1 +- 1e-15) (random signs, 12 runs, run 0 unperturbed): on this ill-conditioned problem
  scikit-learn's own stopping point, and with it the AP, moves that much with rounding.
* pancan6 and brca_jegn (only values, no data): real matrices from /work/shared/datasets, test fold
  = rows with index % 5 == 0, synthetic row i = train row (37*i mod n_train) plus
  ((7*i + 3*j) mod 11 - 5) / 20 on gene j, with that row's label. The Rust test rebuilds them.

Run: python3 scripts/golden_metrics.py   (about 30 s; needs the shared datasets at
../shared/datasets next to the repository or in $BENCH_SHARED_DATASETS)
"""

import csv
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils import shuffle

assert sklearn.__version__ == "1.5.2", f"scikit-learn 1.5.2 required, found {sklearn.__version__}"
warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden")
# Shared real datasets: ../shared/datasets next to the repository, or $BENCH_SHARED_DATASETS.
SHARED = os.environ.get("BENCH_SHARED_DATASETS", os.path.join(os.path.dirname(ROOT), "shared", "datasets"))
SEED = 42  # evaluator_config.random_seed


# ----------------------------------------------------------------------------- data


def make_data(seed, n, p, effect, sd_lo, sd_hi, rank=3):
    """VST-like matrix: gene means 5-13, per-gene sd, class shifts on a fifth of the genes,
    a low-rank shared factor, values rounded to 4 decimals. Labels A (50 %), B (30 %), C (20 %)."""
    rng = np.random.RandomState(seed)
    mu = rng.uniform(5, 13, p)
    sd = rng.uniform(sd_lo, sd_hi, p)
    y = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    eff = np.zeros((3, p))
    for c in range(3):
        genes = rng.choice(p, size=max(2, p // 5), replace=False)
        eff[c, genes] = rng.normal(0, effect, genes.size)
    loadings = rng.normal(0, 0.5, (rank, p))
    factors = rng.normal(0, 1, (n, rank))
    x = mu + eff[y] * sd + (factors @ loadings + rng.normal(0, 1, (n, p))) * sd
    labels = np.array(["A", "B", "C"])[y]
    return np.round(x, 4), labels


def split(x, labels):
    """Test fold = every 4th row."""
    test = np.arange(len(labels)) % 4 == 0
    return x[~test], labels[~test], x[test], labels[test]


def synthesize(x_train, y_train, seed, drop=None):
    """Per-class independent Gaussians fitted on the train rows (ddof 1), class counts as in
    train, rows in random order, values rounded to 4 decimals. `drop`: a class whose rows are drawn from class B instead."""
    rng = np.random.RandomState(seed)
    rows, labels = [], []
    for c in sorted(set(y_train)):
        source = "B" if c == drop else c
        xc = x_train[y_train == source]
        count = int((y_train == c).sum())
        rows.append(xc.mean(0) + xc.std(0, ddof=1) * rng.normal(size=(count, x_train.shape[1])))
        labels += [source] * count
    x, labels = np.round(np.vstack(rows), 4), np.array(labels)
    order = rng.permutation(len(labels))
    return x[order], labels[order]


def real_case(path):
    """A shared real matrix: test = index % 5 == 0, deterministic perturbed synthetic rows."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    x = np.array([[float(v) for v in r[1:-1]] for r in rows[1:]])
    labels = np.array([r[-1] for r in rows[1:]])
    test = np.arange(len(labels)) % 5 == 0
    x_train, y_train, x_test, y_test = x[~test], labels[~test], x[test], labels[test]
    n_train, p = x_train.shape
    xs = np.empty_like(x_train)
    ys = []
    for i in range(n_train):
        src = (37 * i) % n_train
        delta = np.array([((7 * i + 3 * j) % 11 - 5) / 20 for j in range(p)])
        xs[i] = x_train[src] + delta
        ys.append(y_train[src])
    return x_train, y_train, x_test, y_test, xs, np.array(ys)


# ------------------------------------------------------------ the official evaluator's logic


def top_n_features(model, n=10):
    """get_top_n_feature_importance: per estimator, the n largest coefficients."""
    out = {}
    for i, est in enumerate(model.estimators_):
        coef = est.coef_[0]
        out[model.classes_[i]] = [int(j) for j in coef.argsort()[-n:][::-1]]
    return out


def count_feature_overlap(fs, fr):
    s = {g for genes in fs.values() for g in genes}
    r = {g for genes in fr.values() for g in genes}
    overlap = s & r
    proportion = len(overlap) / len(s) if len(s) > 0 else 0
    return len(overlap), float(np.round(proportion, 4))


def train_and_evaluate(x_train, y_train, x_test, y_test, x_train_real, scale):
    """ModelEvaluator.train_and_evaluate (2026 form; scale=False is the 2025 form)."""
    y_test_encoded = LabelEncoder().fit_transform(y_test)
    if scale:
        scaler = StandardScaler().fit(x_train_real)
        x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    model = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(x_train, y_train)
    y_pred = model.predict(x_test)
    y_prob = model.predict_proba(x_test)
    res = {
        "accuracy": float(np.round(accuracy_score(y_test, y_pred), 4)),
        "f1": float(f1_score(y_test, y_pred, average="weighted")),
        "avg_pr_macro": None,
        "auroc": None,
        "avg_pr_weight": None,
    }
    # Normative deviation: AP/AUROC need the model's classes to equal the test classes.
    if list(model.classes_) == sorted(set(y_test)):
        res["avg_pr_macro"] = float(np.round(average_precision_score(y_test_encoded, y_prob, average="macro"), 4))
        if len(np.unique(y_test_encoded)) > 1 and len(np.unique(y_test_encoded)) == y_prob.shape[1]:
            res["auroc"] = float(roc_auc_score(y_test_encoded, y_prob, average="macro", multi_class="ovr"))
            res["avg_pr_weight"] = float(average_precision_score(y_test, y_prob, average="weighted"))
    n_iter = [int(e.n_iter_[0]) for e in model.estimators_]
    return res, top_n_features(model), n_iter


def discriminative_score(synthetic, x_train_real, x_test_real):
    x = np.vstack([x_train_real, synthetic])
    y = np.array([1] * x_train_real.shape[0] + [0] * synthetic.shape[0])
    x, y = shuffle(x, y, random_state=SEED)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=SEED)
    scaler = StandardScaler()
    x_train = scaler.fit_transform(x_train)
    x_test = scaler.transform(x_test)
    x_test_real_scaled = scaler.transform(x_test_real)
    model = LogisticRegression(max_iter=1000)
    model.fit(x_train, y_train)
    x_ext = np.vstack([x_test_real_scaled, x_test])
    y_ext = np.concatenate([np.array([1] * x_test_real.shape[0]), y_test])
    x_f, y_f = shuffle(x_ext, y_ext, random_state=SEED)
    return float(f1_score(y_f, model.predict(x_f))), int(model.n_iter_[0])


def evaluate(xs, ys, x_train, y_train, x_test, y_test, revision):
    """run_train_and_evaluate, restricted to the LR-based columns."""
    scale = revision == "camda2026"
    if scale:
        xs, ys = shuffle(xs, ys, random_state=SEED)
    syn, f_syn, it_syn = train_and_evaluate(xs, ys, x_test, y_test, x_train, scale)
    real, f_real, it_real = train_and_evaluate(x_train, y_train, x_test, y_test, x_train, scale)
    count, proportion = count_feature_overlap(f_syn, f_real)
    disc, it_disc = discriminative_score(xs, x_train, x_test)
    out = {
        "accuracy_synthetic": syn["accuracy"],
        "avg_pr_macro_synthetic": syn["avg_pr_macro"],
        "accuracy_real": real["accuracy"],
        "avg_pr_macro_real": real["avg_pr_macro"],
        "feature_overlap_count": count,
        "feature_overlap_proportion": proportion,
        "discriminative_score": disc,
    }
    if scale:
        for side, res in (("synthetic", syn), ("real", real)):
            out[f"avg_pr_weight_{side}"] = res["avg_pr_weight"]
            out[f"f1_{side}"] = res["f1"]
            out[f"auroc_{side}"] = res["auroc"]
        for m in ("accuracy", "avg_pr_macro", "avg_pr_weight", "auroc", "f1"):
            a, b = out[f"{m}_synthetic"], out[f"{m}_real"]
            out[f"{m}_relative"] = None if a is None or b is None or b == 0 else a / b
    return out, {"tstr": it_syn, "trtr": it_real, "disc": it_disc}


# ----------------------------------------------------------------------------- output


def write_matrix(name, x, labels):
    path = os.path.join(OUT, f"metrics_{name}.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["label"] + [f"g{j:03d}" for j in range(x.shape[1])])
        for lab, row in zip(labels, x):
            w.writerow([lab] + [repr(float(v)) for v in row])


def run_case(x_train, y_train, x_test, y_test, xs, ys):
    result = {}
    for rev in ("camda2025", "camda2026"):
        values, iters = evaluate(xs, ys, x_train, y_train, x_test, y_test, rev)
        result[rev] = values
        result[rev + "_sklearn_n_iter"] = iters
    return result


def sklearn_spread(x_train, y_train, x_test, y_test, xs, ys, runs=12):
    """[min, max] of each camda2025 value over `runs` evaluations with inputs perturbed by
    1e-15 relative (numpy default_rng(0) signs; run 0 unperturbed)."""
    rng = np.random.default_rng(0)
    seen = {}
    for k in range(runs):
        def perturb(a):
            return a * (1 + 1e-15 * rng.choice([-1.0, 1.0], size=a.shape)) if k else a

        values, _ = evaluate(perturb(xs), ys, perturb(x_train), y_train, perturb(x_test), y_test, "camda2025")
        for column, v in values.items():
            seen.setdefault(column, []).append(v)
    return {c: [min(v), max(v)] for c, v in seen.items() if None not in v}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    synthetic_cases = {
        "basic": (make_data(7, 160, 50, 1.0, 0.4, 1.5), None),
        "missing_class": (make_data(7, 160, 50, 1.0, 0.4, 1.5), "C"),
        "unconverged": (make_data(14, 160, 50, 0.3, 0.01, 10.0), None),
    }
    for name, ((x, labels), drop) in synthetic_cases.items():
        x_train, y_train, x_test, y_test = split(x, labels)
        xs, ys = synthesize(x_train, y_train, seed=11, drop=drop)
        for part, (a, b) in {"train": (x_train, y_train), "test": (x_test, y_test), "synthetic": (xs, ys)}.items():
            write_matrix(f"{name}_{part}", a, b)
        expected[name] = run_case(x_train, y_train, x_test, y_test, xs, ys)
        if name == "unconverged":
            expected[name]["camda2025_sklearn_spread"] = sklearn_spread(x_train, y_train, x_test, y_test, xs, ys)
        print(name, json.dumps(expected[name]["camda2025_sklearn_n_iter"]), file=sys.stderr)
    for name, rel in (("pancan6", "tcga_pancan6_rtcga_lm978/data.csv"), ("brca_jegn", "tcga_brca_pam50_jegn/data.csv")):
        path = os.path.join(SHARED, rel)
        if not os.path.exists(path):
            sys.exit(f"{path} not found: set BENCH_SHARED_DATASETS to the shared datasets directory")
        expected[name] = run_case(*real_case(path))
        print(name, json.dumps(expected[name]["camda2025_sklearn_n_iter"]), file=sys.stderr)
    expected["_provenance"] = (
        "scripts/golden_metrics.py with scikit-learn 1.5.2, numpy "
        + np.__version__
        + "; official evaluator logic (PMBio/Health-Privacy-Challenge src/evaluation/evaluate.py); "
        + "null = NaN per metrics.md §2.5/§3.2"
    )
    with open(os.path.join(OUT, "metrics_expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
