//! Utility metrics (metrics.md §2.5–2.6, §3.1–3.2): a one-vs-rest logistic regression trained
//! on synthetic rows (TSTR) and one trained on real train rows (TRTR), both scored on the real
//! test fold, plus the overlap of their top-coefficient genes.
//!
//! * `camda2025`: raw values; columns `accuracy_*`, `avg_pr_macro_*`, `feature_overlap_*`.
//! * `camda2026`: synthetic rows shuffled with seed 42 (§3.1.1), a StandardScaler fitted on the
//!   real train fold applied to every matrix (§3.1.2), and the extra columns of §3.2.
//!
//! The TRTR model does not depend on the generator; it is fitted once per fold and memoised in
//! [`RealCache`](super::RealCache).

use super::classification::{accuracy, auroc, average_precision, weighted_f1};
use super::revision::{shuffle_synthetic, Revision, SHUFFLE_SEED};
use super::spec::{ColumnSpec, Direction::*, Exactness::*};
use super::{round4, EvalInput, Metric, MetricOutput, Score};
use crate::data::dataset::{classes, Labelled};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::logistic::{FitInfo, LrParams, OvrLr};
use crate::numeric::scaler::StandardScaler;
use crate::numeric::summation::numpy_sum;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// The utility family of one revision.
pub struct Utility {
    pub revision: Revision,
    pub params: LrParams,
    /// Genes per class in the overlap sets (`top_n_features`, §6).
    pub top_n: usize,
}

impl Utility {
    /// The family of `revision` with the evaluator's defaults (§6).
    pub fn new(revision: Revision) -> Self {
        Utility { revision, params: LrParams::default(), top_n: 10 }
    }
}

const ACCURACY_SYNTHETIC: ColumnSpec =
    ColumnSpec::new("accuracy_synthetic", Higher, Iterative, "TSTR accuracy on the real test fold, 4 dp (§2.5)")
        .with_real_counterpart("accuracy_real")
        .in_paper_column("acc");
const AVG_PR_MACRO_SYNTHETIC: ColumnSpec = ColumnSpec::new(
    "avg_pr_macro_synthetic",
    Higher,
    Iterative,
    "TSTR macro average precision on the real test fold, 4 dp (§2.5)",
)
.with_real_counterpart("avg_pr_macro_real")
.in_paper_column("aupr");
const AVG_PR_WEIGHT_SYNTHETIC: ColumnSpec =
    ColumnSpec::new("avg_pr_weight_synthetic", Higher, Iterative, "TSTR support-weighted average precision (§3.2)")
        .with_real_counterpart("avg_pr_weight_real");
const F1_SYNTHETIC: ColumnSpec =
    ColumnSpec::new("f1_synthetic", Higher, Iterative, "TSTR weighted F1 (§3.2)").with_real_counterpart("f1_real");
const AUROC_SYNTHETIC: ColumnSpec =
    ColumnSpec::new("auroc_synthetic", Higher, Iterative, "TSTR macro one-vs-rest AUROC (§3.2)")
        .with_real_counterpart("auroc_real");
const ACCURACY_REAL: ColumnSpec =
    ColumnSpec::real_reference("accuracy_real", Iterative, "TRTR accuracy on the real test fold, 4 dp (§2.5)")
        .in_paper_column("acc");
const AVG_PR_MACRO_REAL: ColumnSpec =
    ColumnSpec::real_reference("avg_pr_macro_real", Iterative, "TRTR macro average precision, 4 dp (§2.5)")
        .in_paper_column("aupr");
const AVG_PR_WEIGHT_REAL: ColumnSpec =
    ColumnSpec::real_reference("avg_pr_weight_real", Iterative, "TRTR support-weighted average precision (§3.2)");
const F1_REAL: ColumnSpec = ColumnSpec::real_reference("f1_real", Iterative, "TRTR weighted F1 (§3.2)");
const AUROC_REAL: ColumnSpec =
    ColumnSpec::real_reference("auroc_real", Iterative, "TRTR macro one-vs-rest AUROC (§3.2)");
const FEATURE_OVERLAP_COUNT: ColumnSpec = ColumnSpec::new(
    "feature_overlap_count",
    Higher,
    Iterative,
    "top-coefficient genes shared by the TSTR and TRTR models (§2.6)",
)
.in_paper_column("feature_overlap");
const FEATURE_OVERLAP_PROPORTION: ColumnSpec =
    ColumnSpec::new("feature_overlap_proportion", Higher, Iterative, "shared top genes / TSTR top genes, 4 dp (§2.6)");
