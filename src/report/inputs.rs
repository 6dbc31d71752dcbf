//! The inputs of a report, read from a results directory (see README "Output files" and the
//! runner's `results` module): `cells.csv` (required), `manifest.json` and `grid.toml`
//! (optional: the report says when they are missing), `privacy/<cell_id>.json` and
//! `pca/<cell_id>.csv` (per cell, optional).

use crate::error::{Context, Result};
use crate::privacy::accountant::PrivacyReport;
use crate::{bail, ensure};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub use crate::results::{cell_id, CellRow, Cells};

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
            if !names.contains(&r.key.dataset) {
                names.push(r.key.dataset.clone());
            }
        }
        names
    }

    /// The source recorded for a dataset (manifest first, then cells.csv).
    pub fn dataset_source(&self, dataset: &str) -> String {
        self.manifest_dataset(dataset)
            .map(|d| d.source.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| self.cells.rows.iter().find(|r| r.key.dataset == dataset).map(|r| r.dataset_source.clone()))
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
            .or_else(|| self.cells.rows.iter().filter(|r| r.key.dataset == dataset).map(|r| r.key.seed).min())
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
    use crate::results::{LEADING_COLUMNS, TRAILING_COLUMNS};

    /// The fixed header of cells.csv followed by `metrics` and the trailing columns.
    pub(crate) fn header(metrics: &[&str]) -> String {
        let mut cols: Vec<&str> = LEADING_COLUMNS.to_vec();
        cols.extend(metrics);
        cols.extend(TRAILING_COLUMNS);
        cols.join(",")
    }

    fn row(eps: &str, status: &str, value: &str) -> String {
        let phase = if status == "error" { "fit" } else { "" };
        format!("d,sim.v1,g,k,h,{eps},,1,1,camda2025,camda2025.v1,{status},{phase},,false,false,,,,,,10,5,10,{value},,0.1.0")
    }

    #[test]
    fn parses_a_valid_file() {
        let text = format!("{}\n{}\n{}\n", header(&["m"]), row("inf", "ok", "NaN"), row("0.5", "error", ""));
        let cells = Cells::parse(&text, "cells.csv").unwrap();
        assert_eq!(cells.metric_columns, vec!["m"]);
        assert_eq!(cells.rows.len(), 2);
        assert!(cells.rows[0].key.epsilon.is_infinite() && cells.rows[0].values[0].unwrap().is_nan());
        assert_eq!(cells.rows[1].values[0], None);
        assert!(!cells.rows[1].is_ok());
        assert_eq!(cells.lines[1], 3);
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
        let bad_seed = format!("{}\n{}\n", header(&["m"]), row("1", "ok", "1").replace(",,1,1,", ",,x,1,"));
        let e = Cells::parse(&bad_seed, "cells.csv").unwrap_err();
        assert!(e.message().starts_with("cells.csv: line 2, column 'seed'"), "{e}");
        let e = Cells::parse("dataset,generator\n", "cells.csv").unwrap_err();
        assert!(e.message().starts_with("cells.csv: line 1: missing column 'dataset_source'"), "{e}");
    }
}
