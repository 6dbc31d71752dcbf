//! The title, what the report was rendered from, and the run at a glance with its notes.

use super::super::format::plural;
use super::super::model::Block;
use super::Context;
use crate::report::inputs::Inputs;

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let (inputs, notes) = (ctx.inputs, ctx.notes);

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
            distinct(rows.iter().map(|r| (r.key.generator.clone(), r.key.epsilon.to_bits()))),
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
