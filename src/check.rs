//! The regression gate (`bench check`): compare a results directory's `cells.csv` with a stored
//! baseline, metric by metric, with per-metric tolerances and directions.
//!
//! Rows are matched by (dataset, generator, epsilon, seed, fold, profile). A metric *holds*
//! when `|current − baseline| ≤ tolerance` (NaN equals NaN). Otherwise the move is a
//! *regression* (worse in the metric's direction), an *improvement* (better: reported so that
//! baselines are updated on purpose) or a *change* (reference columns). Any of these, a missing
//! or new row, or a cell whose status changed fails the gate.
//!
//! Every metric column must be declared by a metric family ([`crate::metrics::resolve_column`]);
//! its spec gives the direction and the exactness. Text columns (attack names) hold only when
//! equal. Tolerances: a TOML file `[metrics.<column>]` with `absolute = x` or `relative = y`.
//! Unlisted columns get the default for their exactness: deterministic
//! columns relative 1e-9 (floating-point noise only), 4-dp rounded columns 1e-4 absolute (one
//! rounding unit), iterative (logistic-regression) columns must be listed. `derive_tolerances`
//! writes such a file from a multi-seed run: tolerance = factor × pooled seed-to-seed standard
//! deviation of the metric.

use crate::error::{Context, Result};
use crate::io::{fmt_f64, write_atomic};
use crate::metrics::{resolve_column, Direction, Exactness, ValueKind};
use crate::results::{CellRow, Cells};
use crate::{bail, ensure};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A per-metric tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    #[serde(default)]
    pub absolute: f64,
    #[serde(default)]
    pub relative: f64,
}

impl Tolerance {
    fn allows(&self, baseline: f64, current: f64) -> bool {
        if baseline.is_nan() || current.is_nan() {
            return baseline.is_nan() && current.is_nan();
        }
        let diff = (current - baseline).abs();
        diff <= self.absolute + self.relative * baseline.abs().max(current.abs()) || baseline == current
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToleranceFile {
    #[serde(default)]
    metrics: BTreeMap<String, ToleranceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToleranceEntry {
    #[serde(default)]
    absolute: f64,
    #[serde(default)]
    relative: f64,
    /// How the value was obtained (free text, kept for provenance).
    #[serde(default)]
    #[allow(dead_code)]
    source: String,
}

/// Per-metric tolerances with exactness-based defaults.
#[derive(Clone, Debug, Default)]
pub struct Tolerances {
    explicit: BTreeMap<String, Tolerance>,
}

impl Tolerances {
    /// Read a tolerance file.
    pub fn load(path: &Path) -> Result<Tolerances> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let file: ToleranceFile = toml::from_str(&text)
            .map_err(|e| crate::runner::grid_errors::toml_error(&text, &e).context(path.display()))?;
        let mut explicit = BTreeMap::new();
        for (metric, e) in file.metrics {
            ensure!(
                e.absolute >= 0.0 && e.relative >= 0.0 && e.absolute.is_finite() && e.relative.is_finite(),
                "{}: metrics.{metric}: tolerances must be finite and >= 0",
                path.display()
            );
            explicit.insert(metric, Tolerance { absolute: e.absolute, relative: e.relative });
        }
        Ok(Tolerances { explicit })
    }

    /// The tolerance of a column: explicit, or the default for its declared exactness; an error
    /// for a column no metric family declares.
    pub fn get(&self, column: &str) -> Result<Option<Tolerance>> {
        let exactness = resolve_column(column)?.exactness;
        Ok(self.explicit.get(column).copied().or_else(|| Self::default_for(exactness)))
    }

    fn default_for(exactness: Exactness) -> Option<Tolerance> {
        match exactness {
            Exactness::Deterministic => Some(Tolerance { absolute: 0.0, relative: 1e-9 }),
            Exactness::Rounded4 => Some(Tolerance { absolute: 1e-4 + 1e-12, relative: 0.0 }),
            Exactness::Iterative => None,
        }
    }
}

/// What happened to one compared value or row.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub row: String,
    pub metric: String,
    pub baseline: String,
    pub current: String,
    pub verdict: &'static str,
}

/// Outcome of a comparison.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub compared: usize,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    /// A plain-text table of the findings.
    pub fn render(&self) -> String {
        let mut out = format!("{:<9} {:<60} {:<28} {:>14} {:>14}\n", "verdict", "row", "metric", "baseline", "current");
        for f in &self.findings {
            out.push_str(&format!(
                "{:<9} {:<60} {:<28} {:>14} {:>14}\n",
                f.verdict, f.row, f.metric, f.baseline, f.current
            ));
        }
        out
    }
}

/// The identity of a row: `dataset / generator / epsilon / seed / fold / profile`.
fn row_key(r: &CellRow) -> String {
    format!(
        "{} / {} / {} / {} / {} / {}",
        r.key.dataset,
        r.key.generator,
        fmt_f64(r.key.epsilon),
        r.key.seed,
        r.key.fold,
        r.profile
    )
}

/// A cells.csv with its rows found by [`row_key`].
struct Indexed {
    cells: Cells,
    rows: HashMap<String, usize>,
    order: Vec<String>,
}

