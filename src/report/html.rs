//! `report.html` (one self-contained file: CSS inline, PNG figures as base64 data URIs, no
//! network) and `report.md` beside it (figures linked relatively). Both are rendered from one
//! document model, so they always say the same thing.

use super::budget::BudgetRow;
use super::inputs::Inputs;
use super::plots::{Figure, FigureKind};
use super::reference::{self, Published, NOT_COMPARABLE, PUBLISHED_PROFILE};
use super::table::{is_real_only, Row, RowKind, Stat, Table1, PAPER_COLUMNS};
use crate::error::Result;
use crate::io::{fmt_f64, write_atomic};
use base64::Engine;

/// A table cell: main text, optional second line, emphasis, and whether long text may wrap
/// (numbers never do).
#[derive(Clone, Debug, Default)]
struct Cell {
    main: String,
    sub: Option<String>,
    warn: bool,
    wrap: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell { main: s.into(), ..Cell::default() }
    }
    fn warn(s: impl Into<String>) -> Cell {
        Cell { main: s.into(), warn: true, wrap: true, ..Cell::default() }
    }
    fn long(s: impl Into<String>) -> Cell {
        Cell { main: s.into(), wrap: true, ..Cell::default() }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::text(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::text(s)
    }
}

#[derive(Clone, Debug)]
struct TableBlock {
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
    /// Rows to highlight (real-data references).
    highlight: Vec<bool>,
}

#[derive(Clone, Debug)]
enum Block<'a> {
    Heading(u8, String),
    Para(String),
    Note(String),
    List(Vec<String>),
    Table(TableBlock),
    Code { summary: String, text: String },
    Details { summary: String, blocks: Vec<Block<'a>> },
    Figures(Vec<&'a Figure>),
}

/// Numbers for people: at least 4 decimals and 4 significant digits.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return fmt_f64(v);
    }
    if v == 0.0 {
        return "0".into();
    }
    let decimals = (3 - v.abs().log10().floor() as i64).clamp(4, 10) as usize;
    format!("{v:.decimals$}")
}

/// Spreads for people: two significant digits.
fn num2(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return if v == 0.0 { "0".into() } else { fmt_f64(v) };
    }
    let decimals = (1 - v.abs().log10().floor() as i64).clamp(0, 12) as usize;
    format!("{v:.decimals$}")
}

fn eps_text(e: f64) -> String {
    if e.is_infinite() {
        "∞".into()
    } else {
        fmt_f64(e)
    }
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

fn stat_cell(s: &Stat) -> Cell {
    if s.n == 0 {
        return Cell { main: "NaN".into(), sub: Some("no valid value".into()), warn: true, wrap: false };
    }
    let main = if s.sd.is_finite() { format!("{} ± {}", num(s.mean), num2(s.sd)) } else { num(s.mean) };
    let sub = if s.ci_lo.is_finite() {
        format!("n = {}, CI [{}, {}]", s.n, num(s.ci_lo), num(s.ci_hi))
    } else {
        format!("n = {}", s.n)
    };
    Cell { main, sub: Some(sub), ..Cell::default() }
}

/// The key columns of result tables.
const KEY_HEADER: [&str; 4] = ["generator", "kind", "ε", "cells"];

fn row_key_cells(r: &Row) -> Vec<Cell> {
    let cells = if r.n_error > 0 {
        Cell { main: r.n_cells.to_string(), sub: Some(format!("{} failed", r.n_error)), warn: true, wrap: false }
    } else {
        Cell::text(r.n_cells.to_string())
    };
    vec![
        Cell::text(r.label()),
        Cell::text(if r.row == RowKind::Real { "reference".into() } else { r.kind.clone() }),
        Cell::text(r.epsilon.map(eps_text).unwrap_or_default()),
        cells,
    ]
}

// ---------------------------------------------------------------------------------------------
// Sections

fn header_section<'a>(inputs: &Inputs, blocks: &mut Vec<Block<'a>>, notes: &[String]) {
    let grid = inputs.manifest.as_ref().and_then(|m| m.grid.clone()).unwrap_or_else(|| dir_name(inputs));
    blocks.push(Block::Heading(1, format!("bench report: {grid}")));
    blocks.push(Block::Para(format!(
        "Rendered by bench {} from the results directory {} (cells.csv, manifest.json, grid.toml, pca/, privacy/), \
         without rerunning any cell.",
        crate::VERSION,
        dir_name(inputs)
    )));
    let rows = &inputs.cells.rows;
    let cells = distinct(rows.iter().map(|r| r.cell_id()));
    let failed = distinct(rows.iter().filter(|r| !r.is_ok()).map(|r| r.cell_id()));
    let mut summary = vec![
        format!(
            "{}, {} generator × ε settings, {} ({} failed), {} result rows (cell × profile)",
            plural(inputs.datasets().len(), "dataset"),
            distinct(rows.iter().map(|r| (r.generator.clone(), r.epsilon.to_bits()))),
            plural(cells, "cell"),
            failed,
            rows.len()
        ),
        format!("metric profiles: {}", inputs.profile_order().join(", ")),
    ];
    summary.extend(notes.iter().cloned());
    blocks.push(Block::List(summary));
}

