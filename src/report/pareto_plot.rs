//! The utility-vs-co-expression figure of the biology section (issue 18, `pareto__<dataset>`):
//! per dataset one panel per finite ε, drawn from the aggregated [`Table1`] rows.
//!
//! * x: co-expression recall at τ = 0.3 (`coexpr_recall_c03`, profile `bio`, metrics.md §5.2);
//! * y: TSTR accuracy (`accuracy_synthetic`, metrics.md §2.5) of profile `camda2026` when it ran
//!   on the dataset, else of `camda2025` ([`utility_profile`]);
//! * one point per generator: the mean over folds × seeds, whiskers ±1 sd on both axes;
//! * the Pareto front of the DP generators of the panel ([`super::pareto::front`], both axes
//!   "higher is better") joined by a line, its points ringed;
//! * non-DP generators (ε = ∞) as hollow, labelled reference points in every panel (not on the
//!   front);
//! * a generator × ε whose mean on either axis is NaN (no valid fold) or missing is left out of
//!   the panel and named in the caption.
//!
//! All panels share their axes, so a generator's move between budgets reads directly.

use super::pareto::front;
use super::plots::{axes_style, decimals, file_stem, padded, wrap, Drawing, FAMILY};
use super::suite::BIO_PROFILE;
use super::suite_plots::{colour, draw_header, draw_legend, generators, Head, LegendItem, SuiteFigure, Swatch};
use super::table::{Row, RowKind, Stat, Table1};
use crate::error::{Context, Result};
use crate::io::fmt_f64;
use crate::metrics::bio::coexpr::CUTOFFS;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The x column: co-expression recall at the first default cutoff τ = 0.3.
pub const RECALL: &str = "coexpr_recall_c03";
/// The y column.
pub const UTILITY: &str = "accuracy_synthetic";
/// The utility profiles, in order of preference.
pub const UTILITY_PROFILES: [&str; 2] = ["camda2026", "camda2025"];

/// One generator's point: mean and sd (0 when undefined) on both axes.
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoPoint {
    pub generator: String,
    /// Index of the generator in the dataset's `bio` generators (its colour).
    pub index: usize,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// One panel: the DP generators at one ε and the indices of its Pareto front (in line order).
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoPanel {
    pub epsilon: f64,
    pub points: Vec<ParetoPoint>,
    pub front: Vec<usize>,
}

/// What the figure of a dataset shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoData {
    pub utility_profile: &'static str,
    /// In increasing ε.
    pub panels: Vec<ParetoPanel>,
    /// Non-DP generators, drawn in every panel.
    pub reference: Vec<ParetoPoint>,
    /// `generator (ε = …): what is NaN`, in table order.
    pub left_out: Vec<String>,
}

/// The utility profile of a dataset: the first of [`UTILITY_PROFILES`] with a generator row
/// holding [`UTILITY`].
pub fn utility_profile(table: &Table1, dataset: &str) -> Option<&'static str> {
    UTILITY_PROFILES
        .into_iter()
        .find(|p| table.rows_of(dataset, p).any(|r| r.row == RowKind::Generator && r.stats.contains_key(UTILITY)))
}

/// `(mean, sd)` of a valid statistic (sd 0 when undefined); `None` when the mean is NaN.
fn mean_sd(s: Option<&Stat>) -> Option<(f64, f64)> {
    s.filter(|s| s.n > 0 && s.mean.is_finite()).map(|s| (s.mean, if s.sd.is_finite() { s.sd } else { 0.0 }))
}

