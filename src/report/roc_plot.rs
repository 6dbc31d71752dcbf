//! ROC curves of the worst membership-inference attack (issue 13, metrics.md §4.4), drawn from
//! the per-cell side tables `mia/<cell_id>.csv` ([`crate::metrics::mia::roc_table`]) without
//! recomputing any attack.
//!
//! Per dataset × generator one figure; per ε one curve for the attack with the largest mean AUC
//! over folds × seeds (the challenge paper's convention, [`super::suite::worst_mean`]). The curve
//! is the vertical average of the cells' curves: at each FPR `x` of [`grid`] (log-spaced,
//! 1e-3 … 1) the mean over the cells with a curve of the tie-correct TPR at `x`
//! ([`tpr_on_curve`]). Both axes are logarithmic from 1e-3 to 1 (the convention of the
//! membership-inference literature: leakage at low FPR is what matters), with the diagonal
//! TPR = FPR of a guessing attacker; a mean TPR below 1e-3 is drawn on the axis. A generator × ε
//! without any curve (no valid attack, the attack failed in every cell, or no side table) is a
//! hollow marker at the lower-left corner, named in the legend.

use super::inputs::Inputs;
use super::plots::{axes_style, file_stem, Drawing};
use super::suite::{self, MIA_PROFILE};
use super::suite_plots::{
    colour, draw_header, draw_legend, generators, Head, LegendItem, SuiteFigure, Swatch, LOG_AXIS_MIN,
};
use super::table::{Row, RowKind, Table1};
use crate::error::{Context, Error, Result};
use crate::io::csv::{parse_f64, Table};
use crate::io::fmt_f64;
use crate::metrics::mia::roc_table::tpr_on_curve;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Points per decade of the averaging grid.
const GRID_PER_DECADE: i32 = 40;

/// The FPRs at which cell curves are averaged: `10^(k/40)`, `k = −120, …, 0`.
pub fn grid() -> Vec<f64> {
    (-3 * GRID_PER_DECADE..=0).map(|k| 10f64.powf(f64::from(k) / f64::from(GRID_PER_DECADE))).collect()
}

/// The curves of one side table: attack → its points, `None` for an attack without a ranking
/// (the NaN row).
type CellCurves = BTreeMap<String, Option<Vec<(f64, f64)>>>;

/// Read `mia/<cell_id>.csv`; `Ok(None)` when the cell has no side table. A malformed file is an
/// error naming the file, line and column.
pub fn read_cell_curves(path: &Path) -> Result<Option<CellCurves>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", path.display()))),
    };
    let t = Table::parse(&text, &path.display().to_string())?;
    let (attack, fpr, tpr) = (t.column("attack")?, t.column("fpr")?, t.column("tpr")?);
    let mut out = CellCurves::new();
    for r in &t.rows {
        let rate = |i: usize| match parse_f64(&r.fields[i]) {
            Some(v) if v.is_nan() || (0.0..=1.0).contains(&v) => Ok(v),
            _ => Err(Error::new(format!("{}: expected a rate in [0, 1] or NaN, got '{}'", t.at(r, i), r.fields[i]))),
        };
        let (f, p) = (rate(fpr)?, rate(tpr)?);
        let entry = out.entry(r.fields[attack].clone()).or_insert_with(|| Some(Vec::new()));
        match (f.is_nan() || p.is_nan(), entry.as_mut()) {
            (true, _) => *entry = None,
            (false, Some(points)) => {
                if let Some(&(f0, p0)) = points.last() {
                    if f < f0 || p < p0 {
                        return Err(Error::new(format!(
                            "{}: the ROC goes back from ({f0}, {p0}) to ({f}, {p}); expected non-decreasing FPR and TPR",
                            t.at(r, fpr)
                        )));
                    }
                }
                points.push((f, p));
            }
            (false, None) => {}
        }
    }
    Ok(Some(out))
}

/// One curve of a figure: a generator at one ε.
struct RocCurve {
    /// `ε = 1` or `non-DP`.
    budget: String,
    /// The worst attack and its mean AUC, when some attack has a valid mean.
    attack: Option<(String, f64)>,
    /// Mean TPR at each [`grid`] FPR, when some cell has a curve of the attack.
    mean_tpr: Option<Vec<f64>>,
    /// Cells with a curve, of the ok cells.
    n_curves: usize,
    n_cells: usize,
}

