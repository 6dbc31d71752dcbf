//! The `Metric` adapter of profile `mia` (metrics.md §4): builds the attacker's view of a cell,
//! runs the attacks and writes the declared columns (§4.4): per attack `mia_<attack>_<metric>`,
//! the worst case `mia_worst_<metric>` with the attack that reached it
//! (`mia_worst_<metric>_attack`, a text column), and `member_rate`; and the per-cell ROC side
//! table ([`roc_table`]).

use super::roc_table;
use super::scaling::attack_space;
use super::summary::{self, Summary, METRICS};
use super::{run_attacks, AttackData, MiaParams, ATTACKS};
use crate::error::Result;
use crate::metrics::{ColumnSpec, Direction, EvalInput, Exactness, Metric, MetricOutput};

/// The placeholder of the per-attack templates, replaced by the attack id.
const ATTACK_PLACEHOLDER: &str = "<attack>";

const fn per_attack(name: &'static str, direction: Direction, description: &'static str) -> ColumnSpec {
    ColumnSpec::new(name, direction, Exactness::Deterministic, description)
}

/// Per-attack column templates, in [`METRICS`] order (unit-tested). The exactness is that of a
/// closed-form attack; [`attack_column`] makes it iterative for the attacks that fit a logistic
/// regression.
const PER_ATTACK: [ColumnSpec; 8] = [
    per_attack("mia_<attack>_aucroc", Direction::Lower, "attack ROC AUC, ties counted ½ (0.5 = no leakage)"),
    per_attack(
        "mia_<attack>_average_precision",
        Direction::Lower,
        "attack average precision, positives = members (floor = member share)",
    ),
    per_attack(
        "mia_<attack>_tpr_at_fpr_01",
        Direction::Lower,
        "tie-correct attack TPR at FPR 0.1 (≈ 0.1 = no leakage)",
    ),
    per_attack(
        "mia_<attack>_tpr_at_fpr_001",
        Direction::Lower,
        "tie-correct attack TPR at FPR 0.01 (≈ 0.01 = no leakage)",
    ),
    per_attack(
        "mia_<attack>_tpr_at_fpr_01_kit",
        Direction::Reference,
        "attack TPR at FPR 0.1 by the challenge kit's rule (comparability only; 1.0 under heavy ties)",
    ),
    per_attack(
        "mia_<attack>_tpr_at_fpr_001_kit",
        Direction::Reference,
        "attack TPR at FPR 0.01 by the challenge kit's rule (comparability only)",
    ),
    per_attack(
        "mia_<attack>_score_ties",
        Direction::Reference,
        "share of candidates whose attack score ties another's (flags a degenerate attack)",
    ),
    per_attack(
        "mia_<attack>_precision_at_5pct",
        Direction::Lower,
        "share of members among the top 5 % attack scores, ties fractional (≈ member share = no leakage)",
    ),
];

/// The worst-case columns, in [`WORST`] order (unit-tested). Iterative: the worst attack may be
/// a logistic-regression attack.
const WORST_VALUE: [ColumnSpec; 5] = [
    ColumnSpec::new(
        "mia_worst_aucroc",
        Direction::Lower,
        Exactness::Iterative,
        "largest attack ROC AUC over the attacks (score_ties ≤ 0.5)",
    ),
    ColumnSpec::new(
        "mia_worst_average_precision",
        Direction::Lower,
        Exactness::Iterative,
        "largest attack average precision over the attacks (score_ties ≤ 0.5)",
    ),
    ColumnSpec::new(
        "mia_worst_tpr_at_fpr_01",
        Direction::Lower,
        Exactness::Iterative,
        "largest tie-correct TPR at FPR 0.1 over the attacks (score_ties ≤ 0.5)",
    ),
    ColumnSpec::new(
        "mia_worst_tpr_at_fpr_001",
        Direction::Lower,
        Exactness::Iterative,
        "largest tie-correct TPR at FPR 0.01 over the attacks (score_ties ≤ 0.5)",
    ),
    ColumnSpec::new(
        "mia_worst_precision_at_5pct",
        Direction::Lower,
        Exactness::Iterative,
        "largest precision among the top 5 % over the attacks (score_ties ≤ 0.5)",
    ),
];

/// The attack that reached each worst case, in [`WORST`] order (unit-tested).
const WORST_ATTACK: [ColumnSpec; 5] = [
    ColumnSpec::text_column("mia_worst_aucroc_attack", "the attack of mia_worst_aucroc"),
    ColumnSpec::text_column("mia_worst_average_precision_attack", "the attack of mia_worst_average_precision"),
    ColumnSpec::text_column("mia_worst_tpr_at_fpr_01_attack", "the attack of mia_worst_tpr_at_fpr_01"),
    ColumnSpec::text_column("mia_worst_tpr_at_fpr_001_attack", "the attack of mia_worst_tpr_at_fpr_001"),
    ColumnSpec::text_column("mia_worst_precision_at_5pct_attack", "the attack of mia_worst_precision_at_5pct"),
];

const MEMBER_RATE: ColumnSpec =
    ColumnSpec::real_reference("member_rate", Exactness::Deterministic, "members / candidates (#train / #C)");

/// Attacks whose scores come from the logistic-regression solver.
const ITERATIVE_ATTACKS: &[&str] = &["lr_loss", "lr_conf"];