fn dir_name(inputs: &Inputs) -> String {
    inputs.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn distinct<T: PartialEq>(items: impl Iterator<Item = T>) -> usize {
    let mut seen: Vec<T> = Vec::new();
    for i in items {
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.len()
}

fn settings_section<'a>(inputs: &Inputs, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Grid settings".into()));
    let mut datasets = TableBlock {
        header: ["dataset", "source", "samples", "genes", "classes", "published reference", "use of the reference"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
        highlight: Vec::new(),
    };
    for d in inputs.datasets() {
        let md = inputs.manifest_dataset(&d);
        let source = inputs.dataset_source(&d);
        let reference = reference::reference_for(inputs, &d);
        let mode = match (&reference, reference::is_real_data(&source)) {
            (None, _) => "none",
            (Some(_), true) => "measured vs published",
            (Some(_), false) => "context only (simulated data)",
        };
        datasets.rows.push(vec![
            Cell::text(d.clone()),
            Cell::long(source),
            Cell::text(md.and_then(|m| m.n_samples).map(|n| n.to_string()).unwrap_or_default()),
            Cell::text(md.and_then(|m| m.n_genes).map(|n| n.to_string()).unwrap_or_default()),
            Cell::long(md.map(|m| m.classes.join(", ")).unwrap_or_default()),
            Cell::text(reference.unwrap_or_else(|| "–".into())),
            Cell::text(mode),
        ]);
        datasets.highlight.push(false);
    }
    blocks.push(Block::Table(datasets));
    if let Some(m) = &inputs.manifest {
        let mut generators = TableBlock {
            header: ["generator", "kind", "DP", "ε", "δ", "parameters"].map(String::from).to_vec(),
            rows: Vec::new(),
            highlight: Vec::new(),
        };
        for g in &m.generators {
            let eps: Vec<String> =
                inputs.cells.rows.iter().filter(|r| r.generator == g.name).map(|r| eps_text(r.epsilon)).fold(
                    Vec::new(),
                    |mut acc, e| {
                        if !acc.contains(&e) {
                            acc.push(e);
                        }
                        acc
                    },
                );
            generators.rows.push(vec![
                Cell::text(g.name.clone()),
                Cell::text(g.kind.clone()),
                Cell::text(g.dp.map(|d| if d { "yes" } else { "no" }).unwrap_or("?")),
                Cell::text(eps.join(", ")),
                Cell::text(g.delta.map(fmt_f64).unwrap_or_else(|| "–".into())),
                Cell::long(g.params.clone()),
            ]);
            generators.highlight.push(false);
        }
        blocks.push(Block::Table(generators));
        if let Some(p) = m.raw.get("protocol") {
            blocks.push(Block::Para(format!(
                "Protocol: {} folds, seeds {}, split RNG {}.",
                p.get("folds").map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                p.get("seeds").map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                p.get("split_rng").and_then(|v| v.as_str()).unwrap_or("?")
            )));
        }
        let json = serde_json::to_string_pretty(&m.raw).unwrap_or_default();
        blocks.push(Block::Code { summary: "manifest.json".into(), text: json });
    }
    if let Some(toml) = &inputs.grid_toml {
        blocks.push(Block::Code { summary: "grid.toml (as run)".into(), text: toml.clone() });
    }
}

fn budget_section<'a>(budget: &[BudgetRow], blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Privacy budget".into()));
    blocks.push(Block::Para(
        "Per generator and ε over all datasets, seeds and folds, from cells.csv and privacy/<cell>.json (generators.md §1.5). \
         ρ in zCDP; ranges are min–max over cells. A generator with any non-private step is not end-to-end DP."
            .into(),
    ));
    let range = |r: Option<(f64, f64)>| match r {
        None => "–".to_string(),
        Some((lo, hi)) if lo == hi => num(lo),
        Some((lo, hi)) => format!("{}–{}", num(lo), num(hi)),
    };
    let mut t = TableBlock {
        header: [
            "generator",
            "kind",
            "ε",
            "δ",
            "ρ budget",
            "ρ spent",
            "ε spent",
            "split",
            "non-private steps",
            "warnings",
            "cells",
            "status",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
        highlight: Vec::new(),
    };
    for b in budget {
        let mut status = Cell::long(b.status());
        status.warn = b.status() != "end-to-end DP (ρ-zCDP)";
        let mut notes = Vec::new();
        if b.overspent > 0 {
            notes.push(format!("ρ spent exceeds the budget in {} cells", b.overspent));
        }
        if b.missing_reports > 0 {
            notes.push(format!("{} without privacy report", plural(b.missing_reports, "cell")));
        }
        if !notes.is_empty() {
            status.sub = Some(notes.join("; "));
            status.warn = true;
        }
        let warnings =
            b.warnings.iter().map(|(w, n)| format!("{w} ({})", plural(*n, "cell"))).collect::<Vec<_>>().join("; ");
        t.rows.push(vec![
            Cell::text(b.generator.clone()),
            Cell::text(b.kind.clone()),
            Cell::text(eps_text(b.epsilon)),
            Cell::text(b.delta.map(fmt_f64).unwrap_or_else(|| "–".into())),
            Cell::text(if b.rho_budget.is_empty() {
                "–".into()
            } else {
                b.rho_budget.iter().map(|v| num(*v)).collect::<Vec<_>>().join(", ")
            }),
            Cell::text(range(b.rho_spent)),
            Cell::text(range(b.epsilon_spent)),
            Cell::long(b.splits.join(" | ")),
            if b.non_private_steps.is_empty() {
                Cell::text("none")
            } else {
                Cell::warn(b.non_private_steps.join("; "))
            },
            if warnings.is_empty() { Cell::text("none") } else { Cell::warn(warnings) },
            Cell::text(if b.error_cells > 0 {
                format!("{} ({} failed)", b.cells, b.error_cells)
            } else {
                b.cells.to_string()
            }),
            status,
        ]);
        t.highlight.push(false);
    }
    blocks.push(Block::Table(t));
    let mut not_e2e: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for b in budget.iter().filter(|b| b.dp && !b.non_private_steps.is_empty()) {
        if !not_e2e.iter().any(|(g, _, _)| *g == b.generator) {
            not_e2e.push((b.generator.clone(), Vec::new(), Vec::new()));
        }
        let entry = not_e2e.iter_mut().find(|(g, _, _)| *g == b.generator).expect("pushed above");
        entry.1.push(eps_text(b.epsilon));
        for step in &b.non_private_steps {
            if !entry.2.contains(step) {
                entry.2.push(step.clone());
            }
        }
    }
    let not_e2e: Vec<String> = not_e2e
        .into_iter()
        .map(|(g, eps, steps)| format!("{g} (ε = {}) is not end-to-end DP: {}", eps.join(", "), steps.join("; ")))
        .collect();
    if !not_e2e.is_empty() {
        blocks.push(Block::List(not_e2e));
    }
}

fn results_section<'a>(inputs: &Inputs, table: &Table1, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Results (Table 1 layout)".into()));
    blocks.push(Block::Para(
        "Mean ± sd (ddof 1) over folds × seeds; below: the number of valid values n (NaN skipped) and the 95% Student-t \
         interval mean ∓ t(0.975, n−1)·sd/√n. Failed cells are excluded and counted. The real-data row holds the \
         generator-independent references (train on real / test on real: accuracy_real, avg_pr_macro_real, \
         MMD_base, distance_to_closest_base). Full precision in table1.csv and table1_long.csv."
            .into(),
    ));
    for dataset in inputs.datasets() {
        blocks.push(Block::Heading(3, format!("Dataset {dataset}")));
        for profile in inputs.profile_order() {
            let rows: Vec<&Row> = table.rows_of(&dataset, &profile).collect();
            if rows.is_empty() {
                continue;
            }
            let version = rows[0].profile_version.clone();
            blocks.push(Block::Heading(4, format!("{dataset}, profile {profile} ({version})")));
            let paper: Vec<_> = PAPER_COLUMNS.iter().filter(|c| rows.iter().any(|r| r.paper(c).is_some())).collect();
            if !paper.is_empty() {
                let mut main = TableBlock {
                    header: KEY_HEADER
                        .map(String::from)
                        .into_iter()
                        .chain(paper.iter().map(|c| c.label.to_string()))
                        .collect(),
                    rows: Vec::new(),
                    highlight: Vec::new(),
                };
                for r in &rows {
                    let mut cells = row_key_cells(r);
                    cells.extend(paper.iter().map(|c| r.paper(c).map(|(_, s)| stat_cell(s)).unwrap_or_default()));
                    main.rows.push(cells);
                    main.highlight.push(r.row == RowKind::Real);
                }
                blocks.push(Block::Table(main));
            }
            let others: Vec<&String> =
                table.other_columns.iter().filter(|m| rows.iter().any(|r| r.stats.contains_key(*m))).collect();
            if !others.is_empty() {
                let mut t = TableBlock {
                    header: KEY_HEADER
                        .map(String::from)
                        .into_iter()
                        .chain(others.iter().map(|m| m.to_string()))
                        .collect(),
                    rows: Vec::new(),
                    highlight: Vec::new(),
                };
                for r in rows.iter().filter(|r| others.iter().any(|m| r.stats.contains_key(*m))) {
                    let mut cells = row_key_cells(r);
                    cells.extend(others.iter().map(|m| r.stats.get(*m).map(stat_cell).unwrap_or_default()));
                    t.rows.push(cells);
                    t.highlight.push(r.row == RowKind::Real);
                }
                if paper.is_empty() {
                    blocks.push(Block::Table(t));
                } else {
                    blocks.push(Block::Details {
                        summary: format!("Other metric columns of {profile} ({})", others.len()),
                        blocks: vec![Block::Table(t)],
                    });
                }
            }
        }
    }
}

/// The heading a metric is shown under: its Table-1 column (on real-data rows the real-only
/// sources), else its own name.
fn column_of(metric: &str, real_row: bool) -> String {
    PAPER_COLUMNS
        .iter()
        .find(|c| if real_row { c.real } else { c.synthetic }.contains(&metric))
        .map_or_else(|| metric.to_string(), |c| c.label.to_string())
}

/// Columns of a published table: Table-1 columns in the paper's order, then other metrics.
fn published_columns(rows: &[&Published]) -> Vec<String> {
    let used: Vec<String> = rows.iter().flat_map(|p| p.values.iter().map(|(m, _)| column_of(m, p.is_real()))).collect();
    let mut columns: Vec<String> =
        PAPER_COLUMNS.iter().map(|c| c.label.to_string()).filter(|l| used.contains(l)).collect();
    for c in used {
        if !columns.contains(&c) {
            columns.push(c);
        }
    }
    columns
}

/// The published value of `p` shown under `column`, with its metric name.
fn published_in<'p>(p: &'p Published, column: &str) -> Option<(&'p str, f64)> {
    p.values.iter().find(|(m, _)| column_of(m, p.is_real()) == column).map(|(m, v)| (m.as_str(), *v))
}

