//! `table1.csv` and `table1_long.csv`: the fold × seed aggregates of `cells.csv`, laid out like
//! Table 1 of Menzies et al. (reference-tables.md) and aggregated as metrics.md §0.3 and §1.3 say.
//!
//! **Rows.** One row per dataset × generator × ε × profile (× profile version) over the ok and
//! error cells of every seed and fold, plus, per dataset and profile, one row of real-data
//! reference values (`row = real`): the real-only columns (declared `real_only` by their metric
//! family, e.g. `accuracy_real`, `distance_to_closest_base`) do not depend on the generator, so
//! they are taken once per (seed, fold), from the first ok cell of that fold in cells.csv order.
//! A metric column that no metric family declares is an error.
//!
//! **Columns.** First the six columns of the paper's Table 1, under short names, each filled
//! from the first of its source columns present in the row's profile:
//!
//! | column | generator rows | real rows |
//! |---|---|---|
//! | `acc` (Acc.) | `accuracy_synthetic` | `accuracy_real` |
//! | `aupr` (AUPR) | `avg_pr_macro_synthetic` | `avg_pr_macro_real` |
//! | `feature_overlap` | `feature_overlap_count` | – |
//! | `mmd` (MMD) | `MMD_score` (camda2025), `MMD_train` (camda2026) | `MMD_base` |
//! | `discriminative` | `discriminative_score` | – |
//! | `dcr` (DCR, a distance proxy, not a privacy test) | `distance_to_closest` | `distance_to_closest_base` |
//!
//! then, when profile `mia` ran, the worst-case attack of each `mia_worst_<m>` metric in the
//! paper's convention (`mia_worst_mean_<m>_*` and `mia_worst_mean_<m>_attack`, see
//! [`super::suite`]), then every other metric column in cells.csv order. A metric column belongs to a profile when
//! some ok row of that profile has a value in it; the cells of other columns stay empty.
//!
//! **Statistics** (per row and column, over the valid values `x_1..x_n`; NaN and empty values are
//! skipped, error cells are excluded and counted in `n_error`):
//!
//! ```text
//! mean = (1/n) Σ x_i                                   (NaN when n = 0)
//! sd   = √( Σ (x_i − mean)² / (n − 1) )                (ddof 1; NaN when n < 2)
//! ci95 = mean ∓ t_{0.975, n−1} · sd / √n               (Student-t interval; NaN when n < 2)
//! boot95 = percentiles 2.5 and 97.5 of the means of B = 2000 resamples (with replacement,
//!          n values each) of x_1..x_n                  (percentile bootstrap; NaN when n < 2)
//! ```
//!
//! Both intervals treat the fold × seed values as independent draws. Folds of one seed share
//! training rows, so they are approximate (usually too narrow) intervals, not exact ones. The
//! t-interval is symmetric and can leave the metric's range (an accuracy interval up to 1.02);
//! the bootstrap interval always lies between the smallest and the largest value, hence inside
//! the range of any metric, and is the one the HTML report shows. With n = 5 values it is
//! narrow (it undercovers); read it as the spread of the mean, not as a guarantee. The resamples
//! come from a fixed seed, so the interval is a deterministic function of the values.
//! The mean is a compensated (Kahan) sum divided by n and the variance Welford's online
//! recurrence ([`super::stats`]); both are the recurrences of the polars aggregations this
//! table was computed with until polars was removed, so table1.csv stayed byte-identical.

use super::inputs::{CellRow, Cells};
use super::stats::{bootstrap_mean_interval, kahan_mean, student_t_quantile, welford_variance};
use super::suite;
use crate::error::{Context, Result};
use crate::io::{csv_field, fmt_f64, write_atomic};
use crate::metrics::{column_spec, resolve_column};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One of the six columns of the paper's Table 1.
#[derive(Clone, Copy, Debug)]
pub struct PaperColumn {
    /// Column stem in table1.csv.
    pub key: &'static str,
    /// Heading as in the paper, with the better direction.
    pub label: &'static str,
    /// Source columns on generator rows, first present wins.
    pub synthetic: &'static [&'static str],
    /// Source columns on real-data rows.
    pub real: &'static [&'static str],
}

