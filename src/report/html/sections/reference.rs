//! Published reference values: measured beside published on real data, context only on
//! simulated data.

use super::super::format::{eps_text, num, num2};
use super::super::model::{Block, Cell, TableBlock};
use super::Context;
use crate::io::fmt_f64;
use crate::report::reference::{self, Published, NOT_COMPARABLE, PUBLISHED_PROFILE};
use crate::report::table::{is_real_only, Row, RowKind, Table1, PAPER_COLUMNS};

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

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let (inputs, table, published) = (ctx.inputs, ctx.table, ctx.published);

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
