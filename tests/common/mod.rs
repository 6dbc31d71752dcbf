//! Helpers shared by the integration tests: run the `bench` binary, write small datasets, find
//! the shared real datasets.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared real datasets (data-formats.md §6): `$BENCH_SHARED_DATASETS`, else
/// `../shared/datasets` next to the repository root. The tests that call it are marked
/// `#[ignore = "needs the shared real datasets …"]`, so `cargo test` lists them as ignored; run
/// them with `cargo test --release -- --include-ignored` (as `.ci/run` does). Panics with a
/// one-line reason when the directory is absent: an included real-data test never passes
/// without its data.
pub fn shared_datasets() -> PathBuf {
    let dir = std::env::var_os("BENCH_SHARED_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets"));
    assert!(
        dir.is_dir(),
        "{} is absent: this test needs the shared real datasets (set BENCH_SHARED_DATASETS)",
        dir.display()
    );
    dir
}

pub fn bench(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench")).args(args).current_dir(cwd).output().expect("bench runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small, well-separated 3-class dataset in tidy layout: `n_per_class` rows per class,
/// `genes` genes, deterministic values on a VST-like scale.
pub fn tidy_csv(n_per_class: usize, genes: usize) -> String {
    let mut s = String::from("sample_id");
    for g in 0..genes {
        s.push_str(&format!(",G{g}"));
    }
    s.push_str(",label\n");
    let classes = ["A", "B", "C"];
    let mut row = 0;
    for i in 0..n_per_class {
        for (c, class) in classes.iter().enumerate() {
            s.push_str(&format!("S{row:04}"));
            for g in 0..genes {
                // A smooth pseudo-random pattern plus a class shift on gene c.
                let noise = ((row * 31 + g * 17 + i) % 97) as f64 / 97.0;
                let shift = if g % 3 == c { 2.0 } else { 0.0 };
                s.push_str(&format!(",{}", 8.0 + noise + shift));
            }
            s.push_str(&format!(",{class}\n"));
            row += 1;
        }
    }
    s
}

/// Write a grid plus a tidy dataset into `dir`; returns the grid path.
pub fn write_grid(dir: &Path, grid: &str) -> PathBuf {
    let path = dir.join("grid.toml");
    std::fs::write(&path, grid).unwrap();
    path
}

/// A grid named `t` on the tidy `toy.csv` (write it with [`tidy_csv`]): `top` holds top-level
/// keys (`metrics = ["camda2025"]`, `timeout = 2`; each line ending in a newline), `protocol`
/// the `[protocol]` keys and `generators` the `[[generators]]` tables.
pub fn toy_grid(top: &str, protocol: &str, generators: &str) -> String {
    format!(
        "name = \"t\"\n{top}[protocol]\n{protocol}\n[[datasets]]\nname = \"toy\"\nformat = \"tidy\"\n\
         path = \"toy.csv\"\n{generators}"
    )
}

/// The identity generator on `toy.csv`, 3 folds × seeds 1 and 2.
pub fn tidy_grid() -> String {
    toy_grid("", "folds = 3\nseeds = [1, 2]", "[[generators]]\nname = \"identity\"\nkind = \"identity\"\n")
}
