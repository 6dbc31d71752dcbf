//! Precision, recall, density and coverage (metrics.md §3.5), Euclidean on raw values with
//! `k = 5` (`prdc.k`, §6):
//!
//! ```text
//! ρ_R(r) = distance from r to its k-th nearest OTHER real row;  ρ_F(f) likewise among fakes
//! precision = (1/|F|) Σ_f 1[∃ r : ‖r − f‖ < ρ_R(r)]
//! recall    = (1/|R|) Σ_r 1[∃ f : ‖r − f‖ < ρ_F(f)]
//! density   = (1/(k|F|)) Σ_f #{r : ‖r − f‖ < ρ_R(r)}
//! coverage  = (1/|R|) Σ_r 1[min_f ‖r − f‖ < ρ_R(r)]
//! ```
//!
//! All comparisons are strict and decided exactly (see `numeric::distance`). NaN
//! (`too_few_rows`) when `|R| ≤ k` or `|F| ≤ k`. Columns: `prdc_{precision,recall,density,
//! coverage}` with real = `Xtr`, and `prdc_{density,coverage}_test` with real = `Xte`; the real
//! radii are memoised per fold in [`RealRadii`].

use super::spec::{ColumnSpec, Direction, Exactness};
use super::{EvalInput, Metric, MetricOutput};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::distance::{kth_nearest_sq_distances, Coverage, Pairwise, Precision};
use std::sync::OnceLock;

/// Neighbourhood size `k` of the radii.
pub const NEAREST_K: usize = 5;

/// The PRDC family of `camda2026`.
pub struct Prdc;

const fn prdc_column(name: &'static str, description: &'static str) -> ColumnSpec {
    ColumnSpec::new(name, Direction::Higher, Exactness::Deterministic, description)
}

const PRDC_PRECISION: ColumnSpec =
    prdc_column("prdc_precision", "share of synthetic rows inside a real train ball (§3.5)");
const PRDC_RECALL: ColumnSpec = prdc_column("prdc_recall", "share of real train rows inside a synthetic ball (§3.5)");
const PRDC_DENSITY: ColumnSpec = prdc_column("prdc_density", "real train balls per synthetic row / k (§3.5)");
const PRDC_COVERAGE: ColumnSpec =
    prdc_column("prdc_coverage", "share of real train balls holding a synthetic row (§3.5)");
const PRDC_DENSITY_TEST: ColumnSpec =
    prdc_column("prdc_density_test", "prdc_density against the real test fold (§3.5)");
const PRDC_COVERAGE_TEST: ColumnSpec =
    prdc_column("prdc_coverage_test", "prdc_coverage against the real test fold (§3.5)");

/// Real-only radii `ρ` of one fold (train and test), computed at most once.
#[derive(Default)]
pub struct RealRadii {
    train: OnceLock<Vec<f64>>,
    test: OnceLock<Vec<f64>>,
}

/// The four PRDC values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrdcValues {
    pub precision: f64,
    pub recall: f64,
    pub density: f64,
    pub coverage: f64,
}

impl PrdcValues {
    const NAN: PrdcValues = PrdcValues { precision: f64::NAN, recall: f64::NAN, density: f64::NAN, coverage: f64::NAN };
}

/// `ρ(x_i)`: Euclidean distance to the k-th nearest other row of `x` (NaN if `x` has ≤ k rows).
pub fn radii(x: &Matrix, k: usize) -> Vec<f64> {
    kth_nearest_sq_distances(x, k).into_iter().map(f64::sqrt).collect()
}

/// PRDC of `fake` against `real` given both sets' radii (module doc).
pub fn prdc_with_radii(real: &Matrix, real_radii: &[f64], fake: &Matrix, fake_radii: &[f64], k: usize) -> PrdcValues {
    if real.rows() <= k || fake.rows() <= k {
        return PrdcValues::NAN;
    }
    let pw = Pairwise::new(real, fake, Precision::Screening);
    // Per panel of real rows: #real rows within each fake's reach, and per real row whether it
    // is inside some fake ball (recall) and whether some fake is inside its ball (coverage).
    let panels = pw.map_panels(Coverage::Full, |panel| {
        let mut counts = vec![0u32; fake.rows()];
        let (mut recalled, mut covered) = (0usize, 0usize);
        for i in panel.rows.clone() {
            let (mut in_fake_ball, mut has_fake_inside) = (false, false);
            for (j, &d2) in panel.row(i).iter().enumerate() {
                if pw.strictly_within(i, j, d2, real_radii[i]) {
                    counts[j] += 1;
                    has_fake_inside = true;
                }
                if !in_fake_ball && pw.strictly_within(i, j, d2, fake_radii[j]) {
                    in_fake_ball = true;
                }
            }
            recalled += usize::from(in_fake_ball);
            covered += usize::from(has_fake_inside);
        }
        (counts, recalled, covered)
    });
    let mut counts = vec![0u64; fake.rows()];
    let (mut recalled, mut covered) = (0usize, 0usize);
    for (c, r, v) in panels {
        counts.iter_mut().zip(c).for_each(|(t, x)| *t += u64::from(x));
        recalled += r;
        covered += v;
    }
    let (n_real, n_fake) = (real.rows() as f64, fake.rows() as f64);
    PrdcValues {
        precision: counts.iter().filter(|&&c| c > 0).count() as f64 / n_fake,
        recall: recalled as f64 / n_real,
        density: counts.iter().sum::<u64>() as f64 / (k as f64 * n_fake),
        coverage: covered as f64 / n_real,
    }
}

