//! The failed cells with their phase and error (the first 200).

use super::super::model::{Block, Cell, TableBlock};
use super::Context;

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let inputs = ctx.inputs;

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
            Cell::warn(r.status.message()),
        ]);
        t.highlight.push(false);
    }
    blocks.push(Block::Table(t));
    if failed.len() > LIMIT {
        blocks.push(Block::Para(format!("… and {} more; see cells.csv.", failed.len() - LIMIT)));
    }
}
