//! The typed records of a results directory: the cell key and identifier, a cell's status,
//! the facts a cell reports ([`CellFacts`]), the per-cell record the runner caches as
//! `cells/<id>.json`, and [`CellRow`], one row of `cells.csv` (one cell × metric profile).

use super::text::{f64_text, opt_f64_text};
use crate::io::fmt_f64;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The cell identifier used for `cells/`, `privacy/` and `pca/` file names (the one place the
/// format is written): `<dataset>__<generator>__eps-<ε>__seed-<s>__fold-<k>`, ε as
/// [`epsilon_id`] spells it.
pub fn cell_id(dataset: &str, generator: &str, epsilon: f64, seed: u64, fold: usize) -> String {
    format!("{dataset}__{generator}__eps-{}__seed-{seed}__fold-{fold}", epsilon_id(epsilon))
}

/// Longest ε spelling used as is in a cell id.
const MAX_EPSILON_ID_CHARS: usize = 12;

/// ε in a cell id, at most 17 characters whatever its digits: the shortest round-trip decimal
/// ([`fmt_f64`]: `1`, `0.5`, `inf`) when it has at most 12 characters, otherwise `x` and the
/// 16 hex digits of its IEEE-754 bits (`x3fbf9add3746f62e` for 0.123456789012345). Injective: a
/// decimal never starts with `x`, and both spellings determine the value exactly.
pub fn epsilon_id(epsilon: f64) -> String {
    let decimal = fmt_f64(epsilon);
    if decimal.len() <= MAX_EPSILON_ID_CHARS {
        decimal
    } else {
        format!("x{:016x}", epsilon.to_bits())
    }
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

/// What a cell reports besides its key, status and metric values: the privacy its fit claimed
/// and its row counts. The one list of these fields: the record stores them inline
/// (`cells/<id>.json`), every cells.csv row of the cell repeats them, and they are cells.csv's
/// columns `dp` … `n_synthetic` (read and written by name, see `LEADING_COLUMNS`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CellFacts {
    /// `None` until the fit has reported its privacy (a failed fit leaves it empty).
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
}

/// Everything recorded about one finished cell. Persisted as `cells/<id>.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    /// Content hash of everything the cell's result depends on.
    pub hash: String,
    pub key: CellKey,
    pub dataset_source: String,
    pub status: Status,
    #[serde(flatten)]
    pub facts: CellFacts,
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
                    key: self.key.clone(),
                    dataset_source: self.dataset_source.clone(),
                    profile: profile.clone(),
                    profile_version: row.map_or_else(|| version.clone(), |p| p.profile_version.clone()),
                    status: self.status.clone(),
                    facts: self.facts.clone(),
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
    pub key: CellKey,
    pub dataset_source: String,
    pub profile: String,
    pub profile_version: String,
    pub status: Status,
    pub facts: CellFacts,
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
        self.facts.dp == Some(true)
    }

    /// See [`cell_id`].
    pub fn cell_id(&self) -> String {
        self.key.id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsilon_ids_are_short_and_injective() {
        assert_eq!(cell_id("d", "g", 0.5, 1, 2), "d__g__eps-0.5__seed-1__fold-2");
        assert_eq!(epsilon_id(f64::INFINITY), "inf");
        assert_eq!(epsilon_id(0.001), "0.001");
        assert_eq!(epsilon_id(0.123456789), "0.123456789");
        assert_eq!(epsilon_id(0.123456789012345), "x3fbf9add3746f62e");
        for eps in [1e300, 1e-300, 0.1 + 0.2, 1000.0000000001] {
            let id = epsilon_id(eps);
            assert!(id.len() <= 17, "{id}");
            assert_eq!(f64::from_bits(u64::from_str_radix(&id[1..], 16).unwrap()), eps);
        }
        assert_ne!(epsilon_id(0.3), epsilon_id(0.1 + 0.2));
    }
}