/// Published values as context (simulated data): one row per published row.
fn published_table(rows: &[&Published]) -> TableBlock {
    let columns = published_columns(rows);
    let mut t = TableBlock {
        header: ["method", "ε"].map(String::from).into_iter().chain(columns.iter().cloned()).collect(),
        rows: Vec::new(),
        highlight: Vec::new(),
    };
    for p in rows {
        let mut cells = vec![Cell::text(p.method.clone()), Cell::text(p.epsilon.map(eps_text).unwrap_or_default())];
        cells.extend(
            columns.iter().map(|c| published_in(p, c).map(|(_, v)| Cell::text(fmt_f64(v))).unwrap_or_default()),
        );
        t.rows.push(cells);
        t.highlight.push(p.is_real());
    }
    t
}

/// Measured beside published (real data): one row per published row and matching bench row;
/// each cell holds bench's mean ± sd, with the published value and the difference below.
fn comparison_table(table: &Table1, dataset: &str, rows: &[&Published]) -> TableBlock {
    let columns = published_columns(rows);
    let mut t = TableBlock {
        header: ["published method", "ε", "bench row"]
            .map(String::from)
            .into_iter()
            .chain(columns.iter().cloned())
            .collect(),
        rows: Vec::new(),
        highlight: Vec::new(),
    };
    let real_row = table.rows_of(dataset, PUBLISHED_PROFILE).find(|r| r.row == RowKind::Real);
    for p in rows {
        let bench: Vec<&Row> = reference::matching_rows(table, dataset, p).collect();
        let bench: Vec<Option<&Row>> =
            if bench.is_empty() { vec![None] } else { bench.into_iter().map(Some).collect() };
        for row in bench {
            let mut cells = vec![
                Cell::text(p.method.clone()),
                Cell::text(p.epsilon.map(eps_text).unwrap_or_default()),
                row.map_or_else(|| Cell::warn("not in this run"), |r| Cell::text(r.label())),
            ];
            for c in &columns {
                let Some((metric, published)) = published_in(p, c) else {
                    cells.push(Cell::default());
                    continue;
                };
                // Real-only values (e.g. accuracy_real beside a baseline) live on the real-data row.
                let measured_on = if is_real_only(metric) { real_row } else { row };
                let cell = match measured_on.and_then(|r| r.stats.get(metric)).filter(|s| s.n > 0) {
                    Some(s) => {
                        let main =
                            if s.sd.is_finite() { format!("{} ± {}", num(s.mean), num2(s.sd)) } else { num(s.mean) };
                        let diff = s.mean - published;
                        let sign = if diff >= 0.0 { "+" } else { "" };
                        Cell {
                            main,
                            sub: Some(format!("published {}\nΔ {sign}{}", fmt_f64(published), num(diff))),
                            ..Cell::default()
                        }
                    }
                    None => Cell {
                        main: "–".into(),
                        sub: Some(format!("published {}", fmt_f64(published))),
                        ..Cell::default()
                    },
                };
                cells.push(cell);
            }
            t.rows.push(cells);
            t.highlight.push(p.is_real());
        }
    }
    t
}

