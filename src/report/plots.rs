//! Figures of a report, each written as PNG and SVG under `plots/`:
//!
//! * **PCA panels** (`pca__<dataset>__<definition>`, [`super::pca_plot`]): real-train vs synthetic rows in the 2-D
//!   projection of metrics.md §2.11 (`camda2025`: a separate PCA per set, axes not comparable)
//!   or §3.6 (`camda2026`: one projection fitted on the real train fold). One panel per
//!   generator × ε, from `pca/<cell_id>.csv` of fold 1 of the first seed only (said in the title).
//! * **Metric-vs-ε curves** (`curve__<dataset>__<profile>__<metric>`; not for `mia` and `bio`, whose
//!   figures are in `suite_plots`): per DP generator the mean
//!   over folds × seeds with a ±1 sd band (the statistics of `table1.csv`), on a log-scale ε axis;
//!   an ε without a valid value (NaN) as a hollow marker on the x axis, named in the legend;
//!   non-DP generators (ε = inf) as solid horizontal lines; the real-data reference as a dashed
//!   horizontal line. The reference is the metric's real-only counterpart when it has one
//!   (`accuracy_real`, `avg_pr_macro_real`, `distance_to_closest_base`, … see
//!   [`real_counterpart`]), otherwise the `identity` generator's mean when the grid has one.
//!   The counterpart goes first because for accuracy and AUPR it equals the identity
//!   generator's value (the same model is trained), while for DCR the identity generator gives
//!   the trivial 0 of a copy and the real-data reference is the test → train distance. The
//!   identity generator is not drawn as a baseline.
//!
//! Text is drawn with the embedded DejaVu Sans (assets/fonts), so PNGs do not depend on system
//! fonts; SVG text stays text (`<text>` elements).

use super::inputs::Inputs;
use super::pca_plot::{pca_specs, PcaFigure};
use super::table::{real_counterpart, RowKind, Stat, Table1, PAPER_COLUMNS};
use crate::error::{Context, Error, Result};
use crate::io::{fmt_f64, write_atomic};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;
use std::sync::OnceLock;

/// The embedded font (DejaVu Sans 2.37, Debian fonts-dejavu-core; licence in assets/fonts).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name plots use; registered to [`FONT`].
pub(super) const FAMILY: &str = "sans-serif";

/// Register the embedded font with plotters once.
pub(super) fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::new("the embedded font assets/fonts/DejaVuSans.ttf could not be loaded"))
    }
}

/// Tableau-10 colours, for series.
pub(super) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// The axes of every chart: tick labels of `label` px and axis titles of `title` px in the
/// embedded font, no minor grid lines, major grid lines in the light grey `RGB(grid, grid, grid)`.
pub(super) fn axes_style<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    label: u32,
    title: u32,
    grid: u8,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
{
    mesh.label_style((FAMILY, label))
        .axis_desc_style((FAMILY, title))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(grid, grid, grid))
}

/// Point colours of real and synthetic rows.
pub(super) const REAL_POINTS: RGBColor = RGBColor(120, 120, 120);
pub(super) const SYNTHETIC_POINTS: RGBColor = RGBColor(230, 85, 13);

/// What a figure shows.
#[derive(Clone, Debug, PartialEq)]
pub enum FigureKind {
    Pca {
        definition: String,
    },
    Curve {
        profile: String,
        metric: String,
    },
    /// Privacy and biology figures of profiles `mia` and `bio` ([`super::suite_plots`]).
    Suite(super::suite_plots::SuiteFigure),
}

/// A rendered figure.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem under `plots/`.
    pub id: String,
    pub dataset: String,
    pub kind: FigureKind,
    pub title: String,
    pub png: Vec<u8>,
    pub svg: String,
}

impl Figure {
    /// Paths relative to the results directory.
    pub fn png_path(&self) -> String {
        format!("plots/{}.png", self.id)
    }
    pub fn svg_path(&self) -> String {
        format!("plots/{}.svg", self.id)
    }
}

/// A figure before rendering: its size and how to draw it on any backend.
pub(super) trait Drawing: Sync {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Render to PNG (via an RGB buffer and the `png` crate) and SVG.
pub(super) fn render(d: &impl Drawing) -> Result<(Vec<u8>, String)> {
    let (w, h) = d.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        d.draw(&root)?;
        root.present().context("drawing SVG")?;
    }
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        d.draw(&root)?;
        root.present().context("drawing PNG")?;
    }
    Ok((encode_png(w, h, &rgb)?, svg))
}

