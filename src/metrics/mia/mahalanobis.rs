//! Mahalanobis attacks (metrics.md §4.2–4.3) against Gaussian generators:
//! `mahalanobis(x) = −δ_G(x)` with one Gaussian fitted on `Xs`, and `mahalanobis_cc(x) =
//! −δ_{G,y(x)}(x)` with a Gaussian fitted on the synthetic rows of the candidate's own class
//! (classes with fewer than 3 synthetic rows use the pooled fit):
//!
//! ```text
//! Σ_reg = Σ + λ I,  λ = α · tr Σ / p        (Σ: sample covariance, ddof 1; α = mia.ridge_alpha)
//! δ(x)  = sqrt((x − μ)ᵀ Σ_reg⁻¹ (x − μ))
//! ```
//!
//! Two routes, mathematically identical. With `Σ = AᵀA` for the centred, scaled rows
//! `A = (X − 1μᵀ)/√(n − 1)` (`n × p`) and `d = x − μ`:
//!
//! * `p × p` (`2n > p`): `Σ_reg = L Lᵀ` (Cholesky), `δ = ‖L⁻¹ d‖`.
//! * `n × n` (`2n ≤ p`, e.g. the per-class fits at p = 978): the Woodbury identity
//!   `(λI + AᵀA)⁻¹ = (I − Aᵀ(λI + AAᵀ)⁻¹A)/λ` gives, with `λI + AAᵀ = K Kᵀ` (Cholesky),
//!   `δ² = (‖d‖² − ‖K⁻¹ A d‖²)/λ`: an `n × n` factorisation instead of a `p × p` one
//!   (`tr Σ = tr AAᵀ`).
//!
//! `mahalanobis_cal` needs an external reference set (`mia.reference = <file>`), which bench
//! does not support yet; it is not computed.

use super::AttackData;
use crate::data::matrix::Matrix;
use crate::numeric::linalg::{centred_scaled, cholesky_lower, matmul_into, solve_lower_in_place};
use faer::Mat;
use rayon::prelude::*;

/// The candidate rows of one class and their distances (or why the fit failed).
type ClassScores = (Vec<usize>, Result<Vec<f64>, String>);

/// Minimum synthetic rows of a class for its own Gaussian in `mahalanobis_cc`.
const MIN_CLASS_ROWS: usize = 3;

/// How `Σ_reg⁻¹` is applied (see the module doc).
enum Route {
    /// `L` with `L Lᵀ = Σ_reg` (`p × p`).
    Covariance(Mat<f64>),
    /// `A` (`n × p`), `λ` and `K` with `K Kᵀ = λI + AAᵀ` (`n × n`).
    Woodbury { a: Matrix, ridge: f64, chol: Mat<f64> },
}

/// A Gaussian fit: the mean `μ` and the factored `Σ_reg`.
pub struct GaussianFit {
    mean: Vec<f64>,
    route: Route,
}

impl GaussianFit {
    /// Mean and ridge-regularised covariance of the rows of `x` (at least 2 rows).
    pub fn fit(x: &Matrix, alpha: f64) -> Result<GaussianFit, String> {
        let (mean, a) = centred_scaled(x).map_err(|_| "too_few_rows".to_string())?;
        let (n, p) = (x.rows(), x.cols());
        let singular = |_| "singular_covariance".to_string();
        let route = if 2 * n <= p {
            let mut gram = Mat::<f64>::zeros(n, n);
            matmul_into(gram.as_mut(), a.as_faer(), a.as_faer().transpose(), 1.0);
            let ridge = alpha * (0..n).map(|i| gram[(i, i)]).sum::<f64>() / p as f64;
            (0..n).for_each(|i| gram[(i, i)] += ridge);
            Route::Woodbury { chol: cholesky_lower(gram.as_ref()).map_err(singular)?, a, ridge }
        } else {
            let mut cov = Mat::<f64>::zeros(p, p);
            matmul_into(cov.as_mut(), a.as_faer().transpose(), a.as_faer(), 1.0);
            let ridge = alpha * (0..p).map(|j| cov[(j, j)]).sum::<f64>() / p as f64;
            (0..p).for_each(|j| cov[(j, j)] += ridge);
            Route::Covariance(cholesky_lower(cov.as_ref()).map_err(singular)?)
        };
        Ok(GaussianFit { mean, route })
    }

    /// `δ(x)` for every row of `x`.
    pub fn distances(&self, x: &Matrix) -> Vec<f64> {
        let (m, p) = (x.rows(), x.cols());
        let mut d = Mat::<f64>::from_fn(p, m, |i, j| x.get(j, i) - self.mean[i]);
        let col_sq = |t: &Mat<f64>, j: usize| (0..t.nrows()).map(|i| t[(i, j)] * t[(i, j)]).sum::<f64>();
        match &self.route {
            Route::Covariance(chol) => {
                solve_lower_in_place(chol.as_ref(), d.as_mut());
                (0..m).map(|j| col_sq(&d, j).sqrt()).collect()
            }
            Route::Woodbury { a, ridge, chol } => {
                let mut ad = Mat::<f64>::zeros(a.rows(), m);
                matmul_into(ad.as_mut(), a.as_faer(), d.as_ref(), 1.0);
                solve_lower_in_place(chol.as_ref(), ad.as_mut());
                (0..m).map(|j| ((col_sq(&d, j) - col_sq(&ad, j)).max(0.0) / ridge).sqrt()).collect()
            }
        }
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
    let per_class: Vec<ClassScores> = classes
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

    #[test]
    fn woodbury_route_by_hand() {
        // The same rows padded with zeros to p = 8 (2n ≤ p: the n × n route). Σ = diag(4/3, 4/3,
        // 0, …), tr Σ / p = 1/3; α = 0.5 → λ = 1/6, Σ_reg = diag(3/2, 3/2, 1/6, …).
        let pad = |v: [f64; 3]| v.iter().copied().chain([0.0; 5]).collect::<Vec<f64>>();
        let x = Matrix::from_rows(&[
            pad([0.0, 0.0, 0.0]),
            pad([2.0, 0.0, 0.0]),
            pad([0.0, 2.0, 0.0]),
            pad([2.0, 2.0, 0.0]),
        ])
        .unwrap();
        let fit = GaussianFit::fit(&x, 0.5).unwrap();
        assert!(matches!(fit.route, Route::Woodbury { .. }));
        // (3, 1, 0, …): δ² = 4/(3/2) = 8/3; (1, 1, 1, 0, …): δ² = 1/(1/6) = 6.
        let d = fit.distances(&Matrix::from_rows(&[pad([3.0, 1.0, 0.0]), pad([1.0, 1.0, 1.0])]).unwrap());
        assert!((d[0] - (8.0f64 / 3.0).sqrt()).abs() < 1e-14, "{}", d[0]);
        assert!((d[1] - 6f64.sqrt()).abs() < 1e-14, "{}", d[1]);
    }
}
