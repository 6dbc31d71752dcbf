//! Profile `bio` (metrics.md §5): biological plausibility of the synthetic rows against the real
//! **train** fold, on raw values. Two families: DE preservation (§5.1, [`de`]) and co-expression
//! preservation (§5.2, [`coexpr`]). The computations are pure functions in those modules; the
//! `Metric` impls here only wire them to the columns, the per-fold memo (the real-train tests
//! and correlations do not depend on the generator) and the `de_pairs` side table.

pub mod bitset;
pub mod coexpr;
pub mod de;

use super::{memo, ColumnSpec, Direction, EvalInput, Exactness, Metric, MetricOutput, SideTable};
use crate::data::dataset::classes;
use crate::error::Result;
use crate::io::fmt_f64;
use std::sync::OnceLock;

/// `DE_TPR_up`: mean over class pairs of `|S_up ∩ R_up| / |R_up|` (§5.1).
pub const DE_TPR_UP: ColumnSpec = ColumnSpec::new(
    "DE_TPR_up",
    Direction::Higher,
    Exactness::Deterministic,
    "share of real up-regulated genes also up in the synthetic rows, mean over class pairs (§5.1)",
);
/// `DE_TPR_down`: as [`DE_TPR_UP`] for down-regulated genes.
pub const DE_TPR_DOWN: ColumnSpec = ColumnSpec::new(
    "DE_TPR_down",
    Direction::Higher,
    Exactness::Deterministic,
    "share of real down-regulated genes also down in the synthetic rows, mean over class pairs (§5.1)",
);
/// `DE_FPR_up`: mean over class pairs of `|S_up \ R_up| / (G − |R_up|)` (§5.1).
pub const DE_FPR_UP: ColumnSpec = ColumnSpec::new(
    "DE_FPR_up",
    Direction::Lower,
    Exactness::Deterministic,
    "share of genes not up in real data that are up in the synthetic rows, mean over class pairs (§5.1)",
);
/// `DE_FPR_down`: as [`DE_FPR_UP`] for down-regulated genes.
pub const DE_FPR_DOWN: ColumnSpec = ColumnSpec::new(
    "DE_FPR_down",
    Direction::Lower,
    Exactness::Deterministic,
    "share of genes not down in real data that are down in the synthetic rows, mean over class pairs (§5.1)",
);
/// Real-train quantities of `bio`, memoised per fold in `RealCache`.
#[derive(Default)]
pub struct RealBio {
    /// Rank-sum p-values of every class pair (classes of train ∪ test) and gene.
    pub de: OnceLock<de::PairwiseTests>,
    /// Correlations of every gene pair.
    pub correlations: OnceLock<coexpr::PairCorrelations>,
}

