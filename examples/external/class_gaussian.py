#!/usr/bin/env python3
"""An external generator for bench in Python with numpy only (README "External generators").

Method: per class, a Gaussian with each gene's mean and standard deviation, sampled
independently per gene and clipped to the request's public range; labels drawn with the
train class proportions. It is NOT differentially private: it makes no privacy claim, so it
writes no privacy.json (a DP generator would write {"epsilon": ..., "delta": ...} to
request["privacy"]; bench records that claim without verifying it).

Usage: class_gaussian.py REQUEST_JSON   (bench passes the path; $BENCH_REQUEST holds it too)
"""
import csv
import json
import os
import sys

import numpy as np


def read_matrix(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[float(v) for v in row] for row in reader]
    return header, np.asarray(rows, dtype=float)


def read_labels(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return [row[0] for row in reader]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ["BENCH_REQUEST"]
    with open(path) as f:
        request = json.load(f)
    if request["protocol"] != 1:
        sys.exit(f"unsupported request protocol {request['protocol']}")
    genes, x = read_matrix(request["train_data"])
    labels = np.asarray(read_labels(request["train_labels"]))
    if len(labels) != x.shape[0]:
        sys.exit(f"{x.shape[0]} train rows but {len(labels)} labels")

    # One stream per (seed, split): reruns of a cell give the same rows.
    rng = np.random.default_rng([request["seed"], request["split"]])
    classes = sorted(set(labels))
    counts = np.array([np.sum(labels == c) for c in classes], dtype=float)
    drawn = rng.choice(len(classes), size=request["rows"], p=counts / counts.sum())
    lo, hi = request["public_range"]
    out = np.empty((request["rows"], x.shape[1]))
    for k, c in enumerate(classes):
        rows = x[labels == c]
        mean, sd = rows.mean(axis=0), rows.std(axis=0, ddof=1) if len(rows) > 1 else np.zeros(x.shape[1])
        pick = drawn == k
        out[pick] = rng.normal(mean, sd, size=(pick.sum(), x.shape[1]))
    np.clip(out, lo, hi, out=out)

    with open(request["synthetic_data"], "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(genes)
        w.writerows([[repr(float(v)) for v in row] for row in out])
    with open(request["synthetic_labels"], "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([request["label_column"]])
        w.writerows([[classes[k]] for k in drawn])


if __name__ == "__main__":
    main()
