//! The inputs of a report, read from a results directory (see README "Output files" and the
//! runner's `results` module): `cells.csv` (required), `manifest.json` and `grid.toml`
//! (optional: the report says when they are missing), `privacy/<cell_id>.json` and
//! `pca/<cell_id>.csv` (per cell, optional).

use crate::error::{Context, Result};
use crate::io::csv::{parse_f64, Record, Table};
use crate::io::fmt_f64;
use crate::privacy::accountant::PrivacyReport;
use crate::{bail, ensure};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The columns of `cells.csv` before the metric columns, in the runner's order.
const FIXED_COLUMNS: [&str; 24] = [
    "dataset",
    "dataset_source",
    "generator",
    "kind",
    "params_hash",
    "epsilon",
    "delta",
    "seed",
    "fold",
    "profile",
    "profile_version",
    "status",
    "error_phase",
    "error",
    "dp",
    "end_to_end_dp",
    "rho_spent",
    "epsilon_spent",
    "budget_split",
    "non_private_steps",
    "warnings",
    "n_train",
    "n_test",
    "n_synthetic",
];
/// The columns after the metric columns.
const TRAILING_COLUMNS: [&str; 2] = ["nan_reasons", "bench_version"];

/// One row of `cells.csv`: one cell × metric profile.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRow {
    /// Line in cells.csv (for messages).
    pub line: usize,
    pub dataset: String,
    pub dataset_source: String,
    pub generator: String,
    pub kind: String,
    /// `inf` for non-DP generators.
    pub epsilon: f64,
    pub delta: Option<f64>,
    pub seed: u64,
    pub fold: usize,
    pub profile: String,
    pub profile_version: String,
    pub ok: bool,
    pub error_phase: String,
    pub error: String,
    pub dp: bool,
    pub end_to_end_dp: bool,
    pub rho_spent: Option<f64>,
    pub epsilon_spent: Option<f64>,
    pub budget_split: String,
    pub non_private_steps: String,
    pub warnings: String,
    /// One entry per metric column: `None` = empty cell (column not in this row's profile, or an
    /// error row), `Some(NaN)` = not computable.
    pub values: Vec<Option<f64>>,
    pub bench_version: String,
}

impl CellRow {
    /// `<dataset>__<generator>__eps-<ε>__seed-<s>__fold-<k>` (results-format contract).
    pub fn cell_id(&self) -> String {
        cell_id(&self.dataset, &self.generator, self.epsilon, self.seed, self.fold)
    }
}

/// The cell identifier used for `privacy/` and `pca/` file names.
pub fn cell_id(dataset: &str, generator: &str, epsilon: f64, seed: u64, fold: usize) -> String {
    format!("{dataset}__{generator}__eps-{}__seed-{seed}__fold-{fold}", fmt_f64(epsilon))
}

/// `cells.csv`, parsed and validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Cells {
    /// Metric columns in file order.
    pub metric_columns: Vec<String>,
    pub rows: Vec<CellRow>,
}

impl Cells {
    /// Read and validate `path`. Errors name the file, the line and the column.
    pub fn read(path: &Path) -> Result<Cells> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!("{}: file not found (a results directory written by `bench run` has one)", path.display())
            }
            Err(e) => bail!("cannot read {}: {e}", path.display()),
        };
        Cells::parse(&text, &path.display().to_string())
    }

    /// Parse the text of a cells.csv named `what` in errors.
    pub fn parse(text: &str, what: &str) -> Result<Cells> {
        let table = Table::parse(text, what)?;
        for (i, name) in FIXED_COLUMNS.iter().enumerate() {
            ensure!(
                table.header.get(i).map(String::as_str) == Some(*name),
                "{what}: line 1: column {} must be '{name}', found '{}' (see the results-format contract)",
                i + 1,
                table.header.get(i).map(String::as_str).unwrap_or("")
            );
        }
        let n = table.header.len();
        ensure!(
            n >= FIXED_COLUMNS.len() + TRAILING_COLUMNS.len()
                && table.header[n - 2..].iter().zip(TRAILING_COLUMNS).all(|(h, t)| h == t),
            "{what}: line 1: the last two columns must be 'nan_reasons' and 'bench_version'"
        );
        let metric_range = FIXED_COLUMNS.len()..n - TRAILING_COLUMNS.len();
        let metric_columns = table.header[metric_range.clone()].to_vec();
        for (i, m) in metric_columns.iter().enumerate() {
            ensure!(!m.is_empty(), "{what}: line 1: metric column {} has an empty name", metric_range.start + i + 1);
            ensure!(!metric_columns[..i].contains(m), "{what}: line 1: metric column '{m}' appears twice");
        }
        let rows = table.rows.iter().map(|r| parse_row(&table, r, metric_range.clone())).collect::<Result<_>>()?;
        Ok(Cells { metric_columns, rows })
    }
}

