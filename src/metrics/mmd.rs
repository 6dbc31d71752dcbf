//! Maximum mean discrepancy (metrics.md §2.7, §3.3): the unbiased estimator of squared MMD with
//! the RBF kernel `k(a, b) = exp(−γ‖a − b‖²)`, `γ = 1/p`, on raw values.
//!
//! ```text
//! MMD²_u(X, Y) = Σ_{i≠j} k(x_i,x_j) / (m(m−1)) + Σ_{i≠j} k(y_i,y_j) / (n(n−1)) − 2 Σ_{i,j} k(x_i,y_j) / (mn)
//! ```
//!
//! Not square-rooted, not rounded, may be slightly negative; NaN when `m < 2` or `n < 2`.
//! Columns: `camda2025` writes `MMD_score = MMD²_u(Xtr, Xs)`; `camda2026` writes `MMD_train`
//! (the same), `MMD_test = MMD²_u(Xte, Xs)`, `MMD_base = MMD²_u(Xte, Xtr)` and, per class `c`,
//! `submmd_<c> = MMD²_u(Xtr[ytr=c], Xs[ys=c])` (NaN `class_missing_in_synthetic` when no
//! synthetic row has label `c`, otherwise NaN `too_few_rows` unless both sides have ≥ 2 rows).
//! Real-only sums are memoised per fold in [`RealKernels`].

use super::revision::Revision;
use super::spec::{ColumnSpec, Direction, Exactness};
use super::{EvalInput, Metric, MetricOutput, Score};
use crate::data::dataset::classes;
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::distance::{rbf_kernel_sum, rbf_kernel_sum_offdiag};
use std::sync::OnceLock;

/// The MMD family of one revision: `camda2025` writes `MMD_score` (§2.1), `camda2026`
/// `MMD_train, MMD_test, MMD_base, submmd_<class>…` (§3.3).
pub struct Mmd(pub Revision);

const MMD_SCORE: ColumnSpec =
    ColumnSpec::new("MMD_score", Direction::Lower, Exactness::Deterministic, "MMD²_u(real train, synthetic) (§2.7)")
        .in_paper_column("mmd");
const MMD_TRAIN: ColumnSpec =
    ColumnSpec::new("MMD_train", Direction::Lower, Exactness::Deterministic, "MMD²_u(real train, synthetic) (§3.3)")
        .in_paper_column("mmd");
const MMD_TEST: ColumnSpec =
    ColumnSpec::new("MMD_test", Direction::Lower, Exactness::Deterministic, "MMD²_u(real test, synthetic) (§3.3)");
const MMD_BASE: ColumnSpec =
    ColumnSpec::real_reference("MMD_base", Exactness::Deterministic, "MMD²_u(real test, real train) (§3.3)")
        .in_paper_column("mmd");
const SUBMMD: ColumnSpec = ColumnSpec::new(
    "submmd_<class>",
    Direction::Lower,
    Exactness::Deterministic,
    "MMD²_u(real train rows of the class, synthetic rows of the class) (§3.3)",
);

/// Real-only kernel sums of one fold, computed at most once (metrics.md §0.2 `RealCache`).
#[derive(Default)]
pub struct RealKernels {
    /// `Σ_{i≠j} k` within `Xtr`.
    train: OnceLock<f64>,
    /// `Σ_{i≠j} k` within `Xte`.
    test: OnceLock<f64>,
    /// `Σ_{i≠j} k` within `Xtr[ytr = c]` for each class of `ytr` (sorted).
    train_by_class: OnceLock<Vec<(String, f64)>>,
    /// `MMD²_u(Xte, Xtr)`.
    base: OnceLock<f64>,
}

/// Kernel sums of one set: its rows and `Σ_{i≠j} k(x_i, x_j)`.
#[derive(Clone, Copy, Debug)]
struct SelfSum {
    rows: usize,
    offdiag: f64,
}

/// `γ = 1/p` (`mmd.gamma`, §6).
pub fn default_gamma(p: usize) -> f64 {
    1.0 / p as f64
}

/// `MMD²_u(X, Y)` from scratch (NaN if either side has fewer than 2 rows).
pub fn mmd2_unbiased(x: &Matrix, y: &Matrix, gamma: f64) -> f64 {
    if x.rows() < 2 || y.rows() < 2 {
        return f64::NAN;
    }
    combine(self_sum(x, gamma), self_sum(y, gamma), rbf_kernel_sum(x, y, gamma))
}

fn self_sum(x: &Matrix, gamma: f64) -> SelfSum {
    SelfSum { rows: x.rows(), offdiag: rbf_kernel_sum_offdiag(x, gamma) }
}

/// The estimator from its three sums (module doc).
fn combine(x: SelfSum, y: SelfSum, cross: f64) -> f64 {
    let (m, n) = (x.rows as f64, y.rows as f64);
    if x.rows < 2 || y.rows < 2 {
        return f64::NAN;
    }
    x.offdiag / (m * (m - 1.0)) + y.offdiag / (n * (n - 1.0)) - 2.0 * cross / (m * n)
}

/// Rows of `x` whose label is `class`.
fn rows_of(x: &Matrix, labels: &[String], class: &str) -> Matrix {
    let idx: Vec<usize> = labels.iter().enumerate().filter(|(_, l)| *l == class).map(|(i, _)| i).collect();
    x.select_rows(&idx)
}