fn index(path: &Path) -> Result<Indexed> {
    let cells = Cells::read(path)?;
    let mut rows = HashMap::new();
    let mut order = Vec::new();
    for (i, r) in cells.rows.iter().enumerate() {
        let key = row_key(r);
        if rows.insert(key.clone(), i).is_some() {
            bail!("{}: line {}: duplicate row {key}", path.display(), cells.lines[i]);
        }
        order.push(key);
    }
    Ok(Indexed { cells, rows, order })
}

/// The value of `metric` in row `i` as written in the file (`None`: empty or no such column).
fn value(cells: &Cells, i: usize, metric: &str) -> Option<Cell> {
    let m = cells.metric_columns.iter().position(|c| c == metric)?;
    let row = &cells.rows[i];
    match (&row.labels[m], row.values[m]) {
        (Some(text), _) => Some(Cell::Text(text.clone())),
        (None, Some(v)) => Some(Cell::Number(v)),
        (None, None) => None,
    }
}

/// One metric cell of a cells.csv row.
enum Cell {
    Number(f64),
    Text(String),
}

fn text(v: &Option<Cell>) -> String {
    match v {
        Some(Cell::Number(x)) => fmt_f64(*x),
        Some(Cell::Text(t)) => t.clone(),
        None => String::new(),
    }
}

/// The tolerance file `bench check` reads when none is given: beside the baseline, named
/// `<name>.tolerances.toml` for a baseline `<name>.cells.csv` (or `<stem>.tolerances.toml`
/// for any other name), as in experiments/baselines/.
pub fn default_tolerance_file(baseline: &Path) -> PathBuf {
    let name = baseline.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = name
        .strip_suffix(".cells.csv")
        .map(str::to_string)
        .unwrap_or_else(|| baseline.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    baseline.with_file_name(format!("{stem}.tolerances.toml"))
}

/// Compare `results_dir/cells.csv` with `baseline`.
pub fn check(results_dir: &Path, baseline: &Path, tolerances: &Tolerances) -> Result<CheckReport> {
    let current_path = results_dir.join("cells.csv");
    let current = index(&current_path)?;
    let base = index(baseline)?;
    let metric_columns: Vec<&String> = base.cells.metric_columns.iter().collect();
    let mut column_tolerance = HashMap::new();
    for m in &metric_columns {
        let tolerance = tolerances.get(m).with_context(|| format!("{}: line 1", baseline.display()))?;
        let Some(tolerance) = tolerance else {
            bail!(
                "no tolerance for iterative metric '{m}': list it under [metrics.{m}] in the tolerance file ({} by default, or --tolerance-file; see README, Regression gate)",
                default_tolerance_file(baseline).display()
            );
        };
        column_tolerance.insert(m.as_str(), tolerance);
    }
    let mut report = CheckReport::default();
    for key in &base.order {
        let bi = base.rows[key];
        let Some(&ci) = current.rows.get(key) else {
            report.findings.push(Finding {
                row: key.clone(),
                metric: "-".into(),
                baseline: "present".into(),
                current: "missing".into(),
                verdict: "missing",
            });
            continue;
        };
        let (bs, cs) = (base.cells.rows[bi].status.label(), current.cells.rows[ci].status.label());
        if bs != cs {
            report.findings.push(Finding {
                row: key.clone(),
                metric: "status".into(),
                baseline: bs.into(),
                current: cs.into(),
                verdict: "status",
            });
            continue;
        }
        for m in &metric_columns {
            let (bval, cval) = (value(&base.cells, bi, m), value(&current.cells, ci, m));
            if bval.is_none() && cval.is_none() {
                continue;
            }
            report.compared += 1;
            let verdict = match (&bval, &cval) {
                (Some(Cell::Number(b)), Some(Cell::Number(c))) => judge(m, *b, *c, &column_tolerance[m.as_str()])?,
                (Some(Cell::Text(b)), Some(Cell::Text(c))) => (b != c).then_some("changed"),
                _ => Some("changed"),
            };
            if let Some(verdict) = verdict {
                report.findings.push(Finding {
                    row: key.clone(),
                    metric: m.to_string(),
                    baseline: text(&bval),
                    current: text(&cval),
                    verdict,
                });
            }
        }
    }
    for key in current.order.iter().filter(|k| !base.rows.contains_key(*k)) {
        report.findings.push(Finding {
            row: key.clone(),
            metric: "-".into(),
            baseline: "absent".into(),
            current: "present".into(),
            verdict: "new",
        });
    }
    Ok(report)
}

/// `None` when the value holds; otherwise the verdict, by the metric's declared direction.
fn judge(metric: &str, baseline: f64, current: f64, tol: &Tolerance) -> Result<Option<&'static str>> {
    if tol.allows(baseline, current) {
        return Ok(None);
    }
    if baseline.is_nan() || current.is_nan() {
        return Ok(Some("changed"));
    }
    let better = match resolve_column(metric)?.direction {
        Direction::Higher => current > baseline,
        Direction::Lower => current < baseline,
        Direction::Reference => return Ok(Some("changed")),
    };
    Ok(Some(if better { "improved" } else { "regressed" }))
}