const ACCURACY_RELATIVE: ColumnSpec =
    ColumnSpec::new("accuracy_relative", Reference, Iterative, "accuracy_synthetic / accuracy_real (§3.2)");
const AVG_PR_MACRO_RELATIVE: ColumnSpec =
    ColumnSpec::new("avg_pr_macro_relative", Reference, Iterative, "avg_pr_macro_synthetic / avg_pr_macro_real (§3.2)");
const AVG_PR_WEIGHT_RELATIVE: ColumnSpec = ColumnSpec::new(
    "avg_pr_weight_relative",
    Reference,
    Iterative,
    "avg_pr_weight_synthetic / avg_pr_weight_real (§3.2)",
);
const AUROC_RELATIVE: ColumnSpec =
    ColumnSpec::new("auroc_relative", Reference, Iterative, "auroc_synthetic / auroc_real (§3.2)");
const F1_RELATIVE: ColumnSpec = ColumnSpec::new("f1_relative", Reference, Iterative, "f1_synthetic / f1_real (§3.2)");

/// A metric value and, when it is NaN or qualified, why.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub value: f64,
    pub reason: Option<String>,
}

impl Measured {
    fn ok(value: f64) -> Self {
        Measured { value, reason: None }
    }

    fn nan(reason: impl Into<String>) -> Self {
        Measured { value: f64::NAN, reason: Some(reason.into()) }
    }

    fn score(&self, column: &ColumnSpec) -> Score {
        Score { reason: self.reason.clone(), ..column.value(self.value) }
    }
}

/// What one OvR model yields on the real test fold.
#[derive(Clone, Debug)]
pub struct ModelEvaluation {
    /// Rounded to 4 dp (§2.10).
    pub accuracy: Measured,
    /// Rounded to 4 dp; NaN unless the model's classes equal the test classes (§2.5).
    pub avg_pr_macro: Measured,
    /// §3.2, unrounded.
    pub avg_pr_weight: Measured,
    pub f1: Measured,
    pub auroc: Measured,
    /// Union of each class's top genes (column indices); `None` without a model.
    pub top_genes: Option<BTreeSet<usize>>,
    /// Classes the model was trained on (empty without a model).
    pub classes: Vec<String>,
    pub fits: Vec<FitInfo>,
}

/// The TRTR side of a fold, memoised in `RealCache`: the test matrix in model space (scaled by
/// `RealCache::train_scaler` for camda2026) and the TRTR evaluation.
#[derive(Clone, Debug)]
pub struct RealReference {
    pub test_x: Matrix,
    pub evaluation: ModelEvaluation,
}

impl RealReference {
    /// Fit the TRTR model on the train fold and score it on the test fold; `scaler` (the
    /// train fold's StandardScaler, camda2026) is applied to both folds first.
    pub fn compute(
        scaler: Option<&StandardScaler>,
        train: &Labelled,
        test: &Labelled,
        params: &LrParams,
        top_n: usize,
    ) -> Self {
        let (train_x, test_x) = match scaler {
            None => (Cow::Borrowed(&train.x), test.x.clone()),
            Some(s) => (Cow::Owned(s.transform(&train.x)), s.transform(&test.x)),
        };
        let model = OvrLr::fit(&train_x, &train.labels, params);
        let evaluation = evaluate_model(model.as_ref(), &test_x, &test.labels, top_n);
        RealReference { test_x, evaluation }
    }
}