/// Encode an 8-bit RGB buffer (row-major, `w·h·3` bytes) as a PNG file in memory, so figures
/// are written atomically and embedded in the HTML without a temporary file.
fn encode_png(w: u32, h: u32, rgb: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().context("encoding PNG")?;
    writer.write_image_data(rgb).context("encoding PNG")?;
    writer.finish().context("encoding PNG")?;
    Ok(out)
}

/// A file-name-safe form of a name: letters, digits, `-`, `_`, `.` are kept, any other
/// character becomes `~` and its code point in hex (so distinct names stay distinct).
pub fn file_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || "-_.".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("~{:x}", c as u32));
        }
    }
    out
}

/// Build, render and write every figure of the report; figures are returned in report order.
pub fn render_all(inputs: &Inputs, table: &Table1) -> Result<Vec<Figure>> {
    ensure_font()?;
    let mut specs: Vec<Spec> = Vec::new();
    for dataset in inputs.datasets() {
        specs.extend(pca_specs(inputs, table, &dataset)?.into_iter().map(Spec::Pca));
        // mia and bio have their own figures (suite_plots); a curve per attack column would bury them.
        for profile in inputs.profile_order().into_iter().filter(|p| !SUITE_PROFILES.contains(&p.as_str())) {
            specs.extend(curve_specs(table, &dataset, &profile).into_iter().map(Spec::Curve));
        }
    }
    let mut figures: Vec<Figure> = specs.par_iter().map(|s| s.render()).collect::<Result<_>>()?;
    figures.extend(super::suite_plots::render_all(inputs, table)?);
    for f in &figures {
        write_atomic(&inputs.dir.join(f.png_path()), &f.png)?;
        write_atomic(&inputs.dir.join(f.svg_path()), f.svg.as_bytes())?;
    }
    Ok(figures)
}

/// Profiles drawn by [`super::suite_plots`] instead of one metric-vs-ε curve per column.
const SUITE_PROFILES: [&str; 2] = ["mia", "bio"];

enum Spec {
    Pca(PcaFigure),
    Curve(CurveFigure),
}

impl Spec {
    fn render(&self) -> Result<Figure> {
        let (id, dataset, kind, title, drawn) = match self {
            Spec::Pca(p) => {
                (&p.id, &p.dataset, FigureKind::Pca { definition: p.definition.clone() }, &p.title, render(p))
            }
            Spec::Curve(c) => (
                &c.id,
                &c.dataset,
                FigureKind::Curve { profile: c.profile.clone(), metric: c.metric.clone() },
                &c.title,
                render(c),
            ),
        };
        let (png, svg) = drawn.map_err(|e| e.context(format!("plot {id}")))?;
        Ok(Figure { id: id.clone(), dataset: dataset.clone(), kind, title: title.clone(), png, svg })
    }
}

// ---------------------------------------------------------------------------------------------
// Metric-vs-ε curves

/// One DP generator's curve: (ε, mean, sd) in increasing ε, and the ε values without a valid
/// value (NaN), drawn as hollow markers on the x axis.
struct Curve {
    label: String,
    points: Vec<(f64, f64, f64)>,
    nan_eps: Vec<f64>,
}

struct CurveFigure {
    id: String,
    dataset: String,
    profile: String,
    metric: String,
    title: String,
    y_label: String,
    curves: Vec<Curve>,
    /// Non-DP generators: (label, mean).
    baselines: Vec<(String, f64)>,
    /// Real-data reference: (label, value).
    reference: Option<(String, f64)>,
    /// Cells behind each point (for the subtitle): min and max valid n.
    n_range: (usize, usize),
}

/// Human label of a metric column: the paper's heading when it is a Table-1 column.
pub fn metric_label(metric: &str) -> String {
    match PAPER_COLUMNS.iter().find(|c| c.synthetic.contains(&metric) || c.real.contains(&metric)) {
        Some(c) => format!("{} ({metric})", c.label),
        None => metric.to_string(),
    }
}

/// The generator metrics of one dataset and profile, in table order.
fn curve_metrics(table: &Table1, dataset: &str, profile: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in table.rows_of(dataset, profile).filter(|r| r.row == RowKind::Generator) {
        for (_, m, _) in table.row_values(r) {
            if !out.iter().any(|o| o == m) {
                out.push(m.to_string());
            }
        }
    }
    let order = |m: &String| {
        PAPER_COLUMNS.iter().position(|c| c.synthetic.contains(&m.as_str())).unwrap_or(PAPER_COLUMNS.len())
    };
    out.sort_by_key(order);
    out
}