/// The column of per-attack metric `PER_ATTACK[metric]` for `attack`.
fn attack_column(attack: &str, metric: usize) -> ColumnSpec {
    let template = &PER_ATTACK[metric];
    let mut spec = template.named(template.name.replace(ATTACK_PLACEHOLDER, attack));
    if ITERATIVE_ATTACKS.contains(&attack) {
        spec.exactness = Exactness::Iterative;
    }
    spec
}

/// The `mia` metric family.
pub struct Mia(pub MiaParams);

impl Metric for Mia {
    fn name(&self) -> &'static str {
        "mia"
    }

    /// Numeric columns first (per attack, worst case, member rate), then the text columns, the
    /// order in which [`Mia::score`] returns them.
    fn columns(&self) -> Vec<ColumnSpec> {
        let mut specs: Vec<ColumnSpec> =
            ATTACKS.iter().flat_map(|a| (0..PER_ATTACK.len()).map(move |m| attack_column(a, m))).collect();
        specs.extend(WORST_VALUE);
        specs.push(MEMBER_RATE);
        specs.extend(WORST_ATTACK);
        specs
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let candidates = input.train.x.vstack(&input.test.x)?;
        let labels: Vec<String> = input.train.labels.iter().chain(&input.test.labels).cloned().collect();
        let (candidates, synthetic) = attack_space(&candidates, &input.synthetic.x, self.0.scaling);
        let data = AttackData::new(candidates, labels, input.train.x.rows(), synthetic, input.synthetic.labels.clone());
        let (attacks, mut diagnostics) = run_attacks(&data, &self.0);
        diagnostics.push(("scaling".into(), self.0.scaling.as_str().into()));
        let member = data.is_member();
        let tables = vec![roc_table::side_table(&attacks, &member)];
        Ok(MetricOutput { diagnostics, tables, ..output(&summary::summarise(&attacks, &member)) })
    }
}

/// The declared columns' values of `summary`. A failed attack's columns are NaN with its reason;
/// with no qualifying attack the worst case is NaN (`no_valid_attack`) and its attack is empty.
fn output(summary: &Summary) -> MetricOutput {
    let mut out = MetricOutput::default();
    for (attack, metrics) in &summary.per_attack {
        for (i, metric) in METRICS.iter().enumerate() {
            let spec = attack_column(attack, i);
            out.scores.push(match metrics {
                Ok(r) => spec.value(summary::value(r, metric)),
                Err(reason) => spec.nan(reason.clone()),
            });
        }
    }
    for ((worst, value), attack) in summary.worst.iter().zip(&WORST_VALUE).zip(&WORST_ATTACK) {
        match worst.attack {
            Some(name) => {
                out.scores.push(value.value(worst.value));
                out.labels.push(attack.label(name));
            }
            None => {
                out.scores.push(value.nan("no_valid_attack"));
                out.labels.push(attack.label(""));
            }
        }
    }
    out.scores.push(MEMBER_RATE.value(summary.member_rate));
    out
}

#[cfg(test)]
mod tests {
    use super::summary::WORST;
    use super::*;
    use crate::metrics::ValueKind;

    #[test]
    fn spec_tables_follow_the_metric_lists() {
        for (spec, metric) in PER_ATTACK.iter().zip(METRICS) {
            assert_eq!(spec.name, format!("mia_{ATTACK_PLACEHOLDER}_{metric}"));
        }
        assert_eq!(
            (PER_ATTACK.len(), WORST_VALUE.len(), WORST_ATTACK.len()),
            (METRICS.len(), WORST.len(), WORST.len())
        );
        for ((value, attack), metric) in WORST_VALUE.iter().zip(&WORST_ATTACK).zip(WORST) {
            assert_eq!(value.name, format!("mia_worst_{metric}"));
            assert_eq!(attack.name, format!("mia_worst_{metric}_attack"));
            assert_eq!(attack.kind, ValueKind::Text);
        }
    }

    #[test]
    fn only_logistic_regression_attacks_are_iterative() {
        assert_eq!(attack_column("lr_conf", 0).exactness, Exactness::Iterative);
        assert_eq!(attack_column("mahalanobis_cc", 0).exactness, Exactness::Deterministic);
        assert_eq!(attack_column("gan_leaks", 4).name, "mia_gan_leaks_tpr_at_fpr_01_kit");
        assert_eq!(attack_column("gan_leaks", 4).direction, Direction::Reference);
    }

    #[test]
    fn worst_case_without_a_valid_attack_is_nan_with_an_empty_attack() {
        let summary = Summary {
            per_attack: vec![("gan_leaks", Err("single_class".into()))],
            worst: WORST.iter().map(|&metric| summary::Worst { metric, value: f64::NAN, attack: None }).collect(),
            member_rate: 0.8,
        };
        let out = output(&summary);
        assert_eq!(out.scores.len(), METRICS.len() + WORST.len() + 1);
        assert_eq!(out.scores[0].reason.as_deref(), Some("single_class"));
        assert_eq!(out.scores[METRICS.len()].reason.as_deref(), Some("no_valid_attack"));
        assert!(out.labels.iter().all(|l| l.text.is_empty()) && out.labels.len() == WORST.len());
    }
}
