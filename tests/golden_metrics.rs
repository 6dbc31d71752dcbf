//! Golden test of the logistic-regression metrics (utility, feature overlap, discriminative
//! score) of profiles camda2025 and camda2026 against the official evaluator's logic.
//!
//! Expected values: tests/golden/metrics_expected.json, written by scripts/golden_metrics.py
//! with scikit-learn 1.5.2 re-implementing PMBio/Health-Privacy-Challenge
//! src/evaluation/evaluate.py (see the script's docstring). Inputs: tests/golden/metrics_*.csv,
//! plus two cases built from the shared real datasets (ignored unless included with
//! `-- --include-ignored`: they need ../shared/datasets, see `common`).
//!
//! Tolerances are metrics.md §7.5: accuracy ±1 test sample, F1 ±1 test sample (a changed
//! prediction moves weighted F1 by at most 2/n_te), AP and AUROC 1e-3 (plus 1e-4 for 4-dp
//! rounding), feature overlap exact when every fit converged on both sides and ±2 otherwise,
//! discriminative score 1e-3 (numpy-compatible partition).
//!
//! Solver paths: fits for which scikit-learn needs at most 50 iterations must take exactly as
//! many iterations here.
//!
//! One documented exception: the unscaled (camda2025) fits of the real BRCA case run 100–270
//! L-BFGS iterations on an ill-conditioned problem, where rounding differences grow about ×30
//! every 10 iterations (the first iterations agree with scipy to 1e-14). There scikit-learn does
//! not reproduce itself to 1e-3: perturbing the inputs by 1e-15 (relative) moves its macro AP
//! over 0.8252–0.8264 and its top-gene sets by one gene. That case is checked with AP/AUROC
//! ±3e-3 and overlap ±2 (the §7.5 advisory bound).
//!
//! The same holds for the synthetic "unconverged" case (unscaled fits of 200–1000 iterations):
//! scikit-learn itself, run on its inputs multiplied entry-wise by (1 ± 1e-15), stops fit 1 of
//! TSTR either near iteration 240 or near 520 and reports `avg_pr_macro_synthetic` 0.4672 or
//! 0.4738 (and `avg_pr_macro_real` anywhere in 0.5208–0.5230). The golden file records that
//! range (`camda2025_sklearn_spread`, written by the script); a value is accepted when it lies
//! within the range widened by the §7.5 tolerance. Changing only the row-block size of our own
//! solver (a summation-order change) moves our values across the same range.

mod common;
use bench::data::dataset::Labelled;
use bench::data::matrix::Matrix;
use bench::metrics::{profile, EvalInput, RealCache};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Case {
    train: Labelled,
    test: Labelled,
    synthetic: Labelled,
    genes: Vec<String>,
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

/// Rows of `label,value,…` (golden layout) or `id,value,…,label` (shared layout).
fn read_csv(path: &Path, label_first: bool) -> (Vec<String>, Labelled) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(String::from).collect();
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let (label, values) =
            if label_first { (cells[0], &cells[1..]) } else { (cells[cells.len() - 1], &cells[1..cells.len() - 1]) };
        labels.push(label.to_string());
        rows.push(values.iter().map(|v| v.parse::<f64>().expect("number")).collect::<Vec<_>>());
    }
    let genes = if label_first { header[1..].to_vec() } else { header[1..header.len() - 1].to_vec() };
    (genes, Labelled { x: Matrix::from_rows(&rows).unwrap(), labels })
}

fn golden_case(name: &str) -> Case {
    let read = |part: &str| read_csv(&golden_dir().join(format!("metrics_{name}_{part}.csv")), true);
    let (genes, train) = read("train");
    let (_, test) = read("test");
    let (_, synthetic) = read("synthetic");
    Case { train, test, synthetic, genes }
}

/// The real-data case of scripts/golden_metrics.py: test = rows with index % 5 == 0; synthetic
/// row i = train row (37·i mod n) + ((7i + 3j) mod 11 − 5)/20 on gene j, with its label.
fn real_case(file: &str) -> Case {
    let path = common::shared_datasets().join(file);
    let (genes, all) = read_csv(&path, false);
    let n = all.labels.len();
    let test_idx: Vec<usize> = (0..n).filter(|i| i % 5 == 0).collect();
    let train_idx: Vec<usize> = (0..n).filter(|i| i % 5 != 0).collect();
    let part = |idx: &[usize]| Labelled {
        x: all.x.select_rows(idx),
        labels: idx.iter().map(|&i| all.labels[i].clone()).collect(),
    };
    let (train, test) = (part(&train_idx), part(&test_idx));
    let (nt, p) = (train.x.rows(), train.x.cols());
    let mut x = Matrix::zeros(nt, p);
    let mut labels = Vec::with_capacity(nt);
    for i in 0..nt {
        let src = (37 * i) % nt;
        for j in 0..p {
            let delta = (((7 * i + 3 * j) % 11) as f64 - 5.0) / 20.0;
            x.set(i, j, train.x.get(src, j) + delta);
        }
        labels.push(train.labels[src].clone());
    }
    Case { train, test, synthetic: Labelled { x, labels }, genes }
}

