//! End-to-end runs of `bench run` on small grids: row counts, identity-generator DCR,
//! determinism across thread counts, and resuming after SIGKILL.

mod common;
use common::*;
use std::path::Path;

fn setup(grid: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.csv"), tidy_csv(10, 6)).unwrap();
    write_grid(dir.path(), grid);
    dir
}

fn cells(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("results/t/cells.csv")).unwrap()
}

fn column<'a>(csv: &'a str, name: &str) -> Vec<&'a str> {
    let mut lines = csv.lines();
    let idx = lines.next().unwrap().split(',').position(|h| h == name).unwrap();
    lines.map(|l| l.split(',').nth(idx).unwrap()).collect()
}

#[test]
fn identity_grid_writes_one_row_per_cell_with_zero_dcr() {
    let dir = setup(&tidy_grid());
    let out = bench(&["run", "grid.toml", "--quiet"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = cells(dir.path());
    assert_eq!(csv.lines().count(), 1 + 2 * 3, "header + seeds x folds rows:\n{csv}");
    assert!(column(&csv, "status").iter().all(|s| *s == "ok"));
    assert!(column(&csv, "epsilon").iter().all(|s| *s == "inf"));
    assert!(column(&csv, "distance_to_closest").iter().all(|s| *s == "0"));
}

/// distance_to_closest_base equals a brute-force mean nearest-neighbour distance, test → train.
#[test]
fn dcr_base_matches_brute_force() {
    use bench::data::split::{stratified_kfold, SplitRng};
    let dir = setup(&tidy_grid());
    assert!(bench(&["run", "grid.toml", "--quiet"], dir.path()).status.success());
    let text = tidy_csv(10, 6);
    let rows: Vec<(Vec<f64>, String)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1..f.len() - 1].iter().map(|v| v.parse().unwrap()).collect(), f[f.len() - 1].to_string())
        })
        .collect();
    let labels: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let csv = cells(dir.path());
    let got: Vec<f64> = column(&csv, "distance_to_closest_base").iter().map(|v| v.parse().unwrap()).collect();
    let mut expected = Vec::new();
    for seed in [1, 2] {
        for s in stratified_kfold(&labels, 3, seed, SplitRng::Numpy).unwrap() {
            let mean = s
                .test
                .iter()
                .map(|&q| {
                    s.train
                        .iter()
                        .map(|&r| rows[q].0.iter().zip(&rows[r].0).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt())
                        .fold(f64::INFINITY, f64::min)
                })
                .sum::<f64>()
                / s.test.len() as f64;
            expected.push(bench::metrics::round4(mean));
        }
    }
    assert_eq!(got, expected);
}

#[test]
fn thread_count_does_not_change_results() {
    let a = setup(&tidy_grid());
    let b = setup(&tidy_grid());
    assert!(bench(&["run", "grid.toml", "--quiet", "--jobs", "1"], a.path()).status.success());
    assert!(bench(&["run", "grid.toml", "--quiet", "--jobs", "2"], b.path()).status.success());
    assert_eq!(cells(a.path()), cells(b.path()));
}

#[test]
fn rerun_uses_the_cache_and_force_recomputes() {
    let dir = setup(&tidy_grid());
    assert!(bench(&["run", "grid.toml", "--quiet"], dir.path()).status.success());
    let first = cells(dir.path());
    let out = bench(&["run", "grid.toml"], dir.path());
    assert!(stderr(&out).contains("0 ran, 6 cached"), "{}", stderr(&out));
    assert_eq!(cells(dir.path()), first);
    let out = bench(&["run", "grid.toml", "--force"], dir.path());
    assert!(stderr(&out).contains("6 ran, 0 cached"), "{}", stderr(&out));
    assert_eq!(cells(dir.path()), first);
}

/// A grid whose cells take about half a second each on one thread (sim-brca, the camda2025
/// profile), so that a kill after the first finished cell lands mid-run.
const SLOW_GRID: &str = r#"
name = "t"
metrics = ["camda2025"]
[protocol]
folds = 3
seeds = [1, 2]
[[datasets]]
name = "sim-brca"
seed = 1
[[generators]]
name = "identity"
kind = "identity"
"#;

/// Finished cells in the per-cell cache (`cells/<id>.json`; temporary files start with a dot).
fn cached_cells(dir: &Path) -> usize {
    let entries = std::fs::read_dir(dir.join("results/t/cells")).into_iter().flatten().flatten();
    entries
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".json") && !name.starts_with('.')
        })
        .count()
}

/// SIGKILL after the first finished cell: the kill must land mid-run (some but not all of the 6
/// cells cached, no cells.csv), the rerun must reuse exactly the cached cells, and the results
/// must equal an uninterrupted run's.
#[test]
fn killed_run_resumes_to_the_same_results() {
    let reference = tempfile::tempdir().unwrap();
    write_grid(reference.path(), SLOW_GRID);
    assert!(bench(&["run", "grid.toml", "--quiet"], reference.path()).status.success());
    let dir = tempfile::tempdir().unwrap();
    write_grid(dir.path(), SLOW_GRID);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["run", "grid.toml", "--quiet", "--jobs", "1"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while cached_cells(dir.path()) == 0 && start.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
    let cached = cached_cells(dir.path());
    assert!((1..6).contains(&cached), "the kill must land mid-run: {cached} of 6 cells cached");
    assert!(!dir.path().join("results/t/cells.csv").exists(), "the killed run must not have finished");
    let out = bench(&["run", "grid.toml"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = format!("{} ran, {cached} cached", 6 - cached);
    assert!(stderr(&out).contains(&summary), "expected '{summary}' in:\n{}", stderr(&out));
    assert_eq!(cells(dir.path()), cells(reference.path()));
}

#[test]
fn dry_run_lists_cells_and_writes_nothing() {
    let dir = setup(&tidy_grid());
    let out = bench(&["run", "grid.toml", "--dry-run"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("toy__identity__eps-inf__seed-1__fold-1"));
    assert!(stdout(&out).trim_end().ends_with("6 cells"));
    assert!(!dir.path().join("results").exists());
}