fn reference_section<'a>(inputs: &Inputs, table: &Table1, published: &[Published], blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Published reference values".into()));
    blocks.push(Block::Para(format!(
        "Sources: experiments/reference/menzies2025_table1.csv (Menzies et al., Table 1 and the real-data values of its text) \
         and experiments/reference/camda2025_baselines.csv (challenge organisers' 2025 baselines, metrics.md §7.2). \
         All were computed on the real challenge data with the {PUBLISHED_PROFILE} evaluator. A dataset is matched to a \
         reference by the manifest's `reference` field (grid key `reference`, or the simulator name), else by its name."
    )));
    for dataset in inputs.datasets() {
        let Some(reference) = reference::reference_for(inputs, &dataset) else {
            blocks.push(Block::Heading(3, format!("Dataset {dataset}")));
            blocks.push(Block::Para("No published reference for this dataset.".into()));
            continue;
        };
        let source = inputs.dataset_source(&dataset);
        blocks.push(Block::Heading(3, format!("Dataset {dataset} ↔ published {reference}")));
        let files: Vec<&str> = published.iter().map(|p| p.file).fold(Vec::new(), |mut acc, f| {
            if !acc.contains(&f) {
                acc.push(f);
            }
            acc
        });
        if reference::is_real_data(&source) {
            blocks.push(Block::Para(format!(
                "Real data ({source}): each cell shows bench's {PUBLISHED_PROFILE} mean ± sd over folds × seeds, and \
                 below it the published value and Δ = measured − published. Published rows are matched to bench rows \
                 by generator kind and ε (the paper's Baseline is the multivariate Gaussian, kind multivariate)."
            )));
            for file in files {
                let rows: Vec<&Published> =
                    published.iter().filter(|p| p.file == file && p.dataset == reference).collect();
                if rows.is_empty() {
                    continue;
                }
                blocks.push(Block::Heading(4, format!("{reference}: {}", rows[0].source)));
                blocks.push(Block::Table(comparison_table(table, &dataset, &rows)));
            }
        } else {
            blocks.push(Block::Note(format!(
                "{dataset} is simulated ({source}). The values below are {NOT_COMPARABLE}; they show the scale and \
                 the trends (utility and fidelity improve with ε; DCR is not monotone in ε), not targets."
            )));
            for file in files {
                let rows: Vec<&Published> =
                    published.iter().filter(|p| p.file == file && p.dataset == reference).collect();
                if rows.is_empty() {
                    continue;
                }
                blocks.push(Block::Heading(4, format!("{reference}: {NOT_COMPARABLE} — {}", rows[0].source)));
                blocks.push(Block::Table(published_table(&rows)));
            }
        }
    }
}

