//! Grid settings: datasets, generators with their parameters, the protocol, and the manifest
//! and grid file as run.

use super::super::format::eps_text;
use super::super::model::{Block, Cell, TableBlock};
use super::Context;
use crate::io::fmt_f64;
use crate::report::reference;

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let inputs = ctx.inputs;

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
                inputs.cells.rows.iter().filter(|r| r.key.generator == g.name).map(|r| eps_text(r.key.epsilon)).fold(
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
