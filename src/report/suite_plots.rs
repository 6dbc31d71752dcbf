//! Figures of the privacy and biology sections (profiles `mia` and `bio`, issue 13), each written
//! as PNG and SVG under `plots/` like the other figures ([`super::plots`]):
//!
//! * **ROC curves** (`roc__<dataset>__<generator>`, [`super::roc_plot`]): per generator one
//!   curve per ε for the worst attack (largest mean AUC over folds × seeds, [`super::suite`]),
//!   on log–log axes from 1e-3 to 1 with the diagonal.
//! * **Worst-case TPR at FPR 1 % vs ε** (`mia_tpr__<dataset>`): per DP generator the
//!   tie-correct TPR@1 % of the attack with the largest mean (mean ± 1 sd band), non-DP generators
//!   as horizontal lines, and the ε-DP bound `TPR ≤ min(1, e^ε · FPR + δ)` at FPR = 1 %
//!   (dashed; δ = the largest δ of the DP generators drawn).
//! * **Biology vs ε** (`bio__<dataset>`): one panel per biology column of Table 1 (DE TPR/FPR
//!   per direction, co-expression precision/recall at τ = 0.3).
//! * **Utility vs co-expression** (`pareto__<dataset>`, [`super::pareto_plot`]): one panel per ε,
//!   one point per generator, the Pareto front of the DP generators marked.
//!
//! A point without a valid value (NaN: no valid fold, or no valid attack) is drawn as a hollow
//! marker on the x axis and listed in the legend, so it never vanishes. On log axes a value
//! below the axis minimum is drawn on the axis (said in the subtitle).

use super::inputs::Inputs;
use super::plots::{
    axes_style, decimals, file_stem, padded, render, wrap, Drawing, Figure, FigureKind, FAMILY, PALETTE,
};
use super::suite::{self, BIO_PROFILE, MIA_PROFILE};
use super::table::{Row, RowKind, Table1};
use crate::error::{Context, Result};
use crate::io::fmt_f64;
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

/// Which suite figure a [`Figure`] is.
#[derive(Clone, Debug, PartialEq)]
pub enum SuiteFigure {
    /// ROC curves of one generator's worst attack per ε.
    Roc { generator: String },
    /// Worst-case TPR at FPR 1 % vs ε with the ε-DP bound.
    TprAtFpr,
    /// Biology columns vs ε.
    Biology,
    /// Utility vs co-expression recall per ε with the Pareto front ([`super::pareto_plot`]).
    Pareto,
}

/// The FPR of the privacy-bound figure.
pub const BOUND_FPR: f64 = 0.01;
/// The lower end of the log axes (FPR and TPR).
pub const LOG_AXIS_MIN: f64 = 1e-3;

/// Build and render the suite figures of every dataset, in report order (per dataset: ROC
/// curves, TPR at 1 %, biology, utility vs co-expression). Nothing when neither profile ran.
pub fn render_all(inputs: &Inputs, table: &Table1) -> Result<Vec<Figure>> {
    let mut specs: Vec<SuiteSpec> = Vec::new();
    for dataset in inputs.datasets() {
        specs.extend(super::roc_plot::specs(inputs, table, &dataset)?.into_iter().map(SuiteSpec::Roc));
        specs.extend(tpr_spec(inputs, table, &dataset).map(SuiteSpec::Eps));
        specs.extend(bio_spec(table, &dataset).map(SuiteSpec::Eps));
        specs.extend(super::pareto_plot::spec(table, &dataset).map(SuiteSpec::Pareto));
    }
    specs.par_iter().map(SuiteSpec::render).collect()
}

enum SuiteSpec {
    Roc(super::roc_plot::RocFigure),
    Eps(EpsFigure),
    Pareto(super::pareto_plot::ParetoFigure),
}

impl SuiteSpec {
    fn render(&self) -> Result<Figure> {
        let (head, drawn) = match self {
            SuiteSpec::Roc(f) => (&f.head, render(f)),
            SuiteSpec::Eps(f) => (&f.head, render(f)),
            SuiteSpec::Pareto(f) => (&f.head, render(f)),
        };
        let (png, svg) = drawn.map_err(|e| e.context(format!("plot {}", head.id)))?;
        Ok(Figure {
            id: head.id.clone(),
            dataset: head.dataset.clone(),
            kind: FigureKind::Suite(head.kind.clone()),
            title: head.title.clone(),
            png,
            svg,
        })
    }
}