/// Score a fitted OvR model (or its absence: fewer than two training classes) on the test fold.
pub fn evaluate_model(model: Option<&OvrLr>, test_x: &Matrix, test_labels: &[String], top_n: usize) -> ModelEvaluation {
    let Some(model) = model else {
        let nan = Measured::nan("single_class");
        return ModelEvaluation {
            accuracy: nan.clone(),
            avg_pr_macro: nan.clone(),
            avg_pr_weight: nan.clone(),
            f1: nan.clone(),
            auroc: nan,
            top_genes: None,
            classes: vec![],
            fits: vec![],
        };
    };
    let decision = model.decision_function(test_x);
    let predicted: Vec<&str> =
        model.predict_from_decision(&decision).into_iter().map(|k| model.classes[k].as_str()).collect();
    let truth: Vec<&str> = test_labels.iter().map(String::as_str).collect();
    let proba = model.proba_from_decision(&decision);
    let test_classes = classes(test_labels);
    let (avg_pr_macro, avg_pr_weight, auc) = match class_mismatch(&model.classes, &test_classes) {
        Some(reason) => (Measured::nan(&reason), Measured::nan(&reason), Measured::nan(&reason)),
        None => {
            // The class lists are equal, so probability column k belongs to test class k.
            let per_class: Vec<ClassScores> = test_classes
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    ClassScores::new(&proba.column(k), &test_labels.iter().map(|l| l == c).collect::<Vec<_>>())
                })
                .collect();
            let macro_ap = Measured::ok(round4(mean(per_class.iter().map(|s| s.ap))));
            if per_class.len() < 2 {
                (macro_ap, Measured::nan("single_test_class"), Measured::nan("single_test_class"))
            } else {
                let weighted: Vec<f64> = per_class.iter().map(|s| s.ap * s.support).collect();
                let supports: Vec<f64> = per_class.iter().map(|s| s.support).collect();
                let weighted_ap = numpy_sum(&weighted) / numpy_sum(&supports);
                (macro_ap, Measured::ok(weighted_ap), Measured::ok(mean(per_class.iter().map(|s| s.auc))))
            }
        }
    };
    ModelEvaluation {
        accuracy: Measured::ok(round4(accuracy(&truth, &predicted))),
        avg_pr_macro,
        avg_pr_weight,
        f1: Measured::ok(weighted_f1(&truth, &predicted)),
        auroc: auc,
        top_genes: Some(top_genes(model, top_n)),
        classes: model.classes.clone(),
        fits: model.infos(),
    }
}

/// One test class's AP (§2.4), AUROC (§4.4) and support, from its probability column.
struct ClassScores {
    ap: f64,
    auc: f64,
    support: f64,
}

impl ClassScores {
    fn new(scores: &[f64], positive: &[bool]) -> Self {
        ClassScores {
            ap: average_precision(scores, positive).expect("a test class has a positive"),
            auc: auroc(scores, positive).unwrap_or(f64::NAN),
            support: positive.iter().filter(|&&t| t).count() as f64,
        }
    }
}

/// numpy's `mean`: pairwise sum divided by the count.
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.collect();
    numpy_sum(&v) / v.len() as f64
}

/// `None` when the model's classes equal the test classes, else the NaN reason:
/// `missing_classes:<test classes the model lacks>` or `classes_absent_from_test:<extra>`.
fn class_mismatch(model_classes: &[String], test_classes: &[String]) -> Option<String> {
    if model_classes == test_classes {
        return None;
    }
    let missing: Vec<&str> = test_classes.iter().filter(|c| !model_classes.contains(c)).map(String::as_str).collect();
    if missing.is_empty() {
        let extra: Vec<&str> = model_classes.iter().filter(|c| !test_classes.contains(c)).map(String::as_str).collect();
        Some(format!("classes_absent_from_test:{}", extra.join(",")))
    } else {
        Some(format!("missing_classes:{}", missing.join(",")))
    }
}

/// §2.6: per model, the `n` genes with the largest signed coefficient (ties: larger column index
/// first; all genes when p < n), united over models. A two-class model has one coefficient
/// vector, as in scikit-learn, so its set holds `n` genes.
pub fn top_genes(model: &OvrLr, n: usize) -> BTreeSet<usize> {
    model
        .models
        .iter()
        .flat_map(|m| {
            let mut order: Vec<usize> = (0..m.coef.len()).collect();
            order.sort_by(|&a, &b| m.coef[b].total_cmp(&m.coef[a]).then(b.cmp(&a)));
            order.truncate(n);
            order
        })
        .collect()
}