/// The paper's Table 1 columns, in its order.
pub const PAPER_COLUMNS: [PaperColumn; 6] = [
    PaperColumn { key: "acc", label: "Acc. ↑", synthetic: &["accuracy_synthetic"], real: &["accuracy_real"] },
    PaperColumn {
        key: "aupr", label: "AUPR ↑", synthetic: &["avg_pr_macro_synthetic"], real: &["avg_pr_macro_real"]
    },
    PaperColumn {
        key: "feature_overlap",
        label: "Feature overlap ↑",
        synthetic: &["feature_overlap_count"],
        real: &[],
    },
    PaperColumn { key: "mmd", label: "MMD ↓", synthetic: &["MMD_score", "MMD_train"], real: &["MMD_base"] },
    PaperColumn { key: "discriminative", label: "Discriminative ↓", synthetic: &["discriminative_score"], real: &[] },
    PaperColumn {
        key: "dcr",
        label: "DCR (distance proxy) ↑",
        synthetic: &["distance_to_closest"],
        real: &["distance_to_closest_base"],
    },
];

/// True for the columns that depend on the real data only, as their metric family declares
/// (metrics.md §2.1 "reference"). [`build`] rejects undeclared columns, so every column of a
/// [`Table1`] resolves.
pub fn is_real_only(metric: &str) -> bool {
    column_spec(metric).is_some_and(|s| s.real_only)
}

/// The real-only counterpart of a generator metric as its family declares it
/// (`accuracy_synthetic` → `accuracy_real`, `distance_to_closest` → `distance_to_closest_base`).
pub fn real_counterpart(metric: &str) -> Option<String> {
    column_spec(metric).and_then(|s| s.real_counterpart).map(String::from)
}

/// Summary statistics of one metric over folds × seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub sd: f64,
    /// Number of valid (non-NaN) values.
    pub n: usize,
    pub ci_lo: f64,
    pub ci_hi: f64,
    /// 95 % percentile-bootstrap interval of the mean (see the module documentation).
    pub boot_lo: f64,
    pub boot_hi: f64,
}

impl Stat {
    /// Statistics of one metric over its fold × seed values; `None` (empty cell) and NaN values
    /// are skipped and not counted.
    pub fn of(values: impl Iterator<Item = Option<f64>>) -> Stat {
        let valid: Vec<f64> = values.flatten().filter(|v| !v.is_nan()).collect();
        let (boot_lo, boot_hi) = bootstrap_mean_interval(&valid, 0.95);
        Stat { boot_lo, boot_hi, ..Stat::new(kahan_mean(&valid), welford_variance(&valid, 1).sqrt(), valid.len()) }
    }

    /// Complete a (mean, sd, n) triple with the t-interval of the module documentation (the
    /// bootstrap interval, which needs the values, is left NaN).
    pub fn new(mean: f64, sd: f64, n: usize) -> Stat {
        let nan = f64::NAN;
        if n == 0 {
            return Stat { mean: nan, sd: nan, n, ci_lo: nan, ci_hi: nan, boot_lo: nan, boot_hi: nan };
        }
        if n < 2 || !sd.is_finite() {
            return Stat { mean, sd: nan, n, ci_lo: nan, ci_hi: nan, boot_lo: nan, boot_hi: nan };
        }
        let half = student_t_quantile(0.975, n as u64 - 1) * sd / (n as f64).sqrt();
        Stat { mean, sd, n, ci_lo: mean - half, ci_hi: mean + half, boot_lo: nan, boot_hi: nan }
    }
}

/// Whether a row holds generator results or the real-data references.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowKind {
    Real,
    Generator,
}