pub(super) struct RocFigure {
    pub head: Head,
    subtitle: String,
    curves: Vec<RocCurve>,
    colours: Vec<RGBColor>,
}

/// The ROC figures of a dataset: one per generator of profile `mia` with attack statistics.
pub(super) fn specs(inputs: &Inputs, table: &Table1, dataset: &str) -> Result<Vec<RocFigure>> {
    let names = generators(table, dataset, MIA_PROFILE);
    let mut figures = Vec::new();
    for (index, generator) in names.iter().enumerate() {
        let rows: Vec<&Row> = table
            .rows_of(dataset, MIA_PROFILE)
            .filter(|r| r.row == RowKind::Generator && r.generator == *generator && suite::has_attacks(r))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let curves = rows.iter().map(|r| curve_of(inputs, r)).collect::<Result<Vec<_>>>()?;
        let shade = |k: usize| shade(colour(index), k, curves.len());
        figures.push(RocFigure {
            head: Head {
                id: format!("roc__{}__{}", file_stem(dataset), file_stem(generator)),
                dataset: dataset.to_string(),
                kind: SuiteFigure::Roc { generator: generator.clone() },
                title: format!("{dataset}: ROC of the worst membership-inference attack, {generator}"),
            },
            subtitle: "Per ε the attack with the largest mean AUC over folds × seeds; its tie-grouped ROC averaged \
                       over folds × seeds (mean TPR at each FPR). Log–log axes; dashed: a guessing attacker \
                       (TPR = FPR). Mean TPR below 10⁻³ is drawn on the axis."
                .into(),
            colours: (0..curves.len()).map(shade).collect(),
            curves,
        });
    }
    Ok(figures)
}

/// The `k`-th of `n` shades of `base`, from light (small ε) to the full colour.
fn shade(base: RGBColor, k: usize, n: usize) -> RGBColor {
    let light = if n <= 1 { 0.0 } else { 0.6 * (n - 1 - k) as f64 / (n - 1) as f64 };
    let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * light).round() as u8;
    RGBColor(mix(base.0), mix(base.1), mix(base.2))
}

/// The averaged curve of a table row's worst attack, from its ok cells' side tables.
fn curve_of(inputs: &Inputs, row: &Row) -> Result<RocCurve> {
    let eps = row.epsilon.unwrap_or(f64::INFINITY);
    let budget = if eps.is_infinite() { "non-DP".to_string() } else { format!("ε = {}", fmt_f64(eps)) };
    let worst = suite::worst_mean(row, "aucroc");
    let cells: Vec<_> = inputs
        .cells
        .rows
        .iter()
        .filter(|c| {
            c.is_ok()
                && c.key.dataset == row.dataset
                && c.key.generator == row.generator
                && c.key.epsilon.to_bits() == eps.to_bits()
                && c.profile == row.profile
                && c.profile_version == row.profile_version
        })
        .collect();
    let mut sums = vec![0.0; grid().len()];
    let mut n_curves = 0;
    if let Some(w) = &worst {
        for c in &cells {
            let path = inputs.dir.join(MIA_PROFILE).join(format!("{}.csv", c.cell_id()));
            let Some(curves) = read_cell_curves(&path)? else { continue };
            let Some(Some(points)) = curves.get(w.attack) else { continue };
            if points.len() < 2 {
                continue;
            }
            for (sum, x) in sums.iter_mut().zip(grid()) {
                *sum += tpr_on_curve(points, x);
            }
            n_curves += 1;
        }
    }
    Ok(RocCurve {
        budget,
        attack: worst.map(|w| (w.attack.to_string(), w.stat.mean)),
        mean_tpr: (n_curves > 0).then(|| sums.iter().map(|s| s / n_curves as f64).collect()),
        n_curves,
        n_cells: cells.len(),
    })
}

const SIZE: (u32, u32) = (900, 560);
const HEADER: u32 = 70;
const LEGEND: u32 = 300;

