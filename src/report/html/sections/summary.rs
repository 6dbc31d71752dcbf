//! The summary at the top: per dataset and metric profile, which generator has the best mean of
//! each Table-1 metric at each ε (the better direction is the arrow of the paper's heading).

use super::super::format::{eps_text, ColumnFormat};
use super::super::model::{Block, Cell, TableBlock};
use super::Context;
use crate::report::table::{PaperColumn, Row, RowKind, Stat, PAPER_COLUMNS};

/// Whether larger values of a Table-1 column are better (`↑` in its heading) or smaller (`↓`).
fn higher_is_better(c: &PaperColumn) -> Option<bool> {
    if c.label.ends_with('↑') {
        Some(true)
    } else if c.label.ends_with('↓') {
        Some(false)
    } else {
        None
    }
}

/// The best valid means among `candidates` (all of them when tied).
fn winners<'r>(candidates: &[(&'r Row, &'r Stat)], higher: bool) -> Vec<(&'r Row, &'r Stat)> {
    let valid: Vec<_> = candidates.iter().copied().filter(|(_, s)| s.n > 0 && s.mean.is_finite()).collect();
    let better = |a: f64, b: f64| if higher { a > b } else { a < b };
    let Some(best) = valid.iter().map(|(_, s)| s.mean).reduce(|a, b| if better(b, a) { b } else { a }) else {
        return Vec::new();
    };
    valid.into_iter().filter(|(_, s)| s.mean == best).collect()
}

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let mut tables = Vec::new();
    for dataset in ctx.inputs.datasets() {
        for profile in ctx.inputs.profile_order() {
            let rows: Vec<&Row> = ctx
                .table
                .rows_of(&dataset, &profile)
                .filter(|r| r.row == RowKind::Generator && r.kind != "identity")
                .collect();
            if let Some(t) = winners_table(&rows) {
                tables.push((format!("{dataset}, {profile}"), t));
            }
        }
    }
    if tables.is_empty() {
        return;
    }
    blocks.push(Block::Heading(2, "Summary".into()));
    blocks.push(Block::Para(
        "Best generator per Table-1 metric at each ε (best mean over folds × seeds, in the direction of the arrow; \
         ties list every generator). Non-DP generators compete among themselves in the ε = ∞ row; the identity \
         generator (a copy of the real train fold) is left out. Differences smaller than the spread in the tables \
         below are not evidence of a winner."
            .into(),
    ));
    for (title, t) in tables {
        blocks.push(Block::Heading(4, title));
        blocks.push(Block::Table(t));
    }
}

fn winners_table(rows: &[&Row]) -> Option<TableBlock> {
    let columns: Vec<(&PaperColumn, bool)> = PAPER_COLUMNS
        .iter()
        .filter_map(|c| higher_is_better(c).map(|h| (c, h)))
        .filter(|(c, _)| rows.iter().any(|r| r.paper(c).is_some()))
        .collect();
    let mut epsilons: Vec<f64> = rows.iter().filter_map(|r| r.epsilon).collect();
    epsilons.sort_by(f64::total_cmp);
    epsilons.dedup();
    if columns.is_empty() || epsilons.is_empty() {
        return None;
    }
    let mut t = TableBlock {
        header: std::iter::once("ε".to_string()).chain(columns.iter().map(|(c, _)| c.label.to_string())).collect(),
        rows: Vec::new(),
        highlight: Vec::new(),
    };
    let formats: Vec<ColumnFormat> = columns
        .iter()
        .map(|(c, _)| ColumnFormat::fit(rows.iter().filter_map(|r| r.paper(c).map(|(_, s)| s))))
        .collect();
    for eps in epsilons {
        let at: Vec<&Row> = rows.iter().copied().filter(|r| r.epsilon == Some(eps)).collect();
        let mut cells = vec![Cell::text(eps_text(eps))];
        for ((c, higher), f) in columns.iter().zip(&formats) {
            let candidates: Vec<(&Row, &Stat)> = at.iter().filter_map(|r| r.paper(c).map(|(_, s)| (*r, s))).collect();
            let best = winners(&candidates, *higher);
            cells.push(match best.first() {
                None => Cell::text("–"),
                Some((_, s)) => {
                    let names: Vec<String> = best.iter().map(|(r, _)| r.generator.clone()).collect();
                    let of = if candidates.len() == 1 {
                        "the only generator".to_string()
                    } else {
                        format!("best of {}", candidates.len())
                    };
                    Cell { main: names.join(", "), sub: Some(format!("{} · {of}", f.show(s.mean))), ..Cell::default() }
                }
            });
        }
        t.rows.push(cells);
        t.highlight.push(false);
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_and_ties() {
        let arrows: Vec<Option<bool>> = PAPER_COLUMNS.iter().map(higher_is_better).collect();
        assert_eq!(arrows, [Some(true), Some(true), Some(true), Some(false), Some(false), Some(true)]);
        let row = |g: &str| Row {
            dataset: "d".into(),
            row: RowKind::Generator,
            generator: g.into(),
            kind: "k".into(),
            epsilon: Some(1.0),
            profile: "p".into(),
            profile_version: "p.v1".into(),
            n_cells: 5,
            n_error: 0,
            stats: Default::default(),
        };
        let (a, b, c) = (row("a"), row("b"), row("c"));
        let (sa, sb, sc) = (Stat::new(0.5, 0.1, 5), Stat::new(0.7, 0.1, 5), Stat::new(0.7, 0.1, 5));
        let nan = Stat::new(f64::NAN, f64::NAN, 0);
        let names = |w: Vec<(&Row, &Stat)>| w.iter().map(|(r, _)| r.generator.clone()).collect::<Vec<_>>();
        assert_eq!(names(winners(&[(&a, &sa), (&b, &sb), (&c, &sc)], true)), ["b", "c"]);
        assert_eq!(names(winners(&[(&a, &sa), (&b, &sb), (&c, &nan)], false)), ["a"]);
        assert!(winners(&[(&c, &nan)], true).is_empty());
    }
}
