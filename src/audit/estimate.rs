//! The empirical lower bound ε̂ from the scores of a distinguishing game (docs/audit.md §2):
//! a threshold test chosen on the selection trials, its false-positive and false-negative rates
//! bounded above by Clopper–Pearson on the evaluation trials, and
//!
//! `ε̂ = max( ln((1 − δ − FNR_u)/FPR_u), ln((1 − δ − FPR_u)/FNR_u) )`, floored at 0
//!
//! (Jagielski, Ullman, Oprea 2020; Nasr et al. 2021). Any (ε, δ)-DP mechanism satisfies
//! `FPR + e^ε·FNR ≥ 1 − δ` and `FNR + e^ε·FPR ≥ 1 − δ` for every test, so ε̂ ≤ ε whenever both
//! upper bounds hold, which happens with probability at least `1 − α`.

use super::clopper_pearson::upper_bound;
use crate::metrics::mia::roc::Ranking;

/// Share of each world's trials used only to choose the test (docs/audit.md §2.3); the rest
/// evaluate it. Choosing on separate trials keeps the evaluation a single pre-registered test.
pub const SELECTION_FRACTION: f64 = 0.25;

/// Most candidate thresholds tried on the selection trials (every distinct score when there are
/// fewer; otherwise the 100 most extreme on each side plus evenly spaced ranks).
const MAX_CANDIDATES: usize = 2_000;

/// Which side of the threshold guesses "D′" (the world with the canary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Guess D′ when the score is ≥ the threshold.
    High,
    /// Guess D′ when the score is ≤ the threshold.
    Low,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::High => ">=",
            Direction::Low => "<=",
        }
    }

    fn guesses_in(self, score: f64, threshold: f64) -> bool {
        match self {
            Direction::High => score >= threshold,
            Direction::Low => score <= threshold,
        }
    }
}

/// One audited test: the chosen threshold and its evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpsilonEstimate {
    pub epsilon_hat: f64,
    pub threshold: f64,
    pub direction: Direction,
    /// Evaluation trials per world.
    pub n_eval: usize,
    /// False positives (D trials guessed D′) and false negatives (D′ trials guessed D).
    pub false_positives: usize,
    pub false_negatives: usize,
    pub fpr_upper: f64,
    pub fnr_upper: f64,
}

/// `max(ln((1 − δ − FNR_u)/FPR_u), ln((1 − δ − FPR_u)/FNR_u), 0)`; a non-positive numerator
/// contributes nothing.
pub fn epsilon_from_rates(fpr_u: f64, fnr_u: f64, delta: f64) -> f64 {
    let side = |num: f64, den: f64| if num > 0.0 && den > 0.0 { (num / den).ln() } else { 0.0 };
    side(1.0 - delta - fnr_u, fpr_u).max(side(1.0 - delta - fpr_u, fnr_u)).max(0.0)
}

/// ε̂ of a test applied to `out` (scores of D trials) and `inn` (D′ trials), each upper bound at
/// level `alpha/2` so that both hold together with probability ≥ `1 − alpha`.
fn evaluate(out: &[f64], inn: &[f64], threshold: f64, direction: Direction, delta: f64, alpha: f64) -> EpsilonEstimate {
    let false_positives = out.iter().filter(|&&s| direction.guesses_in(s, threshold)).count();
    let false_negatives = inn.iter().filter(|&&s| !direction.guesses_in(s, threshold)).count();
    let fpr_upper = upper_bound(false_positives, out.len(), alpha / 2.0);
    let fnr_upper = upper_bound(false_negatives, inn.len(), alpha / 2.0);
    EpsilonEstimate {
        epsilon_hat: epsilon_from_rates(fpr_upper, fnr_upper, delta),
        threshold,
        direction,
        n_eval: out.len().min(inn.len()),
        false_positives,
        false_negatives,
        fpr_upper,
        fnr_upper,
    }
}

/// One candidate test on the selection trials: its threshold and error counts.
struct Candidate {
    threshold: f64,
    direction: Direction,
    false_positives: usize,
    false_negatives: usize,
}