/// The points of a dataset's figure, when profile `bio` has the recall column, a utility
/// profile ran and some DP generator has a point; `None` otherwise (no figure).
pub fn data(table: &Table1, dataset: &str) -> Option<ParetoData> {
    let utility_profile = utility_profile(table, dataset)?;
    let names = generators(table, dataset, BIO_PROFILE);
    let mut data = ParetoData { utility_profile, panels: Vec::new(), reference: Vec::new(), left_out: Vec::new() };
    let bio_rows = table.rows_of(dataset, BIO_PROFILE).filter(|r| r.row == RowKind::Generator);
    for r in bio_rows.filter(|r| r.stats.contains_key(RECALL)) {
        let Some(epsilon) = r.epsilon else { continue };
        let utility: Option<&Row> = table.rows_of(dataset, utility_profile).find(|u| {
            u.row == RowKind::Generator
                && u.generator == r.generator
                && u.epsilon.map(f64::to_bits) == Some(epsilon.to_bits())
        });
        let x = mean_sd(r.stats.get(RECALL));
        let y = mean_sd(utility.and_then(|u| u.stats.get(UTILITY)));
        let (Some(x), Some(y)) = (x, y) else {
            let what = match (x, y) {
                (None, None) => "co-expression recall and accuracy",
                (None, _) => "co-expression recall",
                _ => "accuracy",
            };
            data.left_out.push(format!("{} ({}): {what} NaN", r.generator, budget(epsilon)));
            continue;
        };
        let index = names.iter().position(|n| *n == r.generator).unwrap_or(0);
        let point = ParetoPoint { generator: r.generator.clone(), index, x, y };
        if epsilon.is_infinite() {
            data.reference.push(point);
            continue;
        }
        match data.panels.iter_mut().find(|p| p.epsilon.to_bits() == epsilon.to_bits()) {
            Some(p) => p.points.push(point),
            None => data.panels.push(ParetoPanel { epsilon, points: vec![point], front: Vec::new() }),
        }
    }
    if data.panels.is_empty() {
        return None;
    }
    data.panels.sort_by(|a, b| a.epsilon.total_cmp(&b.epsilon));
    for p in &mut data.panels {
        let means: Vec<(f64, f64)> = p.points.iter().map(|q| (q.x.0, q.y.0)).collect();
        p.front = front(&means);
    }
    Some(data)
}

/// `ε = 1` or `ε = ∞`.
fn budget(epsilon: f64) -> String {
    if epsilon.is_infinite() {
        "ε = ∞".into()
    } else {
        format!("ε = {}", fmt_f64(epsilon))
    }
}

impl ParetoData {
    /// What the figure shows, in words (figure subtitle and report caption).
    pub fn caption(&self) -> String {
        let tau = fmt_f64(CUTOFFS[0]);
        let source = if self.utility_profile == UTILITY_PROFILES[0] {
            format!("profile {}", self.utility_profile)
        } else {
            format!("profile {}, as {} did not run", self.utility_profile, UTILITY_PROFILES[0])
        };
        let left_out = if self.left_out.is_empty() { "none".to_string() } else { self.left_out.join("; ") };
        format!(
            "x: co-expression recall at τ = {tau} ({RECALL}, profile bio, metrics.md §5.2); y: TSTR accuracy \
             ({UTILITY}, {source}). One point per generator: mean over folds × seeds, whiskers ±1 sd. Black line and \
             rings: the Pareto front of the DP generators at that ε (no other DP generator has both higher recall \
             and higher accuracy). Hollow labelled points: non-DP generators (ε = ∞), in every panel, not on the \
             front. Left out (NaN mean): {left_out}."
        )
    }
}

/// The figure of a dataset ([`data`]), when it has one.
pub(super) fn spec(table: &Table1, dataset: &str) -> Option<ParetoFigure> {
    let data = data(table, dataset)?;
    Some(ParetoFigure {
        head: Head {
            id: format!("pareto__{}", file_stem(dataset)),
            dataset: dataset.to_string(),
            kind: SuiteFigure::Pareto,
            title: format!("{dataset}: utility vs co-expression recall per ε, Pareto front of the DP generators"),
        },
        subtitle: data.caption(),
        data,
    })
}

pub(super) struct ParetoFigure {
    pub head: Head,
    subtitle: String,
    data: ParetoData,
}

const PANEL: (u32, u32) = (480, 420);
const LEGEND: u32 = 260;
/// Half the side of the square around a marker (and its front ring) that labels keep clear of.
const MARKER_CLEARANCE: i32 = 10;
/// Extra clearance labels keep from the markers of other points.
const MARGIN: i32 = 6;
/// Pixels below the estimated text height (descenders and spacing) a label box covers.
const LABEL_DESCENT: i32 = 5;

impl ParetoFigure {
    fn columns(&self) -> usize {
        self.data.panels.len().min(2)
    }

    fn width(&self) -> u32 {
        self.columns() as u32 * PANEL.0 + LEGEND
    }