/// What every suite figure has: file stem, dataset, kind and title.
pub(super) struct Head {
    pub id: String,
    pub dataset: String,
    pub kind: SuiteFigure,
    pub title: String,
}

// ---------------------------------------------------------------------------------------------
// Legend

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
pub(super) enum Swatch {
    /// A solid line with a filled marker (a series).
    Series(RGBColor),
    /// A solid line (a non-DP generator).
    Line(RGBColor),
    /// A dashed line (a bound or reference).
    Dashed(RGBColor),
    /// A hollow marker (a NaN point drawn on the axis, or a reference point).
    Hollow(RGBColor),
    /// A solid line through a ringed marker (a Pareto front).
    Front(RGBColor),
}

pub(super) struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

/// A legend in its own area right of the plot. Long labels wrap.
pub(super) fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, items: &[LegendItem]) -> Result<()> {
    let font = (FAMILY, 13).into_font().color(&BLACK);
    let mut y = 60;
    for item in items {
        match item.swatch {
            Swatch::Series(c) => area
                .draw(&PathElement::new([(6, y), (44, y)], c.stroke_width(2)))
                .and_then(|_| area.draw(&Circle::new((25, y), 4, c.filled()))),
            Swatch::Line(c) => area.draw(&PathElement::new([(6, y), (44, y)], c.stroke_width(2))),
            Swatch::Dashed(c) => area
                .draw(&PathElement::new([(6, y), (18, y)], c.stroke_width(2)))
                .and_then(|_| area.draw(&PathElement::new([(26, y), (44, y)], c.stroke_width(2)))),
            Swatch::Hollow(c) => area.draw(&Circle::new((25, y), 5, c.stroke_width(2))),
            Swatch::Front(c) => area
                .draw(&PathElement::new([(6, y), (44, y)], c.stroke_width(2)))
                .and_then(|_| area.draw(&Circle::new((25, y), 7, c.stroke_width(2)))),
        }
        .context("legend")?;
        let lines = wrap(&item.label, 26);
        for (k, line) in lines.iter().enumerate() {
            area.draw(&Text::new(line.clone(), (52, y - 8 + 16 * k as i32), font.clone())).context("legend")?;
        }
        y += 16 * (lines.len() as i32 - 1) + 26;
    }
    Ok(())
}

