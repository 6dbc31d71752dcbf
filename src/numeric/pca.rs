//! Principal component analysis: the one PCA of the crate (metrics.md §2.11, §3.6, §4.3).
//!
//! The data `Z` is the input centred by its column means and, optionally, divided by its
//! population standard deviation (ddof 0; a zero sd becomes 1, as sklearn's StandardScaler).
//! The components are the top right singular vectors of `Z` (n × p). They are computed from the
//! eigendecomposition of the smaller Gram matrix, never of a p × p matrix when `n < p`:
//!
//! ```text
//! n < p:  Z Zᵀ = U S² Uᵀ   (n × n),   v_k = Zᵀ u_k / s_k
//! n ≥ p:  Zᵀ Z = V S² Vᵀ   (p × p)
//! ```
//!
//! Sign convention (sklearn ≥ 1.5, §2.11): each component is flipped so that its entry of
//! largest absolute value (the first such entry on ties) is positive. Explained variance is
//! `s_k² / (n − 1)`, the ratio `s_k² / ‖Z‖_F²`. A component whose singular value is 0 (rank
//! deficiency) is the zero vector. The eigensolver runs sequentially, so the fit is bit-identical
//! for any thread count.

use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::{bail, ensure};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

/// A fitted PCA: the preprocessing and the top components.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// Column means of the fitted data.
    pub mean: Vec<f64>,
    /// Column scale (population sd, 0 → 1) when standardised, else all 1.
    pub scale: Vec<f64>,
    /// Components as rows (k × p), unit length (or zero, see module doc).
    pub components: Matrix,
    pub singular_values: Vec<f64>,
    /// `s² / (n − 1)`.
    pub explained_variance: Vec<f64>,
    /// `s² / ‖Z‖_F²`.
    pub explained_variance_ratio: Vec<f64>,
}

impl Pca {
    /// Fit `k` components on the rows of `x` (`standardise` = StandardScaler first).
    pub fn fit(x: &Matrix, k: usize, standardise: bool) -> Result<Pca> {
        let (n, p) = (x.rows(), x.cols());
        ensure!(n >= 2, "PCA needs at least 2 rows, got {n}");
        ensure!(k >= 1 && k <= n.min(p), "PCA of a {n} x {p} matrix cannot have {k} components");
        let (mean, scale) = column_moments(x, standardise);
        let z = preprocess(x, &mean, &scale);
        let (vectors, singular_values) = top_right_singular_vectors(&z, k)?;
        let total: f64 = z.as_slice().iter().map(|v| v * v).sum();
        let explained_variance = singular_values.iter().map(|s| s * s / (n as f64 - 1.0)).collect();
        let explained_variance_ratio =
            singular_values.iter().map(|s| if total > 0.0 { s * s / total } else { 0.0 }).collect();
        Ok(Pca { mean, scale, components: vectors, singular_values, explained_variance, explained_variance_ratio })
    }

    /// Project rows onto the components: `((x − mean) / scale) · Vᵀ` (rows × k).
    pub fn transform(&self, x: &Matrix) -> Result<Matrix> {
        ensure!(x.cols() == self.mean.len(), "PCA fitted on {} columns, got {}", self.mean.len(), x.cols());
        let z = preprocess(x, &self.mean, &self.scale);
        let k = self.components.rows();
        let mut out = Matrix::zeros(x.rows(), k);
        for (i, row) in z.row_iter().enumerate() {
            for c in 0..k {
                let v = self.components.row(c);
                out.set(i, c, row.iter().zip(v).map(|(a, b)| a * b).sum());
            }
        }
        Ok(out)
    }
}

/// Column means and, if `standardise`, population sds (0 → 1); otherwise a scale of 1.
fn column_moments(x: &Matrix, standardise: bool) -> (Vec<f64>, Vec<f64>) {
    let n = x.rows() as f64;
    let p = x.cols();
    let mut mean = vec![0.0; p];
    for r in x.row_iter() {
        mean.iter_mut().zip(r).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut scale = vec![1.0; p];
    if standardise {
        let mut var = vec![0.0; p];
        for r in x.row_iter() {
            var.iter_mut().zip(r.iter().zip(&mean)).for_each(|(s, (v, m))| *s += (v - m) * (v - m));
        }
        for (s, v) in scale.iter_mut().zip(var) {
            let sd = (v / n).sqrt();
            *s = if sd == 0.0 { 1.0 } else { sd };
        }
    }
    (mean, scale)
}

fn preprocess(x: &Matrix, mean: &[f64], scale: &[f64]) -> Matrix {
    let mut z = x.clone();
    for i in 0..z.rows() {
        for ((v, m), s) in z.row_mut(i).iter_mut().zip(mean).zip(scale) {
            *v = (*v - m) / s;
        }
    }
    z
}

/// The top `k` right singular vectors (as rows, sign-fixed) and singular values of `z`.
fn top_right_singular_vectors(z: &Matrix, k: usize) -> Result<(Matrix, Vec<f64>)> {
    let (n, p) = (z.rows(), z.cols());
    let zf = z.as_faer();
    let gram_side = n < p;
    let dim = if gram_side { n } else { p };
    let mut g = Mat::<f64>::zeros(dim, dim);
    if gram_side {
        matmul(g.as_mut(), Accum::Replace, zf, zf.transpose(), 1.0, Par::Seq);
    } else {
        matmul(g.as_mut(), Accum::Replace, zf.transpose(), zf, 1.0, Par::Seq);
    }
    let (values, vectors) = top_eigenpairs(&g, k)?;
    let mut components = Matrix::zeros(k, p);
    let mut singular = Vec::with_capacity(k);
    for (c, &value) in values.iter().enumerate() {
        let s = value.max(0.0).sqrt();
        singular.push(s);
        let row = components.row_mut(c);
        if s == 0.0 {
            continue;
        }
        if gram_side {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (0..n).map(|i| zf[(i, j)] * vectors[(i, c)]).sum::<f64>() / s;
            }
        } else {
            row.iter_mut().enumerate().for_each(|(j, v)| *v = vectors[(j, c)]);
        }
        flip_sign(row);
    }
    Ok((components, singular))
}

