//! The results in the layout of Table 1, per dataset and metric profile.

use super::super::format::{row_key_cells, stat_cell, ColumnFormat, KEY_HEADER};
use super::super::model::{Block, TableBlock};
use super::Context;
use crate::report::table::{Row, RowKind, PAPER_COLUMNS};

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let (inputs, table) = (ctx.inputs, ctx.table);

    blocks.push(Block::Heading(2, "Results (Table 1 layout)".into()));
    blocks.push(Block::Para(
        "Mean ± sd (ddof 1) over folds × seeds; below: the number of valid values n (NaN skipped) and the 95% \
         percentile-bootstrap interval of the mean (2000 resamples of the fold × seed values; it lies between the \
         smallest and largest value, so inside the metric's range; table1.csv also has the Student-t interval as \
         ci95_*). Each column has one number format, with decimals fitted to its smallest sd. Failed cells are \
         excluded and counted. The real-data row holds the \
         generator-independent references (train on real / test on real: accuracy_real, avg_pr_macro_real, \
         MMD_base, distance_to_closest_base). Full precision in table1.csv and table1_long.csv. DCR is a \
         distance proxy, not a privacy test: membership-inference attacks (profile mia) measure privacy."
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
                let formats: Vec<ColumnFormat> = paper
                    .iter()
                    .map(|c| ColumnFormat::fit(rows.iter().filter_map(|r| r.paper(c).map(|(_, s)| s))))
                    .collect();
                for r in &rows {
                    let mut cells = row_key_cells(r);
                    cells.extend(
                        paper
                            .iter()
                            .zip(&formats)
                            .map(|(c, f)| r.paper(c).map(|(_, s)| stat_cell(s, *f)).unwrap_or_default()),
                    );
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
                let formats: Vec<ColumnFormat> =
                    others.iter().map(|m| ColumnFormat::fit(rows.iter().filter_map(|r| r.stats.get(*m)))).collect();
                for r in rows.iter().filter(|r| others.iter().any(|m| r.stats.contains_key(*m))) {
                    let mut cells = row_key_cells(r);
                    cells.extend(
                        others
                            .iter()
                            .zip(&formats)
                            .map(|(m, f)| r.stats.get(*m).map(|s| stat_cell(s, *f)).unwrap_or_default()),
                    );
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
