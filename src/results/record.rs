//! The typed records of a results directory: the cell key and identifier, a cell's status,
//! the per-cell record the runner caches as `cells/<id>.json`, and [`CellRow`], one row of
//! `cells.csv` (one cell × metric profile).

use super::text::{f64_text, opt_f64_text};
use crate::io::fmt_f64;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The cell identifier used for `cells/`, `privacy/` and `pca/` file names (the one place the
/// format is written): `<dataset>__<generator>__eps-<ε>__seed-<s>__fold-<k>`, ε as
/// [`fmt_f64`] writes it (`inf` for non-DP generators).
pub fn cell_id(dataset: &str, generator: &str, epsilon: f64, seed: u64, fold: usize) -> String {
    format!("{dataset}__{generator}__eps-{}__seed-{seed}__fold-{fold}", fmt_f64(epsilon))
}

/// What identifies a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellKey {
    pub dataset: String,
    pub generator: String,
    pub kind: String,
    pub params_hash: String,
    /// `inf` for non-DP generators (stored as text: JSON has no infinity).
    #[serde(with = "f64_text")]
    pub epsilon: f64,
    pub delta: Option<f64>,
    pub seed: u64,
    pub fold: usize,
}

impl CellKey {
    /// File-name-safe identifier, see [`cell_id`].
    pub fn id(&self) -> String {
        cell_id(&self.dataset, &self.generator, self.epsilon, self.seed, self.fold)
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

/// The phase of a cell in which something went wrong (`error_phase` in cells.csv).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Fit,
    Sample,
    Score,
    /// Persisting the cell's files.
    Write,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Fit => "fit",
            Phase::Sample => "sample",
            Phase::Score => "score",
            Phase::Write => "write",
        }
    }

    /// Parse the text of an `error_phase` column.
    pub fn parse(s: &str) -> Option<Phase> {
        [Phase::Fit, Phase::Sample, Phase::Score, Phase::Write].into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a cell ended. In cells.csv a status spans three columns: `status` ([`Status::label`]),
/// `error_phase` and `error` ([`Status::message`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    Ok,
    Error {
        phase: Phase,
        message: String,
    },
    /// The cell passed its `timeout` (grid key) in `phase` (fit or sample) after
    /// `elapsed_seconds` of wall time (rounded to 0.01 s); an external command was killed.
    Timeout {
        phase: Phase,
        limit_seconds: f64,
        elapsed_seconds: f64,
    },
}

impl Status {
    /// A timeout after `elapsed_seconds` (kept to 0.01 s, so that cells.csv round-trips it).
    pub fn timeout(phase: Phase, limit_seconds: f64, elapsed_seconds: f64) -> Status {
        Status::Timeout { phase, limit_seconds, elapsed_seconds: (elapsed_seconds * 100.0).round() / 100.0 }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Status::Ok)
    }

    /// The `status` column: `ok`, `error` or `timeout`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error { .. } => "error",
            Status::Timeout { .. } => "timeout",
        }
    }

    /// The failed phase, if any.
    pub fn phase(&self) -> Option<Phase> {
        match self {
            Status::Ok => None,
            Status::Error { phase, .. } | Status::Timeout { phase, .. } => Some(*phase),
        }
    }

    /// The `error` column: empty when ok; for a timeout
    /// `timed out after <elapsed> s (timeout <limit> s)` (parsed back by [`Status::parse`]).
    pub fn message(&self) -> String {
        match self {
            Status::Ok => String::new(),
            Status::Error { message, .. } => message.clone(),
            Status::Timeout { limit_seconds, elapsed_seconds, .. } => {
                format!("timed out after {} s (timeout {} s)", fmt_f64(*elapsed_seconds), fmt_f64(*limit_seconds))
            }
        }
    }

    /// The status of the three cells.csv columns, `None` when they do not form one.
    pub fn parse(label: &str, phase: &str, message: &str) -> Option<Status> {
        match label {
            "ok" => Some(Status::Ok),
            "error" => Some(Status::Error { phase: Phase::parse(phase)?, message: message.to_string() }),
            "timeout" => {
                let rest = message.strip_prefix("timed out after ")?;
                let (elapsed, rest) = rest.split_once(" s (timeout ")?;
                let limit = rest.strip_suffix(" s)")?;
                Some(Status::Timeout {
                    phase: Phase::parse(phase)?,
                    limit_seconds: crate::io::parse_f64(limit)?,
                    elapsed_seconds: crate::io::parse_f64(elapsed)?,
                })
            }
            _ => None,
        }
    }

    /// `phase: message` for logs and failure lists (empty phase when ok).
    pub fn summary(&self) -> String {
        format!("{}: {}", self.phase().map_or("", Phase::as_str), self.message())
    }
}

/// Metric values of one profile for one cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRow {
    pub profile: String,
    pub profile_version: String,
    /// (column, value); NaN where a metric is not computable (see `nan_reasons`).
    #[serde(with = "values_text")]
    pub values: Vec<(String, f64)>,
    /// (column, text) of the text-valued columns (e.g. the name of the worst attack).
    #[serde(default)]
    pub labels: Vec<(String, String)>,
    /// `metric=reason;…`
    pub nan_reasons: String,
}

