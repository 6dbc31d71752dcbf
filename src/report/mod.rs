//! Reports: Table-1 CSVs, plots and the HTML/Markdown report built from a results directory.
//!
//! [`generate`] reads a results directory written by `bench run` (cells.csv, manifest.json,
//! grid.toml, pca/, privacy/; the contract is in README "Output files") and writes, without
//! rerunning any cell:
//!
//! * `table1.csv`, `table1_long.csv` — fold × seed aggregates in the layout of Table 1 of
//!   Menzies et al. ([`table`]);
//! * `plots/*.png`, `plots/*.svg` — PCA panels and metric-vs-ε curves ([`plots`]), and with
//!   profiles `mia`/`bio` the ROC, TPR-vs-ε, biology and utility-vs-co-expression figures
//!   ([`suite_plots`], [`pareto_plot`]);
//! * `report.html` (self-contained) and `report.md` ([`html`]), with the grid settings, the
//!   privacy-budget accounting ([`budget`]), the tables, the published reference values
//!   ([`reference`]), the figures and the versions.
//!
//! Every file is written atomically, numbers in shortest round-trip form in the CSVs, and every
//! output is a deterministic function of the inputs.

pub mod budget;

pub mod html;
pub mod inputs;
pub mod pareto;
pub mod pareto_plot;
mod pca_plot;
pub mod plots;
pub mod reference;
mod roc_plot;
pub mod stats;
pub mod suite;
pub mod suite_plots;
pub mod table;

use crate::error::Result;
use std::path::{Path, PathBuf};

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportSummary {
    pub table1: PathBuf,
    pub table1_long: PathBuf,
    pub html: PathBuf,
    pub markdown: PathBuf,
    /// Every PNG and SVG written, in report order.
    pub figures: Vec<PathBuf>,
    /// Rows of table1.csv.
    pub table_rows: usize,
    /// Distinct cells (not cell × profile rows) and how many failed.
    pub cells: usize,
    pub failed_cells: usize,
    /// Things the reader should know (missing manifest, missing privacy reports, …); also shown
    /// at the top of the report.
    pub notes: Vec<String>,
}

impl ReportSummary {
    /// The closing lines of `bench run`, `bench report` and `bench merge` (stderr).
    pub fn print(&self) {
        eprintln!(
            "report: {} ({} table rows, {} figures), {}",
            self.html.display(),
            self.table_rows,
            self.figures.len() / 2,
            self.table1.display()
        );
        for note in &self.notes {
            eprintln!("note: {note}");
        }
    }
}

/// Regenerate tables, plots and the HTML/Markdown report of `results_dir` from its files.
/// Fails with a one-line message naming the file, line and column when cells.csv is missing or
/// malformed.
pub fn generate(results_dir: &Path) -> Result<ReportSummary> {
    let inputs = inputs::Inputs::read(results_dir)?;
    let table = table::build(&inputs.cells, &inputs.profile_order())?;
    table::write(results_dir, &table)?;
    let budget = budget::accounting(&inputs)?;
    let figures = plots::render_all(&inputs, &table)?;
    let notes = notes(&inputs, &budget);
    html::write(&inputs, &table, &budget, &figures, &notes)?;
    let mut ids: Vec<String> = inputs.cells.rows.iter().map(|r| r.cell_id()).collect();
    let mut failed: Vec<String> = inputs.cells.rows.iter().filter(|r| !r.is_ok()).map(|r| r.cell_id()).collect();
    ids.sort_unstable();
    ids.dedup();
    failed.sort_unstable();
    failed.dedup();
    Ok(ReportSummary {
        table1: results_dir.join("table1.csv"),
        table1_long: results_dir.join("table1_long.csv"),
        html: results_dir.join("report.html"),
        markdown: results_dir.join("report.md"),
        figures: figures
            .iter()
            .flat_map(|f| [results_dir.join(f.png_path()), results_dir.join(f.svg_path())])
            .collect(),
        table_rows: table.rows.len(),
        cells: ids.len(),
        failed_cells: failed.len(),
        notes,
    })
}

fn notes(inputs: &inputs::Inputs, budget: &[budget::BudgetRow]) -> Vec<String> {
    let mut notes = Vec::new();
    if inputs.manifest.is_none() {
        notes.push("manifest.json is missing: grid settings and profile versions come from cells.csv only".into());
    }
    if inputs.grid_toml.is_none() {
        notes.push("grid.toml is missing: the grid file is not shown".into());
    }
    let missing: usize = budget.iter().map(|b| b.missing_reports).sum();
    if missing > 0 {
        let cells = if missing == 1 { "cell has" } else { "cells have" };
        notes.push(format!("{missing} {cells} no privacy/<cell>.json; the budget table uses cells.csv for them"));
    }
    let mut not_e2e: Vec<&str> = Vec::new();
    for b in budget.iter().filter(|b| b.dp && !b.non_private_steps.is_empty()) {
        if !not_e2e.contains(&b.generator.as_str()) {
            not_e2e.push(&b.generator);
        }
    }
    for g in not_e2e {
        notes.push(format!("{g} is not end-to-end DP (non-private steps: see the privacy budget)"));
    }
    notes.extend(warning_notes(budget));
    notes
}

/// One line per generator whose cells raised warnings, naming them once (the text before `:`
/// or `=`; each cell's full warnings are in cells.csv and the privacy budget), so that a
/// warning raised by every fit is said once per run, not once per fit.
fn warning_notes(budget: &[budget::BudgetRow]) -> Vec<String> {
    let mut by_generator: Vec<(&str, Vec<&str>)> = Vec::new();
    for b in budget {
        let at = match by_generator.iter().position(|(g, _)| *g == b.generator) {
            Some(i) => i,
            None => {
                by_generator.push((&b.generator, Vec::new()));
                by_generator.len() - 1
            }
        };
        for (warning, _) in &b.warnings {
            let name = warning.split([':', '=']).next().unwrap_or(warning).trim();
            if !by_generator[at].1.contains(&name) {
                by_generator[at].1.push(name);
            }
        }
    }
    by_generator
        .into_iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(g, names)| format!("{g}: its cells raised warnings {} (see the privacy budget)", names.join(", ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::budget::BudgetRow;

    fn row(generator: &str, epsilon: f64, warnings: &[(&str, usize)]) -> BudgetRow {
        BudgetRow {
            generator: generator.into(),
            kind: "private-pgm".into(),
            epsilon,
            delta: None,
            dp: true,
            cells: 3,
            error_cells: 0,
            missing_reports: 0,
            rho_budget: vec![],
            rho_spent: None,
            epsilon_spent: None,
            splits: vec![],
            non_private_steps: vec![],
            warnings: warnings.iter().map(|(w, n)| (w.to_string(), *n)).collect(),
            overspent: 0,
        }
    }

    #[test]
    fn a_warning_raised_by_many_cells_is_named_once_per_generator() {
        let budget = [
            row("mst", 0.5, &[("mst_compression_collapsed: 3 of 9 attributes", 2), ("dp_edges_noise_dominated", 1)]),
            row("mst", 1.0, &[("mst_compression_collapsed: 4 of 9 attributes", 3)]),
            row("aim", 1.0, &[]),
            row("gauss", 1.0, &[("dp_claim_void:noise_scale=0.1", 3)]),
        ];
        assert_eq!(
            super::warning_notes(&budget),
            [
                "mst: its cells raised warnings mst_compression_collapsed, dp_edges_noise_dominated (see the privacy budget)",
                "gauss: its cells raised warnings dp_claim_void (see the privacy budget)",
            ]
        );
    }
}