/// One row of table1.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub dataset: String,
    pub row: RowKind,
    /// Empty on real rows.
    pub generator: String,
    pub kind: String,
    /// `None` on real rows; `inf` for non-DP generators.
    pub epsilon: Option<f64>,
    pub profile: String,
    pub profile_version: String,
    /// Cells in the group (real rows: distinct seed × fold).
    pub n_cells: usize,
    /// Error cells (real rows: seed × fold without any ok cell).
    pub n_error: usize,
    /// Statistics per source metric column, for the columns that belong to this row.
    pub stats: BTreeMap<String, Stat>,
}

impl Row {
    /// The source column and statistics of a paper column on this row.
    pub fn paper(&self, col: &PaperColumn) -> Option<(&'static str, &Stat)> {
        let sources = if self.row == RowKind::Real { col.real } else { col.synthetic };
        sources.iter().find_map(|s| self.stats.get(*s).map(|st| (*s, st)))
    }

    /// Label of the row for people: generator name, or "real data".
    pub fn label(&self) -> String {
        match self.row {
            RowKind::Real => "real data".into(),
            RowKind::Generator => self.generator.clone(),
        }
    }
}

/// The aggregated table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table1 {
    /// Metric columns that are not a source of a paper column, in cells.csv order.
    pub other_columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table1 {
    /// (column, source metric, stat) of a row in table order: paper columns, then the others.
    pub fn row_values<'a>(&self, row: &'a Row) -> Vec<(String, &'a str, &'a Stat)> {
        let mut out: Vec<(String, &str, &Stat)> =
            PAPER_COLUMNS.iter().filter_map(|c| row.paper(c).map(|(m, s)| (c.key.to_string(), m, s))).collect();
        for m in &self.other_columns {
            if let Some((name, st)) = row.stats.get_key_value(m) {
                out.push((m.clone(), name.as_str(), st));
            }
        }
        out
    }

    /// Rows of one dataset and profile, in table order.
    pub fn rows_of<'a>(&'a self, dataset: &'a str, profile: &'a str) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows.iter().filter(move |r| r.dataset == dataset && r.profile == profile)
    }
}

/// Group key of a table row (before sorting).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct GroupKey {
    dataset: String,
    row: RowKind,
    generator: String,
    epsilon_bits: u64,
    profile: String,
    profile_version: String,
}

/// Aggregate cells.csv into Table 1. `profile_order` orders the profile rows.
pub fn build(cells: &Cells, profile_order: &[String]) -> Result<Table1> {
    for m in &cells.metric_columns {
        resolve_column(m).context("cells.csv")?;
    }
    let belongs = profile_columns(cells);
    let mut keys: Vec<GroupKey> = Vec::new();
    let mut index: HashMap<GroupKey, usize> = HashMap::new();
    let mut members: Vec<Vec<&CellRow>> = Vec::new();
    for r in &cells.rows {
        for row in [RowKind::Real, RowKind::Generator] {
            let key = group_key(r, row);
            let g = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                members.push(Vec::new());
                keys.len() - 1
            });
            members[g].push(r);
        }
    }
    let mut rows = Vec::with_capacity(keys.len());
    for (key, group) in keys.iter().zip(&members) {
        let used = match key.row {
            RowKind::Real => first_ok_per_fold(group),
            RowKind::Generator => group.iter().copied().filter(|r| r.is_ok()).collect(),
        };
        let columns: Vec<usize> = belongs
            .get(&key.profile)
            .map(|cols| {
                cols.iter()
                    .copied()
                    .filter(|&m| is_real_only(&cells.metric_columns[m]) == (key.row == RowKind::Real))
                    .collect()
            })
            .unwrap_or_default();
        let (n_cells, n_error) = match key.row {
            RowKind::Real => {
                let folds = distinct_folds(group);
                (folds, folds - used.len())
            }
            RowKind::Generator => (group.len(), group.iter().filter(|r| !r.is_ok()).count()),
        };
        rows.push(Row {
            dataset: key.dataset.clone(),
            row: key.row,
            generator: key.generator.clone(),
            kind: if key.row == RowKind::Real { String::new() } else { group[0].key.kind.clone() },
            epsilon: (key.row == RowKind::Generator).then(|| f64::from_bits(key.epsilon_bits)),
            profile: key.profile.clone(),
            profile_version: key.profile_version.clone(),
            n_cells,
            n_error,
            stats: columns
                .iter()
                .map(|&m| (cells.metric_columns[m].clone(), Stat::of(used.iter().map(|r| r.values[m]))))
                .collect(),
        });
    }
    rows.retain(|r| r.row == RowKind::Generator || !r.stats.is_empty());
    let rank = |p: &str| profile_order.iter().position(|q| q == p).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        a.dataset
            .cmp(&b.dataset)
            .then(a.row.cmp(&b.row))
            .then_with(|| a.generator.cmp(&b.generator))
            .then_with(|| a.epsilon.unwrap_or(0.0).total_cmp(&b.epsilon.unwrap_or(0.0)))
            .then_with(|| rank(&a.profile).cmp(&rank(&b.profile)))
            .then_with(|| a.profile.cmp(&b.profile))
            .then_with(|| a.profile_version.cmp(&b.profile_version))
    });
    let sources: Vec<&str> = PAPER_COLUMNS.iter().flat_map(|c| c.synthetic.iter().chain(c.real)).copied().collect();
    let other_columns = cells.metric_columns.iter().filter(|m| !sources.contains(&m.as_str())).cloned().collect();
    Ok(Table1 { other_columns, rows })
}