/// `feature_overlap_count` and `feature_overlap_proportion` (§2.6) from the TSTR and TRTR sets.
fn feature_overlap(synthetic: &ModelEvaluation, real: &ModelEvaluation) -> (Measured, Measured) {
    let (Some(s), Some(r)) = (&synthetic.top_genes, &real.top_genes) else {
        return (Measured::nan("single_class"), Measured::nan("single_class"));
    };
    let common = s.intersection(r).count();
    let proportion = if s.is_empty() { 0.0 } else { round4(common as f64 / s.len() as f64) };
    let mut count = Measured::ok(common as f64);
    let mut prop = Measured::ok(proportion);
    let missing: Vec<&str> =
        real.classes.iter().filter(|c| !synthetic.classes.contains(c)).map(String::as_str).collect();
    if !missing.is_empty() {
        let reason = format!("missing_classes:{}", missing.join(","));
        count.reason = Some(reason.clone());
        prop.reason = Some(reason);
    }
    (count, prop)
}

/// `synthetic / real` per fold (§3.2), NaN when either is NaN or the reference is 0.
fn relative(synthetic: &Measured, real: &Measured) -> Measured {
    if synthetic.value.is_nan() || real.value.is_nan() {
        Measured::nan("undefined_input")
    } else if real.value == 0.0 {
        Measured::nan("zero_reference")
    } else {
        Measured::ok(synthetic.value / real.value)
    }
}

/// Diagnostics of one OvR fit: per class, in sorted class order.
fn fit_diagnostics(prefix: &str, evaluation: &ModelEvaluation) -> Vec<(String, String)> {
    let join = |f: &dyn Fn(&FitInfo) -> String| evaluation.fits.iter().map(f).collect::<Vec<_>>().join(",");
    vec![
        (format!("{prefix}_lr_classes"), evaluation.classes.join(",")),
        (format!("{prefix}_lr_iterations"), join(&|i| i.iterations.to_string())),
        (format!("{prefix}_lr_converged"), join(&|i| i.converged().to_string())),
        (format!("{prefix}_lr_stop"), join(&|i| i.stop.as_str().to_string())),
        (format!("{prefix}_lr_grad_max"), join(&|i| format!("{:e}", i.grad_max_norm))),
    ]
}

