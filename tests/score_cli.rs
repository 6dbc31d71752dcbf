//! `bench score` end to end (data-formats.md §4, metrics.md §0.3): a challenge-kit directory
//! written by hand in the kit's layout, scored by the binary, and the evaluation files read back.
//!
//! Inputs: the golden "basic" case (tests/golden/metrics_basic_*.csv, 120 train / 40 test /
//! 120 synthetic rows × 50 genes, 3 classes). Split 1 writes the synthetic genes in reverse order
//! (the reader matches genes by name); split 2 is the same synthetic rows in reverse row order.
//! Expected values: (a) the library's own profile run on the same matrices, which must agree
//! exactly (the CLI adds reading and writing, nothing else); (b) scikit-learn's values for the
//! same case (tests/golden/metrics_expected.json, scripts/golden_metrics.py) within the §7.5
//! tolerances, so the whole path is tied to the reference implementation.

mod common;

use bench::data::dataset::Labelled;
use bench::data::matrix::Matrix;
use bench::metrics::{profile, profile_members, EvalInput, RealCache};
use bench::runner::score::score_columns;
use common::{bench, stderr};
use std::collections::BTreeMap;
use std::path::Path;

struct Part {
    genes: Vec<String>,
    rows: Vec<Vec<f64>>,
    labels: Vec<String>,
}

/// A golden file: `label,g000,…` then one row per sample.
fn golden_part(name: &str) -> Part {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("metrics_basic_{name}.csv"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let genes = lines.next().unwrap().split(',').skip(1).map(String::from).collect();
    let (mut rows, mut labels) = (Vec::new(), Vec::new());
    for line in lines {
        let mut cells = line.split(',');
        labels.push(cells.next().unwrap().to_string());
        rows.push(cells.map(|c| c.parse().unwrap()).collect());
    }
    Part { genes, rows, labels }
}

impl Part {
    fn labelled(&self) -> Labelled {
        Labelled { x: Matrix::from_rows(&self.rows).unwrap(), labels: self.labels.clone() }
    }

    /// The data file with the genes in `order` (indices into `genes`), no ID column.
    fn write_x(&self, path: &Path, order: &[usize]) {
        let mut out = order.iter().map(|&j| self.genes[j].clone()).collect::<Vec<_>>().join(",") + "\n";
        for row in &self.rows {
            out += &(order.iter().map(|&j| row[j].to_string()).collect::<Vec<_>>().join(",") + "\n");
        }
        std::fs::write(path, out).unwrap();
    }

    fn write_y(&self, path: &Path) {
        std::fs::write(path, format!("Subtype\n{}\n", self.labels.join("\n"))).unwrap();
    }

    fn reversed_rows(&self) -> Part {
        Part {
            genes: self.genes.clone(),
            rows: self.rows.iter().rev().cloned().collect(),
            labels: self.labels.iter().rev().cloned().collect(),
        }
    }
}

/// Write a two-split kit into `dir`.
fn write_kit(dir: &Path) -> (Part, Part, Part) {
    let (train, test, synthetic) = (golden_part("train"), golden_part("test"), golden_part("synthetic"));
    let natural: Vec<usize> = (0..train.genes.len()).collect();
    let reversed: Vec<usize> = natural.iter().rev().copied().collect();
    for k in 1..=2 {
        train.write_x(&dir.join(format!("X_train_real_split_{k}.csv")), &natural);
        train.write_y(&dir.join(format!("y_train_real_split_{k}.csv")));
        test.write_x(&dir.join(format!("X_test_real_split_{k}.csv")), &natural);
        test.write_y(&dir.join(format!("y_test_real_split_{k}.csv")));
    }
    synthetic.write_x(&dir.join("synthetic_data_split_1.csv"), &reversed);
    synthetic.write_y(&dir.join("synthetic_labels_split_1.csv"));
    let flipped = synthetic.reversed_rows();
    flipped.write_x(&dir.join("synthetic_data_split_2.csv"), &natural);
    flipped.write_y(&dir.join("synthetic_labels_split_2.csv"));
    (train, test, synthetic)
}

/// `evaluation_*.csv` as (header, rows keyed by `split_no`).
fn read_results(path: &Path) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(String::from).collect();
            (cells[0].clone(), cells)
        })
        .collect();
    (header, rows)
}

fn value(header: &[String], row: &[String], column: &str) -> f64 {
    let i = header.iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column}"));
    row[i].parse().unwrap_or_else(|_| panic!("{column}: '{}' is not a number", row[i]))
}

/// The library's own scores for one split (column → value).
fn direct_scores(profile_name: &str, train: &Part, test: &Part, synthetic: &Part) -> BTreeMap<String, f64> {
    let profile = profile(profile_name).unwrap();
    let cache = RealCache::default();
    let (tr, te, sy) = (train.labelled(), test.labelled(), synthetic.labelled());
    let input = EvalInput { gene_ids: &train.genes, train: &tr, test: &te, synthetic: &sy, real: &cache };
    profile.metrics.iter().flat_map(|m| m.score(&input).unwrap().scores).map(|s| (s.column, s.value)).collect()
}