fn group_key(r: &CellRow, row: RowKind) -> GroupKey {
    let generator_row = row == RowKind::Generator;
    GroupKey {
        dataset: r.key.dataset.clone(),
        row,
        generator: if generator_row { r.key.generator.clone() } else { String::new() },
        epsilon_bits: if generator_row { r.key.epsilon.to_bits() } else { 0 },
        profile: r.profile.clone(),
        profile_version: r.profile_version.clone(),
    }
}

/// The metric columns (indices) of each profile: those with a value in some ok row.
fn profile_columns(cells: &Cells) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for r in cells.rows.iter().filter(|r| r.is_ok()) {
        let cols = out.entry(r.profile.clone()).or_default();
        for (m, v) in r.values.iter().enumerate() {
            if v.is_some() && !cols.contains(&m) {
                cols.push(m);
            }
        }
    }
    for cols in out.values_mut() {
        cols.sort_unstable();
    }
    out
}

/// The first ok row of each (seed, fold), in file order.
fn first_ok_per_fold<'a>(group: &[&'a CellRow]) -> Vec<&'a CellRow> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for r in group.iter().filter(|r| r.is_ok()) {
        if !seen.contains(&(r.key.seed, r.key.fold)) {
            seen.push((r.key.seed, r.key.fold));
            out.push(*r);
        }
    }
    out
}

fn distinct_folds(group: &[&CellRow]) -> usize {
    let mut folds: Vec<(u64, usize)> = group.iter().map(|r| (r.key.seed, r.key.fold)).collect();
    folds.sort_unstable();
    folds.dedup();
    folds.len()
}

/// The statistics suffixes of every metric column, in order.
pub const STATISTICS: [&str; 7] = ["mean", "sd", "n", "ci95_lo", "ci95_hi", "boot95_lo", "boot95_hi"];

fn stat_fields(s: &Stat) -> [String; 7] {
    [
        fmt_f64(s.mean),
        fmt_f64(s.sd),
        s.n.to_string(),
        fmt_f64(s.ci_lo),
        fmt_f64(s.ci_hi),
        fmt_f64(s.boot_lo),
        fmt_f64(s.boot_hi),
    ]
}

fn key_fields(r: &Row) -> Vec<String> {
    vec![
        r.dataset.clone(),
        match r.row {
            RowKind::Real => "real".into(),
            RowKind::Generator => "generator".into(),
        },
        r.generator.clone(),
        r.kind.clone(),
        r.epsilon.map(fmt_f64).unwrap_or_default(),
        r.profile.clone(),
        r.profile_version.clone(),
    ]
}

