//! Per-attack rank metrics and the worst case (metrics.md §4.4): the values behind
//! `mia_<attack>_<metric>`, `mia_worst_<metric>` = the largest value over attacks (the `_kit`
//! metrics and attacks with `score_ties > 0.5` excluded) with the attack that reached it, and
//! `member_rate`. The columns themselves are declared in [`metric`](super::metric).

use super::roc::{RankMetrics, Ranking};
use super::AttackScores;

/// Per-attack metric names, in column order.
pub const METRICS: &[&str] = &[
    "aucroc",
    "average_precision",
    "tpr_at_fpr_01",
    "tpr_at_fpr_001",
    "tpr_at_fpr_01_kit",
    "tpr_at_fpr_001_kit",
    "score_ties",
    "precision_at_5pct",
];

/// Metrics with a worst-case column (lower is better for the generator).
pub const WORST: &[&str] = &["aucroc", "average_precision", "tpr_at_fpr_01", "tpr_at_fpr_001", "precision_at_5pct"];

/// Attacks whose share of tied scores exceeds this are left out of the worst case.
const MAX_TIES: f64 = 0.5;

/// The value of per-attack metric `metric` (one of [`METRICS`]).
pub fn value(m: &RankMetrics, metric: &str) -> f64 {
    match metric {
        "aucroc" => m.aucroc,
        "average_precision" => m.average_precision,
        "tpr_at_fpr_01" => m.tpr_at_fpr_01,
        "tpr_at_fpr_001" => m.tpr_at_fpr_001,
        "tpr_at_fpr_01_kit" => m.tpr_at_fpr_01_kit,
        "tpr_at_fpr_001_kit" => m.tpr_at_fpr_001_kit,
        "score_ties" => m.score_ties,
        "precision_at_5pct" => m.precision_at_5pct,
        other => unreachable!("unknown MIA metric {other}"),
    }
}

/// The worst case of one metric: value and attack (`None` when no attack qualifies).
#[derive(Clone, Debug, PartialEq)]
pub struct Worst {
    pub metric: &'static str,
    pub value: f64,
    pub attack: Option<&'static str>,
}

/// Everything profile `mia` reports for one cell, before it is written as columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Per attack, in [`ATTACKS`](super::ATTACKS) order: its rank metrics, or why it has none.
    pub per_attack: Vec<(&'static str, Result<RankMetrics, String>)>,
    /// One entry per [`WORST`] metric, in that order.
    pub worst: Vec<Worst>,
    /// members / candidates.
    pub member_rate: f64,
}

/// The rank metrics of every attack from its scores and the membership flags, the worst case of
/// each [`WORST`] metric, and the member rate.
pub fn summarise(attacks: &[AttackScores], member: &[bool]) -> Summary {
    let per_attack: Vec<(&'static str, Result<RankMetrics, String>)> = attacks
        .iter()
        .map(|a| {
            let metrics = match &a.scores {
                Ok(s) => Ranking::new(s, member).map(|r| r.metrics()).ok_or_else(|| "non_finite_scores".to_string()),
                Err(reason) => Err(reason.clone()),
            };
            (a.attack, metrics)
        })
        .collect();
    let worst = WORST.iter().map(|&m| worst_case(&per_attack, m)).collect();
    let members = member.iter().filter(|&&m| m).count();
    Summary { per_attack, worst, member_rate: members as f64 / member.len() as f64 }
}

/// The largest value of `metric` over the attacks with metrics and `score_ties ≤ 0.5`; the
/// first such attack in column order on equal values.
fn worst_case(per_attack: &[(&'static str, Result<RankMetrics, String>)], metric: &'static str) -> Worst {
    let best = per_attack
        .iter()
        .filter_map(|(a, r)| r.as_ref().ok().map(|r| (*a, r)))
        .filter(|(_, r)| r.score_ties <= MAX_TIES)
        .map(|(a, r)| (a, value(r, metric)))
        .fold(None, |acc: Option<(&'static str, f64)>, (a, v)| match acc {
            Some((_, w)) if w >= v => acc,
            _ => Some((a, v)),
        });
    match best {
        Some((a, v)) => Worst { metric, value: v, attack: Some(a) },
        None => Worst { metric, value: f64::NAN, attack: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_case_skips_tied_and_failed_attacks_and_names_the_attack() {
        let member = [true, true, false, false];
        let attacks = vec![
            AttackScores { attack: "gan_leaks", scores: Ok(vec![4.0, 2.0, 3.0, 1.0]) }, // AUC 0.75
            AttackScores { attack: "mc", scores: Ok(vec![1.0, 1.0, 1.0, 0.0]) },        // ties 0.75
            AttackScores { attack: "lr_loss", scores: Err("single_class".into()) },
        ];
        let summary = summarise(&attacks, &member);
        let metrics = |i: usize| summary.per_attack[i].1.as_ref().map_err(Clone::clone);
        assert_eq!(metrics(0).unwrap().aucroc, 0.75);
        // mc: AUC = (1·(0 + ½·2) + 1·2) / 4 = 0.75 too, but it is excluded for ties.
        assert_eq!((metrics(1).unwrap().aucroc, metrics(1).unwrap().score_ties), (0.75, 0.75));
        assert_eq!(metrics(2).unwrap_err(), "single_class");
        assert_eq!(summary.worst.len(), WORST.len());
        assert_eq!(summary.worst[0], Worst { metric: "aucroc", value: 0.75, attack: Some("gan_leaks") });
        assert_eq!(summary.member_rate, 0.5);
    }
}