/// The `k` largest eigenvalues (descending) and their eigenvectors (columns) of a symmetric
/// matrix, from the full eigendecomposition computed sequentially.
fn top_eigenpairs(a: &Mat<f64>, k: usize) -> Result<(Vec<f64>, Mat<f64>)> {
    let n = a.nrows();
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let mut u = Mat::<f64>::zeros(n, n);
    let par = Par::Seq;
    let mut mem = MemBuffer::new(self_adjoint_evd_scratch::<f64>(n, ComputeEigenvectors::Yes, par, Default::default()));
    if let Err(e) =
        self_adjoint_evd(a.as_ref(), s.as_mut(), Some(u.as_mut()), par, MemStack::new(&mut mem), Default::default())
    {
        bail!("PCA eigendecomposition of a {n} x {n} matrix failed: {e:?}");
    }
    // Ascending order: the top k are the last k.
    let values = (0..k).map(|c| s[n - 1 - c]).collect();
    Ok((values, Mat::<f64>::from_fn(n, k, |i, c| u[(i, n - 1 - c)])))
}

/// Flip `v` so that its largest-magnitude entry (the first on ties) is positive.
fn flip_sign(v: &mut [f64]) {
    let mut best = 0;
    for (j, x) in v.iter().enumerate() {
        if x.abs() > v[best].abs() {
            best = j;
        }
    }
    if v.get(best).is_some_and(|x| *x < 0.0) {
        v.iter_mut().for_each(|x| *x = -*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn points_on_a_line_have_one_component() {
        // Points t·(3, 4)/5 for t = −2, 0, 2 (already centred): one component (0.6, 0.8) with
        // s² = 8, the second singular value 0; scores are t.
        let x = m(&[&[-1.2, -1.6], &[0.0, 0.0], &[1.2, 1.6]]);
        let pca = Pca::fit(&x, 2, false).unwrap();
        let c = pca.components.row(0);
        assert!((c[0] - 0.6).abs() < 1e-12 && (c[1] - 0.8).abs() < 1e-12, "{c:?}");
        assert!((pca.singular_values[0] - 8f64.sqrt()).abs() < 1e-12);
        assert!(pca.singular_values[1] < 1e-7);
        assert!((pca.explained_variance[0] - 4.0).abs() < 1e-12);
        assert!((pca.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
        let t = pca.transform(&x).unwrap();
        assert!((t.get(0, 0) + 2.0).abs() < 1e-12 && (t.get(2, 0) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn sign_convention_makes_the_largest_entry_positive() {
        let mut v = [0.1, -0.9, 0.3];
        flip_sign(&mut v);
        assert_eq!(v, [-0.1, 0.9, -0.3]);
        let mut tie = [-0.5, 0.5];
        flip_sign(&mut tie); // first of the tied entries decides
        assert_eq!(tie, [0.5, -0.5]);
    }

    #[test]
    fn gram_and_covariance_routes_agree() {
        // 6 rows × 4 columns (n ≥ p: p × p route) and its transpose-shaped sibling 4 × 6.
        let rows: Vec<Vec<f64>> =
            (0..6).map(|i| (0..4).map(|j| ((i * 7 + j * 3) % 5) as f64 + 0.1 * j as f64).collect()).collect();
        let x = Matrix::from_rows(&rows).unwrap();
        let tall = Pca::fit(&x, 2, true).unwrap();
        // Zero columns change nothing but make n < p, which takes the n × n Gram route.
        let wide_rows: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().copied().chain([0.0; 4]).collect()).collect();
        let wide = Pca::fit(&Matrix::from_rows(&wide_rows).unwrap(), 2, true).unwrap();
        for c in 0..2 {
            assert!((tall.singular_values[c] - wide.singular_values[c]).abs() < 1e-10);
            for j in 0..4 {
                assert!((tall.components.get(c, j) - wide.components.get(c, j)).abs() < 1e-10);
            }
        }
        assert!(Pca::fit(&x, 7, false).is_err());
    }

    #[test]
    fn degenerate_data_gives_zero_components_without_failing() {
        // Constant data (Gram matrix 0) and rank-1 data.
        let constant = Matrix::from_row_major(100, 80, vec![3.5; 8000]).unwrap();
        let pca = Pca::fit(&constant, 2, false).unwrap();
        assert_eq!(pca.singular_values, vec![0.0, 0.0]);
        let rank_one: Vec<f64> = (0..100 * 80).map(|i| ((i / 80) as f64) * (1.0 + (i % 80) as f64)).collect();
        let pca = Pca::fit(&Matrix::from_row_major(100, 80, rank_one).unwrap(), 2, true).unwrap();
        assert!(pca.singular_values[0] > 1.0 && pca.singular_values[1] < 1e-6 * pca.singular_values[0]);
    }
}