/// The colour of generator `i` of a dataset.
pub(super) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The generators of a dataset's rows of `profile`, in table order (colour order).
pub(super) fn generators(table: &Table1, dataset: &str, profile: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in table.rows_of(dataset, profile).filter(|r| r.row == RowKind::Generator) {
        if !out.contains(&r.generator) {
            out.push(r.generator.clone());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Metric-vs-ε panels

/// One point of a series: ε and (mean, sd), `None` when the value is NaN.
struct EpsPoint {
    eps: f64,
    value: Option<(f64, f64)>,
}

/// A DP generator's series, or a non-DP generator's level (`eps = inf`, one point).
struct Series {
    label: String,
    colour: RGBColor,
    points: Vec<EpsPoint>,
    non_dp: bool,
}

struct Panel {
    title: String,
    series: Vec<Series>,
}

/// The ε-DP bound `min(1, e^ε · fpr + δ)` drawn over the ε axis.
struct Bound {
    fpr: f64,
    delta: f64,
}

pub(super) struct EpsFigure {
    head: Head,
    subtitle: String,
    panels: Vec<Panel>,
    columns: usize,
    /// Log-scale y axis from [`LOG_AXIS_MIN`] to 1 (else linear, fitted to the values).
    log_y: bool,
    bound: Option<Bound>,
    /// What the y values are (axis label of every panel).
    y_label: String,
}

/// The series of every generator of `rows` for the value `value(row)` (`None` = NaN).
fn series_of(rows: &[&Row], names: &[String], value: impl Fn(&Row) -> Option<(f64, f64)>) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for r in rows.iter().filter(|r| r.row == RowKind::Generator) {
        let Some(eps) = r.epsilon else { continue };
        let index = names.iter().position(|n| *n == r.generator).unwrap_or(0);
        let point = EpsPoint { eps, value: value(r).filter(|(m, _)| m.is_finite()) };
        match out.iter_mut().find(|s| s.label == r.generator) {
            Some(s) => s.points.push(point),
            None => out.push(Series {
                label: r.generator.clone(),
                colour: colour(index),
                non_dp: eps.is_infinite(),
                points: vec![point],
            }),
        }
    }
    out
}

/// `(mean, sd)` of a table statistic with at least one valid value (sd 0 when undefined).
fn mean_sd(s: &super::table::Stat) -> Option<(f64, f64)> {
    (s.n > 0).then_some((s.mean, if s.sd.is_finite() { s.sd } else { 0.0 }))
}

/// The worst-case TPR at FPR 1 % figure of a dataset, when profile `mia` ran on a DP generator.
fn tpr_spec(inputs: &Inputs, table: &Table1, dataset: &str) -> Option<EpsFigure> {
    let rows: Vec<&Row> = table.rows_of(dataset, MIA_PROFILE).filter(|r| suite::has_attacks(r)).collect();
    let names = generators(table, dataset, MIA_PROFILE);
    let series = series_of(&rows, &names, |r| suite::worst_mean(r, "tpr_at_fpr_001").and_then(|w| mean_sd(w.stat)));
    if !series.iter().any(|s| !s.non_dp) {
        return None;
    }
    let delta = inputs
        .cells
        .rows
        .iter()
        .filter(|c| c.key.dataset == dataset && c.profile == MIA_PROFILE && c.key.epsilon.is_finite())
        .filter_map(|c| c.key.delta)
        .fold(0.0, f64::max);
    Some(EpsFigure {
        head: Head {
            id: format!("mia_tpr__{}", file_stem(dataset)),
            dataset: dataset.to_string(),
            kind: SuiteFigure::TprAtFpr,
            title: format!("{dataset}: worst-case membership-inference TPR at FPR 1 % vs ε"),
        },
        subtitle: format!(
            "Per generator and ε the attack with the largest mean tie-correct TPR@1 % over folds × seeds (mean ± 1 sd). \
             Dashed: the ε-DP bound min(1, e^ε·1 % + δ), δ = {}. Values below 10⁻³ are drawn on the axis.",
            fmt_f64(delta)
        ),
        panels: vec![Panel { title: String::new(), series }],
        columns: 1,
        log_y: true,
        bound: Some(Bound { fpr: BOUND_FPR, delta }),
        y_label: "TPR at FPR 1 % (worst attack, log scale)".into(),
    })
}

/// The biology figure of a dataset, when profile `bio` ran on a DP generator.
fn bio_spec(table: &Table1, dataset: &str) -> Option<EpsFigure> {
    let rows: Vec<&Row> = table.rows_of(dataset, BIO_PROFILE).collect();
    let names = generators(table, dataset, BIO_PROFILE);
    let panels: Vec<Panel> = suite::bio_columns()
        .into_iter()
        .filter(|c| rows.iter().any(|r| r.stats.contains_key(&c.column)))
        .map(|c| Panel {
            series: series_of(&rows, &names, |r| r.stats.get(&c.column).and_then(mean_sd)),
            title: format!("{} ({})", c.label, c.column),
        })
        .collect();
    if !panels.iter().any(|p| p.series.iter().any(|s| !s.non_dp)) {
        return None;
    }
    Some(EpsFigure {
        head: Head {
            id: format!("bio__{}", file_stem(dataset)),
            dataset: dataset.to_string(),
            kind: SuiteFigure::Biology,
            title: format!("{dataset}: biological plausibility vs ε (profile bio)"),
        },
        subtitle:
            "Mean ± 1 sd over folds × seeds per DP generator (log-scale ε); non-DP generators as horizontal lines. \
                   DE: Wilcoxon rank-sum sets per class pair (metrics.md §5.1); co-expression: |r| > τ edges (§5.2)."
                .into(),
        columns: panels.len().min(3),
        panels,
        log_y: false,
        bound: None,
        y_label: "value".into(),
    })
}

const PANEL_SIZE: (u32, u32) = (400, 320);
const HEADER: u32 = 70;
const LEGEND: u32 = 260;

impl Drawing for EpsFigure {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.columns) as u32;
        let (w, h) = if self.panels.len() == 1 { (560, 430) } else { PANEL_SIZE };
        (self.columns as u32 * w + LEGEND, HEADER + rows * h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).context("fill")?;
        let (header, body) = root.split_vertically(HEADER);
        draw_header(&header, &self.head.title, &self.subtitle, self.size().0)?;
        let (plots, legend) = body.split_horizontally(self.size().0 - LEGEND);
        let rows = self.panels.len().div_ceil(self.columns);
        let areas = plots.split_evenly((rows, self.columns));
        let eps = self.epsilons();
        let x = (eps[0] / 1.6, eps[eps.len() - 1] * 1.6);
        let mut any_nan = false;
        for (panel, area) in self.panels.iter().zip(&areas) {
            any_nan |= self.draw_panel(area, panel, &eps, x)?;
        }
        draw_legend(&legend, &self.legend(any_nan))
    }
}

