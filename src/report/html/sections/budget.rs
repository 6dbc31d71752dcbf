//! The privacy-budget accounting per generator and ε (generators.md §1.5).

use super::super::format::{eps_text, num, plural};
use super::super::model::{Block, Cell, TableBlock};
use super::Context;
use crate::io::fmt_f64;

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let budget = ctx.budget;

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
        let warnings: Vec<String> = b.warnings.iter().map(|(w, n)| format!("{w} ({})", plural(*n, "cell"))).collect();
        let warning_cells: usize = b.warnings.iter().map(|(_, n)| n).sum();
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
            if b.splits.len() > 1 {
                Cell::collapsed(plural(b.splits.len(), "split"), &b.splits, false)
            } else {
                Cell::long(b.splits.join(" | "))
            },
            if b.non_private_steps.is_empty() {
                Cell::text("none")
            } else {
                Cell::warn(b.non_private_steps.join("; "))
            },
            if warnings.is_empty() {
                Cell::text("none")
            } else {
                Cell::collapsed(
                    format!("{} ({} in all)", plural(warnings.len(), "distinct warning"), warning_cells),
                    &warnings,
                    true,
                )
            },
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
