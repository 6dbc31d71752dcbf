//! Versions of bench (run and report) and of every metric profile.

use super::super::model::{Block, Cell, TableBlock};
use super::Context;

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let inputs = ctx.inputs;

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
