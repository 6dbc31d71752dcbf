//! Discriminative score (metrics.md §2.8): how well a logistic regression tells real train rows
//! from synthetic rows, as the F1 of the "real" class on a held-out part extended with the real
//! test fold. The partition uses numpy's MT19937 streams (Appendix A), so with the same inputs
//! the score equals the official evaluator's.

use super::classification::binary_f1;
use super::revision::{shuffle_synthetic, Revision, SHUFFLE_SEED};
use super::spec::{ColumnSpec, Direction, Exactness};
use super::{EvalInput, Metric, MetricOutput, Score};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::logistic::{decision_function, fit_binary, FitInfo, LrParams};
use crate::numeric::scaler::StandardScaler;
use crate::rng::NumpyMt19937;
use std::borrow::Cow;

/// `disc.seed` (§6): the evaluator's `random_state` for every fold (also the seed of the
/// camda2026 synthetic shuffle).
pub const DISC_SEED: u32 = SHUFFLE_SEED;
/// `disc.test_size` (§6).
pub const DISC_TEST_SIZE: f64 = 0.3;

/// The discriminative-score family of one revision (camda2026 shuffles the synthetic rows
/// first, §3.1.1).
pub struct Discriminative {
    pub revision: Revision,
    pub params: LrParams,
    pub seed: u32,
    pub test_size: f64,
}

impl Discriminative {
    /// The family of `revision` with the evaluator's defaults (§6).
    pub fn new(revision: Revision) -> Self {
        Discriminative { revision, params: LrParams::default(), seed: DISC_SEED, test_size: DISC_TEST_SIZE }
    }
}

const DISCRIMINATIVE_SCORE: ColumnSpec = ColumnSpec::new(
    "discriminative_score",
    Direction::Lower,
    Exactness::Iterative,
    "F1 of a real-vs-synthetic logistic regression on held-out rows (§2.8)",
)
.in_paper_column("discriminative");

/// Result of one discriminative score.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscriminativeOutcome {
    /// F1 of the real class; NaN with `reason` when it cannot be computed.
    pub score: f64,
    pub reason: Option<String>,
    pub fit: Option<FitInfo>,
}

/// §2.8 on `Z = [real; synthetic]` (targets 1 = real):
///
/// ```text
/// s = permutation(|Z|), t = permutation(|Z|)   (two fresh generators seeded `seed`)
/// n_hold = ceil(test_size·|Z|),  H = s[t[..n_hold]],  T = s[t[n_hold..]]
/// scaler fitted on Z[T];  LR (§2.2) on (scaler(Z[T]), targets[T])
/// E = [scaler(test); scaler(Z[H])], truth = [1…; targets[H]]
/// score = F1 of the positive (real) class of 1[decision(E) > 0]
/// ```
pub fn discriminative_score(
    real: &Matrix,
    synthetic: &Matrix,
    test: &Matrix,
    seed: u32,
    test_size: f64,
    params: &LrParams,
) -> DiscriminativeOutcome {
    let total = real.rows() + synthetic.rows();
    let n_hold = held_out_size(total, test_size);
    if n_hold == 0 || n_hold >= total {
        return DiscriminativeOutcome { score: f64::NAN, reason: Some("too_few_rows".into()), fit: None };
    }
    let (held, train) = partition(total, n_hold, seed);
    let is_real = |i: usize| i < real.rows();
    let stacked_rows = |idx: &[usize]| {
        let mut data = Vec::with_capacity(idx.len() * real.cols());
        for &i in idx {
            data.extend_from_slice(if is_real(i) { real.row(i) } else { synthetic.row(i - real.rows()) });
        }
        Matrix::from_row_major(idx.len(), real.cols(), data).expect("rows of equal width")
    };
    let train_target: Vec<bool> = train.iter().map(|&i| is_real(i)).collect();
    if train_target.iter().all(|&v| v) || train_target.iter().all(|&v| !v) {
        return DiscriminativeOutcome { score: f64::NAN, reason: Some("single_class".into()), fit: None };
    }
    let mut train_x = stacked_rows(&train);
    let scaler = StandardScaler::fit(&train_x);
    scaler.transform_in_place(&mut train_x);
    let model = fit_binary(&train_x, &train_target, params);
    drop(train_x);
    let mut extended = test.vstack(&stacked_rows(&held)).expect("test and training rows have the same genes");
    scaler.transform_in_place(&mut extended);
    let truth: Vec<bool> = std::iter::repeat_n(true, test.rows()).chain(held.iter().map(|&i| is_real(i))).collect();
    let decision = decision_function(&extended, std::slice::from_ref(&model));
    let predicted: Vec<bool> = decision.as_slice().iter().map(|&z| z > 0.0).collect();
    DiscriminativeOutcome { score: binary_f1(&truth, &predicted), reason: None, fit: Some(model.info) }
}