impl Metric for Utility {
    fn name(&self) -> &'static str {
        "utility"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        match self.revision {
            Revision::Camda2025 => vec![
                ACCURACY_SYNTHETIC,
                AVG_PR_MACRO_SYNTHETIC,
                ACCURACY_REAL,
                AVG_PR_MACRO_REAL,
                FEATURE_OVERLAP_COUNT,
                FEATURE_OVERLAP_PROPORTION,
            ],
            Revision::Camda2026 => vec![
                ACCURACY_SYNTHETIC,
                AVG_PR_MACRO_SYNTHETIC,
                AVG_PR_WEIGHT_SYNTHETIC,
                F1_SYNTHETIC,
                AUROC_SYNTHETIC,
                ACCURACY_REAL,
                AVG_PR_MACRO_REAL,
                AVG_PR_WEIGHT_REAL,
                F1_REAL,
                AUROC_REAL,
                FEATURE_OVERLAP_COUNT,
                FEATURE_OVERLAP_PROPORTION,
                ACCURACY_RELATIVE,
                AVG_PR_MACRO_RELATIVE,
                AVG_PR_WEIGHT_RELATIVE,
                AUROC_RELATIVE,
                F1_RELATIVE,
            ],
        }
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let cell = match self.revision {
            Revision::Camda2025 => &input.real.trtr_camda2025,
            Revision::Camda2026 => &input.real.trtr_camda2026,
        };
        // The TSTR model needs the real-train scaler (camda2026) but not the TRTR fit, so the two
        // fits run side by side.
        let scaler = match self.revision {
            Revision::Camda2025 => None,
            Revision::Camda2026 => Some(super::memo(&input.real.train_scaler, || StandardScaler::fit(&input.train.x))),
        };
        let (real, model) = rayon::join(
            || super::memo(cell, || RealReference::compute(scaler, input.train, input.test, &self.params, self.top_n)),
            || match scaler {
                None => OvrLr::fit(&input.synthetic.x, &input.synthetic.labels, &self.params),
                Some(scaler) => {
                    let shuffled = shuffle_synthetic(input.synthetic, SHUFFLE_SEED);
                    OvrLr::fit(&scaler.transform(&shuffled.x), &shuffled.labels, &self.params)
                }
            },
        );
        let synthetic = evaluate_model(model.as_ref(), &real.test_x, &input.test.labels, self.top_n);
        let real = &real.evaluation;
        let (count, proportion) = feature_overlap(&synthetic, real);
        let values = [
            (ACCURACY_SYNTHETIC, synthetic.accuracy.clone()),
            (AVG_PR_MACRO_SYNTHETIC, synthetic.avg_pr_macro.clone()),
            (AVG_PR_WEIGHT_SYNTHETIC, synthetic.avg_pr_weight.clone()),
            (F1_SYNTHETIC, synthetic.f1.clone()),
            (AUROC_SYNTHETIC, synthetic.auroc.clone()),
            (ACCURACY_REAL, real.accuracy.clone()),
            (AVG_PR_MACRO_REAL, real.avg_pr_macro.clone()),
            (AVG_PR_WEIGHT_REAL, real.avg_pr_weight.clone()),
            (F1_REAL, real.f1.clone()),
            (AUROC_REAL, real.auroc.clone()),
            (FEATURE_OVERLAP_COUNT, count),
            (FEATURE_OVERLAP_PROPORTION, proportion),
            (ACCURACY_RELATIVE, relative(&synthetic.accuracy, &real.accuracy)),
            (AVG_PR_MACRO_RELATIVE, relative(&synthetic.avg_pr_macro, &real.avg_pr_macro)),
            (AVG_PR_WEIGHT_RELATIVE, relative(&synthetic.avg_pr_weight, &real.avg_pr_weight)),
            (AUROC_RELATIVE, relative(&synthetic.auroc, &real.auroc)),
            (F1_RELATIVE, relative(&synthetic.f1, &real.f1)),
        ];
        // The revision's columns, in its order.
        let scores = self
            .columns()
            .iter()
            .map(|column| {
                let (_, value) = values.iter().find(|(spec, _)| spec == column).expect("every column has a value");
                value.score(column)
            })
            .collect();
        let mut diagnostics = fit_diagnostics("tstr", &synthetic);
        diagnostics.extend(fit_diagnostics("trtr", real));
        Ok(MetricOutput { scores, diagnostics, ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::logistic::BinaryLr;
    use crate::numeric::logistic::Stop;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn fixed_model(classes: &[&str], coefs: &[&[f64]], intercepts: &[f64]) -> OvrLr {
        let info = FitInfo { iterations: 0, evaluations: 1, grad_max_norm: 0.0, stop: Stop::Gradient };
        OvrLr {
            classes: labels(classes),
            models: coefs
                .iter()
                .zip(intercepts)
                .map(|(c, &b)| BinaryLr { coef: c.to_vec(), intercept: b, info })
                .collect(),
        }
    }

    #[test]
    fn evaluation_of_a_fixed_model_by_hand() {
        // Decision = (x0, x1, −x0 − x1): rows → classes a, b, c, a.
        let model = fixed_model(&["a", "b", "c"], &[&[1.0, 0.0], &[0.0, 1.0], &[-1.0, -1.0]], &[0.0, 0.0, 0.0]);
        let x = Matrix::from_rows(&[vec![2.0, 0.0], vec![0.0, 2.0], vec![-1.0, -1.0], vec![1.0, 0.5]]).unwrap();
        let e = evaluate_model(Some(&model), &x, &labels(&["a", "b", "c", "b"]), 1);
        assert_eq!(e.accuracy, Measured::ok(0.75));
        // Each class's top-1 gene: a → 0, b → 1, c → tie (−1, −1) → larger index 1.
        assert_eq!(e.top_genes, Some([0, 1].into_iter().collect()));
        // Normalised probabilities rank every class's positives first (b: rows 1 and 3 score
        // 0.587 and 0.405 against 0.333 and 0.190), so each AP and AUC is 1.
        assert_eq!(e.avg_pr_macro, Measured::ok(1.0));
        assert_eq!(e.auroc, Measured::ok(1.0));
        assert_eq!(e.avg_pr_weight, Measured::ok(1.0));
        // Weighted F1: a (TP1 FP1) ⅔·1, b (TP1 FN1) ⅔·2, c 1·1 → (⅔ + 4/3 + 1)/4 = 0.75.
        assert!((e.f1.value - 0.75).abs() < 1e-15);
    }

    #[test]
    fn missing_classes_give_nan_with_reason_but_keep_accuracy() {
        // Two classes: one model for "b" (decision −x).
        let model = fixed_model(&["a", "b"], &[&[-1.0]], &[0.0]);
        let x = Matrix::from_rows(&[vec![1.0], vec![-1.0], vec![2.0]]).unwrap();
        let e = evaluate_model(Some(&model), &x, &labels(&["a", "b", "c"]), 10);
        assert!((e.accuracy.value - 0.6667).abs() < 1e-12);
        assert!(e.avg_pr_macro.value.is_nan());
        assert_eq!(e.avg_pr_macro.reason.as_deref(), Some("missing_classes:c"));
        assert_eq!(e.auroc.reason.as_deref(), Some("missing_classes:c"));
        assert!(!e.f1.value.is_nan());
        // p = 1 < 10: all genes.
        assert_eq!(e.top_genes, Some([0].into_iter().collect()));
        let none = evaluate_model(None, &x, &labels(&["a", "b", "c"]), 10);
        assert_eq!(none.accuracy.reason.as_deref(), Some("single_class"));
    }

    #[test]
    fn overlap_counts_the_synthetic_union() {
        let with = |genes: &[usize], cls: &[&str]| ModelEvaluation {
            accuracy: Measured::ok(1.0),
            avg_pr_macro: Measured::ok(1.0),
            avg_pr_weight: Measured::ok(1.0),
            f1: Measured::ok(1.0),
            auroc: Measured::ok(1.0),
            top_genes: Some(genes.iter().copied().collect()),
            classes: labels(cls),
            fits: vec![],
        };
        let (c, p) = feature_overlap(&with(&[1, 2, 3], &["a", "b"]), &with(&[2, 3, 4, 5], &["a", "b"]));
        assert_eq!((c.value, p.value), (2.0, round4(2.0 / 3.0)));
        assert!(c.reason.is_none());
        let (c, _) = feature_overlap(&with(&[1], &["a"]), &with(&[1], &["a", "b"]));
        assert_eq!(c.value, 1.0);
        assert_eq!(c.reason.as_deref(), Some("missing_classes:b"));
        let (_, p) = feature_overlap(&with(&[], &["a"]), &with(&[1], &["a"]));
        assert_eq!(p.value, 0.0);
    }

    #[test]
    fn relative_handles_nan_and_zero() {
        assert_eq!(relative(&Measured::ok(0.5), &Measured::ok(0.25)), Measured::ok(2.0));
        assert_eq!(relative(&Measured::ok(0.5), &Measured::ok(0.0)).reason.as_deref(), Some("zero_reference"));
        assert!(relative(&Measured::nan("x"), &Measured::ok(1.0)).value.is_nan());
    }

    #[test]
    fn single_class_synthetic_gives_nan_tstr_columns_and_cached_trtr() {
        use crate::metrics::RealCache;
        let part = |rows: &[(f64, &str)]| Labelled {
            x: Matrix::from_rows(&rows.iter().map(|r| vec![r.0, 1.0 - r.0]).collect::<Vec<_>>()).unwrap(),
            labels: rows.iter().map(|r| r.1.to_string()).collect(),
        };
        let train = part(&[(0.0, "a"), (0.2, "a"), (1.0, "b"), (1.2, "b")]);
        let test = part(&[(0.1, "a"), (1.1, "b")]);
        let synthetic = part(&[(0.0, "a"), (0.3, "a")]);
        let cache = RealCache::default();
        let genes = labels(&["g1", "g2"]);
        let input = EvalInput { gene_ids: &genes, train: &train, test: &test, synthetic: &synthetic, real: &cache };
        for family in [Utility::new(Revision::Camda2025), Utility::new(Revision::Camda2026)] {
            let out = family.score(&input).unwrap();
            let get = |c: &str| out.scores.iter().find(|s| s.column == c).unwrap().clone();
            assert!(get("accuracy_synthetic").value.is_nan());
            assert_eq!(get("accuracy_synthetic").reason.as_deref(), Some("single_class"));
            assert_eq!(get("feature_overlap_count").reason.as_deref(), Some("single_class"));
            assert_eq!(get("accuracy_real").value, 1.0);
            assert_eq!(out.scores.len(), family.columns().len());
        }
        assert!(cache.trtr_camda2025.get().is_some() && cache.trtr_camda2026.get().is_some());
    }

    #[test]
    fn memoised_computes_once_when_stored() {
        let cell = std::sync::OnceLock::new();
        assert_eq!(*crate::metrics::memo(&cell, || 3), 3);
        assert_eq!(*crate::metrics::memo(&cell, || panic!("must not recompute")), 3);
    }
}
