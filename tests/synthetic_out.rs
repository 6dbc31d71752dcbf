//! `save_synthetic` and `bench export` end to end: a grid on sim-brca writes every cell's
//! synthetic set in the submission layout; `bench export --with-real` assembles one submission
//! folder; `bench score` on that folder reproduces every metric value of cells.csv exactly (the
//! same metric code on the same numbers: the CSVs hold shortest round-trip values).

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

const GRID: &str = r#"
name = "t"
save_synthetic = true
[protocol]
folds = 5
seeds = [1]
[[datasets]]
name = "sim-brca"
seed = 1
[[generators]]
name = "ind"
kind = "independent"
bins = 4
epsilons = [2]
[[generators]]
name = "multi"
kind = "multivariate"
save_synthetic = false
"#;

/// A CSV as rows of (column → cell), keyed by `key`.
fn table(path: &Path, key: impl Fn(&BTreeMap<String, String>) -> String) -> BTreeMap<String, BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let row: BTreeMap<String, String> =
                header.iter().zip(l.split(',')).map(|(h, v)| (h.to_string(), v.to_string())).collect();
            (key(&row), row)
        })
        .collect()
}

#[test]
fn saved_synthetic_sets_score_exactly_as_in_cells_csv() {
    let dir = tempfile::tempdir().unwrap();
    write_grid(dir.path(), GRID);
    let run = bench(&["run", "grid.toml", "--quiet"], dir.path());
    assert!(run.status.success(), "{}", stderr(&run));
    let saved = dir.path().join("results/t/synthetic/sim-brca__ind__eps-2__seed-1");
    for k in 1..=5 {
        assert!(saved.join(format!("synthetic_data_split_{k}.csv")).is_file(), "fold {k} saved");
    }
    assert!(!dir.path().join("results/t/synthetic/sim-brca__multi__eps-inf__seed-1").exists(), "override off");

    let export = bench(
        &["export", "results/t", "--generator", "ind", "--epsilon", "2", "--seed", "1", "--out", "sub", "--with-real"],
        dir.path(),
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let labels = std::fs::read_to_string(dir.path().join("sub/synthetic_labels_split_1.csv")).unwrap();
    assert_eq!(labels.lines().next(), Some("Subtype"), "label header = the dataset's label column");
    let score = bench(&["score", "--real-dir", "sub", "--synthetic-dir", "sub", "--out", "eval"], dir.path());
    assert!(score.status.success(), "{}", stderr(&score));

    let cells = table(&dir.path().join("results/t/cells.csv"), |r| format!("{}/{}", r["generator"], r["fold"]));
    let evaluation = table(&dir.path().join("eval/evaluation_results.csv"), |r| r["split_no"].clone());
    let mut compared = 0;
    for k in 1..=5 {
        let cell = &cells[&format!("ind/{k}")];
        let scored = &evaluation[&k.to_string()];
        for (column, value) in scored {
            if ["split_no", "nan_reasons", "splits_averaged"].contains(&column.as_str())
                || column.starts_with("n_valid_")
            {
                continue;
            }
            assert_eq!(cell.get(column), Some(value), "fold {k} {column}");
            compared += 1;
        }
    }
    assert!(compared >= 5 * 10, "{compared} values compared");
}

#[test]
fn export_names_a_missing_fold() {
    let dir = tempfile::tempdir().unwrap();
    write_grid(dir.path(), GRID);
    assert!(bench(&["run", "grid.toml", "--quiet"], dir.path()).status.success());
    std::fs::remove_file(
        dir.path().join("results/t/synthetic/sim-brca__ind__eps-2__seed-1/synthetic_data_split_4.csv"),
    )
    .unwrap();
    let out = bench(
        &["export", "results/t", "--generator", "ind", "--epsilon", "2", "--seed", "1", "--out", "s"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("synthetic_data_split_4.csv"), "{err}");
}
