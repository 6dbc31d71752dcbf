//! Bad input: every case exits non-zero with one clear line on stderr naming the file, line or
//! key, never panics, and leaves no results behind.

mod common;
use common::*;

/// Run `bench run grid.toml` on `grid` (+ files) and return the one error line.
fn run_err(grid: &str, files: &[(&str, String)], extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_grid(dir.path(), grid);
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let mut args = vec!["run", "grid.toml", "--quiet"];
    args.extend_from_slice(extra);
    let out = bench(&args, dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "expected exit 2, got {:?}; stderr: {err}", out.status.code());
    assert!(!err.contains("panicked"), "panic: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(!dir.path().join("results/t/cells.csv").exists(), "partial results written");
    lines[0].to_string()
}

fn toy() -> Vec<(&'static str, String)> {
    vec![("toy.csv", tidy_csv(10, 6))]
}

#[test]
fn malformed_toml() {
    let e = run_err("name = \"t\"\n[[datasets]\nname = 1\n", &[], &[]);
    assert!(e.contains("grid.toml") && e.contains("line 2"), "{e}");
}

#[test]
fn unknown_key() {
    let e = run_err(&TIDY_GRID.replace("folds = 3", "folds = 3\nfolsd = 4"), &toy(), &[]);
    assert!(e.contains("grid.toml") && e.contains("folsd") && e.contains("line"), "{e}");
}

#[test]
fn missing_data_file() {
    let e = run_err(TIDY_GRID, &[], &[]);
    assert!(e.contains("toy.csv"), "{e}");
}

#[test]
fn non_numeric_cell() {
    let csv = tidy_csv(10, 6).replacen(",8.", ",abc", 1);
    let e = run_err(TIDY_GRID, &[("toy.csv", csv)], &[]);
    assert!(e.contains("toy.csv") && e.contains("line 2") && e.contains("abc"), "{e}");
}

#[test]
fn nan_value() {
    let mut lines: Vec<String> = tidy_csv(10, 6).lines().map(String::from).collect();
    lines[3] = lines[3].replacen(",8.", ",NaN,8.", 1).replacen(",8.", "", 1);
    let e = run_err(TIDY_GRID, &[("toy.csv", lines.join("\n") + "\n")], &[]);
    assert!(e.contains("toy.csv") && e.contains("line 4"), "{e}");
}

#[test]
fn duplicate_sample_id() {
    let csv = tidy_csv(10, 6).replace("S0001,", "S0000,");
    let e = run_err(TIDY_GRID, &[("toy.csv", csv)], &[]);
    assert!(e.contains("duplicate") && e.contains("S0000"), "{e}");
}

#[test]
fn gene_list_with_wrong_length() {
    let grid = "name = \"t\"\n[[datasets]]\nname = \"sim-brca\"\ngene_names = \"genes.txt\"\n[[generators]]\nname = \"id\"\nkind = \"identity\"\n";
    let e = run_err(grid, &[("genes.txt", "G1\nG2\n".into())], &[]);
    assert!(e.contains("genes.txt") && e.contains("978"), "{e}");
}

#[test]
fn class_smaller_than_folds() {
    let e = run_err(&TIDY_GRID.replace("folds = 3", "folds = 11"), &toy(), &[]);
    assert!(e.contains("class") && e.contains("fewer than the 11 folds"), "{e}");
}

#[test]
fn epsilon_zero() {
    let grid = TIDY_GRID.to_string() + "[[generators]]\nname = \"ind\"\nkind = \"independent\"\nepsilons = [1, 0]\n";
    let e = run_err(&grid, &toy(), &[]);
    assert!(e.contains("epsilons[1]") && e.contains("> 0"), "{e}");
}

#[test]
fn delta_one() {
    let grid =
        TIDY_GRID.to_string() + "[[generators]]\nname = \"ind\"\nkind = \"independent\"\nepsilons = [1]\ndelta = 1\n";
    let e = run_err(&grid, &toy(), &[]);
    assert!(e.contains("delta") && e.contains("(0, 1)"), "{e}");
}

#[test]
fn unknown_generator() {
    let e = run_err(&TIDY_GRID.replace("kind = \"identity\"", "kind = \"gan\""), &toy(), &[]);
    assert!(e.contains("unknown generator kind 'gan'") && e.contains("line"), "{e}");
}

#[test]
fn unwritable_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blocker"), "a file, not a directory").unwrap();
    let e = run_err(TIDY_GRID, &toy(), &["--out", dir.path().join("blocker").to_str().unwrap()]);
    assert!(e.contains("blocker"), "{e}");
}

#[test]
fn empty_generator_list() {
    let e = run_err("name = \"t\"\ngenerators = []\n[[datasets]]\nname = \"sim-brca\"\n", &[], &[]);
    assert!(e.contains("generators"), "{e}");
}

#[test]
fn missing_grid_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = bench(&["run", "nope.toml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.toml"), "{}", stderr(&out));
}

#[test]
fn unknown_metric_profile() {
    let e = run_err(&TIDY_GRID.replace("name = \"t\"", "name = \"t\"\nmetrics = [\"camda1999\"]"), &toy(), &[]);
    assert!(e.contains("metrics[0]") && e.contains("camda1999"), "{e}");
}

#[test]
fn jobs_zero_or_far_above_the_core_count_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.csv"), tidy_csv(4, 3)).unwrap();
    write_grid(dir.path(), TIDY_GRID);
    for jobs in ["0", "65535"] {
        let out = bench(&["run", "grid.toml", "--quiet", "--jobs", jobs], dir.path());
        assert_eq!(out.status.code(), Some(2), "--jobs {jobs}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains(&format!("--jobs {jobs}")) && err.contains("cores"), "{err}");
        assert!(!dir.path().join("results/t").exists(), "nothing written for --jobs {jobs}");
    }
}