#[test]
fn a_kit_is_scored_like_the_library_and_like_scikit_learn() {
    let dir = tempfile::tempdir().unwrap();
    let kit = dir.path().join("kit");
    std::fs::create_dir(&kit).unwrap();
    let (train, test, synthetic) = write_kit(&kit);
    let out = dir.path().join("out");
    let run = bench(
        &["score", "--real-dir", "kit", "--synthetic-dir", "kit", "--out", "out", "--profile", "camda2025"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", stderr(&run));

    let (header, rows) = read_results(&out.join("evaluation_results.csv"));
    assert_eq!(header[0], "split_no");
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["1", "2", "average"]);
    let columns = profile("camda2025").unwrap().columns(&["A".into(), "B".into(), "C".into()]);
    assert_eq!(header[1..=columns.len()], columns[..], "the kit's column names, in the spec's order");

    // (a) Exactly the library's values, for both splits.
    let flipped = synthetic.reversed_rows();
    for (k, syn) in [("1", &synthetic), ("2", &flipped)] {
        for (column, expected) in direct_scores("camda2025", &train, &test, syn) {
            let got = value(&header, &rows[k], &column);
            assert!(got == expected || (got.is_nan() && expected.is_nan()), "split {k} {column}: {got} vs {expected}");
        }
    }
    // The per-split file holds the same row.
    let (split_header, split_rows) = read_results(&out.join("evaluation_split_1.csv"));
    assert_eq!(split_rows.keys().collect::<Vec<_>>(), ["1"]);
    assert_eq!(split_rows["1"][..=columns.len()], rows["1"][..=columns.len()]);
    assert_eq!(split_header[..=columns.len()], header[..=columns.len()]);

    // The average row is the mean of the split rows.
    for column in &columns {
        let (a, b) = (value(&header, &rows["1"], column), value(&header, &rows["2"], column));
        let avg = value(&header, &rows["average"], column);
        assert!((avg - (a + b) / 2.0).abs() <= 1e-12 * avg.abs().max(1.0), "{column}: {avg} vs {a}, {b}");
    }

    // (b) scikit-learn's values for split 1 (metrics.md §7.5 tolerances; 40 test rows).
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/metrics_expected.json"))
            .unwrap(),
    )
    .unwrap();
    let n_te = test.rows.len() as f64;
    for (column, tol) in [
        ("accuracy_synthetic", 1.0 / n_te + 1e-4),
        ("accuracy_real", 1.0 / n_te + 1e-4),
        ("avg_pr_macro_synthetic", 1.1e-3),
        ("avg_pr_macro_real", 1.1e-3),
        ("discriminative_score", 1e-3),
        ("feature_overlap_count", 0.0),
    ] {
        let expected = golden["basic"]["camda2025"][column].as_f64().unwrap();
        let got = value(&header, &rows["1"], column);
        assert!((got - expected).abs() <= tol, "{column}: {got}, scikit-learn {expected}");
    }
}

#[test]
fn the_camda2026_profile_writes_its_own_columns() {
    let dir = tempfile::tempdir().unwrap();
    write_kit(dir.path());
    let run = bench(
        &["score", "--real-dir", ".", "--synthetic-dir", ".", "--out", "out", "--profile", "camda2026"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let (header, rows) = read_results(&dir.path().join("out/evaluation_results.csv"));
    for column in ["MMD_train", "MMD_test", "MMD_base", "submmd_A", "f1_relative", "distance_to_closest_relative"] {
        assert!(header.iter().any(|h| h == column), "missing {column} in {header:?}");
    }
    assert!(value(&header, &rows["average"], "MMD_base").is_finite());
}

/// The column order written in metrics.md §3.8 (its code block), `submmd_<class>` expanded over
/// `classes`.
fn documented_camda2026_order(classes: &[&str]) -> Vec<String> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/metrics.md")).unwrap();
    let section = doc.split("\n### 3.8 ").nth(1).expect("metrics.md has a §3.8");
    let block = section.split("```").nth(1).expect("§3.8 lists the columns in a code block");
    let mut order = Vec::new();
    for name in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match name {
            "submmd_<class>" => order.extend(classes.iter().map(|c| format!("submmd_{c}"))),
            _ => order.push(name.to_string()),
        }
    }
    order
}