fn figures_section<'a>(inputs: &Inputs, figures: &'a [Figure], blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Figures".into()));
    blocks.push(Block::Para(
        "PNG and SVG of every figure are in plots/. Curves: mean over folds × seeds with a ±1 sd band per DP generator \
         (log-scale ε), non-DP generators as solid horizontal lines, the real-data reference dashed."
            .into(),
    ));
    for dataset in inputs.datasets() {
        let of: Vec<&Figure> = figures.iter().filter(|f| f.dataset == dataset).collect();
        if of.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(3, format!("Dataset {dataset}")));
        let pca: Vec<&Figure> = of.iter().copied().filter(|f| matches!(f.kind, FigureKind::Pca { .. })).collect();
        if !pca.is_empty() {
            blocks.push(Block::Heading(4, "PCA: real train vs synthetic".into()));
            blocks.push(Block::Figures(pca));
        }
        let is_paper = |f: &&Figure| match &f.kind {
            FigureKind::Curve { metric, .. } => PAPER_COLUMNS.iter().any(|c| c.synthetic.contains(&metric.as_str())),
            FigureKind::Pca { .. } => false,
        };
        let curves: Vec<&Figure> = of.iter().copied().filter(|f| matches!(f.kind, FigureKind::Curve { .. })).collect();
        let (paper, other): (Vec<&Figure>, Vec<&Figure>) = curves.into_iter().partition(is_paper);
        if !paper.is_empty() {
            blocks.push(Block::Heading(4, "Table-1 metrics vs ε".into()));
            blocks.push(Block::Figures(paper));
        }
        if !other.is_empty() {
            blocks.push(Block::Details {
                summary: format!("Other metrics vs ε ({} figures)", other.len()),
                blocks: vec![Block::Figures(other)],
            });
        }
    }
}