    fn header(&self) -> u32 {
        let lines = wrap(&self.subtitle, (self.width() as usize / 8).max(40)).len() as u32;
        40 + 16 * lines
    }

    /// The shared axis ranges: the padded span of every mean ± sd, with room for a label above
    /// the top point.
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let all = self.data.panels.iter().flat_map(|p| &p.points).chain(&self.data.reference);
        let (mut x, mut y) = ((f64::INFINITY, f64::NEG_INFINITY), (f64::INFINITY, f64::NEG_INFINITY));
        for p in all {
            x = (x.0.min(p.x.0 - p.x.1), x.1.max(p.x.0 + p.x.1));
            y = (y.0.min(p.y.0 - p.y.1), y.1.max(p.y.0 + p.y.1));
        }
        let (y_lo, y_hi) = padded(y.0, y.1);
        (padded(x.0, x.1), (y_lo, y_hi + 0.06 * (y_hi - y_lo)))
    }

    fn legend(&self) -> Vec<LegendItem> {
        let mut items: Vec<LegendItem> = Vec::new();
        let mut push = |swatch, label: String| {
            if !items.iter().any(|i| i.label == label) {
                items.push(LegendItem { swatch, label });
            }
        };
        for p in self.data.panels.iter().flat_map(|p| &p.points) {
            push(Swatch::Series(colour(p.index)), format!("{} (mean ± 1 sd)", p.generator));
        }
        for p in &self.data.reference {
            push(Swatch::Hollow(colour(p.index)), format!("{} (non-DP)", p.generator));
        }
        push(Swatch::Front(BLACK), "Pareto front of the DP generators".into());
        items
    }
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl Drawing for ParetoFigure {
    fn size(&self) -> (u32, u32) {
        let rows = self.data.panels.len().div_ceil(self.columns()) as u32;
        (self.width(), self.header() + rows * PANEL.1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).context("fill")?;
        let (header, body) = root.split_vertically(self.header());
        draw_header(&header, &self.head.title, &self.subtitle, self.width())?;
        let (plots, legend) = body.split_horizontally(self.width() - LEGEND);
        let rows = self.data.panels.len().div_ceil(self.columns());
        let areas = plots.split_evenly((rows, self.columns()));
        let ranges = self.ranges();
        for (panel, area) in self.data.panels.iter().zip(&areas) {
            self.draw_panel(area, panel, ranges)?;
        }
        draw_legend(&legend, &self.legend())
    }
}

impl ParetoFigure {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &ParetoPanel,
        ((x_lo, x_hi), (y_lo, y_hi)): ((f64, f64), (f64, f64)),
    ) -> Result<()> {
        let (x_dec, y_dec) = (decimals(x_hi - x_lo), decimals(y_hi - y_lo));
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .caption(budget(panel.epsilon), (FAMILY, 15))
            .x_label_area_size(42)
            .y_label_area_size(62)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .context("chart")?;
        axes_style(&mut chart.configure_mesh(), 12, 13, 225)
            .x_desc(format!("co-expression recall τ = {} ({RECALL})", fmt_f64(CUTOFFS[0])))
            .y_desc(format!("accuracy ({UTILITY}, {})", self.data.utility_profile))
            .x_label_formatter(&|x| format!("{x:.x_dec$}"))
            .y_label_formatter(&|y| format!("{y:.y_dec$}"))
            .draw()
            .context("axes")?;
        let all: Vec<(&ParetoPoint, bool)> =
            panel.points.iter().map(|p| (p, false)).chain(self.data.reference.iter().map(|p| (p, true))).collect();
        for &(p, _) in &all {
            let c = colour(p.index).mix(0.6).stroke_width(1);
            let (x, y) = (p.x.0, p.y.0);
            let whiskers = [[(x - p.x.1, y), (x + p.x.1, y)], [(x, y - p.y.1), (x, y + p.y.1)]];
            chart.draw_series(whiskers.map(|w| PathElement::new(w, c))).context("whiskers")?;
        }
        let line: Vec<(f64, f64)> = panel.front.iter().map(|&i| (panel.points[i].x.0, panel.points[i].y.0)).collect();
        chart.draw_series(LineSeries::new(line.iter().copied(), BLACK.stroke_width(2))).context("front")?;
        chart.draw_series(line.iter().map(|&at| Circle::new(at, 9, BLACK.stroke_width(2)))).context("front")?;
        for &(p, hollow) in &all {
            let (at, c) = ((p.x.0, p.y.0), colour(p.index));
            let style = if hollow { c.stroke_width(2) } else { c.filled() };
            chart.draw_series([Circle::new(at, if hollow { 6 } else { 5 }, style)]).context("points")?;
        }
        draw_labels(&chart, &all)
    }
}

