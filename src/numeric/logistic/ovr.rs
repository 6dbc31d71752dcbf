//! One-vs-rest wrapper around the binary fits (metrics.md §2.3).

use super::{decision_function, fit_shared, sigmoid, BinaryLr, FitInfo, LrParams};
use crate::data::matrix::Matrix;

/// One-vs-rest wrapper (metrics.md §2.3), as scikit-learn's `OneVsRestClassifier`: with K > 2
/// sorted classes, one binary model per class (target `1[label = c]`); with exactly 2 classes,
/// a single model whose positive class is the second one.
#[derive(Clone, Debug)]
pub struct OvrLr {
    pub classes: Vec<String>,
    /// K models, or one (for `classes[1]`) when K = 2.
    pub models: Vec<BinaryLr>,
}

impl OvrLr {
    /// Fit on `labels`; `None` when they hold fewer than two classes.
    pub fn fit(x: &Matrix, labels: &[String], params: &LrParams) -> Option<OvrLr> {
        let classes = crate::data::dataset::classes(labels);
        if classes.len() < 2 {
            return None;
        }
        let positive = if classes.len() == 2 { &classes[1..] } else { &classes[..] };
        let targets: Vec<Vec<bool>> = positive.iter().map(|c| labels.iter().map(|l| l == c).collect()).collect();
        let models = fit_shared(x, &targets, params);
        Some(OvrLr { classes, models })
    }

    fn is_binary(&self) -> bool {
        self.classes.len() == 2
    }

    /// Decision values, one column per model.
    pub fn decision_function(&self, x: &Matrix) -> Matrix {
        decision_function(x, &self.models)
    }

    /// Index (into `classes`) predicted for each row of `decision`: the largest decision value,
    /// ties to the last maximal class; with two classes, `classes[1]` iff the decision is > 0.
    pub fn predict_from_decision(&self, decision: &Matrix) -> Vec<usize> {
        if self.is_binary() {
            return decision.as_slice().iter().map(|&z| usize::from(z > 0.0)).collect();
        }
        decision
            .row_iter()
            .map(|row| {
                let mut best = 0;
                for (k, &v) in row.iter().enumerate() {
                    if v >= row[best] {
                        best = k;
                    }
                }
                best
            })
            .collect()
    }

    /// Class probabilities, columns in class order: `σ(z_c) / Σ_c' σ(z_c')`; with two classes
    /// `(1 − σ(z), σ(z))`, normalised the same way.
    pub fn proba_from_decision(&self, decision: &Matrix) -> Matrix {
        let k = self.classes.len();
        let mut data = Vec::with_capacity(decision.rows() * k);
        for row in decision.row_iter() {
            let start = data.len();
            if self.is_binary() {
                let s = sigmoid(row[0]);
                data.extend([1.0 - s, s]);
            } else {
                data.extend(row.iter().map(|&z| sigmoid(z)));
            }
            let probs = &mut data[start..];
            let total = probs.iter().fold(0.0, |acc, v| acc + v);
            probs.iter_mut().for_each(|v| *v /= total);
        }
        Matrix::from_row_major(decision.rows(), k, data).expect("rows x classes")
    }

    pub fn predict(&self, x: &Matrix) -> Vec<usize> {
        self.predict_from_decision(&self.decision_function(x))
    }

    pub fn predict_proba(&self, x: &Matrix) -> Matrix {
        self.proba_from_decision(&self.decision_function(x))
    }

    pub fn infos(&self) -> Vec<FitInfo> {
        self.models.iter().map(|m| m.info).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::logistic::Stop;

    fn matrix(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    fn fixed_ovr(classes: &[&str], n_models: usize) -> OvrLr {
        let info = FitInfo { iterations: 0, evaluations: 1, grad_max_norm: 0.0, stop: Stop::Gradient };
        let model = BinaryLr { coef: vec![1.0], intercept: 0.0, info };
        OvrLr { classes: classes.iter().map(|c| c.to_string()).collect(), models: vec![model; n_models] }
    }

    #[test]
    fn ovr_predict_ties_go_to_the_last_class_and_proba_rows_sum_to_one() {
        let ovr = fixed_ovr(&["a", "b", "c"], 3);
        let d = matrix(&[&[1.0, 1.0, 0.0], &[0.0, 2.0, 2.0], &[-1.0, -3.0, -2.0]]);
        assert_eq!(ovr.predict_from_decision(&d), vec![1, 2, 0]);
        let p = ovr.proba_from_decision(&d);
        for row in p.row_iter() {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        }
        // Row 0: σ(1), σ(1), σ(0) normalised.
        let s1 = sigmoid(1.0);
        assert!((p.get(0, 2) - 0.5 / (2.0 * s1 + 0.5)).abs() < 1e-15);
    }

    #[test]
    fn two_classes_use_one_model_like_sklearn() {
        let ovr = fixed_ovr(&["a", "b"], 1);
        let d = matrix(&[&[2.0], &[0.0], &[-1.0]]);
        // Strictly positive decision → second class; 0 → first class.
        assert_eq!(ovr.predict_from_decision(&d), vec![1, 0, 0]);
        let p = ovr.proba_from_decision(&d);
        assert_eq!((p.cols(), p.get(1, 0), p.get(1, 1)), (2, 0.5, 0.5));
        assert!((p.get(0, 1) - sigmoid(2.0)).abs() < 1e-15);
        let x = matrix(&[&[0.0], &[1.0], &[2.0], &[3.0]]);
        let labels: Vec<String> = ["b", "a", "b", "a"].iter().map(|s| s.to_string()).collect();
        assert_eq!(OvrLr::fit(&x, &labels, &LrParams::default()).unwrap().models.len(), 1);
    }
}
