//! The regression gate: passes on unchanged code, catches a deliberate regression (a generator
//! parameter changed in a temporary copy of the grid), and `--update` re-baselines.

mod common;
use common::*;

fn grid() -> String {
    toy_grid(
        "metrics = [\"camda2025\"]\n",
        "folds = 3\nseeds = [1]",
        r#"
[[generators]]
name = "mvn"
kind = "multivariate"
noise_level = 0.5
"#,
    )
}

/// Tolerances for the iterative metrics of camda2025 (test values, not derived).
const TOLERANCES: &str = r#"
[metrics.accuracy_synthetic]
absolute = 0.02
[metrics.avg_pr_macro_synthetic]
absolute = 0.02
[metrics.accuracy_real]
absolute = 0.02
[metrics.avg_pr_macro_real]
absolute = 0.02
[metrics.feature_overlap_count]
absolute = 2
[metrics.feature_overlap_proportion]
absolute = 0.1
[metrics.discriminative_score]
absolute = 0.05
"#;

fn check(dir: &std::path::Path) -> std::process::Output {
    bench(&["check", "results/t", "--baseline", "baseline.csv", "--tolerance-file", "tol.toml"], dir)
}

#[test]
fn gate_passes_unchanged_and_catches_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.csv"), tidy_csv(12, 8)).unwrap();
    std::fs::write(dir.path().join("tol.toml"), TOLERANCES).unwrap();
    write_grid(dir.path(), &grid());
    assert!(bench(&["run", "grid.toml", "--quiet"], dir.path()).status.success());
    let out = bench(&["check", "results/t", "--baseline", "baseline.csv", "--update"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));

    // Unchanged code and grid, fresh run: the gate holds.
    assert!(bench(&["run", "grid.toml", "--quiet", "--force"], dir.path()).status.success());
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("check passed"));

    // A deliberate regression: much more sampling noise in a copy of the grid.
    std::fs::write(dir.path().join("grid.toml"), grid().replace("noise_level = 0.5", "noise_level = 4.0")).unwrap();
    assert!(bench(&["run", "grid.toml", "--quiet"], dir.path()).status.success());
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("regressed") && text.contains("MMD_score"), "{text}");
    assert!(text.contains("check FAILED"), "{text}");
}

#[test]
fn gate_reports_missing_rows_and_bad_tolerance_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.csv"), tidy_csv(12, 8)).unwrap();
    write_grid(dir.path(), &grid());
    assert!(bench(&["run", "grid.toml", "--quiet"], dir.path()).status.success());
    assert!(bench(&["check", "results/t", "--baseline", "baseline.csv", "--update"], dir.path()).status.success());
    std::fs::write(dir.path().join("tol.toml"), "[metrics.MMD_score]\nabsolute = -1\n").unwrap();
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("tol.toml") && stderr(&out).contains("MMD_score"), "{}", stderr(&out));
    std::fs::write(dir.path().join("tol.toml"), TOLERANCES).unwrap();
    std::fs::write(dir.path().join("grid.toml"), grid().replace("folds = 3", "folds = 2")).unwrap();
    assert!(bench(&["run", "grid.toml", "--quiet"], dir.path()).status.success());
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("missing"), "{}", stdout(&out));
}
