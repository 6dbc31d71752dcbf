"""Issue 18 frontier table: means over folds (and seeds) of a results directory's cells.csv.

    python3 scripts/frontier_table.py experiments/frontier/cells.csv > experiments/frontier/frontier_table.md

Columns: camda2026 accuracy_synthetic, avg_pr_macro_synthetic, discriminative_score; bio
coexpr_recall_c03 and coexpr_precision_c03 (tau = 0.3), DE TPR = mean of DE_TPR_up and
DE_TPR_down; mia_worst_aucroc and the worst AUC over the attacks other than domias_kde
(mia_*_aucroc columns). NaN cells are skipped; n is the number of cells in the mean.
"""
import csv
import statistics
import sys
from collections import defaultdict

COLUMNS = [
    ("acc", "accuracy_synthetic"),
    ("avg_pr_macro", "avg_pr_macro_synthetic"),
    ("disc", "discriminative_score"),
    ("coexpr_recall_0.3", "coexpr_recall_c03"),
    ("coexpr_precision_0.3", "coexpr_precision_c03"),
    ("de_tpr", "de_tpr"),
    ("mia_worst_auc", "mia_worst_aucroc"),
    ("mia_worst_auc_excl_domias", "mia_worst_excl_domias"),
]


def num(v):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if x != x else x


def main(path):
    cells = defaultdict(dict)
    meta = {}
    for r in csv.DictReader(open(path)):
        key = (r["dataset"], r["generator"], r["epsilon"], r["seed"], r["fold"])
        meta[key[:3]] = r["end_to_end_dp"]
        vals = cells[key]
        for name, v in r.items():
            x = num(v)
            if x is not None and name not in vals:
                vals[name] = x
        if "DE_TPR_up" in vals and "DE_TPR_down" in vals:
            vals["de_tpr"] = (vals["DE_TPR_up"] + vals["DE_TPR_down"]) / 2
        aucs = [x for n, x in vals.items() if n.startswith("mia_") and n.endswith("_aucroc")
                and n not in ("mia_worst_aucroc", "mia_domias_kde_aucroc")]
        if aucs:
            vals["mia_worst_excl_domias"] = max(aucs)
    groups = defaultdict(list)
    for key, vals in cells.items():
        groups[key[:3]].append(vals)
    order = lambda k: (k[0], float(k[2]) if k[2] != "inf" else 1e9, k[1])
    print("| dataset | generator | ε | end-to-end DP | n | " + " | ".join(c for c, _ in COLUMNS) + " |")
    print("|" + "---|" * (5 + len(COLUMNS)))
    for key in sorted(groups, key=order):
        out = []
        for _, col in COLUMNS:
            xs = [v[col] for v in groups[key] if col in v]
            out.append(f"{statistics.mean(xs):.3f}" if xs else "NaN")
        print(f"| {key[0]} | {key[1]} | {key[2]} | {meta[key]} | {len(groups[key])} | " + " | ".join(out) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