/// Replace the baseline with the current cells.csv.
pub fn update_baseline(results_dir: &Path, baseline: &Path) -> Result<()> {
    let src = results_dir.join("cells.csv");
    let bytes = std::fs::read(&src).with_context(|| format!("cannot read {}", src.display()))?;
    write_atomic(baseline, &bytes)
}

/// Tolerances for the iterative metrics of a multi-seed results directory:
/// `absolute = factor × pooled sd`, where the pooled variance is the mean, over groups
/// (dataset, generator, epsilon, fold, profile) with ≥ 2 seeds, of the sample variance (ddof 1)
/// across seeds. Returns the TOML text, with the provenance of every value.
pub fn derive_tolerances(results_dir: &Path, factor: f64) -> Result<String> {
    ensure!(factor.is_finite() && factor > 0.0, "--factor must be > 0, got {factor}");
    let path = results_dir.join("cells.csv");
    let cells = Cells::read(&path)?;
    let mut out = format!(
        "# Regression-gate tolerances for the iterative (logistic-regression) metrics.\n\
         # Derived by `bench tolerances` from {} with factor {factor}:\n\
         # absolute = {factor} x pooled seed-to-seed standard deviation (ddof 1) over groups\n\
         # (dataset, generator, epsilon, fold, profile). Deterministic metrics are compared exactly\n\
         # (relative 1e-9; 4-dp rounded ones to one rounding unit) and are not listed.\n",
        path.display()
    );
    let mut seeds_seen = std::collections::BTreeSet::new();
    for (m_idx, metric) in cells.metric_columns.iter().enumerate() {
        let spec = resolve_column(metric).with_context(|| format!("{}: line 1", path.display()))?;
        if spec.exactness != Exactness::Iterative || spec.kind == ValueKind::Text {
            continue;
        }
        let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for r in cells.rows.iter().filter(|r| r.is_ok()) {
            seeds_seen.insert(r.key.seed);
            if let Some(v) = r.values[m_idx].filter(|v| v.is_finite()) {
                let key = format!(
                    "{}/{}/{}/{}/{}",
                    r.key.dataset,
                    r.key.generator,
                    fmt_f64(r.key.epsilon),
                    r.key.fold,
                    r.profile
                );
                groups.entry(key).or_default().push(v);
            }
        }
        let variances: Vec<f64> = groups.values().filter(|v| v.len() >= 2).map(|v| sample_variance(v)).collect();
        if variances.is_empty() {
            continue;
        }
        let pooled_sd = (variances.iter().sum::<f64>() / variances.len() as f64).sqrt();
        out.push_str(&format!(
            "\n[metrics.{metric}]\nabsolute = {}\nsource = \"{factor} x pooled seed-to-seed sd {} over {} groups\"\n",
            fmt_f64(factor * pooled_sd),
            fmt_f64(pooled_sd),
            variances.len()
        ));
    }
    ensure!(seeds_seen.len() >= 2, "{}: needs at least 2 seeds to measure seed-to-seed spread", path.display());
    Ok(out)
}

fn sample_variance(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_uses_direction_and_tolerance() {
        let tol = Tolerance { absolute: 0.01, relative: 0.0 };
        let judge = |m: &str, b: f64, c: f64| judge(m, b, c, &tol).unwrap();
        assert_eq!(judge("accuracy_synthetic", 0.80, 0.805), None);
        assert_eq!(judge("accuracy_synthetic", 0.80, 0.78), Some("regressed"));
        assert_eq!(judge("accuracy_synthetic", 0.80, 0.82), Some("improved"));
        assert_eq!(judge("MMD_score", 0.02, 0.05), Some("regressed"));
        assert_eq!(judge("submmd_BRCA.LumA", 0.05, 0.01), Some("improved"));
        assert_eq!(judge("accuracy_real", 0.80, 0.82), Some("changed"));
        assert_eq!(judge("MMD_score", f64::NAN, f64::NAN), None);
        assert_eq!(judge("MMD_score", f64::NAN, 0.1), Some("changed"));
    }

    #[test]
    fn defaults_by_exactness() {
        let t = Tolerances::default();
        assert_eq!(t.get("MMD_score").unwrap(), Some(Tolerance { absolute: 0.0, relative: 1e-9 }));
        assert!(t.get("accuracy_synthetic").unwrap().is_none());
        assert!(t.get("distance_to_closest").unwrap().unwrap().allows(24.0, 24.0001));
        assert!(!t.get("distance_to_closest").unwrap().unwrap().allows(24.0, 24.0002));
    }

    #[test]
    fn an_undeclared_column_is_an_error_not_a_reference() {
        let err = Tolerances::default().get("accuracy_synth").unwrap_err().to_string();
        assert!(err.contains("column 'accuracy_synth' is not declared by any metric family"), "{err}");
        let tol = Tolerance { absolute: 0.01, relative: 0.0 };
        assert!(judge("accuracy_synth", 0.8, 0.9, &tol).is_err());
    }

    #[test]
    fn sample_variance_by_hand() {
        assert_eq!(sample_variance(&[1.0, 3.0]), 2.0);
    }
}
