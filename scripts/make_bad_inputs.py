#!/usr/bin/env python3
"""Write the bad-input corpus tests/bad_inputs/<case>/ (README "Troubleshooting").

Each case directory holds the files a user would have (grid.toml, CSV/TSV, YAML, kit files)
and expect.toml: the command line (`args`, run from the case directory), the exit code, and
either the substring the one error line must contain (`stderr`) or, for exit 0, what stdout,
stderr or a written file must contain and which files must be gone. tests/bad_inputs.rs runs
every case. Run from the repository root:

    python3 scripts/make_bad_inputs.py

The check cases copy the header and first rows of experiments/baselines/smoke.cells.csv and
its tolerance file (results and baseline are the same rows, so the comparison passes).
"""
import os
import shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "tests", "bad_inputs")

RUN = ["run", "grid.toml", "--quiet"]


def grid(dataset=None, generators=None, protocol="folds = 3\nseeds = [1]", top=""):
    dataset = dataset or 'name = "toy"\nformat = "tidy"\npath = "toy.csv"'
    generators = generators or 'name = "identity"\nkind = "identity"'
    return f'name = "t"\n{top}[protocol]\n{protocol}\n\n[[datasets]]\n{dataset}\n\n[[generators]]\n{generators}\n'


def tidy(n_per=4, genes=4, classes=("A", "B", "C"), sep=",", value=None, label=None, header=None):
    """A small tidy CSV: n_per rows per class; `value(r, g)` and `label(r, cls)` override cells."""
    head = header or (["sample_id"] + [f"G{g}" for g in range(genes)] + ["label"])
    lines = [sep.join(head)]
    r = 0
    for i in range(n_per):
        for c, cls in enumerate(classes):
            vals = []
            for g in range(genes):
                v = 8 + ((r * 31 + g * 17 + i) % 97) / 97 + (2 if g % 3 == c else 0)
                vals.append(str(value(r, g) if value else round(v, 4)))
            lab = label(r, cls) if label else cls
            lines.append(sep.join([f"S{r:03d}"] + vals + [lab]))
            r += 1
    return "\n".join(lines) + "\n"


def gene_by_sample(text, sep="\t"):
    """The challenge matrix (genes x samples) and meta CSV of a tidy CSV."""
    rows = [l.split(",") for l in text.strip().split("\n")]
    head, body = rows[0], rows[1:]
    genes = head[1:-1]
    matrix = [sep.join([""] + [b[0] for b in body])]
    for g, name in enumerate(genes):
        matrix.append(sep.join([name] + [b[1 + g] for b in body]))
    meta = ["samplesID,Subtype"] + [f"{b[0]},{b[-1]}" for b in body]
    return "\n".join(matrix) + "\n", "\n".join(meta) + "\n"


CHALLENGE = 'name = "toy"\nformat = "challenge"\nmatrix = "m.tsv"\nmeta = "meta.csv"\nlabel_column = "Subtype"'
DP = 'name = "ind"\nkind = "independent"\n'


def kit(classes_train=("A", "B", "C"), classes_test=("A", "B", "C"), train_rows=2, x_header=None, label=None,
        synth_sep=",", synth_value=None):
    """Challenge-kit files of split 1 (real and synthetic in one directory)."""
    genes = x_header or ["G0", "G1", "G2"]

    def part(classes, n, sep=",", value=None):
        xs, ys = [sep.join(genes)], ["label"]
        for i in range(n):
            for c, cls in enumerate(classes):
                xs.append(sep.join(str(value(i) if value else 8 + c + 0.1 * i + 0.01 * g) for g in range(len(genes))))
                ys.append(label(i, cls) if label else cls)
        return "\n".join(xs) + "\n", "\n".join(ys) + "\n"

    xtr, ytr = part(classes_train, train_rows)
    xte, yte = part(classes_test, 2)
    xs, ys = part(classes_test, 2, synth_sep, synth_value)
    return {
        "kit/X_train_real_split_1.csv": xtr, "kit/y_train_real_split_1.csv": ytr,
        "kit/X_test_real_split_1.csv": xte, "kit/y_test_real_split_1.csv": yte,
        "kit/synthetic_data_split_1.csv": xs, "kit/synthetic_labels_split_1.csv": ys,
    }


SCORE = ["score", "--real-dir", "kit", "--synthetic-dir", "kit", "--out", "eval"]

CASES = {}


def case(name, files, stderr=None, args=RUN, exit=2, **extra):
    CASES[name] = (files, dict(args=args, exit=exit, stderr=stderr, **extra))


