//! The Table-1 columns of the CAMDA 2026 suite (issue 13): the worst-case membership-inference
//! attack in the challenge paper's convention (profile `mia`, metrics.md §4.4) and the biology
//! columns (profile `bio`, §5), read from the aggregated [`Table1`] rows.
//!
//! **Worst case, paper convention** (metrics.md §4.4 "Summary columns"): per dataset × generator
//! × ε, for a metric `m` of [`WORST`], the attack `a*` with the largest mean of `mia_<a>_<m>`
//! over folds × seeds,
//!
//! ```text
//! a* = argmax_a  mean_{folds × seeds}( mia_<a>_<m> )      over attacks with a valid mean and
//!                                                          mean(mia_<a>_score_ties) ≤ 0.5
//! ```
//!
//! reported with that attack's statistics (mean, sd, n, intervals) as
//! `mia_worst_mean_<m>_*` in table1.csv and its name in `mia_worst_mean_<m>_attack`; the first
//! attack in column order wins a tie. This differs from the per-cell `mia_worst_<m>` columns,
//! whose table mean is a mean of per-cell maxima (never below the paper's value). The tie
//! exclusion is the per-cell rule's (§4.4): an attack whose scores mostly tie is degenerate, and
//! the paper drops it from its figures for that reason.

use super::table::{Row, Stat, Table1};
use crate::metrics::bio::coexpr::{cutoff_suffix, CUTOFFS};
use crate::metrics::mia::summary::WORST;
use crate::metrics::mia::ATTACKS;

/// Attacks whose mean share of tied scores exceeds this are left out (as per cell, §4.4).
const MAX_TIES: f64 = 0.5;

/// The prefix of the paper-convention worst-case columns in table1.csv.
pub const WORST_MEAN_PREFIX: &str = "mia_worst_mean_";

/// The metric profile of the attacks and of the biology columns.
pub const MIA_PROFILE: &str = "mia";
pub const BIO_PROFILE: &str = "bio";

/// The worst attack of one metric on one table row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WorstMean<'a> {
    pub metric: &'static str,
    pub attack: &'static str,
    pub stat: &'a Stat,
}

/// The worst attack of `metric` (one of [`WORST`]) on `row` by the paper's convention (module
/// documentation); `None` when no attack has a valid mean.
pub fn worst_mean<'a>(row: &'a Row, metric: &'static str) -> Option<WorstMean<'a>> {
    let mut best: Option<WorstMean<'a>> = None;
    for &attack in ATTACKS {
        let Some(stat) = row.stats.get(&format!("mia_{attack}_{metric}")) else { continue };
        if stat.n == 0 || !stat.mean.is_finite() {
            continue;
        }
        let ties = row.stats.get(&format!("mia_{attack}_score_ties")).map_or(0.0, |s| s.mean);
        if ties > MAX_TIES {
            continue;
        }
        if best.is_none_or(|b| stat.mean > b.stat.mean) {
            best = Some(WorstMean { metric, attack, stat });
        }
    }
    best
}

/// Whether a row holds per-attack MIA statistics.
pub fn has_attacks(row: &Row) -> bool {
    row.stats.keys().any(|k| k.starts_with("mia_") && k.ends_with("_aucroc") && !k.starts_with("mia_worst_"))
}

/// The worst-case metrics with a column in table1.csv: every metric of [`WORST`] when some row
/// has attack statistics (profile `mia` ran), else none.
pub fn worst_mean_metrics(table: &Table1) -> Vec<&'static str> {
    if table.rows.iter().any(has_attacks) {
        WORST.to_vec()
    } else {
        Vec::new()
    }
}

/// The table1.csv column stem of a worst-case metric: `mia_worst_mean_<metric>`.
pub fn worst_mean_column(metric: &str) -> String {
    format!("{WORST_MEAN_PREFIX}{metric}")
}

/// Human heading of a worst-case metric.
pub fn worst_mean_label(metric: &str) -> String {
    let what = match metric {
        "aucroc" => "AUC",
        "average_precision" => "average precision",
        "tpr_at_fpr_01" => "TPR at FPR 10 %",
        "tpr_at_fpr_001" => "TPR at FPR 1 %",
        "precision_at_5pct" => "precision at top 5 %",
        other => other,
    };
    format!("worst MIA {what} ↓")
}

/// A biology column of Table 1: the `cells.csv` column and its heading.
#[derive(Clone, Debug, PartialEq)]
pub struct BioColumn {
    pub column: String,
    pub label: String,
    /// Higher is better.
    pub higher: bool,
}

/// The biology columns of Table 1 (metrics.md §5): DE TPR and FPR per direction, and
/// co-expression precision and recall at the first default cutoff τ = 0.3.
pub fn bio_columns() -> Vec<BioColumn> {
    let c = cutoff_suffix(CUTOFFS[0]);
    let tau = crate::io::fmt_f64(CUTOFFS[0]);
    let col = |column: String, label: String, higher: bool| BioColumn { column, label, higher };
    vec![
        col("DE_TPR_up".into(), "DE TPR up ↑".into(), true),
        col("DE_TPR_down".into(), "DE TPR down ↑".into(), true),
        col("DE_FPR_up".into(), "DE FPR up ↓".into(), false),
        col("DE_FPR_down".into(), "DE FPR down ↓".into(), false),
        col(format!("coexpr_precision_{c}"), format!("co-expr. precision τ = {tau} ↑"), true),
        col(format!("coexpr_recall_{c}"), format!("co-expr. recall τ = {tau} ↑"), true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::table::RowKind;
    use std::collections::BTreeMap;

    fn row(stats: &[(&str, f64, usize)]) -> Row {
        Row {
            dataset: "d".into(),
            row: RowKind::Generator,
            generator: "g".into(),
            kind: "k".into(),
            epsilon: Some(1.0),
            profile: "mia".into(),
            profile_version: "mia.v1".into(),
            n_cells: 5,
            n_error: 0,
            stats: stats
                .iter()
                .map(|&(k, mean, n)| (k.to_string(), Stat::new(mean, 0.01, n)))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn worst_mean_takes_the_largest_mean_and_skips_tied_and_empty_attacks() {
        let r = row(&[
            ("mia_gan_leaks_aucroc", 0.6, 5),
            ("mia_mc_aucroc", 0.9, 5),
            ("mia_mc_score_ties", 0.8, 5),
            ("mia_domias_kde_aucroc", f64::NAN, 0),
            ("mia_mahalanobis_cc_aucroc", 0.7, 5),
            ("mia_lr_loss_aucroc", 0.7, 5),
        ]);
        let w = worst_mean(&r, "aucroc").unwrap();
        assert_eq!((w.attack, w.stat.mean), ("mahalanobis_cc", 0.7));
        assert!(worst_mean(&r, "tpr_at_fpr_01").is_none());
        assert!(has_attacks(&r) && !has_attacks(&row(&[("mia_worst_aucroc", 0.5, 1)])));
    }

    #[test]
    fn bio_columns_are_declared_columns() {
        let names: Vec<String> = bio_columns().into_iter().map(|c| c.column).collect();
        assert_eq!(names[4..], ["coexpr_precision_c03", "coexpr_recall_c03"]);
        for n in names {
            assert!(crate::metrics::resolve_column(&n).is_ok(), "{n}");
        }
    }
}