impl Mmd {
    /// `submmd_<c>` for every class of the real data (train ∪ test, the dataset's classes).
    fn per_class(&self, input: &EvalInput<'_>, gamma: f64) -> Vec<Score> {
        let (train, syn) = (input.train, input.synthetic);
        let train_sums = super::memo(&input.real.mmd.train_by_class, || {
            classes(&train.labels)
                .into_iter()
                .map(|c| {
                    let sum = rbf_kernel_sum_offdiag(&rows_of(&train.x, &train.labels, &c), gamma);
                    (c, sum)
                })
                .collect()
        });
        let all_labels: Vec<String> = train.labels.iter().chain(&input.test.labels).cloned().collect();
        classes(&all_labels)
            .into_iter()
            .map(|c| {
                let column = SUBMMD.for_class(&c);
                let real = rows_of(&train.x, &train.labels, &c);
                let fake = rows_of(&syn.x, &syn.labels, &c);
                if fake.rows() == 0 {
                    return column.nan("class_missing_in_synthetic");
                }
                if real.rows() < 2 || fake.rows() < 2 {
                    return column.nan("too_few_rows");
                }
                let real_sum = train_sums.iter().find(|(k, _)| *k == c).map(|(_, s)| *s);
                let real_sum = real_sum.unwrap_or_else(|| rbf_kernel_sum_offdiag(&real, gamma));
                let value = combine(
                    SelfSum { rows: real.rows(), offdiag: real_sum },
                    self_sum(&fake, gamma),
                    rbf_kernel_sum(&real, &fake, gamma),
                );
                column.value(value)
            })
            .collect()
    }
}

impl Metric for Mmd {
    fn name(&self) -> &'static str {
        "mmd"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        match self.0 {
            Revision::Camda2025 => vec![MMD_SCORE],
            Revision::Camda2026 => vec![MMD_TRAIN, MMD_TEST, MMD_BASE, SUBMMD],
        }
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let gamma = default_gamma(input.train.x.cols());
        let real = &input.real.mmd;
        let (xtr, xte, xs) = (&input.train.x, &input.test.x, &input.synthetic.x);
        let train =
            SelfSum { rows: xtr.rows(), offdiag: *super::memo(&real.train, || rbf_kernel_sum_offdiag(xtr, gamma)) };
        let syn = self_sum(xs, gamma);
        let mmd_train = combine(train, syn, rbf_kernel_sum(xtr, xs, gamma));
        let mut scores = Vec::new();
        match self.0 {
            Revision::Camda2025 => scores.push(MMD_SCORE.value(mmd_train)),
            Revision::Camda2026 => {
                let test = SelfSum {
                    rows: xte.rows(),
                    offdiag: *super::memo(&real.test, || rbf_kernel_sum_offdiag(xte, gamma)),
                };
                let base = *super::memo(&real.base, || combine(test, train, rbf_kernel_sum(xte, xtr, gamma)));
                scores.push(MMD_TRAIN.value(mmd_train));
                scores.push(MMD_TEST.value(combine(test, syn, rbf_kernel_sum(xte, xs, gamma))));
                scores.push(MMD_BASE.value(base));
                scores.extend(self.per_class(input, gamma));
            }
        }
        for s in scores.iter_mut().filter(|s| s.value.is_nan() && s.reason.is_none()) {
            s.reason = Some("too_few_rows".into());
        }
        let diagnostics = vec![("mmd_gamma".into(), format!("1/{}", xtr.cols()))];
        Ok(MetricOutput { scores, diagnostics, ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn two_points_each_by_hand() {
        // X = {0, 2}, Y = {1, 3} on a line, γ = 1 (p = 1).
        // Σ_{i≠j} k_XX = 2e^{-4}, Σ_{i≠j} k_YY = 2e^{-4}, Σ k_XY = e^{-1} + e^{-9} + e^{-1} + e^{-1}.
        let x = m(&[&[0.0], &[2.0]]);
        let y = m(&[&[1.0], &[3.0]]);
        let e = |v: f64| (-v).exp();
        let expected = 2.0 * e(4.0) / 2.0 + 2.0 * e(4.0) / 2.0 - 2.0 * (3.0 * e(1.0) + e(9.0)) / 4.0;
        assert!((mmd2_unbiased(&x, &y, 1.0) - expected).abs() < 1e-15);
        assert!(expected < 0.0); // the unbiased estimator can be negative
    }

    #[test]
    fn identical_sets_and_too_few_rows() {
        let x = m(&[&[0.0, 1.0], &[2.0, 0.5], &[1.0, 1.0]]);
        // Same multiset: XX and YY terms equal the cross term minus its diagonal (k = 1).
        let v = mmd2_unbiased(&x, &x, 0.5);
        let offdiag = rbf_kernel_sum_offdiag(&x, 0.5);
        let expected = 2.0 * offdiag / 6.0 - 2.0 * (offdiag + 3.0) / 9.0;
        assert!((v - expected).abs() < 1e-15);
        assert!(mmd2_unbiased(&x, &m(&[&[0.0, 0.0]]), 0.5).is_nan());
    }

    #[test]
    fn a_class_absent_from_the_synthetic_labels_is_named_as_such() {
        let lab = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let train = crate::data::dataset::Labelled {
            x: m(&[&[0.0], &[1.0], &[2.0], &[3.0], &[4.0]]),
            labels: lab(&["a", "a", "b", "b", "c"]),
        };
        let synthetic =
            crate::data::dataset::Labelled { x: m(&[&[0.5], &[1.5], &[2.5]]), labels: lab(&["a", "a", "b"]) };
        let real = super::super::RealCache::default();
        let input =
            EvalInput { gene_ids: &lab(&["g"]), train: &train, test: &train, synthetic: &synthetic, real: &real };
        let out = Mmd(Revision::Camda2026).score(&input).unwrap();
        let reason = |c: &str| out.scores.iter().find(|s| s.column == c).unwrap().reason.clone();
        assert_eq!(reason("submmd_a"), None);
        assert_eq!(reason("submmd_b").as_deref(), Some("too_few_rows"));
        assert_eq!(reason("submmd_c").as_deref(), Some("class_missing_in_synthetic"));
    }
}
