//! The biology section (profile `bio`, metrics.md §5): per dataset the DE TPR/FPR per direction
//! and the co-expression precision and recall at τ = 0.3 ([`crate::report::suite::bio_columns`]),
//! mean ± sd over folds × seeds, the figure of these columns vs ε, and the utility-vs-co-expression
//! figure per ε with its Pareto front ([`crate::report::pareto_plot`]). Shown only when the
//! profile ran.

use super::super::format::{row_key_cells, stat_cell, ColumnFormat, KEY_HEADER};
use super::super::model::{Block, Cell, TableBlock};
use super::Context;
use crate::report::pareto_plot;
use crate::report::plots::{Figure, FigureKind};
use crate::report::suite::{self, BIO_PROFILE};
use crate::report::suite_plots::SuiteFigure;
use crate::report::table::{Row, RowKind};

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let columns = suite::bio_columns();
    let has = |r: &Row| columns.iter().any(|c| r.stats.contains_key(&c.column));
    if !ctx.table.rows.iter().any(|r| r.profile == BIO_PROFILE && r.row == RowKind::Generator && has(r)) {
        return;
    }
    blocks.push(Block::Heading(2, "Biology: differential expression and co-expression (profile bio)".into()));
    blocks.push(Block::Para(
        "Both analyses compare the synthetic rows with the real train fold (metrics.md §5). DE: per class pair \
         and direction, the genes a one-sided Wilcoxon rank-sum test calls up or down (p < 0.05); TPR = share of \
         the real DE genes the synthetic data also calls, FPR = share of the other genes it calls, mean over \
         class pairs. Co-expression: gene pairs with |Pearson r| > τ; precision = share of synthetic edges that are \
         real edges, recall = share of real edges recovered. Mean ± sd over folds × seeds; the per-pair DE values \
         are in bio/<cell>.csv."
            .into(),
    ));
    for dataset in ctx.inputs.datasets() {
        let rows: Vec<&Row> = ctx
            .table
            .rows_of(&dataset, BIO_PROFILE)
            .filter(|r| r.row == RowKind::Generator && has(r))
            .collect();
        if rows.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(3, format!("Dataset {dataset}")));
        let mut header: Vec<String> = KEY_HEADER.map(String::from).to_vec();
        header.extend(columns.iter().map(|c| c.label.clone()));
        let formats: Vec<ColumnFormat> =
            columns.iter().map(|c| ColumnFormat::fit(rows.iter().filter_map(|r| r.stats.get(&c.column)))).collect();
        let mut table = TableBlock { header, rows: Vec::new(), highlight: Vec::new() };
        for r in &rows {
            let mut cells = row_key_cells(r);
            cells.extend(
                columns
                    .iter()
                    .zip(&formats)
                    .map(|(c, f)| r.stats.get(&c.column).map(|s| stat_cell(s, *f)).unwrap_or_else(|| Cell::text("–"))),
            );
            table.rows.push(cells);
            table.highlight.push(false);
        }
        blocks.push(Block::Table(table));
        let figures: Vec<&'a Figure> = ctx
            .figures
            .iter()
            .filter(|f| f.dataset == dataset && f.kind == FigureKind::Suite(SuiteFigure::Biology))
            .collect();
        if !figures.is_empty() {
            blocks.push(Block::Figures(figures));
        }
        let pareto: Vec<&'a Figure> = ctx
            .figures
            .iter()
            .filter(|f| f.dataset == dataset && f.kind == FigureKind::Suite(SuiteFigure::Pareto))
            .collect();
        if let (false, Some(data)) = (pareto.is_empty(), pareto_plot::data(ctx.table, &dataset)) {
            blocks.push(Block::Heading(4, "Utility vs co-expression recall per ε (Pareto front)".into()));
            blocks.push(Block::Para(data.caption()));
            blocks.push(Block::Figures(pareto));
        }
    }
}
