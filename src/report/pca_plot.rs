//! PCA panels of a report (`pca__<dataset>__<definition>`, see [`super::plots`]): real-train vs
//! synthetic rows in the 2-D projection of metrics.md §2.11 (`camda2025`: a separate PCA per set,
//! axes not comparable) or §3.6 (`camda2026`: one projection fitted on the real train fold), one
//! panel per generator × ε, from `pca/<cell_id>.csv` of fold 1 of the first seed only.

use super::inputs::{cell_id, Inputs};
use super::plots::{axes_style, decimals, file_stem, padded, wrap, Drawing, FAMILY, REAL_POINTS, SYNTHETIC_POINTS};
use super::table::{RowKind, Table1};
use crate::error::{Context, Error, Result};
use crate::io::csv::{parse_f64, Table};
use crate::io::fmt_f64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One panel: a generator at one ε; points are `None` when the cell has no PCA file.
struct Panel {
    caption: String,
    points: Option<PcaPoints>,
}

#[derive(Default)]
struct PcaPoints {
    real: Vec<(f64, f64)>,
    synthetic: Vec<(f64, f64)>,
}

pub(super) struct PcaFigure {
    pub(super) id: String,
    pub(super) dataset: String,
    pub(super) definition: String,
    pub(super) title: String,
    subtitle: String,
    /// Rows of panels (one row per generator).
    grid: Vec<Vec<Panel>>,
}

const PANEL: (u32, u32) = (330, 310);
const PCA_HEADER: u32 = 76;
/// Panels per row at least (non-DP generators are packed this wide).
const PCA_MIN_COLUMNS: usize = 3;

/// Read `pca/<cell_id>.csv`: `definition → points`, in file order of definitions.
fn read_pca(path: &Path) -> Result<Option<Vec<(String, PcaPoints)>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", path.display()))),
    };
    let t = Table::parse(&text, &path.display().to_string())?;
    let (def, set, pc1, pc2) = (t.column("definition")?, t.column("set")?, t.column("pc1")?, t.column("pc2")?);
    let mut out: Vec<(String, PcaPoints)> = Vec::new();
    for r in &t.rows {
        let coord = |i: usize| match parse_f64(&r.fields[i]) {
            Some(v) if v.is_finite() => Ok(v),
            _ => Err(Error::new(format!("{}: expected a finite number, got '{}'", t.at(r, i), r.fields[i]))),
        };
        let p = (coord(pc1)?, coord(pc2)?);
        let d = &r.fields[def];
        let idx = match out.iter().position(|(n, _)| n == d) {
            Some(i) => i,
            None => {
                out.push((d.clone(), PcaPoints::default()));
                out.len() - 1
            }
        };
        match r.fields[set].as_str() {
            "real" => out[idx].1.real.push(p),
            "synthetic" => out[idx].1.synthetic.push(p),
            other => {
                return Err(Error::new(format!("{}: expected 'real' or 'synthetic', got '{other}'", t.at(r, set))))
            }
        }
    }
    Ok(Some(out))
}

/// What each PCA definition shows (metrics.md §2.11, §3.6).
fn definition_note(definition: &str) -> &'static str {
    match definition {
        "camda2025" => "separate 2-component PCA per set (metrics.md §2.11): the two sets' axes are not comparable",
        "camda2026" => "one projection (scaler + PCA) fitted on the real train fold, applied to both sets (§3.6)",
        _ => "projection as recorded in pca/*.csv",
    }
}