/// Title and wrapped subtitle in a figure's header area.
pub(super) fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    width: u32,
) -> Result<()> {
    area.draw(&Text::new(title.to_string(), (12, 8), (FAMILY, 19).into_font().color(&BLACK))).context("title")?;
    let mut y = 34;
    for line in wrap(subtitle, (width as usize / 8).max(40)) {
        area.draw(&Text::new(line, (12, y), (FAMILY, 13).into_font().color(&BLACK))).context("subtitle")?;
        y += 16;
    }
    Ok(())
}

impl EpsFigure {
    /// The finite ε values of all DP series, sorted.
    fn epsilons(&self) -> Vec<f64> {
        let mut e: Vec<f64> = self
            .panels
            .iter()
            .flat_map(|p| p.series.iter().flat_map(|s| s.points.iter().map(|p| p.eps)))
            .filter(|e| e.is_finite())
            .collect();
        e.sort_by(f64::total_cmp);
        e.dedup();
        e
    }

    /// The y range of a panel: log axis, or the padded range of its values (and bound).
    fn y_range(&self, panel: &Panel) -> (f64, f64) {
        if self.log_y {
            return (LOG_AXIS_MIN, 1.0);
        }
        let values: Vec<f64> = panel
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(|p| p.value))
            .flat_map(|(m, sd)| [m - sd, m + sd])
            .collect();
        if values.is_empty() {
            return (0.0, 1.0);
        }
        padded(
            values.iter().copied().fold(f64::INFINITY, f64::min),
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    }

