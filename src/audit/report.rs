//! audit.csv and audit.md (docs/audit.md §7), both written atomically.

use super::estimate::SELECTION_FRACTION;
use super::statistics::STATISTICS;
use super::{AuditOutcome, Verdict};
use crate::error::Result;
use crate::io::{csv_field, fmt_f64, write_atomic};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Columns of audit.csv: the seven of the issue first, then the evidence behind ε̂.
pub const COLUMNS: [&str; 18] = [
    "generator",
    "epsilon_claimed",
    "delta",
    "trials",
    "statistic",
    "epsilon_hat",
    "verdict",
    "kind",
    "epsilon_grid",
    "end_to_end_dp",
    "direction",
    "threshold",
    "n_eval",
    "false_positives",
    "false_negatives",
    "fpr_upper",
    "fnr_upper",
    "notes",
];

/// The CSV text (one row per generator × ε × statistic, in audit order).
pub fn render_csv(outcome: &AuditOutcome) -> String {
    let mut out = COLUMNS.join(",") + "\n";
    for r in &outcome.rows {
        let e = &r.estimate;
        let fields = [
            csv_field(&r.generator),
            fmt_f64(r.epsilon_claimed),
            fmt_f64(r.delta),
            r.trials.to_string(),
            r.statistic.to_string(),
            fmt_f64(e.epsilon_hat),
            r.verdict.as_str().to_string(),
            r.kind.clone(),
            fmt_f64(r.epsilon_grid),
            r.end_to_end_dp.to_string(),
            e.direction.as_str().to_string(),
            fmt_f64(e.threshold),
            e.n_eval.to_string(),
            e.false_positives.to_string(),
            e.false_negatives.to_string(),
            fmt_f64(e.fpr_upper),
            fmt_f64(e.fnr_upper),
            csv_field(&r.notes),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// The Markdown summary: settings, then ε̂ of each statistic beside the stated ε per case.
pub fn render_markdown(outcome: &AuditOutcome) -> String {
    let o = &outcome.options;
    let mut md = String::new();
    let _ = writeln!(md, "# Privacy audit: {}\n", outcome.grid);
    let _ = writeln!(
        md,
        "Dataset `{}` reduced to {} rows x {} genes (docs/audit.md §3), seed {}; canary: every gene at the top \
         of the public range, first class ({} D values share its DP-grid cell). {} trials per world, the first \
         {:.0} % choose each test; family-wise α = {} per case, split over {} statistics. \
         ε̂ = max(ln((1 − δ − FNR_u)/FPR_u), ln((1 − δ − FPR_u)/FNR_u)) with one-sided Clopper–Pearson upper \
         bounds (Jagielski et al. 2020, Nasr et al. 2021; docs/audit.md §2).\n",
        outcome.dataset,
        o.rows,
        o.genes,
        outcome.seed,
        outcome.canary_cell_occupancy,
        o.trials,
        100.0 * SELECTION_FRACTION,
        o.alpha,
        STATISTICS.len()
    );
    let _ = writeln!(
        md,
        "| generator | ε (grid) | ε claimed | δ | end-to-end DP | {} | verdict |",
        STATISTICS.map(|s| format!("ε̂ {s}")).join(" | ")
    );
    let _ = writeln!(md, "|---|---|---|---|---|{}---|", "---|".repeat(STATISTICS.len()));
    for case in outcome.rows.chunks(STATISTICS.len()) {
        let r = &case[0];
        let hats: Vec<String> = case.iter().map(|c| format!("{:.3}", c.estimate.epsilon_hat)).collect();
        let verdict = if case.iter().any(|c| c.verdict == Verdict::Violation) { "**violation**" } else { "consistent" };
        let _ = writeln!(
            md,
            "| {} | {} | {:.4} | {} | {} | {} | {verdict} |",
            r.generator,
            fmt_f64(r.epsilon_grid),
            r.epsilon_claimed,
            fmt_f64(r.delta),
            if r.end_to_end_dp { "yes" } else { "no" },
            hats.join(" | ")
        );
    }
    let notes: Vec<String> = outcome
        .rows
        .chunks(STATISTICS.len())
        .filter(|c| !c[0].notes.is_empty())
        .map(|c| format!("* {} (ε = {}): {}", c[0].generator, fmt_f64(c[0].epsilon_grid), c[0].notes))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(md, "\nNon-private steps and warnings of the audited fits:\n\n{}", notes.join("\n"));
    }
    let _ = writeln!(md, "\n{} of {} statistics exceed their claim.", outcome.violations(), outcome.rows.len());
    md
}

/// Write `<dir>/audit.csv` and `<dir>/audit.md`; returns their paths.
pub fn write(outcome: &AuditOutcome, dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let (csv, md) = (dir.join("audit.csv"), dir.join("audit.md"));
    write_atomic(&csv, render_csv(outcome).as_bytes())?;
    write_atomic(&md, render_markdown(outcome).as_bytes())?;
    Ok((csv, md))
}