/// The DE columns in output order, with the direction and rate each averages.
const DE_COLUMNS: [(ColumnSpec, bool, de::Rate); 4] = [
    (DE_TPR_UP, true, de::Rate::Tpr),
    (DE_TPR_DOWN, false, de::Rate::Tpr),
    (DE_FPR_UP, true, de::Rate::Fpr),
    (DE_FPR_DOWN, false, de::Rate::Fpr),
];

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

    fn columns(&self) -> Vec<ColumnSpec> {
        DE_COLUMNS.iter().map(|(spec, ..)| spec.clone()).collect()
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
        let scores = DE_COLUMNS
            .iter()
            .map(|(spec, up, rate)| {
                let value = de::mean_rate(&rows, *up, *rate);
                match (value.is_nan(), rate) {
                    (false, _) => spec.value(value),
                    _ if rows.is_empty() => spec.nan("fewer_than_two_classes"),
                    (true, de::Rate::Tpr) => spec.nan("no_real_de_genes"),
                    (true, de::Rate::Fpr) => spec.nan("every_gene_real_de"),
                }
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

/// The placeholder of the cutoff suffix `cNN` (τ·10 without the point, §5.2) in the coexpr
/// column templates.
const CUTOFF: &str = "cNN";

/// `coexpr_precision_cNN = correct / |E_τ(Xs)|` (§5.2).
pub const COEXPR_PRECISION: ColumnSpec = ColumnSpec::new(
    "coexpr_precision_cNN",
    Direction::Higher,
    Exactness::Deterministic,
    "share of synthetic co-expression edges that are real-train edges at cutoff τ (§5.2)",
);
/// `coexpr_correct_edges_cNN = |E_τ(Xs) ∩ E_τ(Xtr)|` (§5.2).
pub const COEXPR_CORRECT_EDGES: ColumnSpec = ColumnSpec::new(
    "coexpr_correct_edges_cNN",
    Direction::Higher,
    Exactness::Deterministic,
    "co-expression edges at cutoff τ present in both the synthetic rows and the real train fold (§5.2)",
);
/// `coexpr_recall_cNN = correct / |E_τ(Xtr)|` (§5.2).
pub const COEXPR_RECALL: ColumnSpec = ColumnSpec::new(
    "coexpr_recall_cNN",
    Direction::Higher,
    Exactness::Deterministic,
    "share of real-train co-expression edges at cutoff τ also present in the synthetic rows (§5.2)",
);
/// `coexpr_real_edges_cNN = |E_τ(Xtr)|`: real-only reference (§5.2).
pub const COEXPR_REAL_EDGES: ColumnSpec = ColumnSpec::real_reference(
    "coexpr_real_edges_cNN",
    Exactness::Deterministic,
    "number of real-train co-expression edges at cutoff τ (§5.2)",
);
/// `coexpr_syn_edges_cNN = |E_τ(Xs)|`: reference (§5.2).
pub const COEXPR_SYN_EDGES: ColumnSpec = ColumnSpec::new(
    "coexpr_syn_edges_cNN",
    Direction::Reference,
    Exactness::Deterministic,
    "number of synthetic co-expression edges at cutoff τ (§5.2)",
);

/// The coexpr column templates in output order (per cutoff).
const COEXPR_COLUMNS: [ColumnSpec; 5] =
    [COEXPR_PRECISION, COEXPR_CORRECT_EDGES, COEXPR_RECALL, COEXPR_REAL_EDGES, COEXPR_SYN_EDGES];

/// The column of `template` at cutoff `tau` (`coexpr_precision_cNN` → `coexpr_precision_c03`).
fn at_cutoff(template: &ColumnSpec, tau: f64) -> ColumnSpec {
    template.named(template.name.replace(CUTOFF, &coexpr::cutoff_suffix(tau)))
}

impl Metric for CoexprPreservation {
    fn name(&self) -> &'static str {
        "bio_coexpr"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        self.cutoffs.iter().flat_map(|&tau| COEXPR_COLUMNS.map(|c| at_cutoff(&c, tau))).collect()
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let real = memo(&input.real.bio.correlations, || coexpr::pair_correlations(&input.train.x));
        let synthetic = coexpr::pair_correlations(&input.synthetic.x);
        let mut scores = Vec::new();
        for &tau in &self.cutoffs {
            let cmp =
                coexpr::compare_edges(&coexpr::edges(real, tau, self.mode), &coexpr::edges(&synthetic, tau, self.mode));
            let ratio = |template: &ColumnSpec, value: f64, reason: &str| match value.is_nan() {
                true => at_cutoff(template, tau).nan(reason),
                false => at_cutoff(template, tau).value(value),
            };
            let count = |template: &ColumnSpec, n: usize| at_cutoff(template, tau).value(n as f64);
            scores.push(ratio(&COEXPR_PRECISION, cmp.precision, "no_synthetic_edges"));
            scores.push(count(&COEXPR_CORRECT_EDGES, cmp.correct));
            scores.push(ratio(&COEXPR_RECALL, cmp.recall, "no_real_edges"));
            scores.push(count(&COEXPR_REAL_EDGES, cmp.real_edges));
            scores.push(count(&COEXPR_SYN_EDGES, cmp.synthetic_edges));
        }
        let mode = match self.mode {
            coexpr::CoexprMode::Abs => "abs",
            coexpr::CoexprMode::Positive => "positive",
        };
        Ok(MetricOutput { scores, diagnostics: vec![("coexpr_mode".into(), mode.into())], ..Default::default() })
    }
}
