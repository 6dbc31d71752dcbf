//! The distinguishing game (docs/audit.md §1): R trials in each world — D (without the canary)
//! and D′ (with it) — each with its own seed, derived deterministically from the audit stream,
//! the trial index and the world, and played in parallel with results kept in trial order
//! (so scores are identical for any thread count).

use crate::error::Result;
use crate::privacy::accountant::PrivacyReport;
use crate::rng::{Key, Rng};
use rayon::prelude::*;

/// What one trial yields: one score per statistic (in the target's order) and the fit's
/// privacy report (the claim being audited).
#[derive(Clone, Debug)]
pub struct Trial {
    pub scores: Vec<f64>,
    pub privacy: Option<PrivacyReport>,
}

/// Scores of every trial: `out[s][t]` (world D) and `inn[s][t]` (world D′) for statistic `s`.
#[derive(Clone, Debug)]
pub struct GameScores {
    pub out: Vec<Vec<f64>>,
    pub inn: Vec<Vec<f64>>,
    /// The privacy report of the first D trial.
    pub privacy: Option<PrivacyReport>,
}

/// The seed stream of trial `t` in world `with_canary`.
pub fn trial_rng(base: &Rng, t: usize, with_canary: bool) -> Rng {
    base.child(&[Key::Str("trial"), Key::Num(t as u64), Key::Str(if with_canary { "D'" } else { "D" })])
}

/// Play `trials` trials per world with `run(with_canary, rng)`, which returns `statistics`
/// scores per trial.
pub fn play<F>(trials: usize, statistics: usize, base: &Rng, run: F) -> Result<GameScores>
where
    F: Fn(bool, Rng) -> Result<Trial> + Sync,
{
    let results: Vec<Trial> = (0..2 * trials)
        .into_par_iter()
        .map(|k| {
            let (t, with_canary) = (k / 2, k % 2 == 1);
            run(with_canary, trial_rng(base, t, with_canary))
        })
        .collect::<Result<_>>()?;
    let mut out = vec![Vec::with_capacity(trials); statistics];
    let mut inn = vec![Vec::with_capacity(trials); statistics];
    for (k, trial) in results.iter().enumerate() {
        crate::ensure!(
            trial.scores.len() == statistics,
            "a trial returned {} scores, expected {statistics}",
            trial.scores.len()
        );
        let world = if k % 2 == 1 { &mut inn } else { &mut out };
        for (s, &v) in trial.scores.iter().enumerate() {
            world[s].push(v);
        }
    }
    let privacy = results.into_iter().next().and_then(|t| t.privacy);
    Ok(GameScores { out, inn, privacy })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trials_are_in_order_and_thread_independent() {
        let base = Rng::from_seed(5);
        let run = |with: bool, mut rng: Rng| {
            Ok(Trial { scores: vec![rng.normal() + f64::from(u8::from(with))], privacy: None })
        };
        let a = play(50, 1, &base, run).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| play(50, 1, &base, run).unwrap());
        assert_eq!(a.out, b.out);
        assert_eq!(a.inn, b.inn);
        assert_eq!(a.out[0][3], trial_rng(&base, 3, false).normal());
        assert_ne!(a.out[0][3], a.out[0][4]);
    }
}
