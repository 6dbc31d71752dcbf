#!/usr/bin/env python3
"""Golden values for the report module (src/report/stats.rs, tests/report.rs).

Writes tests/golden/report_t_quantiles.csv: Student-t quantiles from scipy.stats.t.ppf,
used to check bench's own t-quantile (the 95 % interval of table1.csv).

Run from the repository root: python3 scripts/golden_report.py
"""
import csv
import os

from scipy import stats

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "golden", "report_t_quantiles.csv")

DFS = list(range(1, 31)) + [40, 49, 50, 99, 100, 250, 999]
PROBS = [0.975, 0.95, 0.995]

with open(OUT, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["p", "df", "quantile"])
    for p in PROBS:
        for df in DFS:
            w.writerow([p, df, repr(float(stats.t.ppf(p, df)))])
print("wrote", os.path.normpath(OUT))