/// Every candidate test of both directions, in the order High then Low, thresholds ascending:
/// one cut between each pair of consecutive distinct pooled selection scores (thinned to
/// [`MAX_CANDIDATES`] cuts when there are more). The error counts of all cuts come from one
/// ROC sweep, the membership-inference kernel's [`Ranking`] of the pooled scores with the D′
/// trials as positives: after group `j` (descending) `FP_j` D trials and `TP_j` D′ trials lie
/// above the cut, so guessing D′ above it (High) makes `FP_j` false positives and
/// `n_in − TP_j` false negatives, and guessing D′ below it (Low) `n_out − FP_j` and `TP_j`.
/// A NaN score is never guessed D′ (a false negative in the D′ world, nothing in D).
///
/// The threshold is the midpoint of the two scores, so that it never sits on a selection
/// score; where that midpoint does not lie strictly between them (an infinite score, or two
/// adjacent floats) it is the score that realises the cut: the upper one for High, the lower
/// one for Low.
fn candidates(out: &[f64], inn: &[f64]) -> Vec<Candidate> {
    let (mut scores, mut member) = (Vec::new(), Vec::new());
    for (world, is_in) in [(out, false), (inn, true)] {
        for &s in world.iter().filter(|s| !s.is_nan()) {
            scores.push(s);
            member.push(is_in);
        }
    }
    let n_out = member.iter().filter(|&&m| !m).count();
    let n_in_ranked = member.len() - n_out;
    let nan_in = inn.len() - n_in_ranked;
    let ranking = Ranking::grouped(&scores, &member);
    let (levels, counts) = (ranking.group_scores(), ranking.cumulative());
    let cuts = thinned(levels.len().saturating_sub(1));
    let mut all = Vec::with_capacity(2 * cuts.len());
    for direction in [Direction::High, Direction::Low] {
        for &cut in &cuts {
            // Ascending cut `cut` lies below descending group `j` and above group `j + 1`.
            let j = levels.len() - 2 - cut;
            let (upper, lower) = (levels[j], levels[j + 1]);
            let mid = 0.5 * (lower + upper);
            let (fp_above, tp_above) = counts[j];
            let (threshold, false_positives, false_negatives) = match direction {
                Direction::High => {
                    let t = if lower < mid && mid < upper { mid } else { upper };
                    (t, fp_above, n_in_ranked - tp_above + nan_in)
                }
                Direction::Low => {
                    let t = if lower < mid && mid < upper { mid } else { lower };
                    (t, n_out - fp_above, tp_above + nan_in)
                }
            };
            all.push(Candidate { threshold, direction, false_positives, false_negatives });
        }
    }
    all
}

/// Indices `0..n` when `n ≤` [`MAX_CANDIDATES`]; otherwise the 100 lowest, the 100 highest and
/// evenly spaced ones between.
fn thinned(n: usize) -> Vec<usize> {
    if n <= MAX_CANDIDATES {
        return (0..n).collect();
    }
    let tail = 100;
    let middle = MAX_CANDIDATES - 2 * tail;
    let span = n - 2 * tail;
    (0..tail).chain((0..middle).map(|i| tail + i * span / middle)).chain(n - tail..n).collect()
}

/// The test with the largest selection ε̂; among equally good thresholds of that direction
/// (a run of ties, e.g. a gap separating the worlds) the middle one, which generalises best.
fn middle_of_best(scored: &[(f64, f64, Direction)]) -> (f64, Direction) {
    let Some(&(best, _, direction)) = scored.iter().fold(None, |acc: Option<&(f64, f64, Direction)>, s| match acc {
        Some(a) if a.0 >= s.0 => Some(a),
        _ => Some(s),
    }) else {
        return (0.0, Direction::High);
    };
    let ties: Vec<f64> = scored.iter().filter(|s| s.0 == best && s.2 == direction).map(|s| s.1).collect();
    (ties[ties.len() / 2], direction)
}