/// Column → (value, NaN reason).
type Scores = BTreeMap<String, (f64, Option<String>)>;

/// Run a profile's families; the scores and the diagnostics.
fn run(profile_name: &str, case: &Case) -> (Scores, BTreeMap<String, String>) {
    let profile = profile(profile_name).unwrap();
    let cache = RealCache::default();
    let input = EvalInput {
        gene_ids: &case.genes,
        train: &case.train,
        test: &case.test,
        synthetic: &case.synthetic,
        real: &cache,
    };
    let mut scores = BTreeMap::new();
    let mut diagnostics = BTreeMap::new();
    for metric in &profile.metrics {
        let out = metric.score(&input).unwrap();
        for s in out.scores {
            scores.insert(s.column, (s.value, s.reason));
        }
        diagnostics.extend(out.diagnostics);
    }
    (scores, diagnostics)
}

fn expected() -> Value {
    let text = std::fs::read_to_string(golden_dir().join("metrics_expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn all_below_cap(iters: &Value) -> bool {
    iters.as_array().map_or(iters.as_u64().is_some_and(|v| v < 1000), |a| a.iter().all(|v| v.as_u64().unwrap() < 1000))
}

/// Compare one profile of one case; returns the list of failures. `advisory`: the looser
/// bounds for ill-conditioned long solver paths (see the module doc).
fn check(name: &str, case: &Case, profile_name: &str, golden: &Value, advisory: bool) -> Vec<String> {
    let (got, diag) = run(profile_name, case);
    let want = &golden[profile_name];
    let iters = &golden[format!("{profile_name}_sklearn_n_iter")];
    let spread = &golden[format!("{profile_name}_sklearn_spread")];
    let n_te = case.test.labels.len() as f64;
    let ours_converged = ["tstr_lr_converged", "trtr_lr_converged"]
        .iter()
        .all(|k| diag.get(*k).is_some_and(|v| v.split(',').all(|c| c == "true")));
    let all_converged = !advisory && ours_converged && all_below_cap(&iters["tstr"]) && all_below_cap(&iters["trtr"]);
    let ap_tol = if advisory { 3e-3 } else { 1.1e-3 };
    println!(
        "{name}/{profile_name}: sklearn n_iter tstr {} trtr {} disc {} | ours tstr {} ({}) trtr {} ({}) disc {}",
        iters["tstr"],
        iters["trtr"],
        iters["disc"],
        diag["tstr_lr_iterations"],
        diag["tstr_lr_stop"],
        diag["trtr_lr_iterations"],
        diag["trtr_lr_stop"],
        diag["disc_lr_iterations"]
    );
    let mut failures = iteration_mismatches(name, profile_name, iters, &diag);
    for (column, expected) in want.as_object().unwrap() {
        let Some((value, reason)) = got.get(column) else {
            failures.push(format!("{name}/{profile_name}: column {column} missing"));
            continue;
        };
        let Some(e) = expected.as_f64() else {
            if !value.is_nan() || reason.is_none() {
                failures.push(format!(
                    "{name}/{profile_name}: {column} = {value} ({reason:?}), expected NaN with a reason"
                ));
            }
            continue;
        };
        let tol = if column.starts_with("accuracy_") && !column.ends_with("relative") {
            1.0 / n_te + 1e-4
        } else if column.starts_with("f1_") && !column.ends_with("relative") {
            2.0 / n_te
        } else if column.starts_with("avg_pr_") || column.starts_with("auroc_") {
            if column.ends_with("relative") {
                // synthetic/real with both parts at the AP tolerance.
                let real = want[column.replace("relative", "real")].as_f64().unwrap();
                ap_tol * (1.0 + e.abs()) / real
            } else {
                ap_tol
            }
        } else if column.ends_with("relative") {
            let stem = column.trim_end_matches("_relative");
            let real = want[format!("{stem}_real")].as_f64().unwrap();
            let part = if stem == "accuracy" { 1.0 / n_te + 1e-4 } else { 2.0 / n_te };
            part * (1.0 + e.abs()) / real
        } else if column == "feature_overlap_count" {
            if all_converged {
                0.0
            } else {
                2.0
            }
        } else if column == "feature_overlap_proportion" {
            if all_converged {
                0.0
            } else {
                0.1
            }
        } else if column == "discriminative_score" {
            1e-3
        } else {
            panic!("no tolerance for {column}")
        };
        // Where the golden file records scikit-learn's own spread under 1e-15 input perturbations
        // (module doc), any value in that range is scikit-learn's answer; the tolerance applies
        // around the range.
        let (lo, hi) = match spread.get(column) {
            Some(Value::Array(r)) => (r[0].as_f64().unwrap().min(e), r[1].as_f64().unwrap().max(e)),
            _ => (e, e),
        };
        let ok = *value >= lo - tol && *value <= hi + tol;
        let range = if lo < hi { format!(" (spread {lo}..{hi})") } else { String::new() };
        println!(
            "  {column:28} ours {value:<22} sklearn {e:<22}{range} tol {tol:.2e} {}",
            if ok { "ok" } else { "FAIL" }
        );
        if !ok {
            failures.push(format!("{name}/{profile_name}: {column} = {value}, expected {lo}..{hi} ± {tol}"));
        }
    }
    failures
}

/// Short solver paths follow scipy's L-BFGS-B step for step: wherever scikit-learn needed at
/// most `SHORT_PATH` iterations, ours must need exactly as many (line search, memory updates and
/// stopping rules all agree). Longer paths drift apart through rounding and are only printed.
const SHORT_PATH: u64 = 50;

fn iteration_mismatches(name: &str, profile: &str, sklearn: &Value, ours: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for fit in ["tstr", "trtr", "disc"] {
        let theirs: Vec<u64> = match &sklearn[fit] {
            Value::Array(a) => a.iter().map(|v| v.as_u64().unwrap()).collect(),
            v => vec![v.as_u64().unwrap()],
        };
        let mine: Vec<u64> = ours[&format!("{fit}_lr_iterations")].split(',').map(|v| v.parse().unwrap()).collect();
        for (k, (&t, &m)) in theirs.iter().zip(&mine).enumerate() {
            if t <= SHORT_PATH && t != m {
                out.push(format!("{name}/{profile}: {fit} fit {k}: {m} iterations, scikit-learn {t}"));
            }
        }
    }
    out
}

fn check_case(name: &str, case: &Case, advisory_2025: bool) {
    let golden = &expected()[name];
    assert!(golden.is_object(), "no golden values for case {name}: rerun scripts/golden_metrics.py");
    let mut failures = check(name, case, "camda2025", golden, advisory_2025);
    failures.extend(check(name, case, "camda2026", golden, false));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn basic_three_classes() {
    check_case("basic", &golden_case("basic"), false);
}

#[test]
fn synthetic_missing_a_class() {
    let case = golden_case("missing_class");
    check_case("missing_class", &case, false);
    let (got, _) = run("camda2025", &case);
    assert_eq!(got["avg_pr_macro_synthetic"].1.as_deref(), Some("missing_classes:C"));
    assert_eq!(got["feature_overlap_count"].1.as_deref(), Some("missing_classes:C"));
}

#[test]
fn unconverged_fits() {
    let case = golden_case("unconverged");
    let golden = &expected()["unconverged"];
    // The case exists to exercise the iteration cap: scikit-learn stops some fits at 1000.
    assert!(!all_below_cap(&golden["camda2025_sklearn_n_iter"]["trtr"]));
    // …and its unscaled fits are where scikit-learn's own answer depends on rounding.
    let spread = &golden["camda2025_sklearn_spread"]["avg_pr_macro_synthetic"];
    assert!(spread[1].as_f64().unwrap() - spread[0].as_f64().unwrap() > 1e-3, "spread {spread}");
    check_case("unconverged", &case, false);
}

#[test]
#[ignore = "needs the shared real datasets (../shared/datasets or $BENCH_SHARED_DATASETS)"]
fn real_pancan6() {
    check_case("pancan6", &real_case("tcga_pancan6_rtcga_lm978/data.csv"), false);
}

#[test]
#[ignore = "needs the shared real datasets (../shared/datasets or $BENCH_SHARED_DATASETS)"]
fn real_brca_jegn() {
    check_case("brca_jegn", &real_case("tcga_brca_pam50_jegn/data.csv"), true);
}

/// metrics.md §2.1: the camda2025 row has exactly the official evaluator's columns, in order.
#[test]
fn camda2025_columns_are_the_official_ones_in_order() {
    let columns = profile("camda2025").unwrap().columns(&["A".to_string(), "B".to_string()]);
    let official = [
        "accuracy_synthetic",
        "avg_pr_macro_synthetic",
        "accuracy_real",
        "avg_pr_macro_real",
        "feature_overlap_count",
        "feature_overlap_proportion",
        "MMD_score",
        "discriminative_score",
        "distance_to_closest",
        "distance_to_closest_base",
    ];
    assert_eq!(columns, official);
}