fn csv_line(fields: impl IntoIterator<Item = String>) -> String {
    let mut line = fields.into_iter().map(|f| csv_field(&f)).collect::<Vec<_>>().join(",");
    line.push('\n');
    line
}

/// Render table1.csv (wide: `<column>_<statistic>` for every column).
pub fn render_wide(t: &Table1) -> String {
    let columns: Vec<&str> =
        PAPER_COLUMNS.iter().map(|c| c.key).chain(t.other_columns.iter().map(String::as_str)).collect();
    let mut header: Vec<String> =
        ["dataset", "row", "generator", "kind", "epsilon", "profile", "profile_version", "n_cells", "n_error"]
            .map(String::from)
            .to_vec();
    header.extend(columns.iter().flat_map(|c| STATISTICS.iter().map(move |s| format!("{c}_{s}"))));
    let worst = suite::worst_mean_metrics(t);
    header.splice(PAPER_END..PAPER_END, worst_mean_header(&worst));
    let mut out = csv_line(header);
    for r in &t.rows {
        let mut fields = key_fields(r);
        fields.extend([r.n_cells.to_string(), r.n_error.to_string()]);
        let values: HashMap<String, &Stat> = t.row_values(r).into_iter().map(|(c, _, s)| (c, s)).collect();
        for c in &columns {
            match values.get(*c) {
                Some(s) => fields.extend(stat_fields(s)),
                None => fields.extend(std::iter::repeat_n(String::new(), STATISTICS.len())),
            }
        }
        fields.splice(PAPER_END..PAPER_END, worst_mean_fields(r, &worst));
        out.push_str(&csv_line(fields));
    }
    out
}

/// Index just after the paper columns of a wide header or row (9 key fields + 6 × statistics).
const PAPER_END: usize = 9 + PAPER_COLUMNS.len() * STATISTICS.len();

/// The wide header of the paper-convention worst-case MIA columns ([`suite`]): per metric its
/// statistics and `_attack`.
fn worst_mean_header(metrics: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for m in metrics {
        let c = suite::worst_mean_column(m);
        out.extend(STATISTICS.iter().map(|s| format!("{c}_{s}")));
        out.push(format!("{c}_attack"));
    }
    out
}

