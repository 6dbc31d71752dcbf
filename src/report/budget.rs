//! Privacy-budget accounting per generator × ε, from the cells of cells.csv and their privacy
//! reports (generators.md §1.5): the ρ budget and what was spent, the budget split, every
//! non-private step and warning. A generator with any non-private step is "not end-to-end DP"
//! (generators.md §1.5 requires the run summary to say so).

use super::inputs::{CellRow, Inputs};
use crate::error::Result;

/// The accounting of one generator at one ε, over all datasets, seeds and folds.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetRow {
    pub generator: String,
    pub kind: String,
    pub epsilon: f64,
    pub delta: Option<f64>,
    /// Claims DP (cells.csv `dp`).
    pub dp: bool,
    pub cells: usize,
    pub error_cells: usize,
    /// Cells without a privacy report file.
    pub missing_reports: usize,
    /// Distinct ρ budgets (privacy reports).
    pub rho_budget: Vec<f64>,
    /// (min, max) ρ spent over cells.
    pub rho_spent: Option<(f64, f64)>,
    /// (min, max) ε spent over cells.
    pub epsilon_spent: Option<(f64, f64)>,
    /// Distinct budget splits (`phase=fraction;…`).
    pub splits: Vec<String>,
    /// Union of non-private steps, in order of first appearance.
    pub non_private_steps: Vec<String>,
    /// Distinct warnings with the number of cells that raised them.
    pub warnings: Vec<(String, usize)>,
    /// Cells whose ρ spent exceeds their ρ budget (relative slack 1e-9).
    pub overspent: usize,
}

impl BudgetRow {
    /// One-phrase verdict for the report.
    pub fn status(&self) -> &'static str {
        if !self.dp {
            "not DP (no privacy claim)"
        } else if !self.non_private_steps.is_empty() {
            "not end-to-end DP"
        } else {
            "end-to-end DP (ρ-zCDP)"
        }
    }
}

fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for item in items {
        if !item.is_empty() && !list.contains(&item) {
            list.push(item);
        }
    }
}

fn widen(range: &mut Option<(f64, f64)>, v: Option<f64>) {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        *range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
    }
}

/// Budget rows in generator order, then ε (inf last). Each cell counts once, whatever the
/// number of profiles.
pub fn accounting(inputs: &Inputs) -> Result<Vec<BudgetRow>> {
    let mut cells: Vec<&CellRow> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &inputs.cells.rows {
        if seen.insert(r.cell_id()) {
            cells.push(r);
        }
    }
    let mut rows: Vec<BudgetRow> = Vec::new();
    for c in cells {
        let idx = match rows.iter().position(|b| b.generator == c.key.generator && b.epsilon == c.key.epsilon) {
            Some(i) => i,
            None => {
                rows.push(BudgetRow {
                    generator: c.key.generator.clone(),
                    kind: c.key.kind.clone(),
                    epsilon: c.key.epsilon,
                    delta: c.key.delta,
                    dp: c.is_dp(),
                    cells: 0,
                    error_cells: 0,
                    missing_reports: 0,
                    rho_budget: Vec::new(),
                    rho_spent: None,
                    epsilon_spent: None,
                    splits: Vec::new(),
                    non_private_steps: Vec::new(),
                    warnings: Vec::new(),
                    overspent: 0,
                });
                rows.len() - 1
            }
        };
        let b = &mut rows[idx];
        b.cells += 1;
        b.error_cells += usize::from(!c.is_ok());
        b.dp |= c.is_dp();
        widen(&mut b.rho_spent, c.facts.rho_spent);
        widen(&mut b.epsilon_spent, c.facts.epsilon_spent);
        push_unique(&mut b.splits, [c.facts.budget_split.clone()]);
        push_unique(&mut b.non_private_steps, c.facts.non_private_steps.split(';').map(str::to_string));
        let mut warnings: Vec<String> = c.facts.warnings.split(';').map(str::to_string).collect();
        match inputs.privacy(&c.cell_id())? {
            None => b.missing_reports += 1,
            Some(p) => {
                if let Some(budget) = p.rho_budget.filter(|x| !b.rho_budget.contains(x)) {
                    b.rho_budget.push(budget);
                }
                if let (Some(spent), Some(budget)) = (p.rho_spent, p.rho_budget) {
                    b.overspent += usize::from(spent > budget * (1.0 + 1e-9));
                }
                widen(&mut b.rho_spent, p.rho_spent);
                widen(&mut b.epsilon_spent, p.epsilon_spent);
                push_unique(&mut b.splits, [p.split_string()]);
                push_unique(&mut b.non_private_steps, p.non_private_steps);
                warnings.extend(p.warnings);
            }
        }
        let mut own: Vec<String> = Vec::new();
        push_unique(&mut own, warnings);
        for w in own {
            match b.warnings.iter_mut().find(|(x, _)| *x == w) {
                Some((_, n)) => *n += 1,
                None => b.warnings.push((w, 1)),
            }
        }
    }
    rows.sort_by(|a, b| a.generator.cmp(&b.generator).then(a.epsilon.total_cmp(&b.epsilon)));
    Ok(rows)
}
