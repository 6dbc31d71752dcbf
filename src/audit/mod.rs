//! `bench audit`: empirical privacy audits of each DP generator's claim (docs/audit.md).
//!
//! For every DP generator × ε of a grid: a distinguishing game between D and D′ = D ∪ {canary}
//! on a small audit dataset ([`canary`]), R trials per world ([`game`]), test statistics from
//! the noisy measurements (white box) and the synthetic output (black box) ([`statistics`]),
//! and an empirical lower bound ε̂ with Clopper–Pearson confidence ([`estimate`],
//! [`clopper_pearson`]) compared with the ε the accountant states; [`report`] writes audit.csv
//! and audit.md. [`gaussian`] is the self-test mechanism with a known exact privacy curve.

pub mod canary;
pub mod cli;
pub mod clopper_pearson;
pub mod estimate;
pub mod game;
pub mod gaussian;
pub mod report;
pub mod statistics;

use self::canary::{audit_data, AuditData};
use self::estimate::{estimate_epsilon, EpsilonEstimate};
use self::game::play;
use self::statistics::{Target, STATISTICS};
use crate::error::Result;
use crate::privacy::accountant::Budget;
use crate::rng::{Key, Rng};
use crate::runner::datasets::load_dataset;
use crate::runner::grid::Grid;
use crate::{bail, ensure};

/// Audit settings (docs/audit.md §3).
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// Trials per world.
    pub trials: usize,
    /// Rows and genes of the audit dataset.
    pub rows: usize,
    pub genes: usize,
    /// Family-wise error level of one case (split over its statistics).
    pub alpha: f64,
    /// Print one line per case on stderr.
    pub progress: bool,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions { trials: 1000, rows: 100, genes: 8, alpha: 0.05, progress: false }
    }
}

/// `consistent` when ε̂ ≤ the stated ε, else `violation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Consistent,
    Violation,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::Violation => "violation",
        }
    }
}

/// One line of audit.csv: one statistic of one generator × ε.
#[derive(Clone, Debug)]
pub struct AuditRow {
    pub generator: String,
    pub kind: String,
    pub epsilon_grid: f64,
    /// `cdp_eps(ρ_spent, δ)`: the ε the accountant states for the fit.
    pub epsilon_claimed: f64,
    pub delta: f64,
    pub trials: usize,
    pub statistic: &'static str,
    pub estimate: EpsilonEstimate,
    pub verdict: Verdict,
    /// The fit's privacy report says `dp` and lists no non-private step.
    pub end_to_end_dp: bool,
    /// Non-private steps and warnings of the fit, `;`-joined.
    pub notes: String,
}

/// Everything `bench audit` found.
#[derive(Clone, Debug)]
pub struct AuditOutcome {
    pub grid: String,
    pub dataset: String,
    pub seed: u64,
    pub options: AuditOptions,
    /// D values sharing the canary's DP-grid cell (0: the canary is alone there).
    pub canary_cell_occupancy: usize,
    pub rows: Vec<AuditRow>,
}

impl AuditOutcome {
    pub fn violations(&self) -> usize {
        self.rows.iter().filter(|r| r.verdict == Verdict::Violation).count()
    }
}

/// Audit every DP generator × ε of `grid` on its first dataset, with the first seed.
pub fn audit_grid(grid: &Grid, opts: &AuditOptions) -> Result<AuditOutcome> {
    ensure!(opts.trials >= 8, "--trials must be at least 8, got {}", opts.trials);
    ensure!(opts.alpha > 0.0 && opts.alpha < 1.0, "--alpha must lie in (0, 1), got {}", opts.alpha);
    let Some(spec) = grid.datasets.first() else { bail!("the grid has no dataset") };
    let dataset = load_dataset(spec)?;
    let [lo, hi] = grid.protocol.public_range;
    let data = audit_data(&dataset, opts.rows, opts.genes, (lo, hi))?;
    let seed = grid.protocol.seeds.first().copied().unwrap_or(1);
    let mut rows = Vec::new();
    for g in &grid.generators {
        let Some(target) = Target::from_spec(&g.kind, &g.params)? else { continue };
        for budget in g.budgets() {
            let base = Rng::derive(&[
                Key::Str("audit"),
                Key::Num(seed),
                Key::Str(&g.name),
                Key::Num(budget.epsilon().to_bits()),
            ]);
            let case = audit_case(&target, &data, &budget, &base, opts)?;
            let epsilon_grid = budget.epsilon();
            let delta = budget.delta().unwrap_or(0.0);
            let privacy = case.privacy;
            let epsilon_claimed = privacy.as_ref().and_then(|p| p.epsilon_spent).unwrap_or(epsilon_grid);
            let end_to_end_dp = privacy.as_ref().is_some_and(|p| p.end_to_end_dp());
            let notes = privacy
                .as_ref()
                .map(|p| p.non_private_steps.iter().chain(&p.warnings).cloned().collect::<Vec<_>>().join(";"))
                .unwrap_or_default();
            for (statistic, estimate) in STATISTICS.iter().zip(case.estimates) {
                let verdict =
                    if estimate.epsilon_hat > epsilon_claimed { Verdict::Violation } else { Verdict::Consistent };
                rows.push(AuditRow {
                    generator: g.name.clone(),
                    kind: g.kind.clone(),
                    epsilon_grid,
                    epsilon_claimed,
                    delta,
                    trials: opts.trials,
                    statistic,
                    estimate,
                    verdict,
                    end_to_end_dp,
                    notes: notes.clone(),
                });
            }
            if opts.progress {
                let last = &rows[rows.len() - STATISTICS.len()..];
                let best = last.iter().map(|r| r.estimate.epsilon_hat).fold(0.0, f64::max);
                let verdict =
                    if last.iter().any(|r| r.verdict == Verdict::Violation) { "violation" } else { "consistent" };
                eprintln!(
                    "audit {} eps={epsilon_grid}: claimed {epsilon_claimed:.4}, max eps_hat {best:.3} -> {verdict}",
                    g.name
                );
                if !notes.is_empty() {
                    eprintln!("  note: {notes}");
                }
            }
        }
    }
    ensure!(
        !rows.is_empty(),
        "the grid has no DP generator to audit (kinds: private-pgm, independent, dp-gaussian, dp-copula)"
    );
    Ok(AuditOutcome {
        grid: grid.name.clone(),
        dataset: spec.name.clone(),
        seed,
        options: opts.clone(),
        canary_cell_occupancy: data.canary_cell_occupancy(),
        rows,
    })
}

/// The estimates of one generator × ε, one per statistic, and the claim of its fit.
struct CaseResult {
    estimates: Vec<EpsilonEstimate>,
    privacy: Option<crate::privacy::accountant::PrivacyReport>,
}

/// Play the game for one target and budget; each statistic is audited at level
/// `alpha / #statistics` (Bonferroni), so a case's verdict errs with probability ≤ `alpha`.
fn audit_case(
    target: &Target,
    data: &AuditData,
    budget: &Budget,
    base: &Rng,
    opts: &AuditOptions,
) -> Result<CaseResult> {
    let delta = budget.delta().unwrap_or(0.0);
    let scores =
        play(opts.trials, STATISTICS.len(), base, |with_canary, rng| target.trial(data, with_canary, budget, rng))?;
    let alpha = opts.alpha / STATISTICS.len() as f64;
    let estimates =
        scores.out.iter().zip(&scores.inn).map(|(out, inn)| estimate_epsilon(out, inn, delta, alpha)).collect();
    Ok(CaseResult { estimates, privacy: scores.privacy })
}