/// The fields of [`worst_mean_header`] for row `r` (empty where it has no worst attack).
fn worst_mean_fields(r: &Row, metrics: &[&'static str]) -> Vec<String> {
    let mut out = Vec::new();
    for m in metrics {
        match suite::worst_mean(r, m) {
            Some(w) => {
                out.extend(stat_fields(w.stat));
                out.push(w.attack.to_string());
            }
            None => out.extend(std::iter::repeat_n(String::new(), STATISTICS.len() + 1)),
        }
    }
    out
}

/// Render table1_long.csv: one value per line, metrics under their cells.csv names, then the
/// paper-convention worst-case MIA statistics as metric `mia_worst_mean_<m>` (the attack's name
/// is in table1.csv only, which keeps `value` numeric).
pub fn render_long(t: &Table1) -> String {
    let mut out =
        csv_line(["dataset", "generator", "epsilon", "profile", "metric", "statistic", "value"].map(String::from));
    let worst = suite::worst_mean_metrics(t);
    for r in &t.rows {
        for (_, metric, s) in t.row_values(r) {
            for (stat, value) in STATISTICS.iter().zip(stat_fields(s)) {
                out.push_str(&csv_line([
                    r.dataset.clone(),
                    r.generator.clone(),
                    r.epsilon.map(fmt_f64).unwrap_or_default(),
                    r.profile.clone(),
                    metric.to_string(),
                    stat.to_string(),
                    value,
                ]));
            }
        }
        for &m in &worst {
            let Some(w) = suite::worst_mean(r, m) else { continue };
            for (stat, value) in STATISTICS.iter().zip(stat_fields(w.stat)) {
                out.push_str(&csv_line([
                    r.dataset.clone(),
                    r.generator.clone(),
                    r.epsilon.map(fmt_f64).unwrap_or_default(),
                    r.profile.clone(),
                    suite::worst_mean_column(m),
                    stat.to_string(),
                    value,
                ]));
            }
        }
    }
    out
}

/// Write table1.csv and table1_long.csv into `dir` atomically.
pub fn write(dir: &Path, t: &Table1) -> Result<()> {
    write_atomic(&dir.join("table1.csv"), render_wide(t).as_bytes())?;
    write_atomic(&dir.join("table1_long.csv"), render_long(t).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::inputs::tests::header;

    fn row(generator: &str, eps: &str, fold: u32, status: &str, acc: &str, real: &str, extra: &str) -> String {
        format!(
            "d,sim.v1,{generator},k,h,{eps},,1,{fold},camda2025,camda2025.v1,{status},{phase},,false,false,,,,,,10,5,10,{acc},{real},{extra},,0.1.0",
            phase = if status == "error" { "fit" } else { "" }
        )
    }

    fn cells(rows: &[String]) -> Cells {
        let text = format!(
            "{}\n{}\n",
            header(&["accuracy_synthetic", "accuracy_real", "feature_overlap_proportion"]),
            rows.join("\n")
        );
        Cells::parse(&text, "cells.csv").unwrap()
    }

    #[test]
    fn hand_computed_mean_sd_interval() {
        // acc = 0.5, 0.7, 0.9 (+ a NaN and an error cell): mean 0.7, sd 0.2, n 3,
        // half-width t_{0.975,2}·0.2/√3 with t_{0.975,2} = 4.302652729749462 (scipy).
        let c = cells(&[
            row("g", "1", 1, "ok", "0.5", "0.8", "1"),
            row("g", "1", 2, "ok", "0.7", "0.9", "2"),
            row("g", "1", 3, "ok", "0.9", "0.7", "NaN"),
            row("g", "1", 4, "ok", "NaN", "0.8", "4"),
            row("g", "1", 5, "error", "", "", ""),
        ]);
        let t = build(&c, &["camda2025".into()]).unwrap();
        assert_eq!(t.rows.len(), 2);
        let g = &t.rows[1];
        assert_eq!((g.n_cells, g.n_error), (5, 1));
        let acc = g.stats["accuracy_synthetic"];
        assert_eq!(acc.n, 3);
        assert!((acc.mean - 0.7).abs() < 1e-15 && (acc.sd - 0.2).abs() < 1e-15);
        let half = 4.302652729749462 * 0.2 / 3f64.sqrt();
        assert!((acc.ci_lo - (0.7 - half)).abs() < 1e-12 && (acc.ci_hi - (0.7 + half)).abs() < 1e-12);
        assert_eq!(g.stats["feature_overlap_proportion"].n, 3);
        assert!((g.stats["feature_overlap_proportion"].mean - 7.0 / 3.0).abs() < 1e-15);
        let real = &t.rows[0];
        assert_eq!(real.row, RowKind::Real);
        assert_eq!((real.n_cells, real.n_error), (5, 1));
        assert!((real.stats["accuracy_real"].mean - 0.8).abs() < 1e-15);
        assert!(!real.stats.contains_key("feature_overlap_proportion") && !g.stats.contains_key("accuracy_real"));
    }

    #[test]
    fn single_value_and_all_nan() {
        let c = cells(&[row("g", "1", 1, "ok", "0.5", "0.8", "NaN")]);
        let t = build(&c, &[]).unwrap();
        let g = &t.rows[1];
        assert_eq!(g.stats["accuracy_synthetic"].n, 1);
        assert!(g.stats["accuracy_synthetic"].sd.is_nan() && g.stats["accuracy_synthetic"].ci_lo.is_nan());
        assert_eq!(g.stats["feature_overlap_proportion"].n, 0);
        assert!(g.stats["feature_overlap_proportion"].mean.is_nan());
    }

    #[test]
    fn rows_sorted_and_real_values_counted_once_per_fold() {
        let c = cells(&[
            row("b", "inf", 1, "ok", "0.5", "0.8", "1"),
            row("a", "2", 1, "ok", "0.5", "0.8", "1"),
            row("a", "0.5", 1, "ok", "0.5", "0.9", "1"),
        ]);
        let t = build(&c, &[]).unwrap();
        let order: Vec<(String, Option<f64>)> = t.rows.iter().map(|r| (r.generator.clone(), r.epsilon)).collect();
        assert_eq!(
            order,
            vec![
                (String::new(), None),
                ("a".into(), Some(0.5)),
                ("a".into(), Some(2.0)),
                ("b".into(), Some(f64::INFINITY))
            ]
        );
        // One (seed, fold): the first ok row in file order gives the real value.
        assert_eq!(t.rows[0].stats["accuracy_real"].n, 1);
        assert_eq!(t.rows[0].stats["accuracy_real"].mean, 0.8);
    }

    #[test]
    fn wide_and_long_layouts() {
        let c = cells(&[row("g", "1", 1, "ok", "0.5", "0.8", "3"), row("g", "1", 2, "ok", "0.7", "0.8", "5")]);
        let t = build(&c, &[]).unwrap();
        let wide = render_wide(&t);
        let lines: Vec<&str> = wide.lines().collect();
        assert!(lines[0].starts_with("dataset,row,generator,kind,epsilon,profile,profile_version,n_cells,n_error,acc_mean,acc_sd,acc_n,acc_ci95_lo,acc_ci95_hi,acc_boot95_lo,acc_boot95_hi,aupr_mean"));
        assert!(lines[0].ends_with(",feature_overlap_proportion_mean,feature_overlap_proportion_sd,feature_overlap_proportion_n,feature_overlap_proportion_ci95_lo,feature_overlap_proportion_ci95_hi,feature_overlap_proportion_boot95_lo,feature_overlap_proportion_boot95_hi"));
        assert!(lines[1].starts_with("d,real,,,,camda2025,camda2025.v1,2,0,0.8,0,2,0.8,0.8,0.8,0.8,,"), "{}", lines[1]);
        assert!(lines[2].starts_with("d,generator,g,k,1,camda2025,camda2025.v1,2,0,0.6,"), "{}", lines[2]);
        let long = render_long(&t);
        assert!(long.starts_with(
            "dataset,generator,epsilon,profile,metric,statistic,value\nd,,,camda2025,accuracy_real,mean,0.8\n"
        ));
        assert!(long
            .contains("\nd,g,1,camda2025,feature_overlap_proportion,mean,4\nd,g,1,camda2025,feature_overlap_proportion,sd,1.4142135623730951\nd,g,1,camda2025,feature_overlap_proportion,n,2\n"));
    }

    #[test]
    fn an_undeclared_metric_column_is_an_error() {
        let text = format!(
            "{}\n{}\n",
            header(&["accuracy_synthetic", "accuracy_real", "mystery"]),
            row("g", "1", 1, "ok", "0.5", "0.8", "1")
        );
        let c = Cells::parse(&text, "cells.csv").unwrap();
        let err = build(&c, &[]).unwrap_err().to_string();
        assert!(err.starts_with("cells.csv: column 'mystery' is not declared by any metric family"), "{err}");
    }

    /// The paper's columns and the `paper` key of the metric specs name the same sources.
    #[test]
    fn paper_columns_agree_with_the_metric_specs() {
        for col in &PAPER_COLUMNS {
            for source in col.synthetic.iter().chain(col.real) {
                let spec = resolve_column(source).unwrap();
                assert_eq!(spec.paper, Some(col.key), "{source}");
                assert_eq!(spec.real_only, col.real.contains(source), "{source}");
            }
        }
        for profile in crate::metrics::PROFILES {
            for spec in crate::metrics::profile(profile).unwrap().specs(&["c".into()]) {
                if let Some(key) = spec.paper {
                    let col = PAPER_COLUMNS.iter().find(|c| c.key == key).expect("a paper column key");
                    assert!(col.synthetic.iter().chain(col.real).any(|s| *s == spec.name), "{}", spec.name);
                }
            }
        }
    }
}
