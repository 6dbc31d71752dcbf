//! Command-line side of `bench audit` (arguments, thread pool, output files, exit status).

use super::{audit_grid, report, AuditOptions};
use crate::error::{Context, Result};
use crate::runner::grid::Grid;
use clap::Args;
use std::path::PathBuf;

pub const AUDIT_HELP: &str = "Examples:\n  bench audit experiments/audit.toml\n  \
bench audit experiments/audit.toml --trials 400 --jobs 2 --out results\n  \
bench audit experiments/audit-broken.toml --trials 2000\n\n\
For each DP generator x epsilon of the grid, plays a distinguishing game between the audit\n\
dataset D (the grid's first dataset cut to --rows x --genes, docs/audit.md section 3) and\n\
D' = D plus a canary, --trials times in each world, and turns the best threshold test of each\n\
statistic (white box: the noisy measurements; black box: the synthetic rows) into an empirical\n\
lower bound eps_hat with Clopper-Pearson confidence (docs/audit.md section 2).\n\
Writes <out>/<grid name>/audit/audit.csv and audit.md.\n\n\
Exit status: 0 when every eps_hat is within the stated epsilon, 1 when any exceeds it\n\
(verdict violation), 2 on bad input.";

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Grid file (TOML); its DP generators and epsilons are audited on its first dataset.
    grid: PathBuf,
    /// Results root directory (files go to <out>/<grid name>/audit/).
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Trials per world (D and D'); each is one fit and one sample.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(8..))]
    trials: u32,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Rows of the audit dataset (a systematic sample of the grid's first dataset).
    #[arg(long, default_value_t = 100)]
    rows: usize,
    /// Genes of the audit dataset (the first ones).
    #[arg(long, default_value_t = 8)]
    genes: usize,
    /// Family-wise error level of each generator x epsilon verdict.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// No progress output.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// `bench audit`: 0 when consistent, 1 on any violation.
pub fn command(args: &AuditArgs) -> Result<i32> {
    let grid = Grid::load(&args.grid)?;
    let opts = AuditOptions {
        trials: args.trials as usize,
        rows: args.rows,
        genes: args.genes,
        alpha: args.alpha,
        progress: !args.quiet,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.map_or(0, usize::from))
        .build()
        .context("cannot start the worker threads")?;
    let outcome = pool.install(|| audit_grid(&grid, &opts))?;
    let dir = args.out.join(&grid.name).join("audit");
    let (csv, md) = report::write(&outcome, &dir)?;
    let violations = outcome.violations();
    eprintln!(
        "audit: {} statistics of {} cases, {violations} above the stated epsilon -> {} ({})",
        outcome.rows.len(),
        outcome.rows.len() / super::statistics::STATISTICS.len(),
        csv.display(),
        md.display()
    );
    Ok(i32::from(violations > 0))
}