/// The PCA figures of `dataset`: one per projection definition found in the `pca/` files.
pub(super) fn pca_specs(inputs: &Inputs, table: &Table1, dataset: &str) -> Result<Vec<PcaFigure>> {
    let Some(seed) = inputs.pca_seed(dataset) else { return Ok(Vec::new()) };
    let mut cells: Vec<(String, f64)> = Vec::new();
    for r in table.rows.iter().filter(|r| r.dataset == dataset && r.row == RowKind::Generator) {
        let eps = r.epsilon.unwrap_or(f64::INFINITY);
        if !cells.iter().any(|(g, e)| g == &r.generator && *e == eps) {
            cells.push((r.generator.clone(), eps));
        }
    }
    let mut files = Vec::with_capacity(cells.len());
    for (g, e) in &cells {
        let path = inputs.dir.join("pca").join(format!("{}.csv", cell_id(dataset, g, *e, seed, 1)));
        files.push(read_pca(&path)?);
    }
    let mut definitions: Vec<String> = Vec::new();
    for (name, _) in files.iter().flatten().flatten() {
        if !definitions.contains(name) {
            definitions.push(name.clone());
        }
    }
    let mut figures = Vec::new();
    for definition in definitions {
        // One row per DP generator (its ε values), then the non-DP generators packed in rows.
        let mut grid: Vec<Vec<Panel>> = Vec::new();
        let mut non_dp: Vec<Panel> = Vec::new();
        let mut last_generator = None;
        for ((g, e), file) in cells.iter().zip(&mut files) {
            let points = file
                .as_mut()
                .and_then(|defs| defs.iter_mut().find(|(n, _)| *n == definition).map(|(_, p)| std::mem::take(p)));
            if e.is_infinite() {
                non_dp.push(Panel { caption: format!("{g} (non-DP)"), points });
                continue;
            }
            if last_generator != Some(g) {
                grid.push(Vec::new());
                last_generator = Some(g);
            }
            let caption = format!("{g}, ε = {}", fmt_f64(*e));
            grid.last_mut().expect("a row was pushed").push(Panel { caption, points });
        }
        let width = grid.iter().map(Vec::len).max().unwrap_or(0).max(PCA_MIN_COLUMNS);
        let mut non_dp = non_dp.into_iter().peekable();
        while non_dp.peek().is_some() {
            grid.push(non_dp.by_ref().take(width).collect());
        }
        figures.push(PcaFigure {
            id: format!("pca__{}__{}", file_stem(dataset), file_stem(&definition)),
            dataset: dataset.to_string(),
            title: format!(
                "{dataset}: PCA of real train (grey) vs synthetic (orange), {definition}, seed {seed} fold 1"
            ),
            subtitle: format!("Only fold 1 of seed {seed} is shown; {}.", definition_note(&definition)),
            definition,
            grid,
        });
    }
    Ok(figures)
}

impl Drawing for PcaFigure {
    fn size(&self) -> (u32, u32) {
        let cols = self.grid.iter().map(Vec::len).max().unwrap_or(1).max(PCA_MIN_COLUMNS) as u32;
        (cols * PANEL.0, PCA_HEADER + self.grid.len() as u32 * PANEL.1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).context("fill")?;
        let (header, body) = root.split_vertically(PCA_HEADER);
        let w = self.size().0 as i32;
        let title_font = (FAMILY, 20).into_font().color(&BLACK);
        let note_font = (FAMILY, 14).into_font().color(&BLACK);
        header.draw(&Text::new(self.title.clone(), (12, 8), title_font)).context("title")?;
        let mut y = 36;
        for line in wrap(&self.subtitle, (w as usize / 8).max(40)) {
            header.draw(&Text::new(line, (12, y), note_font.clone())).context("subtitle")?;
            y += 18;
        }
        let rows = self.grid.len();
        let cols = (self.size().0 / PANEL.0) as usize;
        let areas = body.split_evenly((rows, cols));
        for (i, row) in self.grid.iter().enumerate() {
            for (j, panel) in row.iter().enumerate() {
                draw_panel(&areas[i * cols + j], panel)?;
            }
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> Result<()> {
    let Some(points) = panel.points.as_ref().filter(|p| !p.real.is_empty() || !p.synthetic.is_empty()) else {
        area.draw(&Text::new(panel.caption.clone(), (12, 12), (FAMILY, 14).into_font())).context("panel")?;
        area.draw(&Text::new("no PCA data for this cell", (12, 40), (FAMILY, 13).into_font().color(&REAL_POINTS)))
            .context("panel")?;
        return Ok(());
    };
    let all = || points.real.iter().chain(&points.synthetic);
    let (x_lo, x_hi) =
        padded(all().map(|p| p.0).fold(f64::INFINITY, f64::min), all().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max));
    let (y_lo, y_hi) =
        padded(all().map(|p| p.1).fold(f64::INFINITY, f64::min), all().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max));
    let (x_dec, y_dec) = (decimals(x_hi - x_lo), decimals(y_hi - y_lo));
    let mut chart = ChartBuilder::on(area)
        .margin(6)
        .caption(panel.caption.as_str(), (FAMILY, 14))
        .x_label_area_size(34)
        .y_label_area_size(44)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .context("panel")?;
    axes_style(&mut chart.configure_mesh(), 11, 12, 230)
        .x_desc("PC1")
        .y_desc("PC2")
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|x| format!("{x:.x_dec$}"))
        .y_label_formatter(&|y| format!("{y:.y_dec$}"))
        .draw()
        .context("panel axes")?;
    chart
        .draw_series(points.real.iter().map(|p| Circle::new(*p, 2, REAL_POINTS.mix(0.45).filled())))
        .context("real points")?;
    chart
        .draw_series(points.synthetic.iter().map(|p| Circle::new(*p, 2, SYNTHETIC_POINTS.mix(0.6).filled())))
        .context("synthetic points")?;
    Ok(())
}
