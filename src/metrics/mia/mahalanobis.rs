//! Mahalanobis attacks (metrics.md §4.2–4.3) against Gaussian generators:
//! `mahalanobis(x) = −δ_G(x)` with one Gaussian fitted on `Xs`, and `mahalanobis_cc(x) =
//! −δ_{G,y(x)}(x)` with a Gaussian fitted on the synthetic rows of the candidate's own class
//! (classes with fewer than 3 synthetic rows use the pooled fit).
//!
//! ```text
//! Σ_reg = Σ + α · (tr Σ / p) · I        (Σ: sample covariance, ddof 1; α = mia.ridge_alpha)
//! δ(x)  = sqrt((x − μ)ᵀ Σ_reg⁻¹ (x − μ)) = ‖L⁻¹ (x − μ)‖,   Σ_reg = L Lᵀ (Cholesky)
//! ```
//!
//! `mahalanobis_cal` needs an external reference set (`mia.reference = <file>`), which bench
//! does not support yet; it is not computed.

use super::AttackData;
use crate::data::matrix::Matrix;
use crate::numeric::linalg::{cholesky_lower, mean_and_covariance, solve_lower_in_place};
use faer::Mat;
use rayon::prelude::*;

/// Minimum synthetic rows of a class for its own Gaussian in `mahalanobis_cc`.
const MIN_CLASS_ROWS: usize = 3;

/// A Gaussian fit `(μ, L)` with `L Lᵀ = Σ_reg`.
pub struct GaussianFit {
    mean: Vec<f64>,
    chol: Mat<f64>,
}

impl GaussianFit {
    /// Mean and ridge-regularised covariance of the rows of `x` (at least 2 rows).
    pub fn fit(x: &Matrix, alpha: f64) -> Result<GaussianFit, String> {
        let (mean, mut cov) = mean_and_covariance(x).map_err(|_| "too_few_rows".to_string())?;
        let p = x.cols();
        let ridge = alpha * (0..p).map(|j| cov[(j, j)]).sum::<f64>() / p as f64;
        for j in 0..p {
            cov[(j, j)] += ridge;
        }
        let chol = cholesky_lower(cov.as_ref()).map_err(|_| "singular_covariance".to_string())?;
        Ok(GaussianFit { mean, chol })
    }

    /// `δ(x)` for every row of `x`.
    pub fn distances(&self, x: &Matrix) -> Vec<f64> {
        let (n, p) = (x.rows(), x.cols());
        let mut t = Mat::<f64>::from_fn(p, n, |i, j| x.get(j, i) - self.mean[i]);
        solve_lower_in_place(self.chol.as_ref(), t.as_mut());
        (0..n).map(|j| (0..p).map(|i| t[(i, j)] * t[(i, j)]).sum::<f64>().sqrt()).collect()
    }
}

/// Scores `−δ_G(x)` of the pooled fit.
pub fn mahalanobis(data: &AttackData, alpha: f64) -> Result<Vec<f64>, String> {
    let fit = GaussianFit::fit(&data.synthetic, alpha)?;
    Ok(fit.distances(&data.candidates).into_iter().map(|d| -d).collect())
}

/// Scores `−δ_{G,y(x)}(x)` of the per-class fits (pooled fallback for small or absent classes).
pub fn mahalanobis_cc(data: &AttackData, alpha: f64) -> Result<Vec<f64>, String> {
    let classes = crate::data::dataset::classes(&data.labels);
    let per_class: Vec<(Vec<usize>, Result<Vec<f64>, String>)> = classes
        .par_iter()
        .map(|c| {
            let rows: Vec<usize> = (0..data.labels.len()).filter(|&i| data.labels[i] == *c).collect();
            let synth_rows: Vec<usize> =
                (0..data.synthetic_labels.len()).filter(|&i| data.synthetic_labels[i] == *c).collect();
            let fit = if synth_rows.len() >= MIN_CLASS_ROWS {
                GaussianFit::fit(&data.synthetic.select_rows(&synth_rows), alpha)
            } else {
                GaussianFit::fit(&data.synthetic, alpha)
            };
            let scores = fit.map(|f| f.distances(&data.candidates.select_rows(&rows)));
            (rows, scores)
        })
        .collect();
    let mut out = vec![f64::NAN; data.labels.len()];
    for (rows, scores) in per_class {
        for (i, d) in rows.into_iter().zip(scores?) {
            out[i] = -d;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_by_hand_with_the_ridge() {
        // Rows (0,0), (2,0), (0,2), (2,2): μ = (1,1), Σ = (4/3)·I, tr Σ / p = 4/3.
        // α = 0.5 → Σ_reg = 2·I; x = (3, 1): δ² = 4/2 = 2.
        let x = Matrix::from_rows(&[vec![0.0, 0.0], vec![2.0, 0.0], vec![0.0, 2.0], vec![2.0, 2.0]]).unwrap();
        let fit = GaussianFit::fit(&x, 0.5).unwrap();
        let d = fit.distances(&Matrix::from_rows(&[vec![3.0, 1.0], vec![1.0, 1.0]]).unwrap());
        assert!((d[0] - 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(d[1], 0.0);
    }
}