/// `ceil(test_size · n)` in f64, as scikit-learn's `train_test_split` computes it.
pub fn held_out_size(n: usize, test_size: f64) -> usize {
    (test_size * n as f64).ceil() as usize
}

/// The upstream partition (Appendix A): `shuffle(random_state=seed)` then
/// `train_test_split(test_size, random_state=seed)` as row indices of `Z`: held-out
/// `s[t[..n_hold]]` and training `s[t[n_hold..]]`, in that order.
pub fn partition(total: usize, n_hold: usize, seed: u32) -> (Vec<usize>, Vec<usize>) {
    let s = NumpyMt19937::new(seed).permutation(total);
    let t = NumpyMt19937::new(seed).permutation(total);
    let held = t[..n_hold].iter().map(|&i| s[i]).collect();
    let train = t[n_hold..].iter().map(|&i| s[i]).collect();
    (held, train)
}

impl Metric for Discriminative {
    fn name(&self) -> &'static str {
        "discriminative_score"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        vec![DISCRIMINATIVE_SCORE]
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let synthetic = match self.revision {
            Revision::Camda2025 => Cow::Borrowed(input.synthetic),
            Revision::Camda2026 => Cow::Owned(shuffle_synthetic(input.synthetic, self.seed)),
        };
        let out =
            discriminative_score(&input.train.x, &synthetic.x, &input.test.x, self.seed, self.test_size, &self.params);
        let diagnostics = out
            .fit
            .map(|f| {
                vec![
                    ("disc_lr_iterations".to_string(), f.iterations.to_string()),
                    ("disc_lr_converged".to_string(), f.converged().to_string()),
                    ("disc_lr_stop".to_string(), f.stop.as_str().to_string()),
                    ("disc_lr_grad_max".to_string(), format!("{:e}", f.grad_max_norm)),
                ]
            })
            .unwrap_or_default();
        let score = Score { reason: out.reason, ..DISCRIMINATIVE_SCORE.value(out.score) };
        Ok(MetricOutput { scores: vec![score], diagnostics, ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_sets_are_told_apart() {
        // Real rows near +3, synthetic near −3 in one gene: the classifier is perfect, so every
        // real row (held-out real rows and the test fold) is predicted real: F1 = 1.
        let real = Matrix::from_rows(&(0..20).map(|i| vec![3.0 + 0.01 * i as f64, 1.0]).collect::<Vec<_>>()).unwrap();
        let syn = Matrix::from_rows(&(0..20).map(|i| vec![-3.0 - 0.01 * i as f64, 1.0]).collect::<Vec<_>>()).unwrap();
        let test = Matrix::from_rows(&[vec![3.5, 1.0], vec![2.9, 1.0]]).unwrap();
        let out = discriminative_score(&real, &syn, &test, 42, 0.3, &LrParams::default());
        assert_eq!(out.score, 1.0);
        assert!(out.fit.unwrap().converged());
    }

    #[test]
    fn partition_matches_sklearn() {
        // Python: a = sklearn.utils.shuffle(np.arange(10), random_state=42);
        // train, held = train_test_split(a, test_size=0.3, random_state=42)
        // → held [3 1 2], train [8 4 5 6 7 0 9].
        assert_eq!(held_out_size(10, 0.3), 3);
        let (held, train) = partition(10, 3, 42);
        assert_eq!(held, vec![3, 1, 2]);
        assert_eq!(train, vec![8, 4, 5, 6, 7, 0, 9]);
        // 0.3 · 1742 = 522.6 → 523 (BRCA: 871 real + 871 synthetic).
        assert_eq!(held_out_size(1742, 0.3), 523);
    }
}