# ---------------------------------------------------------------- grid: TOML and types
case("grid_empty", {"grid.toml": "# nothing yet\n"}, "the grid is empty; required: at least one [[datasets]] table")
case("grid_malformed_toml", {"grid.toml": 'name = "t"\n[[datasets]\nname = "sim-brca"\n'}, "grid.toml: line 2")
case("grid_folds_string", {"grid.toml": grid(protocol='folds = "3"'), "toy.csv": tidy()},
     "line 3: key 'protocol.folds': expected a whole number >= 0, found a string (\"3\")")
case("grid_seed_string", {"grid.toml": grid(protocol='seeds = [1, "two"]'), "toy.csv": tidy()},
     "key 'protocol.seeds[1]': expected a whole number >= 0, found a string (\"two\")")
case("grid_seed_negative", {"grid.toml": grid(protocol="seeds = [-1]"), "toy.csv": tidy()},
     "key 'protocol.seeds[0]': expected a whole number >= 0, found the whole number -1")
case("grid_duplicate_key", {"grid.toml": grid(protocol="folds = 3\nfolds = 4"), "toy.csv": tidy()},
     "line 4: duplicate key 'folds'")
case("grid_duplicate_table", {"grid.toml": grid() + "[protocol]\nfolds = 2\n", "toy.csv": tidy()},
     "duplicate key 'protocol'")
case("grid_unknown_key", {"grid.toml": grid(protocol="folds = 3\nfoldz = 2"), "toy.csv": tidy()},
     "line 4: key 'protocol.foldz': unknown key 'foldz' (expected one of 'folds'")
case("grid_datasets_not_a_list", {"grid.toml": 'name = "t"\ndatasets = 3\n'},
     "line 2: key 'datasets': expected a list, found the whole number 3")
case("grid_public_range_short", {"grid.toml": grid(protocol="public_range = [1]"), "toy.csv": tidy()},
     "key 'protocol.public_range': expected a list of 2 values, found 1 value(s)")
case("grid_no_generators", {"grid.toml": 'name = "t"\n[[datasets]]\nname = "sim-brca"\n'},
     "missing required key 'generators'")
case("grid_dataset_name_number", {"grid.toml": grid(dataset="name = 5")},
     "key 'datasets[0].name': expected a string, found the whole number 5")
case("grid_dataset_unknown_key", {"grid.toml": grid(dataset='name = "toy"\nformat = "tidy"\npaht = "toy.csv"')},
     "key 'datasets[0].paht': unknown key 'paht'")
case("grid_generator_unknown_param", {"grid.toml": grid(generators=DP + "epsilons = [1]\nbinz = 3"), "toy.csv": tidy()},
     "line 15: generators[0]: generator 'ind': generator kind 'independent': unknown key 'binz' (expected one of")
case("grid_generator_kind_number", {"grid.toml": grid(generators='name = "g"\nkind = 3'), "toy.csv": tidy()},
     "key 'kind': expected a string, found the whole number 3")
case("grid_folds_one", {"grid.toml": grid(protocol="folds = 1"), "toy.csv": tidy()},
     "grid.toml: line 3: key 'protocol.folds': must be at least 2, got 1")

case("grid_file_missing", {}, "cannot read grid file nope.toml", args=["run", "nope.toml"])
case("grid_generators_empty", {"grid.toml": 'name = "t"\ngenerators = []\n[[datasets]]\nname = "sim-brca"\n'},
     "grid.toml: line 2: key 'generators': at least one [[generators]] entry is required")
case("grid_datasets_empty", {"grid.toml": 'name = "t"\ndatasets = []\n[[generators]]\nname = "i"\nkind = "identity"\n'},
     "grid.toml: line 2: key 'datasets': at least one [[datasets]] entry is required")
case("grid_metrics_empty", {"grid.toml": grid(top="metrics = []\n"), "toy.csv": tidy()},
     "grid.toml: line 2: key 'metrics': list is empty")
case("grid_metric_profile_twice", {"grid.toml": grid(top='metrics = [\n  "bio",\n  "camda2026-full",\n]\n'), "toy.csv": tidy()},
     "grid.toml: line 4: key 'metrics[1]': profile 'bio' listed twice (via 'camda2026-full')")
case("grid_name_invalid", {"grid.toml": grid().replace('name = "t"', 'name = "my grid"', 1), "toy.csv": tidy()},
     "grid.toml: line 1: key 'name': 'my grid' must be non-empty and use only letters")
