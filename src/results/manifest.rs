//! `manifest.json`: what a run was made of (grid, profiles, datasets, generators, protocol).
//! Fields are declared in alphabetical order, the order in which they are written.

use serde::{Deserialize, Serialize};

/// The manifest the runner writes next to cells.csv.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub bench_version: String,
    pub datasets: Vec<ManifestDataset>,
    pub generators: Vec<ManifestGenerator>,
    /// The grid's name.
    pub grid: String,
    /// Directory of the grid file, from which its relative paths resolve (`bench export`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_dir: Option<std::path::PathBuf>,
    /// Metric profiles in run order.
    pub profiles: Vec<ManifestProfile>,
    pub protocol: ManifestProtocol,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestDataset {
    pub classes: Vec<String>,
    /// SHA-256 of IDs, labels and the bits of every value.
    pub content_hash: String,
    pub label_column: String,
    pub n_genes: usize,
    pub n_samples: usize,
    pub name: String,
    /// Published reference set (`BRCA`, `COMBINED`) the report compares with, if any.
    pub reference: Option<String>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestGenerator {
    pub delta: Option<f64>,
    pub dp: bool,
    pub epsilons: Option<Vec<f64>>,
    pub kind: String,
    pub name: String,
    pub params: toml::Table,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestProfile {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestProtocol {
    pub folds: usize,
    pub public_range: [f64; 2],
    pub seeds: Vec<u64>,
    /// `numpy` or `chacha`.
    pub split_rng: String,
    /// Per dataset, the split file used, if any.
    pub splits: Vec<Option<String>>,
}

impl Manifest {
    /// The JSON text of the file (pretty-printed, newline-terminated).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("manifest serialises") + "\n"
    }
}