fn curve_specs(table: &Table1, dataset: &str, profile: &str) -> Vec<CurveFigure> {
    let rows: Vec<_> = table.rows_of(dataset, profile).collect();
    let mut figures = Vec::new();
    for metric in curve_metrics(table, dataset, profile) {
        let valid = |s: &&Stat| s.n > 0 && s.mean.is_finite();
        let mut curves: Vec<Curve> = Vec::new();
        let mut baselines = Vec::new();
        let mut identity = None;
        let mut n_range = (usize::MAX, 0);
        for r in rows.iter().filter(|r| r.row == RowKind::Generator) {
            let Some(eps) = r.epsilon else { continue };
            let Some(s) = r.stats.get(&metric).filter(valid) else {
                if eps.is_finite() && r.kind != "identity" {
                    curve_of(&mut curves, &r.generator).nan_eps.push(eps);
                }
                continue;
            };
            n_range = (n_range.0.min(s.n), n_range.1.max(s.n));
            if r.kind == "identity" {
                identity.get_or_insert((format!("real data (identity generator '{}')", r.generator), s.mean));
            } else if eps.is_infinite() {
                baselines.push((format!("{} (non-DP)", r.generator), s.mean));
            } else {
                let sd = if s.sd.is_finite() { s.sd } else { 0.0 };
                curve_of(&mut curves, &r.generator).points.push((eps, s.mean, sd));
            }
        }
        if curves.iter().all(|c| c.points.is_empty()) {
            continue;
        }
        let counterpart = real_counterpart(&metric).and_then(|counterpart| {
            let real = rows.iter().find(|r| r.row == RowKind::Real)?;
            let s = real.stats.get(&counterpart).filter(valid)?;
            Some((format!("real data ({counterpart})"), s.mean))
        });
        let reference = counterpart.or(identity);
        figures.push(CurveFigure {
            id: format!("curve__{}__{}__{}", file_stem(dataset), file_stem(profile), file_stem(&metric)),
            dataset: dataset.to_string(),
            profile: profile.to_string(),
            title: format!("{dataset}: {} vs ε ({profile})", metric_label(&metric)),
            y_label: metric_label(&metric),
            metric,
            curves,
            baselines,
            reference,
            n_range,
        });
    }
    figures
}

/// The curve of `generator`, added (empty) when it is new.
fn curve_of<'a>(curves: &'a mut Vec<Curve>, generator: &str) -> &'a mut Curve {
    match curves.iter().position(|c| c.label == generator) {
        Some(i) => &mut curves[i],
        None => {
            curves.push(Curve { label: generator.to_string(), points: Vec::new(), nan_eps: Vec::new() });
            curves.last_mut().expect("just pushed")
        }
    }
}

/// Axis range with 8 % padding; a degenerate range is widened around its value.
pub(super) fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    if span > 1e-12 * hi.abs().max(lo.abs()).max(1e-300) {
        (lo - 0.08 * span, hi + 0.08 * span)
    } else {
        let w = (hi.abs() * 0.05).max(0.05);
        (lo - w, hi + w)
    }
}

/// Decimals for tick labels of an axis spanning `span` (ticks about `span/10` apart).
pub(super) fn decimals(span: f64) -> usize {
    (-(span / 10.0).log10().floor()).clamp(0.0, 8.0) as usize
}

const CURVE_SIZE: (u32, u32) = (820, 500);
const LEGEND_WIDTH: u32 = 230;