fn errors_section<'a>(inputs: &Inputs, blocks: &mut Vec<Block<'a>>) {
    const LIMIT: usize = 200;
    let mut seen = std::collections::HashSet::new();
    let failed: Vec<_> = inputs.cells.rows.iter().filter(|r| !r.is_ok() && seen.insert(r.cell_id())).collect();
    if failed.is_empty() {
        return;
    }
    blocks.push(Block::Heading(2, format!("Failed cells ({})", failed.len())));
    let mut t = TableBlock {
        header: ["cell", "phase", "error"].map(String::from).to_vec(),
        rows: Vec::new(),
        highlight: Vec::new(),
    };
    for r in failed.iter().take(LIMIT) {
        t.rows.push(vec![
            Cell::text(r.cell_id()),
            Cell::text(r.status.phase().map(|p| p.to_string()).unwrap_or_default()),
            Cell::warn(r.status.message().to_string()),
        ]);
        t.highlight.push(false);
    }
    blocks.push(Block::Table(t));
    if failed.len() > LIMIT {
        blocks.push(Block::Para(format!("… and {} more; see cells.csv.", failed.len() - LIMIT)));
    }
}

fn versions_section<'a>(inputs: &Inputs, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Versions".into()));
    let mut t =
        TableBlock { header: vec!["component".into(), "version".into()], rows: Vec::new(), highlight: Vec::new() };
    let mut run_versions: Vec<String> = inputs.manifest.iter().filter_map(|m| m.bench_version.clone()).collect();
    for r in &inputs.cells.rows {
        if !run_versions.contains(&r.bench_version) {
            run_versions.push(r.bench_version.clone());
        }
    }
    t.rows.push(vec![Cell::text("bench (run)"), Cell::text(run_versions.join(", "))]);
    t.rows.push(vec![Cell::text("bench (this report)"), Cell::text(crate::VERSION)]);
    for profile in inputs.profile_order() {
        let mut versions: Vec<String> = inputs
            .manifest
            .iter()
            .flat_map(|m| m.profiles.iter().filter(|(n, _)| *n == profile).map(|(_, v)| v.clone()))
            .collect();
        for r in inputs.cells.rows.iter().filter(|r| r.profile == profile) {
            if !versions.contains(&r.profile_version) {
                versions.push(r.profile_version.clone());
            }
        }
        t.rows.push(vec![Cell::text(format!("metric profile {profile}")), Cell::text(versions.join(", "))]);
    }
    t.highlight = vec![false; t.rows.len()];
    blocks.push(Block::Table(t));
}

