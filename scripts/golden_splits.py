"""Golden values for bench's split algorithm and numpy-compatible RNG (tests/splits_golden.rs).

Runs scikit-learn 1.5.2 `StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)` on a few
label vectors and numpy 1.26 legacy `RandomState(seed).permutation(n)`, and writes
tests/golden/splits.json. Regenerate with:  python3 scripts/golden_splits.py
"""

import json
import pathlib

import numpy as np
import sklearn
from sklearn.model_selection import StratifiedKFold

assert sklearn.__version__ == "1.5.2", sklearn.__version__
assert np.__version__.startswith("1.26"), np.__version__

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "golden" / "splits.json"


def labels_from_counts(counts, shuffle_seed):
    """Concatenate class blocks, then shuffle with a fixed seed (the order is committed too)."""
    y = np.array([label for label, n in counts for _ in range(n)], dtype=object)
    np.random.RandomState(shuffle_seed).shuffle(y)
    return [str(v) for v in y]


def test_folds(y, k, seed):
    """fold[i] = index of the test fold that holds sample i."""
    fold = np.full(len(y), -1)
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for f, (_, test) in enumerate(skf.split(np.zeros((len(y), 1)), np.array(y, dtype=object))):
        fold[test] = f
    assert (fold >= 0).all()
    return [int(v) for v in fold]


# simulator.md §1: sim-brca class counts (1089 samples).
SIM_BRCA = [("BRCA.LumA", 564), ("BRCA.LumB", 210), ("BRCA.Basal", 193), ("BRCA.Her2", 82), ("BRCA.Normal", 40)]
# data-formats.md §6: tcga_pancan6_rtcga_lm978 class counts (337 samples).
PANCAN6 = [("UVM", 80), ("ACC", 79), ("UCS", 57), ("DLBC", 48), ("STAD", 37), ("CHOL", 36)]
# Awkward: first appearance differs from byte order ('b' before 'a'), a class of exactly k,
# per-class sizes not divisible by k, labels that look like numbers.
AWKWARD = ["b", "a", "c", "b", "10", "a", "b", "c", "2", "a", "b", "10", "c", "2", "a",
           "b", "10", "a", "2", "c", "b", "a", "10"]

cases = []
sim_brca = labels_from_counts(SIM_BRCA, shuffle_seed=2024)
for k, seed in [(5, 42), (5, 106102107), (10, 0)]:
    cases.append({"name": f"sim-brca k={k} seed={seed}", "k": k, "seed": seed, "labels": sim_brca,
                  "test_fold": test_folds(sim_brca, k, seed)})
pancan6 = labels_from_counts(PANCAN6, shuffle_seed=7)
cases.append({"name": "pancan6 k=5 seed=1", "k": 5, "seed": 1, "labels": pancan6,
              "test_fold": test_folds(pancan6, 5, 1)})
for k, seed in [(3, 42), (3, 4294967295), (2, 0)]:
    cases.append({"name": f"awkward k={k} seed={seed}", "k": k, "seed": seed, "labels": AWKWARD,
                  "test_fold": test_folds(AWKWARD, k, seed)})

permutations = [{"seed": 42, "n": n, "permutation": [int(v) for v in np.random.RandomState(42).permutation(n)]}
                for n in (10, 1000)]

golden = {
    "source": f"scripts/golden_splits.py with scikit-learn {sklearn.__version__}, numpy {np.__version__}",
    "numpy_permutations": permutations,
    "stratified_kfold": cases,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(golden, separators=(",", ":")) + "\n")
print(f"wrote {OUT} ({len(cases)} split cases)")