    /// Draw one panel; returns whether it has a NaN point.
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        eps: &[f64],
        (x_lo, x_hi): (f64, f64),
    ) -> Result<bool> {
        let (y_lo, y_hi) = self.y_range(panel);
        let clamp = |v: f64| v.clamp(y_lo, y_hi);
        let mut builder = ChartBuilder::on(area);
        builder.margin(10).caption(panel.title.as_str(), (FAMILY, 14)).x_label_area_size(40).y_label_area_size(62);
        let x_axis = (x_lo..x_hi).log_scale().with_key_points(eps.to_vec());
        let mut any_nan = false;
        macro_rules! draw_on {
            ($chart:ident) => {{
                for s in &panel.series {
                    let valid: Vec<(f64, f64, f64)> =
                        s.points.iter().filter_map(|p| p.value.map(|(m, sd)| (p.eps, m, sd))).collect();
                    let nan: Vec<f64> = s.points.iter().filter(|p| p.value.is_none()).map(|p| p.eps).collect();
                    any_nan |= !nan.is_empty();
                    if s.non_dp {
                        if let Some(&(_, m, _)) = valid.first() {
                            let line = [(x_lo, clamp(m)), (x_hi, clamp(m))];
                            $chart.draw_series(LineSeries::new(line, s.colour.stroke_width(2))).context("baseline")?;
                        } else {
                            let at = (x_lo * 1.2, y_lo);
                            $chart.draw_series([Circle::new(at, 6, s.colour.stroke_width(2))]).context("NaN")?;
                        }
                        continue;
                    }
                    let mut band: Vec<(f64, f64)> = valid.iter().map(|p| (p.0, clamp(p.1 + p.2))).collect();
                    band.extend(valid.iter().rev().map(|p| (p.0, clamp(p.1 - p.2))));
                    $chart.draw_series([Polygon::new(band, s.colour.mix(0.15).filled())]).context("band")?;
                    let line = valid.iter().map(|p| (p.0, clamp(p.1)));
                    $chart.draw_series(LineSeries::new(line, s.colour.stroke_width(2))).context("curve")?;
                    let dots = valid.iter().map(|p| Circle::new((p.0, clamp(p.1)), 4, s.colour.filled()));
                    $chart.draw_series(dots).context("points")?;
                    let hollow = nan.iter().map(|&e| Circle::new((e, y_lo), 6, s.colour.stroke_width(2)));
                    $chart.draw_series(hollow).context("NaN points")?;
                }
                if let Some(b) = &self.bound {
                    let n = 100;
                    let curve = (0..=n).map(|i| {
                        let e = x_lo * (x_hi / x_lo).powf(i as f64 / n as f64);
                        (e, clamp((e.exp() * b.fpr + b.delta).min(1.0)))
                    });
                    $chart.draw_series(DashedLineSeries::new(curve, 8, 5, BLACK.stroke_width(2))).context("bound")?;
                    let chance = [(x_lo, b.fpr), (x_hi, b.fpr)];
                    let grey = RGBColor(150, 150, 150);
                    $chart.draw_series(DashedLineSeries::new(chance, 3, 4, grey.stroke_width(1))).context("chance")?;
                }
            }};
        }
        if self.log_y {
            let mut chart = builder.build_cartesian_2d(x_axis, (y_lo..y_hi).log_scale()).context("chart")?;
            axes_style(&mut chart.configure_mesh(), 12, 13, 225)
                .x_desc("privacy budget ε (log scale)")
                .y_desc(self.y_label.as_str())
                .x_label_formatter(&|x| fmt_f64(*x))
                .y_label_formatter(&|y| fmt_f64(*y))
                .draw()
                .context("axes")?;
            draw_on!(chart);
        } else {
            let dec = decimals(y_hi - y_lo);
            let mut chart = builder.build_cartesian_2d(x_axis, y_lo..y_hi).context("chart")?;
            axes_style(&mut chart.configure_mesh(), 12, 13, 225)
                .x_desc("privacy budget ε (log scale)")
                .y_desc(self.y_label.as_str())
                .x_label_formatter(&|x| fmt_f64(*x))
                .y_label_formatter(&|y| format!("{y:.dec$}"))
                .draw()
                .context("axes")?;
            draw_on!(chart);
        }
        Ok(any_nan)
    }

    /// Legend: one entry per generator (the first panel's series order), the bound and chance
    /// lines, and the NaN marker when a NaN point was drawn.
    fn legend(&self, any_nan: bool) -> Vec<LegendItem> {
        let mut items: Vec<LegendItem> = Vec::new();
        for s in self.panels.iter().flat_map(|p| &p.series) {
            let label = if s.non_dp { format!("{} (non-DP)", s.label) } else { format!("{} (mean ± 1 sd)", s.label) };
            if !items.iter().any(|i| i.label == label) {
                let swatch = if s.non_dp { Swatch::Line(s.colour) } else { Swatch::Series(s.colour) };
                items.push(LegendItem { swatch, label });
            }
        }
        if let Some(b) = &self.bound {
            items.push(LegendItem {
                swatch: Swatch::Dashed(BLACK),
                label: format!("ε-DP bound min(1, e^ε·{} + δ)", fmt_f64(b.fpr)),
            });
            items.push(LegendItem {
                swatch: Swatch::Dashed(RGBColor(150, 150, 150)),
                label: format!("no leakage (TPR = FPR = {})", fmt_f64(b.fpr)),
            });
        }
        if any_nan {
            items.push(LegendItem {
                swatch: Swatch::Hollow(BLACK),
                label: "NaN (no valid value), drawn on the x axis".into(),
            });
        }
        items
    }
}