/// A box in backend pixels: left, top, right, bottom.
type PixelBox = (i32, i32, i32, i32);

/// Overlapping area of two boxes (0 when they do not overlap).
fn overlap(a: PixelBox, b: PixelBox) -> i32 {
    (a.2.min(b.2) - a.0.max(b.0)).max(0) * (a.3.min(b.3) - a.1.max(b.1)).max(0)
}

/// Name every point beside it, top points first. Of eight places (right, left, above and below
/// on either side, centred above, centred below), each shifted into the plot, the first with the
/// least overlap with the labels placed before, the point's own marker and the other markers
/// (with a margin, so that a label does not sit closer to another point than to its own).
fn draw_labels<DB: DrawingBackend>(chart: &Chart<'_, DB>, points: &[(&ParetoPoint, bool)]) -> Result<()> {
    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    let mut at: Vec<((i32, i32), &ParetoPoint, bool)> =
        points.iter().map(|&(p, hollow)| (chart.backend_coord(&(p.x.0, p.y.0)), p, hollow)).collect();
    at.sort_by_key(|&((x, y), _, _)| (y, x));
    let r = MARKER_CLEARANCE;
    let square = |(x, y): (i32, i32), r: i32| (x - r, y - r, x + r, y + r);
    let mut labels: Vec<PixelBox> = Vec::new();
    for &((px, py), p, hollow) in &at {
        let label = if hollow { format!("{} (ε = ∞)", p.generator) } else { p.generator.clone() };
        let font = (FAMILY, 12).into_font().color(&RGBColor(60, 60, 60));
        let (w, h) = chart.plotting_area().estimate_text_size(&label, &font).context("labels")?;
        let (w, h) = (w as i32, h as i32 + LABEL_DESCENT);
        let (right, left, mid, up, down, centre) = (r + 2, -r - 2 - w, -h / 2, -h - r, r, -w / 2);
        let offsets = [
            (right, mid),
            (left, mid),
            (right, up),
            (right, down),
            (left, up),
            (left, down),
            (centre, up),
            (centre, down),
        ];
        let place = |(dx, dy): (i32, i32)| -> PixelBox {
            let x0 = (px + dx).min(x_px.end - w).max(x_px.start);
            let y0 = (py + dy).min(y_px.end - h).max(y_px.start);
            (x0, y0, x0 + w, y0 + h)
        };
        let cost = |b: PixelBox| -> i32 {
            let markers: i32 = at
                .iter()
                .map(
                    |&(q, _, _)| {
                        if q == (px, py) {
                            overlap(b, square(q, r))
                        } else {
                            overlap(b, square(q, r + MARGIN))
                        }
                    },
                )
                .sum();
            markers + labels.iter().map(|&o| overlap(b, o)).sum::<i32>()
        };
        let best = offsets.into_iter().map(place).min_by_key(|&b| cost(b)).expect("offsets are not empty");
        labels.push(best);
        let text = EmptyElement::at((p.x.0, p.y.0)) + Text::new(label, (best.0 - px, best.1 - py), font);
        chart.plotting_area().draw(&text).context("labels")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn row(profile: &str, generator: &str, epsilon: f64, stats: &[(&str, f64)]) -> Row {
        Row {
            dataset: "d".into(),
            row: RowKind::Generator,
            generator: generator.into(),
            kind: "k".into(),
            epsilon: Some(epsilon),
            profile: profile.into(),
            profile_version: format!("{profile}.v1"),
            n_cells: 3,
            n_error: 0,
            stats: stats
                .iter()
                .map(|&(k, m)| (k.to_string(), Stat::new(m, 0.01, if m.is_nan() { 0 } else { 3 })))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn table(rows: Vec<Row>) -> Table1 {
        Table1 { other_columns: Vec::new(), rows }
    }

    #[test]
    fn points_join_bio_and_utility_rows_and_nan_means_are_left_out() {
        let t = table(vec![
            row("bio", "multi", f64::INFINITY, &[(RECALL, 0.9)]),
            row("bio", "pgm", 1.0, &[(RECALL, 0.4)]),
            row("bio", "pgm", 10.0, &[(RECALL, 0.5)]),
            row("bio", "ind", 1.0, &[(RECALL, f64::NAN)]),
            row("bio", "ind", 10.0, &[(RECALL, 0.2)]),
            row("bio", "cop", 10.0, &[(RECALL, 0.7)]),
            row("camda2025", "pgm", 1.0, &[(UTILITY, 0.1)]),
            row("camda2026", "multi", f64::INFINITY, &[(UTILITY, 0.95)]),
            row("camda2026", "pgm", 1.0, &[(UTILITY, 0.6)]),
            row("camda2026", "pgm", 10.0, &[(UTILITY, 0.8)]),
            row("camda2026", "ind", 1.0, &[(UTILITY, 0.5)]),
            row("camda2026", "ind", 10.0, &[(UTILITY, 0.7)]),
            row("camda2026", "cop", 10.0, &[(UTILITY, f64::NAN)]),
        ]);
        let d = data(&t, "d").unwrap();
        assert_eq!(d.utility_profile, "camda2026");
        assert_eq!(d.panels.iter().map(|p| p.epsilon).collect::<Vec<_>>(), [1.0, 10.0]);
        let names = |p: &ParetoPanel| p.points.iter().map(|q| q.generator.clone()).collect::<Vec<String>>();
        assert_eq!(names(&d.panels[0]), ["pgm"]);
        assert_eq!(names(&d.panels[1]), ["pgm", "ind"]);
        assert_eq!(d.panels[1].points[0].x, (0.5, 0.01));
        assert_eq!(d.panels[1].points[0].y, (0.8, 0.01));
        // pgm (0.5, 0.8) dominates ind (0.2, 0.7) at ε = 10.
        assert_eq!(d.panels[1].front, [0]);
        assert_eq!(d.reference.len(), 1);
        assert_eq!(d.left_out, ["ind (ε = 1): co-expression recall NaN", "cop (ε = 10): accuracy NaN"]);
        let caption = d.caption();
        assert!(caption.contains("profile camda2026)") && caption.contains("cop (ε = 10): accuracy NaN"), "{caption}");
    }

    #[test]
    fn camda2025_serves_when_camda2026_did_not_run_and_no_dp_point_means_no_figure() {
        let bio = row("bio", "pgm", 1.0, &[(RECALL, 0.4)]);
        let t = table(vec![bio.clone(), row("camda2025", "pgm", 1.0, &[(UTILITY, 0.6)])]);
        let d = data(&t, "d").unwrap();
        assert_eq!(d.utility_profile, "camda2025");
        assert!(d.caption().contains("as camda2026 did not run"));
        assert!(data(&table(vec![bio]), "d").is_none(), "no utility profile");
        let only_non_dp = table(vec![
            row("bio", "multi", f64::INFINITY, &[(RECALL, 0.9)]),
            row("camda2026", "multi", f64::INFINITY, &[(UTILITY, 0.9)]),
        ]);
        assert!(data(&only_non_dp, "d").is_none());
    }

    #[test]
    fn the_figure_renders() {
        let t = table(vec![
            row("bio", "multi", f64::INFINITY, &[(RECALL, 0.9)]),
            row("bio", "pgm", 1.0, &[(RECALL, 0.4)]),
            row("bio", "ind", 1.0, &[(RECALL, 0.3)]),
            row("camda2026", "multi", f64::INFINITY, &[(UTILITY, 0.95)]),
            row("camda2026", "pgm", 1.0, &[(UTILITY, 0.6)]),
            row("camda2026", "ind", 1.0, &[(UTILITY, 0.7)]),
        ]);
        let f = spec(&t, "d").unwrap();
        assert_eq!(f.data.panels[0].front, [1, 0]);
        super::super::plots::ensure_font().unwrap();
        let (png, svg) = super::super::plots::render(&f).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        for text in ["ε = 1", "multi (ε = ∞)", "Pareto front of the DP generators"] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(crate::report::suite::bio_columns().iter().any(|c| c.column == RECALL));
    }
}