fn parse_row(t: &Table, r: &Record, metrics: std::ops::Range<usize>) -> Result<CellRow> {
    let f = |i: usize| r.fields[i].clone();
    let status = &r.fields[11];
    ensure!(status == "ok" || status == "error", "{}: expected 'ok' or 'error', got '{status}'", t.at(r, 11));
    let values = metrics
        .map(|i| match r.fields[i].as_str() {
            "" => Ok(None),
            s => match parse_f64(s) {
                Some(v) => Ok(Some(v)),
                None => bail!("{}: expected a number, NaN or empty, got '{s}'", t.at(r, i)),
            },
        })
        .collect::<Result<Vec<_>>>()?;
    for (i, name) in FIXED_COLUMNS.iter().enumerate().take(3) {
        ensure!(!r.fields[i].is_empty(), "{}: '{name}' must not be empty", t.at(r, i));
    }
    Ok(CellRow {
        line: r.line,
        dataset: f(0),
        dataset_source: f(1),
        generator: f(2),
        kind: f(3),
        epsilon: epsilon(t, r)?,
        delta: number(t, r, 6)?,
        seed: integer(t, r, 7)?,
        fold: integer(t, r, 8)?,
        profile: f(9),
        profile_version: f(10),
        ok: status == "ok",
        error_phase: f(12),
        error: f(13),
        dp: boolean(t, r, 14)?,
        end_to_end_dp: boolean(t, r, 15)?,
        rho_spent: number(t, r, 16)?,
        epsilon_spent: number(t, r, 17)?,
        budget_split: f(18),
        non_private_steps: f(19),
        warnings: f(20),
        values,
        bench_version: f(t.header.len() - 1),
    })
}

/// An optional number: empty → None.
fn number(t: &Table, r: &Record, i: usize) -> Result<Option<f64>> {
    match r.fields[i].as_str() {
        "" => Ok(None),
        s => match parse_f64(s) {
            Some(v) => Ok(Some(v)),
            None => bail!("{}: expected a number, got '{s}'", t.at(r, i)),
        },
    }
}

fn epsilon(t: &Table, r: &Record) -> Result<f64> {
    match parse_f64(&r.fields[5]) {
        Some(e) if e > 0.0 => Ok(e),
        _ => bail!("{}: expected a positive number or inf, got '{}'", t.at(r, 5), r.fields[5]),
    }
}

fn integer<T: std::str::FromStr>(t: &Table, r: &Record, i: usize) -> Result<T> {
    match r.fields[i].parse::<T>() {
        Ok(v) => Ok(v),
        Err(_) => bail!("{}: expected a non-negative integer, got '{}'", t.at(r, i), r.fields[i]),
    }
}

fn boolean(t: &Table, r: &Record, i: usize) -> Result<bool> {
    match r.fields[i].as_str() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        s => bail!("{}: expected 'true' or 'false', got '{s}'", t.at(r, i)),
    }
}