/// metrics.md §3.8: the camda2026 header of `bench score` is the official 2026 evaluator's
/// column order, then bench's `*_relative` columns, then the bookkeeping columns.
#[test]
fn the_camda2026_header_follows_the_documented_official_order() {
    let dir = tempfile::tempdir().unwrap();
    write_kit(dir.path());
    let run = bench(
        &["score", "--real-dir", ".", "--synthetic-dir", ".", "--out", "out", "--profile", "camda2026"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let documented = documented_camda2026_order(&["A", "B", "C"]);
    assert_eq!(documented.len(), 1 + 27 + 3 + 6, "{documented:?}");
    for (file, bookkeeping) in [
        ("evaluation_split_1.csv", &["nan_reasons"][..]),
        ("evaluation_results.csv", &["nan_reasons", "splits_averaged"]),
    ] {
        let text = std::fs::read_to_string(dir.path().join("out").join(file)).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        assert_eq!(header[..documented.len()], documented[..], "{file}");
        assert_eq!(header[documented.len()..documented.len() + bookkeeping.len()], bookkeeping[..], "{file}");
    }
}

/// `camda2026-full` writes the columns of each of its profiles side by side (the `bio` and `mia`
/// values equal the library's), and the `bio` side table of each split as `bio_split_<k>.csv`, equal to the library's `de_pairs` table.
#[test]
fn the_camda2026_full_bundle_writes_every_member_and_the_bio_side_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test, synthetic) = write_kit(dir.path());
    let run = bench(
        &["score", "--real-dir", ".", "--synthetic-dir", ".", "--out", "out", "--profile", "camda2026-full"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let (header, rows) = read_results(&dir.path().join("out/evaluation_results.csv"));
    let classes: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    let columns: Vec<String> = profile_members("camda2026-full")
        .unwrap()
        .into_iter()
        .flat_map(|p| score_columns(&profile(p).unwrap(), &classes))
        .collect();
    assert!(columns.iter().any(|c| c == "DE_TPR_up") && columns.iter().any(|c| c == "MMD_base"));
    assert_eq!(header[1..=columns.len()], columns[..]);
    // `mia`: candidates = the split's train ∪ test rows, members = train (metrics.md §4.1).
    for member in ["bio", "mia"] {
        let direct = direct_scores(member, &train, &test, &synthetic);
        assert!(!direct.is_empty());
        for (column, expected) in direct {
            let got = value(&header, &rows["1"], &column);
            assert!(got == expected || (got.is_nan() && expected.is_nan()), "{column}: {got} vs {expected}");
        }
    }
    let (tr, te, sy) = (train.labelled(), test.labelled(), synthetic.labelled());
    let cache = RealCache::default();
    let input = EvalInput { gene_ids: &train.genes, train: &tr, test: &te, synthetic: &sy, real: &cache };
    let tables = profile("bio").unwrap().score(&input, &classes).unwrap().tables;
    let written = std::fs::read_to_string(dir.path().join("out/bio_split_1.csv")).unwrap();
    assert!(written.starts_with("class_a,class_b,direction,tpr,fpr,real_genes,synthetic_genes\n"), "{written}");
    assert_eq!(written, tables[0].to_csv());
    assert!(dir.path().join("out/bio_split_2.csv").is_file());
}

#[test]
fn a_synthetic_file_without_a_real_gene_fails_naming_the_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, synthetic) = write_kit(dir.path());
    let all_but_first: Vec<usize> = (1..synthetic.genes.len()).collect();
    synthetic.write_x(&dir.path().join("synthetic_data_split_2.csv"), &all_but_first);
    let run = bench(&["score", "--real-dir", ".", "--synthetic-dir", ".", "--out", "out"], dir.path());
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("synthetic_data_split_2.csv") && err.contains(&synthetic.genes[0]), "{err}");
    assert!(!dir.path().join("out/evaluation_results.csv").exists());
}

/// Splits are found from the file names: a kit holding splits 1 and 3 scores both, and the
/// average row names the splits it covers.
#[test]
fn a_kit_with_splits_one_and_three_scores_both_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_kit(dir.path());
    for name in ["X_train", "y_train", "X_test", "y_test"] {
        let from = dir.path().join(format!("{name}_real_split_2.csv"));
        std::fs::rename(&from, dir.path().join(format!("{name}_real_split_3.csv"))).unwrap();
    }
    for name in ["synthetic_data", "synthetic_labels"] {
        let from = dir.path().join(format!("{name}_split_2.csv"));
        std::fs::rename(&from, dir.path().join(format!("{name}_split_3.csv"))).unwrap();
    }
    let run = bench(&["score", "--real-dir", ".", "--synthetic-dir", ".", "--out", "out"], dir.path());
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("scored splits [1, 3]"), "{}", stderr(&run));
    let (header, rows) = read_results(&dir.path().join("out/evaluation_results.csv"));
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["1", "3", "average"]);
    let covered = header.iter().position(|h| h == "splits_averaged").expect("splits_averaged column");
    assert_eq!(rows["average"][covered], "1;3");
    assert!(dir.path().join("out/evaluation_split_3.csv").is_file());
    assert!(!dir.path().join("out/evaluation_split_2.csv").exists());
}

#[test]
fn a_split_missing_one_partner_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write_kit(dir.path());
    std::fs::remove_file(dir.path().join("y_test_real_split_2.csv")).unwrap();
    let run = bench(&["score", "--real-dir", ".", "--synthetic-dir", ".", "--out", "out"], dir.path());
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("y_test_real_split_2.csv"), "{err}");
    assert!(!dir.path().join("out/evaluation_results.csv").exists());
}