impl Drawing for RocFigure {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).context("fill")?;
        let (header, body) = root.split_vertically(HEADER);
        draw_header(&header, &self.head.title, &self.subtitle, SIZE.0)?;
        let (plot, legend) = body.split_horizontally(SIZE.0 - LEGEND);
        let axis = (LOG_AXIS_MIN..1.0).log_scale();
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(60)
            .build_cartesian_2d(axis.clone(), axis)
            .context("chart")?;
        axes_style(&mut chart.configure_mesh(), 12, 14, 225)
            .x_desc("false-positive rate (log scale)")
            .y_desc("true-positive rate (log scale)")
            .x_label_formatter(&|x| fmt_f64(*x))
            .y_label_formatter(&|y| fmt_f64(*y))
            .draw()
            .context("axes")?;
        let grey = RGBColor(140, 140, 140);
        let diagonal = [(LOG_AXIS_MIN, LOG_AXIS_MIN), (1.0, 1.0)];
        chart.draw_series(DashedLineSeries::new(diagonal, 8, 5, grey.stroke_width(1))).context("diagonal")?;
        let mut items = Vec::new();
        let mut missing = 0;
        for (curve, &c) in self.curves.iter().zip(&self.colours) {
            match &curve.mean_tpr {
                Some(tpr) => {
                    let points = grid().into_iter().zip(tpr.iter().map(|t| t.max(LOG_AXIS_MIN)));
                    chart.draw_series(LineSeries::new(points, c.stroke_width(2))).context("ROC")?;
                    let (attack, auc) = curve.attack.as_ref().expect("a curve has an attack");
                    items.push(LegendItem {
                        swatch: Swatch::Line(c),
                        label: format!(
                            "{}: {attack}, mean AUC {:.3} ({} of {} cells)",
                            curve.budget, auc, curve.n_curves, curve.n_cells
                        ),
                    });
                }
                None => {
                    let at = (LOG_AXIS_MIN * 1.25f64.powi(missing), LOG_AXIS_MIN);
                    missing += 1;
                    chart.draw_series([Circle::new(at, 6, c.stroke_width(2))]).context("NaN marker")?;
                    let why = match &curve.attack {
                        None => "no valid attack".to_string(),
                        Some((a, _)) => format!("no ROC of {a} in mia/<cell>.csv"),
                    };
                    items.push(LegendItem {
                        swatch: Swatch::Hollow(c),
                        label: format!("{}: NaN ({why}; {} cells), drawn at the corner", curve.budget, curve.n_cells),
                    });
                }
            }
        }
        items.push(LegendItem { swatch: Swatch::Dashed(grey), label: "guessing attacker (TPR = FPR)".into() });
        draw_legend(&legend, &items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_spans_three_decades_and_side_tables_parse_with_nan_rows() {
        let g = grid();
        assert_eq!((g.len(), g[0], g[40], g[80], g[120]), (121, 1e-3, 1e-2, 1e-1, 1.0));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(&path, "attack,fpr,tpr\ngan_leaks,0,0\ngan_leaks,0.5,1\ngan_leaks,1,1\nlr_loss,NaN,NaN\n")
            .unwrap();
        let curves = read_cell_curves(&path).unwrap().unwrap();
        assert_eq!(curves["gan_leaks"], Some(vec![(0.0, 0.0), (0.5, 1.0), (1.0, 1.0)]));
        assert_eq!(curves["lr_loss"], None);
        assert!(read_cell_curves(&dir.path().join("absent.csv")).unwrap().is_none());
        std::fs::write(&path, "attack,fpr,tpr\ngan_leaks,0.5,0.5\ngan_leaks,0.25,1\n").unwrap();
        let e = read_cell_curves(&path).unwrap_err().to_string();
        assert!(e.contains("line 3, column 'fpr'") && e.contains("goes back"), "{e}");
        std::fs::write(&path, "attack,fpr,tpr\ngan_leaks,2,0.5\n").unwrap();
        let e = read_cell_curves(&path).unwrap_err().to_string();
        assert!(e.contains("line 2, column 'fpr': expected a rate in [0, 1] or NaN, got '2'"), "{e}");
    }
}