case("grid_timeout_text", {"grid.toml": grid(top='timeout = "1h"\n'), "toy.csv": tidy()},
     "grid.toml: line 2: key 'timeout': expected a number of seconds > 0")
case("grid_save_synthetic_number", {"grid.toml": grid(top="save_synthetic = 3\n"), "toy.csv": tidy()},
     "grid.toml: line 2: key 'save_synthetic': expected true, false or \"gz\"")
case("grid_generator_kind_unknown", {"grid.toml": grid(generators='name = "g"\nkind = "gan"'), "toy.csv": tidy()},
     "unknown generator kind 'gan'")
case("grid_metric_profile_unknown", {"grid.toml": grid(top='metrics = ["camda1999"]\n'), "toy.csv": tidy()},
     "grid.toml: line 2: key 'metrics[0]': unknown metric profile 'camda1999'")
case("data_file_missing", {"grid.toml": grid()}, "cannot read toy.csv")
case("gene_list_wrong_length",
     {"grid.toml": grid(dataset='name = "sim-brca"\ngene_names = "genes.txt"'), "genes.txt": "G1\nG2\n"},
     "genes.txt")

# ---------------------------------------------------------------- grid: epsilon and delta
case("eps_huge", {"grid.toml": grid(generators=DP + "epsilons = [1, 1e300]"), "toy.csv": tidy()},
     "line 14: generators[0]: generator 'ind': key 'epsilons[1]': epsilon must be a number in [0.001, 1000] "
     "(docs/generators.md §1.1), got 1e300")
case("eps_tiny", {"grid.toml": grid(generators=DP + "epsilons = [1e-300]"), "toy.csv": tidy()},
     "key 'epsilons[0]': epsilon must be a number in [0.001, 1000] (docs/generators.md §1.1), got 1e-300")
case("eps_zero", {"grid.toml": grid(generators=DP + "epsilons = [0]"), "toy.csv": tidy()},
     "key 'epsilons[0]': epsilon must be a number in [0.001, 1000]")
case("eps_not_a_list", {"grid.toml": grid(generators=DP + 'epsilons = "1"'), "toy.csv": tidy()},
     "key 'epsilons': expected a list of numbers, found a string (\"1\")")
case("eps_twice", {"grid.toml": grid(generators=DP + "epsilons = [1, 1.0]"), "toy.csv": tidy()},
     "key 'epsilons[1]': epsilon 1 listed twice")
case("delta_too_large", {"grid.toml": grid(generators=DP + "epsilons = [1]\ndelta = 0.5"), "toy.csv": tidy()},
     "line 15: generators[0]: generator 'ind': key 'delta': delta must be a number in [1e-12, 0.01] "
     "(docs/generators.md §1.1), got 0.5")
case("delta_zero", {"grid.toml": grid(generators=DP + "epsilons = [1]\ndelta = 0"), "toy.csv": tidy()},
     "key 'delta': delta must be a number in [1e-12, 0.01]")
case("eps_many_digits_bounded_id",
     {"grid.toml": grid(generators=DP + "epsilons = [0.123456789012345]"), "toy.csv": tidy()},
     None, args=["run", "grid.toml", "--dry-run"], exit=0,
     stdout="toy__ind__eps-x3fbf9add3746f62e__seed-1__fold-1")

# ---------------------------------------------------------------- command line
case("out_is_a_file", {"grid.toml": grid(), "toy.csv": tidy(), "out": "not a directory\n"},
     "--out out: this is an existing file, not a directory (results go to <out>/t/)", args=RUN + ["--out", "out"])
case("jobs_zero", {"grid.toml": grid(), "toy.csv": tidy()}, "--jobs 0: expected 1 to", args=RUN + ["--jobs", "0"])
case("jobs_huge", {"grid.toml": grid(), "toy.csv": tidy()}, "--jobs 65535: expected 1 to",
     args=RUN + ["--jobs", "65535"])
case("score_out_is_a_file", dict(kit(), **{"eval": "a file\n"}), "--out eval: this is an existing file",
     args=SCORE)

# ---------------------------------------------------------------- degenerate data
case("one_class", {"grid.toml": grid(), "toy.csv": tidy(classes=("A",))},
     "dataset 'toy': every sample has label 'A' (column 'label'); the metrics compare classes, so at least 2 are needed")