/// The whole document.
fn document<'a>(
    inputs: &Inputs,
    table: &Table1,
    budget: &[BudgetRow],
    figures: &'a [Figure],
    published: &[Published],
    notes: &[String],
) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    header_section(inputs, &mut blocks, notes);
    settings_section(inputs, &mut blocks);
    budget_section(budget, &mut blocks);
    results_section(inputs, table, &mut blocks);
    reference_section(inputs, table, published, &mut blocks);
    figures_section(inputs, figures, &mut blocks);
    errors_section(inputs, &mut blocks);
    versions_section(inputs, &mut blocks);
    blocks
}

// ---------------------------------------------------------------------------------------------
// HTML

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:0 auto;max-width:1380px;padding:12px 24px;color:#1a1a1a;line-height:1.4}
h1{font-size:26px;border-bottom:2px solid #333;padding-bottom:4px}h2{font-size:21px;margin-top:34px;border-bottom:1px solid #bbb}
h3{font-size:18px;margin-top:24px}h4{font-size:15px;margin:16px 0 6px}
.scroll{overflow-x:auto;margin:6px 0 14px}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top;text-align:left}th{background:#eef0f3;position:sticky;top:0}
tr.real td{background:#eef5ff;font-style:italic}td .sub{display:block;color:#666;font-size:11px}td{white-space:nowrap}td.wrap{white-space:normal;min-width:90px;max-width:360px}
td.warn,.warn{color:#a01010}p.note{background:#fff6e0;border-left:4px solid #e0a000;padding:6px 10px}
pre{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto}details{margin:6px 0 12px}summary{cursor:pointer;font-weight:bold}
.figs{display:flex;flex-wrap:wrap;gap:14px}figure{margin:0;flex:1 1 640px;max-width:100%}
figure.wide{flex-basis:100%}figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{font-size:12px;color:#444}";

fn html_table(t: &TableBlock, out: &mut String) {
    out.push_str("<div class=\"scroll\"><table>\n<tr>");
    for h in &t.header {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr>\n");
    for (i, row) in t.rows.iter().enumerate() {
        out.push_str(if t.highlight.get(i).copied().unwrap_or(false) { "<tr class=\"real\">" } else { "<tr>" });
        for c in row {
            out.push_str(match (c.warn, c.wrap) {
                (false, false) => "<td>",
                (true, false) => "<td class=\"warn\">",
                (false, true) => "<td class=\"wrap\">",
                (true, true) => "<td class=\"warn wrap\">",
            });
            out.push_str(&esc(&c.main));
            if let Some(sub) = &c.sub {
                out.push_str(&format!("<span class=\"sub\">{}</span>", esc(sub).replace('\n', "<br>")));
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
}

fn html_blocks(blocks: &[Block<'_>], out: &mut String) {
    for b in blocks {
        match b {
            Block::Heading(level, text) => out.push_str(&format!("<h{level}>{}</h{level}>\n", esc(text))),
            Block::Para(text) => out.push_str(&format!("<p>{}</p>\n", esc(text))),
            Block::Note(text) => out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(text))),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    out.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(t) => html_table(t, out),
            Block::Code { summary, text } => out.push_str(&format!(
                "<details><summary>{}</summary><pre>{}</pre></details>\n",
                esc(summary),
                esc(text)
            )),
            Block::Details { summary, blocks } => {
                out.push_str(&format!("<details><summary>{}</summary>\n", esc(summary)));
                html_blocks(blocks, out);
                out.push_str("</details>\n");
            }
            Block::Figures(figs) => {
                out.push_str("<div class=\"figs\">\n");
                for f in figs {
                    let class = if matches!(f.kind, FigureKind::Pca { .. }) { " class=\"wide\"" } else { "" };
                    let data = base64::engine::general_purpose::STANDARD.encode(&f.png);
                    out.push_str(&format!(
                        "<figure{class}><img alt=\"{}\" src=\"data:image/png;base64,{data}\"><figcaption>{} · <a href=\"{}\">SVG</a> · <a href=\"{}\">PNG</a></figcaption></figure>\n",
                        esc(&f.title),
                        esc(&f.title),
                        esc(&f.svg_path()),
                        esc(&f.png_path())
                    ));
                }
                out.push_str("</div>\n");
            }
        }
    }
}

fn render_html(blocks: &[Block<'_>]) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n",
        esc(&title)
    );
    html_blocks(blocks, &mut out);
    out.push_str("</body>\n</html>\n");
    out
}

// ---------------------------------------------------------------------------------------------
// Markdown

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_blocks(blocks: &[Block<'_>], out: &mut String) {
    for b in blocks {
        match b {
            Block::Heading(level, text) => out.push_str(&format!("{} {}\n\n", "#".repeat(*level as usize), text)),
            Block::Para(text) => out.push_str(&format!("{text}\n\n")),
            Block::Note(text) => out.push_str(&format!("> **Note.** {text}\n\n")),
            Block::List(items) => {
                for i in items {
                    out.push_str(&format!("- {i}\n"));
                }
                out.push('\n');
            }
            Block::Table(t) => {
                out.push_str(&format!("| {} |\n", t.header.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(t.header.len())));
                for (i, row) in t.rows.iter().enumerate() {
                    let real = t.highlight.get(i).copied().unwrap_or(false);
                    let cells: Vec<String> = row
                        .iter()
                        .map(|c| {
                            let text = match &c.sub {
                                Some(sub) => format!("{} <br><sub>{}</sub>", c.main, sub.replace('\n', " · ")),
                                None => c.main.clone(),
                            };
                            let text = md_cell(&text);
                            if real && !text.is_empty() {
                                format!("*{text}*")
                            } else {
                                text
                            }
                        })
                        .collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
            Block::Code { summary, text } => {
                out.push_str(&format!("**{summary}**\n\n```\n{}\n```\n\n", text.trim_end()))
            }
            Block::Details { summary, blocks } => {
                out.push_str(&format!("**{summary}**\n\n"));
                md_blocks(blocks, out);
            }
            Block::Figures(figs) => {
                for f in figs {
                    out.push_str(&format!("![{}]({})\n\n[SVG]({})\n\n", f.title, f.png_path(), f.svg_path()));
                }
            }
        }
    }
}

fn render_markdown(blocks: &[Block<'_>]) -> String {
    let mut out = String::new();
    md_blocks(blocks, &mut out);
    out
}

/// Write report.html and report.md into the results directory.
pub fn write(
    inputs: &Inputs,
    table: &Table1,
    budget: &[BudgetRow],
    figures: &[Figure],
    notes: &[String],
) -> Result<()> {
    let published = reference::published()?;
    let blocks = document(inputs, table, budget, figures, &published, notes);
    write_atomic(&inputs.dir.join("report.html"), render_html(&blocks).as_bytes())?;
    write_atomic(&inputs.dir.join("report.md"), render_markdown(&blocks).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escaping() {
        assert_eq!(num(0.7), "0.7000");
        assert_eq!(num(28.5348), "28.5348");
        assert_eq!(num(0.0074), "0.007400");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(md_cell("a|b"), "a\\|b");
    }
}
