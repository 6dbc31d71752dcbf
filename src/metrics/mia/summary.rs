//! Per-attack rank metrics and the worst-case summary columns (metrics.md §4.4):
//! `mia_<attack>_<metric>`, `mia_worst_<metric>` = the largest value over attacks (the `_kit`
//! columns and attacks with `score_ties > 0.5` excluded) with the attack that reached it, and
//! `member_rate`.

use super::roc::{RankMetrics, Ranking};
use super::{AttackScores, ATTACKS};

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

fn value(m: &RankMetrics, metric: &str) -> f64 {
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

/// Every column of the profile, in output order.
pub fn columns() -> Vec<String> {
    let mut cols: Vec<String> =
        ATTACKS.iter().flat_map(|a| METRICS.iter().map(move |m| format!("mia_{a}_{m}"))).collect();
    cols.extend(WORST.iter().map(|m| format!("mia_worst_{m}")));
    cols.push("member_rate".into());
    cols
}

/// One output value: column, value, NaN reason.
pub type Cell = (String, f64, Option<String>);

/// The worst case of one metric: value and attack.
#[derive(Clone, Debug, PartialEq)]
pub struct Worst {
    pub metric: &'static str,
    pub value: f64,
    pub attack: Option<&'static str>,
}

/// All values of the profile from the attacks' scores and the membership flags, plus the
/// worst-case attack of each [`WORST`] metric.
pub fn summarise(attacks: &[AttackScores], member: &[bool]) -> (Vec<Cell>, Vec<Worst>) {
    let mut cells = Vec::new();
    let mut ranked: Vec<(&'static str, RankMetrics)> = Vec::new();
    for a in attacks {
        let metrics = match &a.scores {
            Ok(s) => Ranking::new(s, member).map(|r| r.metrics()).ok_or_else(|| "non_finite_scores".to_string()),
            Err(reason) => Err(reason.clone()),
        };
        for m in METRICS {
            let column = format!("mia_{}_{m}", a.attack);
            match &metrics {
                Ok(r) => cells.push((column, value(r, m), None)),
                Err(reason) => cells.push((column, f64::NAN, Some(reason.clone()))),
            }
        }
        if let Ok(r) = metrics {
            ranked.push((a.attack, r));
        }
    }
    let mut worst = Vec::new();
    for &m in WORST {
        let best = ranked
            .iter()
            .filter(|(_, r)| r.score_ties <= MAX_TIES)
            .map(|(a, r)| (*a, value(r, m)))
            .fold(None, |acc: Option<(&str, f64)>, (a, v)| match acc {
                Some((_, w)) if w >= v => acc,
                _ => Some((a, v)),
            });
        let column = format!("mia_worst_{m}");
        match best {
            Some((a, v)) => {
                cells.push((column, v, None));
                worst.push(Worst { metric: m, value: v, attack: Some(a) });
            }
            None => {
                cells.push((column, f64::NAN, Some("no_valid_attack".into())));
                worst.push(Worst { metric: m, value: f64::NAN, attack: None });
            }
        }
    }
    let members = member.iter().filter(|&&m| m).count();
    cells.push(("member_rate".into(), members as f64 / member.len() as f64, None));
    (cells, worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_case_skips_tied_and_failed_attacks_and_names_the_attack() {
        let member = [true, true, false, false];
        let attacks = vec![
            AttackScores { attack: "gan_leaks", scores: Ok(vec![4.0, 2.0, 3.0, 1.0]) }, // AUC 0.75
            AttackScores { attack: "mc", scores: Ok(vec![1.0, 1.0, 1.0, 0.0]) },       // ties 0.75
            AttackScores { attack: "lr_loss", scores: Err("single_class".into()) },
        ];
        let (cells, worst) = summarise(&attacks, &member);
        assert_eq!(cells.len(), 3 * METRICS.len() + WORST.len() + 1);
        let get = |c: &str| cells.iter().find(|x| x.0 == c).unwrap().clone();
        assert_eq!(get("mia_gan_leaks_aucroc").1, 0.75);
        // mc: AUC = (1·(0 + ½·2) + 1·2) / 4 = 0.75 too, but it is excluded for ties.
        assert_eq!(get("mia_mc_score_ties").1, 0.75);
        assert_eq!(get("mia_lr_loss_aucroc").2.as_deref(), Some("single_class"));
        assert_eq!(worst[0], Worst { metric: "aucroc", value: 0.75, attack: Some("gan_leaks") });
        assert_eq!(get("member_rate").1, 0.5);
    }
}