case("values_overflow", {"grid.toml": grid(), "toy.csv": tidy(value=lambda r, g: "1e300")},
     "toy.csv: line 2, column 2 (gene 'G0', sample 'S000'): value '1e300' is too large: its square would overflow")
case("value_nan", {"grid.toml": grid(), "toy.csv": tidy(value=lambda r, g: "NaN" if (r, g) == (2, 1) else 8)},
     "toy.csv: line 4, column 3 (gene 'G1', sample 'S002'): non-finite value 'NaN'")
case("value_empty", {"grid.toml": grid(), "toy.csv": tidy(value=lambda r, g: "" if (r, g) == (1, 0) else 8)},
     "toy.csv: line 3, column 2 (gene 'G0', sample 'S001'): empty cell")
case("value_not_a_number", {"grid.toml": grid(), "toy.csv": tidy(value=lambda r, g: "8.5.1" if (r, g) == (0, 0) else 8)},
     "toy.csv: line 2, column 2 (gene 'G0', sample 'S000'): '8.5.1' is not a number")
case("row_too_wide", {"grid.toml": grid(), "toy.csv": tidy(value=lambda r, g: "8,5" if (r, g) == (0, 0) else 8)},
     "toy.csv: line 2 has 7 field(s), but the header (line 1) has 6")
case("label_na_is_missing", {"grid.toml": grid(), "toy.csv": tidy(label=lambda r, c: "NA" if r == 4 else c)},
     "toy.csv: line 6, column 6 'label' (sample 'S004'): label 'NA' is a missing label (set drop_unlabelled = true")
case("label_empty_is_missing", {"grid.toml": grid(), "toy.csv": tidy(label=lambda r, c: "" if r == 5 else c)},
     "toy.csv: line 7, column 6 'label' (sample 'S005'): empty label, a missing label")
case("label_na_dropped",
     {"grid.toml": grid(dataset='name = "toy"\nformat = "tidy"\npath = "toy.csv"\ndrop_unlabelled = true'),
      "toy.csv": tidy(label=lambda r, c: "NA" if r == 4 else c)},
     None, exit=0, stderr_contains="dropped 1 sample(s) with an empty or 'NA' label",
     file="results/t/manifest.json", file_contains='"n_samples": 11')
case("label_na_as_class",
     {"grid.toml": grid(dataset='name = "toy"\nformat = "tidy"\npath = "toy.csv"\nna_label = ""'),
      "toy.csv": tidy(classes=("A", "NA"))},
     None, exit=0, file="results/t/manifest.json", file_contains='"NA"')
case("gene_name_empty", {"grid.toml": grid(), "toy.csv": tidy(header=["sample_id", "G0", "", "G2", "G3", "label"])},
     "toy.csv: line 1, column 3: empty gene ID (every column needs a name)")
case("gene_name_duplicate", {"grid.toml": grid(), "toy.csv": tidy(header=["sample_id", "G0", "G1", "G1", "G3", "label"])},
     "duplicate gene ID 'G1'")
case("sample_id_duplicate", {"grid.toml": grid(), "toy.csv": tidy().replace("S001,", "S000,")},
     "duplicate sample ID 'S000' (first at line 2)")
case("zero_rows", {"grid.toml": grid(), "toy.csv": "sample_id,G0,G1,label\n"},
     "toy.csv: no (labelled) sample rows after the header")
case("label_column_missing", {"grid.toml": grid(), "toy.csv": tidy(header=["sample_id", "G0", "G1", "G2", "G3", "class"])},
     "toy.csv: line 1: no column named 'label'")
case("class_smaller_than_folds", {"grid.toml": grid(protocol="folds = 5"), "toy.csv": tidy()},
     "fewer than the 5 folds")

# ---------------------------------------------------------------- CSV shape hints
case("csv_semicolon", {"grid.toml": grid(), "toy.csv": tidy(sep=";")},
     "hint: the header is one field containing a semicolon")
case("csv_transposed", {"grid.toml": grid(),
                        "toy.csv": "gene,S1,S2,S3,S4,S5\nG0,1,2,3,4,5\nG1,2,3,4,5,6\nG2,3,4,5,6,7\n"},
     "it looks like genes as rows and samples as columns")
case("csv_no_header", {"grid.toml": grid(), "toy.csv": "\n".join(tidy().split("\n")[1:])},
     "the first line looks like data; the file needs a header line")
m, meta = gene_by_sample(tidy())
case("challenge_matrix_comma", {"grid.toml": grid(dataset=CHALLENGE), "m.tsv": m.replace("\t", ","), "meta.csv": meta},
     "m.tsv: line 1: header has 1 field(s); expected a first cell, then one sample ID per column (it contains a comma")