/// The audit of one statistic (docs/audit.md §2.3): the first [`SELECTION_FRACTION`] of each
/// world's trials choose the (threshold, direction) with the largest ε̂ among the candidates
/// (computed on those trials with the same bounds); the remaining trials evaluate that single
/// test. `out[t]`/`inn[t]` are trial t's scores without/with the canary.
pub fn estimate_epsilon(out: &[f64], inn: &[f64], delta: f64, alpha: f64) -> EpsilonEstimate {
    assert!(out.len() == inn.len() && out.len() >= 4, "need at least 4 trials per world");
    let n_sel = ((out.len() as f64 * SELECTION_FRACTION).round() as usize).clamp(1, out.len() - 1);
    let (out_sel, out_eval) = out.split_at(n_sel);
    let (inn_sel, inn_eval) = inn.split_at(n_sel);
    let mut bounds: std::collections::HashMap<usize, f64> = std::collections::HashMap::new();
    let mut bound = |k: usize| *bounds.entry(k).or_insert_with(|| upper_bound(k, n_sel, alpha / 2.0));
    let scored: Vec<(f64, f64, Direction)> = candidates(out_sel, inn_sel)
        .into_iter()
        .map(|c| {
            let epsilon_hat = epsilon_from_rates(bound(c.false_positives), bound(c.false_negatives), delta);
            (epsilon_hat, c.threshold, c.direction)
        })
        .collect();
    let (threshold, direction) = middle_of_best(&scored);
    evaluate(out_eval, inn_eval, threshold, direction, delta, alpha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_separation_is_limited_by_the_trial_count() {
        let out: Vec<f64> = (0..400).map(|i| -(i as f64)).collect();
        let inn: Vec<f64> = (0..400).map(|i| 1.0 + i as f64).collect();
        let e = estimate_epsilon(&out, &inn, 1e-5, 0.05);
        assert_eq!((e.false_positives, e.false_negatives, e.n_eval), (0, 0, 300));
        let p_u = 1.0 - 0.025_f64.powf(1.0 / 300.0);
        assert!((e.epsilon_hat - ((1.0 - 1e-5 - p_u) / p_u).ln()).abs() < 1e-9, "{e:?}");
    }

    #[test]
    fn identical_worlds_give_zero() {
        let s: Vec<f64> = (0..200).map(|i| (i * 37 % 101) as f64).collect();
        assert_eq!(estimate_epsilon(&s, &s, 1e-5, 0.05).epsilon_hat, 0.0);
        assert_eq!(epsilon_from_rates(0.5, 0.5, 0.0), 0.0);
        assert!((epsilon_from_rates(0.1, 0.2, 0.0) - (0.8_f64 / 0.1).ln()).abs() < 1e-12);
    }

    /// The counts of the one ROC sweep are those of applying each threshold to every score,
    /// with ties, NaN, infinite and adjacent-float scores.
    #[test]
    fn swept_counts_match_applying_each_threshold() {
        let next = |x: f64| f64::from_bits(x.to_bits() + 1);
        let out = [3.0, 1.0, 1.0, f64::NAN, f64::NEG_INFINITY, 7.5, 1.0, next(7.5)];
        let inn = [1.0, f64::INFINITY, 2.0, f64::NAN, f64::NAN, 7.5, 9.0, -4.0, 3.0];
        let found = candidates(&out, &inn);
        // 9 distinct non-NaN scores → 8 cuts per direction.
        assert_eq!(found.len(), 16);
        for c in &found {
            let fp = out.iter().filter(|&&s| c.direction.guesses_in(s, c.threshold)).count();
            let fn_ = inn.iter().filter(|&&s| !c.direction.guesses_in(s, c.threshold)).count();
            assert_eq!((c.false_positives, c.false_negatives), (fp, fn_), "{:?} {}", c.direction, c.threshold);
        }
        assert!(found.windows(2).all(|w| w[0].direction != w[1].direction || w[0].threshold < w[1].threshold));
        assert_eq!(thinned(5), vec![0, 1, 2, 3, 4]);
        let many = thinned(10_000);
        assert_eq!((many.len(), many[99], many[100], many[1999]), (MAX_CANDIDATES, 99, 100, 9_999));
    }

    #[test]
    fn the_low_direction_is_found() {
        let out: Vec<f64> = (0..100).map(|i| 1000.0 + i as f64).collect();
        let inn: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let e = estimate_epsilon(&out, &inn, 1e-5, 0.05);
        assert_eq!(e.direction, Direction::Low);
        assert!(e.epsilon_hat > 2.0);
    }
}
