#!/usr/bin/env bash
# Issue 14 acceptance: the official 2025 evaluator scores bench's saved synthetic data the same as
# bench does, within the tolerances of docs/metrics.md §7.5.
#
#   scripts/official_eval_parity.sh OFFICIAL_DIR [OUT_DIR]
#
# OFFICIAL_DIR: the official challenge code (PMBio/Health-Privacy-Challenge), a directory holding
# src/evaluation/evaluate.py (the 2025 evaluator, `main` up to May 2025). It is only run, never
# copied into this repository. From a bare git snapshot:
#   mkdir -p /tmp/hpc && git --git-dir=SNAPSHOT archive HEAD src | tar -x -C /tmp/hpc
# OUT_DIR (default experiments/parity): receives official_vs_bench.csv and summary.txt.
#
# Steps:
#  1. bench run experiments/parity.toml (save_synthetic = true, profile camda2025);
#  2. per (generator, ε): bench export --with-real (the submission folder plus the real per-split
#     files) and bench score --profile camda2025 on that folder;
#  3. the official evaluator, unmodified, through its own CLI (run-evaluator K for every split,
#     then combine-results) on the same files laid out as its config.yaml expects;
#  4. scripts/official_eval_parity.py compares every metric (cells.csv and bench score vs the
#     official CSV) and writes the report.
#
# Python: $PYTHON if set, else /tmp/venv-hpc/bin/python, created on first use with the versions
# the official environment.yaml pins (scikit-learn 1.5.2, numpy 1.26.4, pandas 2.2.3,
# scipy 1.14.1) plus click, PyYAML and plotnine (imported by the evaluator's plots module).
# Work files (real per-split data included) go to $WORK if set, else a temporary directory that
# is removed at the end unless KEEP_WORK=1.
set -euo pipefail

die() { echo "official_eval_parity: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $0 OFFICIAL_DIR [OUT_DIR]"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OFFICIAL=$(cd "$1" 2>/dev/null && pwd) || die "$1: not a directory"
EVALUATE="$OFFICIAL/src/evaluation/evaluate.py"
[[ -f $EVALUATE ]] || die "$EVALUATE: not found (expected the official challenge code)"
grep -q "MMD_score" "$EVALUATE" || die "$EVALUATE: not the 2025 evaluator (no MMD_score column)"
OUT=${2:-$ROOT/experiments/parity}
GRID=$ROOT/experiments/parity.toml

PYTHON=${PYTHON:-/tmp/venv-hpc/bin/python}
if [[ ! -x $PYTHON ]]; then
    [[ $PYTHON == /tmp/venv-hpc/bin/python ]] || die "PYTHON=$PYTHON: not executable"
    echo "creating /tmp/venv-hpc (scikit-learn 1.5.2 and the evaluator's imports)"
    python3 -m venv /tmp/venv-hpc
    /tmp/venv-hpc/bin/pip install -q numpy==1.26.4 pandas==2.2.3 scikit-learn==1.5.2 scipy==1.14.1 \
        click PyYAML plotnine
fi
"$PYTHON" -c 'import sklearn; assert sklearn.__version__ == "1.5.2", sklearn.__version__' \
    || die "$PYTHON: scikit-learn 1.5.2 required (the version the official evaluator pins)"

if [[ -n ${WORK:-} ]]; then
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d /tmp/official-parity.XXXXXX)
    [[ ${KEEP_WORK:-0} == 1 ]] || trap 'rm -rf "$WORK"' EXIT
fi
echo "work directory: $WORK"

export CARGO_PROFILE_RELEASE_INCREMENTAL=${CARGO_PROFILE_RELEASE_INCREMENTAL:-true}
(cd "$ROOT" && nice cargo build --release --quiet)
BENCH=$ROOT/target/release/bench

nice "$BENCH" run "$GRID" --out "$WORK/results" --jobs 2 >"$WORK/bench_run.log" 2>&1 \
    || { tail -5 "$WORK/bench_run.log" >&2; die "bench run failed (log: $WORK/bench_run.log)"; }
RESULTS=$WORK/results/parity
DATASET=sim-brca

# One submission per (generator, ε) of the grid's single seed, from the saved synthetic folders.
for saved in "$RESULTS"/synthetic/"$DATASET"__*; do
    name=${saved##*/}                  # sim-brca__<generator>__eps-<ε>__seed-<s>
    rest=${name#"$DATASET"__}
    generator=${rest%%__*}
    rest=${rest#"$generator"__eps-}
    epsilon=${rest%%__*}
    seed=${rest#*__seed-}
    sub=$WORK/submissions/${generator}__eps-${epsilon}
    mkdir -p "$sub"
    echo "== $generator, epsilon $epsilon, seed $seed"
    "$BENCH" export "$RESULTS" --generator "$generator" --epsilon "$epsilon" --seed "$seed" \
        --out "$sub/kit" --with-real >"$sub/bench_export.log" 2>&1 \
        || die "bench export failed (log: $sub/bench_export.log)"
    nice "$BENCH" score --real-dir "$sub/kit" --synthetic-dir "$sub/kit" --out "$sub/bench" \
        --profile camda2025 >"$sub/bench_score.log" 2>&1 || die "bench score failed (log: $sub/bench_score.log)"

    # The official layout: <home>/data_splits/<dataset>/{real, synthetic/<generator>/<experiment>}.
    home=$sub/official
    real=$home/data_splits/$DATASET/real
    synthetic=$home/data_splits/$DATASET/synthetic/$generator/eps-$epsilon
    mkdir -p "$real" "$synthetic"
    ln -sf "$sub"/kit/[Xy]_*_real_split_*.csv "$real/"
    ln -sf "$sub"/kit/synthetic_*_split_*.csv "$synthetic/"
    cat >"$home/config.yaml" <<EOF
dir_list:
  home: "$home"
  figures: "results/figures"
  res_files: "results/files"
dataset_config:
  name: "$DATASET"
  num_splits: 5
generator_config:
  name: "$generator"
  experiment_name: "eps-$epsilon"
evaluator_config:
  random_seed: 42
EOF
    ok=0
    for data in "$sub"/kit/synthetic_data_split_*.csv; do
        k=${data##*_split_}
        k=${k%.csv}
        if (cd "$home" && nice "$PYTHON" "$EVALUATE" run-evaluator "$k") >"$home/split_$k.log" 2>&1; then
            ok=$((ok + 1))
        else
            echo "   official evaluator failed on split $k: $(tail -1 "$home/split_$k.log")"
        fi
    done
    if [[ $ok -gt 0 ]]; then
        (cd "$home" && "$PYTHON" "$EVALUATE" combine-results) >"$home/combine.log" 2>&1 \
            || die "combine-results failed (log: $home/combine.log)"
    fi
done

mkdir -p "$OUT"
"$PYTHON" "$ROOT/scripts/official_eval_parity.py" --cells "$RESULTS/cells.csv" \
    --submissions "$WORK/submissions" --dataset "$DATASET" \
    --out "$OUT/official_vs_bench.csv" --summary "$OUT/summary.txt"
