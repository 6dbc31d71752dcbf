//! Profile `bio` (metrics.md §5): biological plausibility of the synthetic rows against the real
//! **train** fold, on raw values. Two families: DE preservation (§5.1, [`de`]) and co-expression
//! preservation (§5.2, [`coexpr`]). The computations are pure functions in those modules; the
//! `Metric` impls here only wire them to the columns, the per-fold memo (the real-train tests
//! and correlations do not depend on the generator) and the `de_pairs` side table.

pub mod bitset;
pub mod coexpr;
pub mod de;

use super::{memo, EvalInput, Metric, MetricOutput, Score, SideTable};
use crate::data::dataset::classes;
use crate::error::Result;
use crate::io::fmt_f64;
use std::sync::OnceLock;

/// Real-train quantities of `bio`, memoised per fold in `RealCache`.
#[derive(Default)]
pub struct RealBio {
    /// Rank-sum p-values of every class pair (classes of train ∪ test) and gene.
    pub de: OnceLock<de::PairwiseTests>,
    /// Correlations of every gene pair.
    pub correlations: OnceLock<coexpr::PairCorrelations>,
}

/// DE preservation (§5.1): `DE_TPR_up`, `DE_TPR_down`, `DE_FPR_up`, `DE_FPR_down`, plus the
/// per-pair side table `de_pairs`.
pub struct DePreservation {
    /// `bio.de_p`.
    pub de_p: f64,
}

impl Metric for DePreservation {
    fn name(&self) -> &'static str {
        "bio_de"
    }

    fn columns(&self, _classes: &[String]) -> Vec<String> {
        ["DE_TPR_up", "DE_TPR_down", "DE_FPR_up", "DE_FPR_down"].map(String::from).to_vec()
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        // The pairs range over the dataset's classes; one absent from the synthetic rows gives
        // empty synthetic sets (§5.1).
        let all_labels: Vec<String> = input.train.labels.iter().chain(&input.test.labels).cloned().collect();
        let classes = classes(&all_labels);
        let (train, syn) = (input.train, input.synthetic);
        let real = memo(&input.real.bio.de, || de::pairwise_wilcoxon(&train.x, &train.labels, &classes));
        let synthetic = de::pairwise_wilcoxon(&syn.x, &syn.labels, &classes);
        let rows = de::compare(real, &synthetic, self.de_p);
        let scores = de::column_means(&rows)
            .into_iter()
            .map(|(column, value)| match value.is_nan() {
                false => Score::new(column, value),
                true if rows.is_empty() => Score::nan(column, "fewer_than_two_classes"),
                true if column.starts_with("DE_TPR") => Score::nan(column, "no_real_de_genes"),
                true => Score::nan(column, "every_gene_real_de"),
            })
            .collect();
        Ok(MetricOutput {
            scores,
            diagnostics: vec![
                ("de_p".into(), fmt_f64(self.de_p)),
                ("de_class_pairs".into(), real.pairs.len().to_string()),
            ],
            tables: vec![pair_table(&rows, &classes)],
            ..Default::default()
        })
    }
}

/// The side table `de_pairs`: `class_a, class_b, direction, tpr, fpr, real_genes,
/// synthetic_genes` (`|R|`, `|S|`), one row per pair and direction.
fn pair_table(rows: &[de::PairRow], classes: &[String]) -> SideTable {
    let header = ["class_a", "class_b", "direction", "tpr", "fpr", "real_genes", "synthetic_genes"];
    SideTable {
        name: "de_pairs".into(),
        header: header.map(String::from).to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    classes[r.pair.0].clone(),
                    classes[r.pair.1].clone(),
                    if r.up { "up" } else { "down" }.into(),
                    fmt_f64(r.rates.tpr),
                    fmt_f64(r.rates.fpr),
                    r.rates.real.to_string(),
                    r.rates.synthetic.to_string(),
                ]
            })
            .collect(),
    }
}

/// Co-expression preservation (§5.2): per cutoff `cNN`, `coexpr_precision_cNN`,
/// `coexpr_correct_edges_cNN`, `coexpr_recall_cNN`, `coexpr_real_edges_cNN`,
/// `coexpr_syn_edges_cNN`.
pub struct CoexprPreservation {
    /// `bio.coexpr_cutoffs`.
    pub cutoffs: Vec<f64>,
    /// `bio.coexpr_mode`.
    pub mode: coexpr::CoexprMode,
}

const COEXPR_COLUMNS: [&str; 5] = ["precision", "correct_edges", "recall", "real_edges", "syn_edges"];

impl Metric for CoexprPreservation {
    fn name(&self) -> &'static str {
        "bio_coexpr"
    }

    fn columns(&self, _classes: &[String]) -> Vec<String> {
        let suffixes = self.cutoffs.iter().map(|&tau| coexpr::cutoff_suffix(tau));
        suffixes.flat_map(|s| COEXPR_COLUMNS.map(|c| format!("coexpr_{c}_{s}"))).collect()
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let real = memo(&input.real.bio.correlations, || coexpr::pair_correlations(&input.train.x));
        let synthetic = coexpr::pair_correlations(&input.synthetic.x);
        let mut scores = Vec::new();
        for &tau in &self.cutoffs {
            let s = coexpr::cutoff_suffix(tau);
            let cmp =
                coexpr::compare_edges(&coexpr::edges(real, tau, self.mode), &coexpr::edges(&synthetic, tau, self.mode));
            let ratio = |name: &str, value: f64, reason: &str| match value.is_nan() {
                true => Score::nan(format!("coexpr_{name}_{s}"), reason),
                false => Score::new(format!("coexpr_{name}_{s}"), value),
            };
            scores.push(ratio("precision", cmp.precision, "no_synthetic_edges"));
            scores.push(Score::new(format!("coexpr_correct_edges_{s}"), cmp.correct as f64));
            scores.push(ratio("recall", cmp.recall, "no_real_edges"));
            scores.push(Score::new(format!("coexpr_real_edges_{s}"), cmp.real_edges as f64));
            scores.push(Score::new(format!("coexpr_syn_edges_{s}"), cmp.synthetic_edges as f64));
        }
        let mode = match self.mode {
            coexpr::CoexprMode::Abs => "abs",
            coexpr::CoexprMode::Positive => "positive",
        };
        Ok(MetricOutput { scores, diagnostics: vec![("coexpr_mode".into(), mode.into())], ..Default::default() })
    }
}