/// What the report needs from `manifest.json`; every field is optional so that a report can be
/// made from an older or partial manifest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    pub grid: Option<String>,
    pub bench_version: Option<String>,
    /// (name, version) in the run's profile order.
    pub profiles: Vec<(String, String)>,
    pub datasets: Vec<ManifestDataset>,
    pub generators: Vec<ManifestGenerator>,
    pub seeds: Vec<u64>,
    /// The whole manifest, for display.
    pub raw: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ManifestDataset {
    pub name: String,
    pub source: String,
    pub n_samples: Option<u64>,
    pub n_genes: Option<u64>,
    pub classes: Vec<String>,
    /// `None`: the manifest has no `reference` key; `Some(None)`: explicitly no reference.
    pub reference: Option<Option<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ManifestGenerator {
    pub name: String,
    pub kind: String,
    pub dp: Option<bool>,
    pub delta: Option<f64>,
    /// The generator's parameters as compact JSON.
    pub params: String,
}

impl Manifest {
    /// Read `path`; `Ok(None)` when it does not exist.
    pub fn read(path: &Path) -> Result<Option<Manifest>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => bail!("cannot read {}: {e}", path.display()),
        };
        let raw: Value = serde_json::from_str(&text).with_context(|| format!("{}: invalid JSON", path.display()))?;
        ensure!(raw.is_object(), "{}: expected a JSON object", path.display());
        Ok(Some(Manifest::from_value(raw)))
    }

    fn from_value(raw: Value) -> Manifest {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let list = |k: &str| raw.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
        Manifest {
            grid: s(&raw, "grid"),
            bench_version: s(&raw, "bench_version"),
            profiles: list("profiles")
                .iter()
                .filter_map(|p| Some((s(p, "name")?, s(p, "version").unwrap_or_default())))
                .collect(),
            datasets: list("datasets")
                .iter()
                .filter_map(|d| {
                    Some(ManifestDataset {
                        name: s(d, "name")?,
                        source: s(d, "source").unwrap_or_default(),
                        n_samples: d.get("n_samples").and_then(Value::as_u64),
                        n_genes: d.get("n_genes").and_then(Value::as_u64),
                        classes: d
                            .get("classes")
                            .and_then(Value::as_array)
                            .map(|c| c.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                            .unwrap_or_default(),
                        reference: d.get("reference").map(|r| r.as_str().map(str::to_string)),
                    })
                })
                .collect(),
            generators: list("generators")
                .iter()
                .filter_map(|g| {
                    Some(ManifestGenerator {
                        name: s(g, "name")?,
                        kind: s(g, "kind").unwrap_or_default(),
                        dp: g.get("dp").and_then(Value::as_bool),
                        delta: g.get("delta").and_then(Value::as_f64),
                        params: g.get("params").map(Value::to_string).unwrap_or_default(),
                    })
                })
                .collect(),
            seeds: raw
                .pointer("/protocol/seeds")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default(),
            raw,
        }
    }
}

/// Everything a report is made from.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub dir: PathBuf,
    pub cells: Cells,
    pub manifest: Option<Manifest>,
    pub grid_toml: Option<String>,
}

