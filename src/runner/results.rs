//! Result records and the files of a results directory: `cells.csv` (deterministic),
//! `timings.csv`, `manifest.json`. The column contract is documented in README.md
//! ("Output files").

use crate::error::Result;
use crate::io::{csv_field, fmt_f64, write_atomic};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::path::Path;

/// What identifies a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellKey {
    pub dataset: String,
    pub generator: String,
    pub kind: String,
    pub params_hash: String,
    /// `inf` for non-DP generators (stored as text: JSON has no infinity).
    #[serde(with = "f64_as_text")]
    pub epsilon: f64,
    pub delta: Option<f64>,
    pub seed: u64,
    pub fold: usize,
}

impl CellKey {
    /// File-name-safe identifier: `<dataset>__<generator>__eps-<ε>__seed-<s>__fold-<k>`.
    pub fn id(&self) -> String {
        format!(
            "{}__{}__eps-{}__seed-{}__fold-{}",
            self.dataset,
            self.generator,
            fmt_f64(self.epsilon),
            self.seed,
            self.fold
        )
    }

    /// Sort order of result rows: names in byte order, ε numerically (inf last), seed, fold.
    pub fn cmp_key(&self, other: &CellKey) -> Ordering {
        self.dataset
            .cmp(&other.dataset)
            .then_with(|| self.generator.cmp(&other.generator))
            .then_with(|| self.epsilon.total_cmp(&other.epsilon))
            .then_with(|| self.seed.cmp(&other.seed))
            .then_with(|| self.fold.cmp(&other.fold))
    }
}

/// Serialise an f64 as its shortest round-trip text (`inf`, `NaN` included).
mod f64_as_text {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::io::fmt_f64(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| D::Error::custom(format!("not a number: {text}")))
    }
}

/// Metric values of one profile for one cell, already formatted for the CSV.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRow {
    pub profile: String,
    pub profile_version: String,
    /// (column, formatted value).
    pub values: Vec<(String, String)>,
    /// `metric=reason;…`
    pub nan_reasons: String,
}

/// Wall times and memory of a cell (not deterministic; kept out of cells.csv).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub fit_seconds: f64,
    pub sample_seconds: f64,
    pub score_seconds: f64,
    /// Process peak resident set size (VmHWM) when the cell finished, MiB.
    pub peak_rss_mb: f64,
}

/// Everything recorded about one finished cell. Persisted as `cells/<id>.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    /// Content hash of everything the cell's result depends on.
    pub hash: String,
    pub key: CellKey,
    pub dataset_source: String,
    /// `ok` or `error`.
    pub status: String,
    pub error_phase: String,
    pub error: String,
    pub dp: String,
    pub end_to_end_dp: String,
    pub rho_spent: String,
    pub epsilon_spent: String,
    pub budget_split: String,
    pub non_private_steps: String,
    pub warnings: String,
    pub n_train: usize,
    pub n_test: usize,
    pub n_synthetic: String,
    pub profiles: Vec<ProfileRow>,
    pub timings: Timings,
    pub diagnostics: Vec<(String, String)>,
}

impl CellRecord {
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}

const KEY_COLUMNS: [&str; 9] =
    ["dataset", "dataset_source", "generator", "kind", "params_hash", "epsilon", "delta", "seed", "fold"];
const CELL_COLUMNS: [&str; 15] = [
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

fn key_fields(r: &CellRecord) -> Vec<String> {
    vec![
        r.key.dataset.clone(),
        r.dataset_source.clone(),
        r.key.generator.clone(),
        r.key.kind.clone(),
        r.key.params_hash.clone(),
        fmt_f64(r.key.epsilon),
        r.key.delta.map(fmt_f64).unwrap_or_default(),
        r.key.seed.to_string(),
        r.key.fold.to_string(),
    ]
}

fn csv_line(fields: &[String]) -> String {
    let mut line = fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
    line.push('\n');
    line
}

/// Render `cells.csv`: one row per cell × profile, sorted by cell key then profile order.
/// `metric_columns` is the union of all profiles' columns in output order.
pub fn render_cells_csv(records: &[&CellRecord], profiles: &[(String, String)], metric_columns: &[String]) -> String {
    let mut header: Vec<String> = KEY_COLUMNS.iter().chain(&CELL_COLUMNS).map(|s| s.to_string()).collect();
    header.extend(metric_columns.iter().cloned());
    header.push("nan_reasons".into());
    header.push("bench_version".into());
    let mut out = csv_line(&header);
    let mut sorted: Vec<&CellRecord> = records.to_vec();
    sorted.sort_by(|a, b| a.key.cmp_key(&b.key));
    for r in sorted {
        for (profile, version) in profiles {
            let row = r.profiles.iter().find(|p| &p.profile == profile);
            let mut fields = key_fields(r);
            fields.push(profile.clone());
            fields.push(row.map_or_else(|| version.clone(), |p| p.profile_version.clone()));
            fields.extend([
                r.status.clone(),
                r.error_phase.clone(),
                r.error.clone(),
                r.dp.clone(),
                r.end_to_end_dp.clone(),
                r.rho_spent.clone(),
                r.epsilon_spent.clone(),
                r.budget_split.clone(),
                r.non_private_steps.clone(),
                r.warnings.clone(),
                r.n_train.to_string(),
                r.n_test.to_string(),
                r.n_synthetic.clone(),
            ]);
            for col in metric_columns {
                let v = row.and_then(|p| p.values.iter().find(|(c, _)| c == col)).map(|(_, v)| v.clone());
                fields.push(v.unwrap_or_default());
            }
            fields.push(row.map(|p| p.nan_reasons.clone()).unwrap_or_default());
            fields.push(crate::VERSION.to_string());
            out.push_str(&csv_line(&fields));
        }
    }
    out
}

/// Render `timings.csv`: key columns + times + memory, in the same row order as cells.csv.
pub fn render_timings_csv(records: &[&CellRecord]) -> String {
    let mut header: Vec<String> = KEY_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(["status", "fit_seconds", "sample_seconds", "score_seconds", "peak_rss_mb"].map(String::from));
    let mut out = csv_line(&header);
    let mut sorted: Vec<&CellRecord> = records.to_vec();
    sorted.sort_by(|a, b| a.key.cmp_key(&b.key));
    for r in sorted {
        let mut fields = key_fields(r);
        fields.push(r.status.clone());
        let t = &r.timings;
        fields.extend([t.fit_seconds, t.sample_seconds, t.score_seconds, t.peak_rss_mb].map(|v| format!("{v:.4}")));
        out.push_str(&csv_line(&fields));
    }
    out
}

/// Write cells.csv and timings.csv atomically.
pub fn write_results(
    dir: &Path,
    records: &[&CellRecord],
    profiles: &[(String, String)],
    metric_columns: &[String],
) -> Result<()> {
    write_atomic(&dir.join("cells.csv"), render_cells_csv(records, profiles, metric_columns).as_bytes())?;
    write_atomic(&dir.join("timings.csv"), render_timings_csv(records).as_bytes())
}

/// Process peak resident set size in MiB (Linux `VmHWM`; 0 where unavailable).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