/// PRDC computing both sets' radii.
pub fn prdc(real: &Matrix, fake: &Matrix, k: usize) -> PrdcValues {
    prdc_with_radii(real, &radii(real, k), fake, &radii(fake, k), k)
}

impl Metric for Prdc {
    fn name(&self) -> &'static str {
        "prdc"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        vec![PRDC_PRECISION, PRDC_RECALL, PRDC_DENSITY, PRDC_COVERAGE, PRDC_DENSITY_TEST, PRDC_COVERAGE_TEST]
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let (xtr, xte, xs) = (&input.train.x, &input.test.x, &input.synthetic.x);
        let k = NEAREST_K;
        let fake_radii = radii(xs, k);
        let train_radii = super::memo(&input.real.prdc.train, || radii(xtr, k));
        let test_radii = super::memo(&input.real.prdc.test, || radii(xte, k));
        let train = prdc_with_radii(xtr, train_radii, xs, &fake_radii, k);
        let test = prdc_with_radii(xte, test_radii, xs, &fake_radii, k);
        let scores = [
            (PRDC_PRECISION, train.precision),
            (PRDC_RECALL, train.recall),
            (PRDC_DENSITY, train.density),
            (PRDC_COVERAGE, train.coverage),
            (PRDC_DENSITY_TEST, test.density),
            (PRDC_COVERAGE_TEST, test.coverage),
        ]
        .into_iter()
        .map(|(c, v)| if v.is_nan() { c.nan("too_few_rows") } else { c.value(v) })
        .collect();
        Ok(MetricOutput { scores, ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(points: &[f64]) -> Matrix {
        Matrix::from_rows(&points.iter().map(|&v| vec![v]).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn one_dimensional_example_by_hand() {
        // k = 1. Real {0, 1, 2}: radii (1-NN) 1, 1, 1. Fake {0.5, 10, 11}: radii 9.5, 1, 1.
        // Fake 0.5 is within reach of real 0 and 1 (0.5 < 1), not of 2 (1.5): precision 1/3,
        // density 2/3. Recall: real r is recalled if some fake f has |r − f| < ρ_F(f): fake 0.5
        // (ρ = 9.5) reaches all three: recall 1. Coverage: reals 0 and 1 have fake 0.5 inside
        // their ball; real 2 does not (1.5 ≥ 1): 2/3.
        let v = prdc(&line(&[0.0, 1.0, 2.0]), &line(&[0.5, 10.0, 11.0]), 1);
        assert_eq!(v, PrdcValues { precision: 1.0 / 3.0, recall: 1.0, density: 2.0 / 3.0, coverage: 2.0 / 3.0 });
    }

    #[test]
    fn comparisons_are_strict() {
        // k = 1. Real {0, 2}: radii 2. Fake {2, 4}: radii 2. Fake 2 coincides with real 2
        // (distance 0 < 2) and is exactly 2 from real 0 (not < 2).
        let v = prdc(&line(&[0.0, 2.0]), &line(&[2.0, 4.0]), 1);
        assert_eq!(v.precision, 0.5); // fake 4 is exactly 2 from real 2
        assert_eq!(v.density, 0.5);
        assert_eq!(v.recall, 0.5); // real 0 is exactly 2 from fake 2
        assert_eq!(v.coverage, 0.5);
    }

    #[test]
    fn too_few_rows_is_nan() {
        let small = line(&[0.0, 1.0, 2.0, 3.0, 4.0]);
        assert!(prdc(&small, &line(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]), NEAREST_K).precision.is_nan());
    }
}