/// `(column, value)` pairs with the values as text (JSON has no NaN or infinity).
mod values_text {
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
        let text: Vec<(&str, String)> = v.iter().map(|(c, x)| (c.as_str(), crate::io::fmt_f64(*x))).collect();
        text.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        let text: Vec<(String, String)> = Vec::deserialize(d)?;
        text.into_iter()
            .map(|(c, x)| match crate::io::parse_f64(&x) {
                Some(v) => Ok((c, v)),
                None => Err(D::Error::custom(format!("{c}: not a number: {x}"))),
            })
            .collect()
    }
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
    pub status: Status,
    /// `None` until the fit has reported its privacy (a failed fit leaves them empty).
    pub dp: Option<bool>,
    pub end_to_end_dp: Option<bool>,
    #[serde(with = "opt_f64_text")]
    pub rho_spent: Option<f64>,
    #[serde(with = "opt_f64_text")]
    pub epsilon_spent: Option<f64>,
    pub budget_split: String,
    pub non_private_steps: String,
    pub warnings: String,
    pub n_train: usize,
    pub n_test: usize,
    /// `None` when sampling did not finish.
    pub n_synthetic: Option<usize>,
    pub profiles: Vec<ProfileRow>,
    pub timings: Timings,
    pub diagnostics: Vec<(String, String)>,
}

impl CellRecord {
    pub fn is_ok(&self) -> bool {
        self.status.is_ok()
    }

    /// The cells.csv rows of this cell: one per `(profile, version)`, values in the order of
    /// `metric_columns` (`None` where the profile has no such column or the cell failed).
    pub fn rows(&self, profiles: &[(String, String)], metric_columns: &[String]) -> Vec<CellRow> {
        profiles
            .iter()
            .map(|(profile, version)| {
                let row = self.profiles.iter().find(|p| &p.profile == profile);
                let value = |col: &String| row.and_then(|p| p.values.iter().find(|(c, _)| c == col)).map(|(_, v)| *v);
                let label =
                    |col: &String| row.and_then(|p| p.labels.iter().find(|(c, _)| c == col)).map(|(_, t)| t.clone());
                CellRow {
                    dataset: self.key.dataset.clone(),
                    dataset_source: self.dataset_source.clone(),
                    generator: self.key.generator.clone(),
                    kind: self.key.kind.clone(),
                    params_hash: self.key.params_hash.clone(),
                    epsilon: self.key.epsilon,
                    delta: self.key.delta,
                    seed: self.key.seed,
                    fold: self.key.fold,
                    profile: profile.clone(),
                    profile_version: row.map_or_else(|| version.clone(), |p| p.profile_version.clone()),
                    status: self.status.clone(),
                    dp: self.dp,
                    end_to_end_dp: self.end_to_end_dp,
                    rho_spent: self.rho_spent,
                    epsilon_spent: self.epsilon_spent,
                    budget_split: self.budget_split.clone(),
                    non_private_steps: self.non_private_steps.clone(),
                    warnings: self.warnings.clone(),
                    n_train: self.n_train,
                    n_test: self.n_test,
                    n_synthetic: self.n_synthetic,
                    values: metric_columns.iter().map(value).collect(),
                    labels: metric_columns.iter().map(label).collect(),
                    nan_reasons: row.map(|p| p.nan_reasons.clone()).unwrap_or_default(),
                    bench_version: crate::VERSION.to_string(),
                }
            })
            .collect()
    }
}

/// One row of `cells.csv`: one cell × metric profile. The metric values are aligned with the
/// metric columns of the file ([`super::Cells::metric_columns`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CellRow {
    pub dataset: String,
    pub dataset_source: String,
    pub generator: String,
    pub kind: String,
    pub params_hash: String,
    /// `inf` for non-DP generators.
    pub epsilon: f64,
    pub delta: Option<f64>,
    pub seed: u64,
    pub fold: usize,
    pub profile: String,
    pub profile_version: String,
    pub status: Status,
    /// `None`: the cell failed before its privacy was known.
    pub dp: Option<bool>,
    pub end_to_end_dp: Option<bool>,
    pub rho_spent: Option<f64>,
    pub epsilon_spent: Option<f64>,
    pub budget_split: String,
    pub non_private_steps: String,
    pub warnings: String,
    pub n_train: usize,
    pub n_test: usize,
    pub n_synthetic: Option<usize>,
    /// One entry per metric column: `None` = empty cell (column not in this row's profile, or
    /// an error row, or a text column), `Some(NaN)` = not computable.
    pub values: Vec<Option<f64>>,
    /// Aligned with `values`: the text of a text-valued column (`ColumnSpec` kind text), else `None`.
    pub labels: Vec<Option<String>>,
    /// `metric=reason;…`
    pub nan_reasons: String,
    pub bench_version: String,
}

impl CellRow {
    pub fn is_ok(&self) -> bool {
        self.status.is_ok()
    }

    /// Whether the generator claims differential privacy (false when unknown).
    pub fn is_dp(&self) -> bool {
        self.dp == Some(true)
    }

    /// See [`cell_id`].
    pub fn cell_id(&self) -> String {
        cell_id(&self.dataset, &self.generator, self.epsilon, self.seed, self.fold)
    }
}