impl Drawing for CurveFigure {
    fn size(&self) -> (u32, u32) {
        CURVE_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).context("fill")?;
        let area = root.titled(&self.title, (FAMILY, 19)).context("title")?;
        let (plot, legend) = area.split_horizontally(CURVE_SIZE.0 - LEGEND_WIDTH);
        let eps: Vec<f64> = {
            let mut e: Vec<f64> = self
                .curves
                .iter()
                .flat_map(|c| c.points.iter().map(|p| p.0).chain(c.nan_eps.iter().copied()))
                .collect();
            e.sort_by(f64::total_cmp);
            e.dedup();
            e
        };
        let (x_lo, x_hi) = (eps[0] / 1.6, eps[eps.len() - 1] * 1.6);
        let mut ys: Vec<f64> =
            self.curves.iter().flat_map(|c| c.points.iter().flat_map(|p| [p.1 - p.2, p.1 + p.2])).collect();
        ys.extend(self.baselines.iter().map(|b| b.1));
        ys.extend(self.reference.iter().map(|r| r.1));
        let (y_lo, y_hi) = padded(
            ys.iter().copied().fold(f64::INFINITY, f64::min),
            ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        let y_dec = decimals(y_hi - y_lo);
        let subtitle = if self.n_range.0 == self.n_range.1 {
            format!("mean ± 1 sd over {} folds × seeds", self.n_range.0)
        } else {
            format!("mean ± 1 sd over {}–{} folds × seeds", self.n_range.0, self.n_range.1)
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .caption(subtitle, (FAMILY, 15))
            .x_label_area_size(46)
            .y_label_area_size(76)
            .build_cartesian_2d((x_lo..x_hi).log_scale().with_key_points(eps.clone()), y_lo..y_hi)
            .context("chart")?;
        axes_style(&mut chart.configure_mesh(), 14, 16, 220)
            .x_desc("privacy budget ε (log scale)")
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&|x| fmt_f64(*x))
            .y_label_formatter(&|y| format!("{y:.y_dec$}"))
            .draw()
            .context("axes")?;
        let mut entries: Vec<LegendEntry> = Vec::new();
        for (i, c) in self.curves.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let mut band: Vec<(f64, f64)> = c.points.iter().map(|p| (p.0, p.1 + p.2)).collect();
            band.extend(c.points.iter().rev().map(|p| (p.0, p.1 - p.2)));
            chart.draw_series(std::iter::once(Polygon::new(band, colour.mix(0.18).filled()))).context("band")?;
            chart
                .draw_series(LineSeries::new(c.points.iter().map(|p| (p.0, p.1)), colour.stroke_width(2)))
                .context("curve")?;
            chart
                .draw_series(c.points.iter().map(|p| Circle::new((p.0, p.1), 4, colour.filled())))
                .context("points")?;
            let hollow = c.nan_eps.iter().map(|&e| Circle::new((e, y_lo), 6, colour.stroke_width(2)));
            chart.draw_series(hollow).context("NaN points")?;
            let nan_note = if c.nan_eps.is_empty() { "" } else { "; ○ on the x axis = NaN" };
            entries.push(LegendEntry {
                label: format!("{} (mean ± 1 sd{nan_note})", c.label),
                colour,
                line: LineKind::Solid,
                band: true,
            });
        }
        for (i, (label, v)) in self.baselines.iter().enumerate() {
            let colour = PALETTE[(self.curves.len() + i) % PALETTE.len()];
            chart.draw_series(LineSeries::new([(x_lo, *v), (x_hi, *v)], colour.stroke_width(2))).context("baseline")?;
            entries.push(LegendEntry { label: label.clone(), colour, line: LineKind::Solid, band: false });
        }
        if let Some((label, v)) = &self.reference {
            chart
                .draw_series(DashedLineSeries::new([(x_lo, *v), (x_hi, *v)], 9, 6, BLACK.stroke_width(2)))
                .context("reference")?;
            entries.push(LegendEntry { label: label.clone(), colour: BLACK, line: LineKind::Dashed, band: false });
        }
        draw_legend(&legend, &entries)
    }
}

enum LineKind {
    Solid,
    Dashed,
}

struct LegendEntry {
    label: String,
    colour: RGBColor,
    line: LineKind,
    band: bool,
}

/// A legend in its own area right of the plot, so it never covers data. Long labels wrap.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> Result<()> {
    let font = (FAMILY, 14).into_font().color(&BLACK);
    let mut y = 70;
    for e in entries {
        if e.band {
            area.draw(&Rectangle::new([(6, y - 7), (44, y + 7)], e.colour.mix(0.18).filled())).context("legend")?;
        }
        match e.line {
            LineKind::Solid => area.draw(&PathElement::new([(6, y), (44, y)], e.colour.stroke_width(2))),
            LineKind::Dashed => area
                .draw(&PathElement::new([(6, y), (18, y)], e.colour.stroke_width(2)))
                .and_then(|_| area.draw(&PathElement::new([(26, y), (44, y)], e.colour.stroke_width(2)))),
        }
        .context("legend")?;
        let lines = wrap(&e.label, 22);
        for (k, line) in lines.iter().enumerate() {
            area.draw(&Text::new(line.clone(), (52, y - 8 + 17 * k as i32), font.clone())).context("legend")?;
        }
        y += 17 * (lines.len() as i32 - 1) + 28;
    }
    Ok(())
}

/// Greedy word wrap at `width` characters (words longer than that are kept whole).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("submmd_BRCA.LumA"), "submmd_BRCA.LumA");
        assert_eq!(file_stem("a/b c"), "a~2fb~20c");
        assert_ne!(file_stem("a b"), file_stem("a_b"));
    }

    #[test]
    fn padding_and_wrapping() {
        assert_eq!(padded(0.0, 1.0), (-0.08, 1.08));
        let (lo, hi) = padded(2.0, 2.0);
        assert!(lo < 2.0 && hi > 2.0);
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(decimals(0.05), 3);
        assert_eq!(decimals(0.3), 2);
        assert_eq!(decimals(50.0), 0);
    }
}
