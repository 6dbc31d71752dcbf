"""Reference timing for dataset loading (docs/performance.md "Loading data"): pandas `read_csv`
of the same files `bench perf` times in its `load:SHAPE` stages, beside bench itself.

`bench perf` writes each simulated shape (simulator seed 1) with `export_challenge` and
`export_tidy` into a scratch directory it removes afterwards; `bench datasets export SHAPE
--seed 1` writes the same dataset through the same two functions, so this script exports with
it and reads those files:

- challenge layout (data-formats.md §1): the genes × samples TSV (`index_col=0`) and the meta
  CSV, the labels joined by sample ID and the matrix transposed to samples × genes, as
  `load_challenge` returns it;
- tidy CSV (§2): one `read_csv`.

Then it runs `bench perf --stage load:SHAPE` (the stage `bench perf` runs in a child process)
right after, so both are timed in the same minutes, and prints medians and the ratio
bench / pandas. Usage:

    python3 scripts/load_reference.py [--bench target/release/bench] [--shapes sim-brca,sim-combined]
                                      [--repeats 3]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def export(bench, shape, layout, out):
    subprocess.run(
        [bench, "datasets", "export", shape, "--layout", layout, "--out", str(out), "--seed", "1"],
        check=True,
        stderr=subprocess.DEVNULL,
    )


def read_challenge(matrix, meta):
    """Samples × genes values and labels, in the matrix's sample order."""
    genes_by_samples = pd.read_csv(matrix, sep="\t", index_col=0)
    meta_table = pd.read_csv(meta)
    label_column = meta_table.columns[-1]
    labels = meta_table.set_index("samplesID").loc[genes_by_samples.columns, label_column]
    x = genes_by_samples.T.to_numpy()
    return x, labels.to_numpy()


def read_tidy(path):
    return pd.read_csv(path)


def median_seconds(read, repeats):
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        read()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def bench_seconds(bench, shape, repeats):
    """Medians of bench's own load stage: (challenge layout, tidy CSV)."""
    out = subprocess.run(
        [bench, "perf", "--stage", f"load:{shape}", "--repeats", str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    )
    stages = {s["stage"]: s["median_seconds"] for s in json.loads(out.stdout)}
    return stages[f"load:{shape}"], stages[f"load:{shape}/tidy"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="target/release/bench")
    parser.add_argument("--shapes", default="sim-brca,sim-combined")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"pandas {pd.__version__}, python {sys.version.split()[0]}, medians of {args.repeats} runs")
    print(f"{'stage':<26} {'bench (s)':>10} {'pandas (s)':>11} {'bench/pandas':>13}")
    for shape in args.shapes.split(","):
        with tempfile.TemporaryDirectory(prefix="load-reference-") as tmp:
            tmp = Path(tmp)
            export(args.bench, shape, "challenge", tmp)
            export(args.bench, shape, "tidy", tmp)
            prefix = shape.upper()
            matrix = tmp / f"{prefix}_primary_tumor_star_deseq_VST_lmgenes.tsv"
            meta = tmp / f"{prefix}_primary_tumor_subtypes.csv"
            tidy = tmp / f"{shape}.csv"
            pandas_challenge = median_seconds(lambda: read_challenge(matrix, meta), args.repeats)
            pandas_tidy = median_seconds(lambda: read_tidy(tidy), args.repeats)
        bench_challenge, bench_tidy = bench_seconds(args.bench, shape, args.repeats)
        for stage, b, p in [
            (f"load:{shape}", bench_challenge, pandas_challenge),
            (f"load:{shape}/tidy", bench_tidy, pandas_tidy),
        ]:
            print(f"{stage:<26} {b:>10.3f} {p:>11.3f} {b / p:>13.2f}")


if __name__ == "__main__":
    main()