impl Inputs {
    /// Read the results directory `dir`.
    pub fn read(dir: &Path) -> Result<Inputs> {
        ensure!(dir.is_dir(), "{}: not a directory (expected a results directory of `bench run`)", dir.display());
        let cells = Cells::read(&dir.join("cells.csv"))?;
        let manifest = Manifest::read(&dir.join("manifest.json"))?;
        let grid_toml = match std::fs::read_to_string(dir.join("grid.toml")) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => bail!("cannot read {}: {e}", dir.join("grid.toml").display()),
        };
        Ok(Inputs { dir: dir.to_path_buf(), cells, manifest, grid_toml })
    }

    /// Profiles in the run's order: the manifest's list, then any other profile in cells.csv
    /// order of first appearance.
    pub fn profile_order(&self) -> Vec<String> {
        let mut order: Vec<String> =
            self.manifest.iter().flat_map(|m| m.profiles.iter().map(|(n, _)| n.clone())).collect();
        for r in &self.cells.rows {
            if !order.contains(&r.profile) {
                order.push(r.profile.clone());
            }
        }
        order
    }

    /// Datasets in cells.csv order (byte order of names, as the runner sorts).
    pub fn datasets(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in &self.cells.rows {
            if !names.contains(&r.dataset) {
                names.push(r.dataset.clone());
            }
        }
        names
    }

    /// The source recorded for a dataset (manifest first, then cells.csv).
    pub fn dataset_source(&self, dataset: &str) -> String {
        self.manifest_dataset(dataset)
            .map(|d| d.source.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| self.cells.rows.iter().find(|r| r.dataset == dataset).map(|r| r.dataset_source.clone()))
            .unwrap_or_default()
    }

    pub fn manifest_dataset(&self, dataset: &str) -> Option<&ManifestDataset> {
        self.manifest.as_ref()?.datasets.iter().find(|d| d.name == dataset)
    }

    /// The seed whose fold 1 the PCA figures show: the manifest's first seed, else the
    /// smallest seed of the dataset in cells.csv.
    pub fn pca_seed(&self, dataset: &str) -> Option<u64> {
        self.manifest
            .as_ref()
            .and_then(|m| m.seeds.first().copied())
            .or_else(|| self.cells.rows.iter().filter(|r| r.dataset == dataset).map(|r| r.seed).min())
    }

    /// The privacy report of a cell, if the runner wrote one.
    pub fn privacy(&self, cell_id: &str) -> Result<Option<PrivacyReport>> {
        let path = self.dir.join("privacy").join(format!("{cell_id}.json"));
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => bail!("cannot read {}: {e}", path.display()),
        };
        serde_json::from_str(&text).map(Some).with_context(|| format!("{}: not a privacy report", path.display()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The fixed header of cells.csv followed by `metrics` and the trailing columns.
    pub(crate) fn header(metrics: &[&str]) -> String {
        let mut cols: Vec<&str> = FIXED_COLUMNS.to_vec();
        cols.extend(metrics);
        cols.extend(TRAILING_COLUMNS);
        cols.join(",")
    }

    fn row(eps: &str, status: &str, value: &str) -> String {
        format!("d,sim.v1,g,k,h,{eps},,1,1,camda2025,camda2025.v1,{status},,,false,false,,,,,,10,5,10,{value},,0.1.0")
    }

    #[test]
    fn parses_a_valid_file() {
        let text = format!("{}\n{}\n{}\n", header(&["m"]), row("inf", "ok", "NaN"), row("0.5", "error", ""));
        let cells = Cells::parse(&text, "cells.csv").unwrap();
        assert_eq!(cells.metric_columns, vec!["m"]);
        assert_eq!(cells.rows.len(), 2);
        assert!(cells.rows[0].epsilon.is_infinite() && cells.rows[0].values[0].unwrap().is_nan());
        assert_eq!(cells.rows[1].values[0], None);
        assert!(!cells.rows[1].ok);
        assert_eq!(cells.rows[1].line, 3);
        assert_eq!(cells.rows[1].cell_id(), "d__g__eps-0.5__seed-1__fold-1");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let bad_value = format!("{}\n{}\n", header(&["m"]), row("1", "ok", "abc"));
        let e = Cells::parse(&bad_value, "cells.csv").unwrap_err();
        assert_eq!(e.message(), "cells.csv: line 2, column 'm': expected a number, NaN or empty, got 'abc'");
        let bad_eps = format!("{}\n{}\n", header(&["m"]), row("x", "ok", "1"));
        let e = Cells::parse(&bad_eps, "cells.csv").unwrap_err();
        assert!(e.message().starts_with("cells.csv: line 2, column 'epsilon'"), "{e}");
        let bad_status = format!("{}\n{}\n", header(&["m"]), row("1", "done", "1"));
        let e = Cells::parse(&bad_status, "cells.csv").unwrap_err();
        assert!(e.message().starts_with("cells.csv: line 2, column 'status'"), "{e}");
        let e = Cells::parse("dataset,generator\n", "cells.csv").unwrap_err();
        assert!(e.message().starts_with("cells.csv: line 1: column 2 must be 'dataset_source'"), "{e}");
    }
}