tm = "\t" + "\t".join(f"G{g}" for g in range(4)) + "\n" + "".join(
    f"S{r:03d}\t" + "\t".join(str(8 + r + g) for g in range(4)) + "\n" for r in range(12))
case("challenge_matrix_transposed", {"grid.toml": grid(dataset=CHALLENGE), "m.tsv": tm, "meta.csv": meta},
     "the matrix looks transposed (samples as rows)")
split_yaml = "splits:\n  split_1:\n    train_index: [S000, S001, S003, S004, S006, S007]\n" \
             "    test_index: [S002, S005, S008, S009, S010, S011]\n"
case("split_train_lacks_class",
     {"grid.toml": grid(dataset=CHALLENGE + '\nsplits = "splits.yaml"'), "m.tsv": m, "meta.csv": meta,
      "splits.yaml": split_yaml},
     "split_1: train_index has no sample of class(es) 'C'; every train part needs every class")

# ---------------------------------------------------------------- kit files (bench score)
case("kit_x_train_zero_rows", dict(kit(), **{"kit/X_train_real_split_1.csv": "G0,G1,G2\n", "kit/y_train_real_split_1.csv": "label\n"}),
     "X_train_real_split_1.csv: no data rows after the header (line 1)", args=SCORE)
case("kit_one_class", kit(classes_train=("A",), classes_test=("A",)),
     "split 1: every real sample has label 'A'; the metrics need at least 2 classes", args=SCORE)
case("kit_train_lacks_class", kit(classes_train=("A", "B")),
     "class(es) 'C' occur in split 1's test part but not in its train part", args=SCORE)
case("kit_label_na", kit(label=lambda i, c: "NA" if (i, c) == (1, "B") else c),
     "line 6, column 1: label 'NA' is a missing label", args=SCORE)
case("kit_gene_name_empty", kit(x_header=["G0", "", "G2"]),
     "X_train_real_split_1.csv: line 1, column 2: empty gene ID", args=SCORE)
case("kit_synthetic_semicolon", kit(synth_sep=";"),
     "it contains a semicolon", args=SCORE)
case("kit_synthetic_overflow", kit(synth_value=lambda i: "-1e200"),
     "synthetic_data_split_1.csv: line 2, column 1 (row 1, gene 'G0'): value '-1e200' is too large", args=SCORE)

# ---------------------------------------------------------------- check, stale temp files
smoke = open(os.path.join(ROOT, "experiments/baselines/smoke.cells.csv")).read().split("\n")
cells = "\n".join(smoke[:4]) + "\n"
tolerances = open(os.path.join(ROOT, "experiments/baselines/smoke.tolerances.toml")).read()
case("check_tolerances_beside_baseline",
     {"res/cells.csv": cells, "base/mine.cells.csv": cells, "base/mine.tolerances.toml": tolerances},
     None, args=["check", "res", "--baseline", "base/mine.cells.csv"], exit=0, stdout="check passed")
case("check_no_tolerance_file", {"res/cells.csv": cells, "base/mine.cells.csv": cells},
     "(base/mine.tolerances.toml by default, or --tolerance-file", args=["check", "res", "--baseline", "base/mine.cells.csv"])
case("stale_temp_file_removed",
     {"grid.toml": grid(), "toy.csv": tidy(), "results/t/cells/.toy.json.tmp.2147483646": "half-written\n"},
     None, exit=0, stderr_contains="removed 1 temporary file(s) left by killed bench processes",
     absent=["results/t/cells/.toy.json.tmp.2147483646"])


def toml_value(v):
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, int):
        return str(v)
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    for name, (files, expect) in sorted(CASES.items()):
        d = os.path.join(OUT, name)
        for rel, text in files.items():
            path = os.path.join(d, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", newline="") as f:
                f.write(text)
        os.makedirs(d, exist_ok=True)
        lines = ["# Written by scripts/make_bad_inputs.py; see tests/bad_inputs.rs."]
        for key in ["args", "exit", "stderr", "stdout", "stderr_contains", "file", "file_contains", "absent"]:
            if expect.get(key) is not None:
                lines.append(f"{key} = {toml_value(expect[key])}")
        with open(os.path.join(d, "expect.toml"), "w") as f:
            f.write("\n".join(lines) + "\n")
    print(f"{len(CASES)} cases in {OUT}")


main()
