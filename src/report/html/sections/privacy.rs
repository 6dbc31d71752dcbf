//! The privacy section (profile `mia`, metrics.md §4.4): per dataset the worst-case attack in the
//! challenge paper's convention (the attack with the largest mean over folds × seeds,
//! [`crate::report::suite`]) for AUC and the tie-correct TPR at FPR 10 % and 1 %, beside the
//! ε-DP bound at FPR 1 %; then the TPR-vs-ε figure and the ROC curves. Shown only when the
//! profile ran.

use super::super::format::{row_key_cells, stat_cell, ColumnFormat, KEY_HEADER};
use super::super::model::{Block, Cell, TableBlock};
use super::Context;
use crate::io::fmt_f64;
use crate::report::plots::{Figure, FigureKind};
use crate::report::suite::{self, MIA_PROFILE};
use crate::report::suite_plots::{SuiteFigure, BOUND_FPR};
use crate::report::table::{Row, RowKind};

/// The worst-case metrics shown, in column order.
const SHOWN: [&str; 3] = ["aucroc", "tpr_at_fpr_01", "tpr_at_fpr_001"];

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    if !ctx.table.rows.iter().any(|r| r.profile == MIA_PROFILE && suite::has_attacks(r)) {
        return;
    }
    blocks.push(Block::Heading(2, "Privacy: membership-inference attacks (profile mia)".into()));
    blocks.push(Block::Para(
        "Each attack scores every real sample (members: the train fold; non-members: the test fold) from the \
         synthetic set (metrics.md §4). Per generator and ε the table shows the worst attack in the challenge \
         paper's convention: the attack with the largest mean over folds × seeds (attacks whose scores mostly tie \
         are left out), with that attack's mean ± sd, n and 95% bootstrap interval. TPR at a fixed FPR uses the \
         tie-correct rule (a coin flip gives TPR = FPR), not the challenge kit's rule. An ε-DP generator cannot \
         let any attack exceed TPR = e^ε·FPR + δ; the last column is that bound at FPR 1 %. DCR (in the results \
         above) is a distance proxy, not a privacy test: data can pass it and still be broken by these attacks."
            .into(),
    ));
    for dataset in ctx.inputs.datasets() {
        let rows: Vec<&Row> = ctx
            .table
            .rows_of(&dataset, MIA_PROFILE)
            .filter(|r| r.row == RowKind::Generator && suite::has_attacks(r))
            .collect();
        if rows.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(3, format!("Dataset {dataset}")));
        blocks.push(Block::Table(worst_table(ctx, &rows)));
        let of = |want: fn(&SuiteFigure) -> bool| -> Vec<&'a Figure> {
            ctx.figures
                .iter()
                .filter(|f| f.dataset == dataset && matches!(&f.kind, FigureKind::Suite(k) if want(k)))
                .collect()
        };
        let tpr = of(|k| *k == SuiteFigure::TprAtFpr);
        if !tpr.is_empty() {
            blocks.push(Block::Heading(4, "Worst-case TPR at FPR 1 % vs ε, with the ε-DP bound".into()));
            blocks.push(Block::Figures(tpr));
        }
        let roc = of(|k| matches!(k, SuiteFigure::Roc { .. }));
        if !roc.is_empty() {
            blocks.push(Block::Heading(4, "ROC curves of the worst attack (log–log)".into()));
            blocks.push(Block::Figures(roc));
        }
    }
}

/// The worst-case table of one dataset's rows.
fn worst_table(ctx: &Context<'_>, rows: &[&Row]) -> TableBlock {
    let mut header: Vec<String> = KEY_HEADER.map(String::from).to_vec();
    header.extend(SHOWN.iter().map(|m| suite::worst_mean_label(m)));
    header.push("ε-DP bound on TPR at FPR 1 %".into());
    let formats: Vec<ColumnFormat> = SHOWN
        .iter()
        .map(|m| ColumnFormat::fit(rows.iter().filter_map(|r| suite::worst_mean(r, m)).map(|w| w.stat)))
        .collect();
    let mut table = TableBlock { header, rows: Vec::new(), highlight: Vec::new() };
    for r in rows {
        let mut cells = row_key_cells(r);
        for (m, f) in SHOWN.iter().zip(&formats) {
            cells.push(match suite::worst_mean(r, m) {
                Some(w) => {
                    let mut c = stat_cell(w.stat, *f);
                    c.sub = Some(match c.sub {
                        Some(s) => format!("{}; {s}", w.attack),
                        None => w.attack.to_string(),
                    });
                    c
                }
                None => Cell::warn("NaN (no valid attack)"),
            });
        }
        cells.push(bound_cell(ctx, r));
        table.rows.push(cells);
        table.highlight.push(false);
    }
    table
}

/// `min(1, e^ε · 1 % + δ)` for a DP row (δ from cells.csv, 0 when empty); "none" otherwise.
fn bound_cell(ctx: &Context<'_>, r: &Row) -> Cell {
    let eps = r.epsilon.unwrap_or(f64::INFINITY);
    if eps.is_infinite() {
        return Cell::text("none (not DP)");
    }
    let delta = ctx
        .inputs
        .cells
        .rows
        .iter()
        .find(|c| c.key.dataset == r.dataset && c.key.generator == r.generator && c.key.epsilon.to_bits() == eps.to_bits())
        .and_then(|c| c.key.delta)
        .unwrap_or(0.0);
    let bound = (eps.exp() * BOUND_FPR + delta).min(1.0);
    Cell { main: format!("{bound:.4}"), sub: Some(format!("δ = {}", fmt_f64(delta))), ..Cell::default() }
}
