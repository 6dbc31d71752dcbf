//! Dense symmetric linear algebra over `faer` 0.24: the sample covariance, the symmetric
//! eigendecomposition, the PSD repair of generators.md §7.1 step 2 and the square-root factor
//! used to draw multivariate normals.
//!
//! Every `faer` call here runs with the fixed parallelism [`PAR`]. faer partitions its work by
//! the *requested* degree (not by the size of the rayon pool that executes it), and none of the
//! kernels used here splits a reduction across threads in a pool-dependent way, so results are
//! bit-identical whether the surrounding rayon pool has 1 thread or many.

use crate::data::matrix::Matrix;
use crate::ensure;
use crate::error::Result;
use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::{self, factor::LltParams};
use faer::linalg::evd::{self, ComputeEigenvectors, SelfAdjointEvdParams};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par, Spec};
use std::num::NonZeroUsize;

/// The parallelism of every faer call: a fixed degree of 2, so that the work partition (and
/// therefore every floating-point result) never depends on the number of threads available.
pub const PAR: Par = Par::Rayon(NonZeroUsize::new(2).unwrap());

/// `dst = alpha · lhs · rhs` (faer `matmul`, with [`PAR`]).
pub fn matmul_into(dst: MatMut<'_, f64>, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>, alpha: f64) {
    matmul(dst, Accum::Replace, lhs, rhs, alpha, PAR);
}

/// Column means `μ` and the centred, scaled rows `A = (X − 1 μᵀ)/√(n − 1)` of a row-major
/// samples × variables matrix, so that the sample covariance with divisor `n − 1` is `Σ = AᵀA`.
/// Needs `n ≥ 2`.
pub fn centred_scaled(x: &Matrix) -> Result<(Vec<f64>, Matrix)> {
    let n = x.rows();
    ensure!(n >= 2, "a sample covariance needs at least 2 rows, got {n}");
    let mean = column_means(x);
    let f = 1.0 / (n as f64 - 1.0).sqrt();
    let mut a = x.clone();
    for row in a.as_mut_slice().chunks_exact_mut(x.cols().max(1)) {
        row.iter_mut().zip(&mean).for_each(|(v, m)| *v = (*v - m) * f);
    }
    Ok((mean, a))
}

/// Column means and the sample covariance with divisor `n − 1` (numpy
/// `cov(x, rowvar=False)`), computed as one matrix product `Σ = AᵀA` of the centred, scaled rows
/// of [`centred_scaled`]. Needs `n ≥ 2`.
pub fn mean_and_covariance(x: &Matrix) -> Result<(Vec<f64>, Mat<f64>)> {
    let (mean, a) = centred_scaled(x)?;
    Ok((mean, gram_of_columns(&a)))
}

/// `AᵀA` (`p × p`) of a row-major `n × p` matrix.
pub fn gram_of_columns(a: &Matrix) -> Mat<f64> {
    let af = a.as_faer();
    let mut out = Mat::<f64>::zeros(a.cols(), a.cols());
    matmul_into(out.as_mut(), af.transpose(), af, 1.0);
    out
}

/// Column means of a row-major matrix (rows summed in order).
pub fn column_means(x: &Matrix) -> Vec<f64> {
    let mut sum = vec![0.0; x.cols()];
    for row in x.row_iter() {
        for (s, v) in sum.iter_mut().zip(row) {
            *s += v;
        }
    }
    let inv = 1.0 / x.rows() as f64;
    sum.iter_mut().for_each(|s| *s *= inv);
    sum
}

/// `A = V diag(λ) Vᵀ` with eigenvalues in non-decreasing order and orthonormal eigenvectors in
/// the columns of `V`.
#[derive(Clone, Debug)]
pub struct SymEigen {
    pub values: Vec<f64>,
    pub vectors: Mat<f64>,
}

/// Symmetric eigendecomposition (faer `self_adjoint_evd`; reads the lower triangle of `a`).
pub fn sym_eigen(a: MatRef<'_, f64>) -> Result<SymEigen> {
    let n = check_square(a)?;
    let mut values = Diag::<f64>::zeros(n);
    let mut vectors = Mat::<f64>::zeros(n, n);
    run_evd(a, values.as_mut(), Some(vectors.as_mut()), ComputeEigenvectors::Yes)?;
    Ok(SymEigen { values: diag_to_vec(values.as_ref()), vectors })
}

/// Eigenvalues only, non-decreasing (faer `self_adjoint_evd` without vectors; lower triangle).
pub fn sym_eigenvalues(a: MatRef<'_, f64>) -> Result<Vec<f64>> {
    check_square(a)?;
    let mut values = Diag::<f64>::zeros(a.nrows());
    run_evd(a, values.as_mut(), None, ComputeEigenvectors::No)?;
    Ok(diag_to_vec(values.as_ref()))
}

/// Lower Cholesky factor `L` with `A = L Lᵀ` of a symmetric positive-definite matrix (only the
/// lower triangle of `a` is read; faer `cholesky_in_place` with [`PAR`]). An error when `a` is
/// not numerically positive definite.
pub fn cholesky_lower(a: MatRef<'_, f64>) -> Result<Mat<f64>> {
    let n = check_square(a)?;
    let mut l = a.to_owned();
    let params: Spec<LltParams, f64> = Default::default();
    let mut buf = MemBuffer::new(llt::factor::cholesky_in_place_scratch::<f64>(n, PAR, params));
    llt::factor::cholesky_in_place(l.as_mut(), Default::default(), PAR, MemStack::new(&mut buf), params)
        .map_err(|e| crate::error::Error::new(format!("matrix is not positive definite ({e:?})")))?;
    for j in 0..n {
        for i in 0..j {
            l[(i, j)] = 0.0;
        }
    }
    Ok(l)
}

/// Overwrite `rhs` with `L⁻¹ rhs` for a lower-triangular `l` (forward substitution, [`PAR`]).
pub fn solve_lower_in_place(l: MatRef<'_, f64>, rhs: MatMut<'_, f64>) {
    faer::linalg::triangular_solve::solve_lower_triangular_in_place(l, rhs, PAR);
}

fn check_square(a: MatRef<'_, f64>) -> Result<usize> {
    ensure!(a.nrows() == a.ncols(), "eigendecomposition of a non-square {} x {} matrix", a.nrows(), a.ncols());
    if let Some((i, j)) = first_non_finite(a) {
        crate::bail!("eigendecomposition of a matrix with a non-finite entry {} at ({i}, {j})", a[(i, j)]);
    }
    Ok(a.nrows())
}

fn first_non_finite(a: MatRef<'_, f64>) -> Option<(usize, usize)> {
    (0..a.ncols()).flat_map(|j| (0..a.nrows()).map(move |i| (i, j))).find(|&(i, j)| !a[(i, j)].is_finite())
}

fn run_evd(
    a: MatRef<'_, f64>,
    values: faer::diag::DiagMut<'_, f64>,
    vectors: Option<MatMut<'_, f64>>,
    compute: ComputeEigenvectors,
) -> Result<()> {
    let params: Spec<SelfAdjointEvdParams, f64> = Default::default();
    let mut buf = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(a.nrows(), compute, PAR, params));
    evd::self_adjoint_evd(a, values, vectors, PAR, MemStack::new(&mut buf), params)
        .map_err(|e| crate::error::Error::new(format!("symmetric eigendecomposition did not converge ({e:?})")))
}

fn diag_to_vec(d: faer::diag::DiagRef<'_, f64>) -> Vec<f64> {
    d.column_vector().iter().copied().collect()
}

/// A covariance made positive semi-definite, kept in factored form `V diag(values) Vᵀ`.
#[derive(Clone, Debug)]
pub struct PsdRepair {
    /// Eigenvalues after clipping at 0 and adding `shift` (non-decreasing).
    pub values: Vec<f64>,
    /// Eigenvectors of the symmetrised input (columns).
    pub vectors: Mat<f64>,
    /// Number of eigenvalues that were negative and clipped to 0.
    pub clipped: usize,
    /// Smallest eigenvalue `λ_min` of the rebuilt (clipped) matrix, when it was checked
    /// ([`psd_repair`]; `None` for [`psd_project`]).
    pub rebuilt_min: Option<f64>,
    /// The diagonal shift `10·|λ_min|` added because `λ_min < 0` (0 otherwise).
    pub shift: f64,
}

/// Projection onto the PSD cone (generators.md §7.2): symmetrise `Σ ← (Σ + Σᵀ)/2`,
/// eigendecompose `Σ = V diag(λ) Vᵀ` and clip `λᵢ ← max(λᵢ, 0)`.
pub fn psd_project(sigma: MatRef<'_, f64>) -> Result<PsdRepair> {
    let n = check_square(sigma)?;
    let sym = Mat::<f64>::from_fn(n, n, |i, j| 0.5 * (sigma[(i, j)] + sigma[(j, i)]));
    let SymEigen { mut values, vectors } = sym_eigen(sym.as_ref())?;
    let clipped = values.iter().filter(|&&l| l < 0.0).count();
    values.iter_mut().for_each(|l| *l = l.max(0.0));
    Ok(PsdRepair { values, vectors, clipped, rebuilt_min: None, shift: 0.0 })
}

/// PSD repair (generators.md §7.1 step 2): [`psd_project`], then rebuild `R = V diag(λ) Vᵀ`,
/// compute its smallest eigenvalue `λ_min`, and if `λ_min < 0` (rounding) use
/// `R + 10·|λ_min|·I`. The shifted matrix has the same eigenvectors, so the result stays
/// factored as `V diag(λ + shift) Vᵀ`.
pub fn psd_repair(sigma: MatRef<'_, f64>) -> Result<PsdRepair> {
    let mut r = psd_project(sigma)?;
    let rebuilt_min = sym_eigenvalues(rebuild(&r.vectors, &r.values).as_ref())?.first().copied().unwrap_or(0.0);
    r.shift = if rebuilt_min < 0.0 { 10.0 * rebuilt_min.abs() } else { 0.0 };
    r.rebuilt_min = Some(rebuilt_min);
    let shift = r.shift;
    r.values.iter_mut().for_each(|l| *l += shift);
    Ok(r)
}

/// The clipped square-root factor of `Σ = AᵀA` for a row-major `n × p` matrix `A` with few
/// rows (`n ≤ p`), without any `p × p` decomposition.
///
/// With the Gram matrix `G = AAᵀ = U diag(λ) Uᵀ` (`n × n`, faer eigendecomposition), every
/// `λ_k > 0` is an eigenvalue of `Σ` with unit eigenvector `v_k = Aᵀu_k/√λ_k`, and all other
/// eigenvalues of `Σ` are 0. Clipping `λ ← max(λ, 0)` therefore leaves exactly the columns
/// `√λ_k v_k = Aᵀu_k` (`λ_k > 0`) of `V diag(√λ)`, and the factor is `F = scale · Aᵀ U₊`
/// (`p × r`, `r = #{λ_k > 0}`), with `F Fᵀ = scale² · V diag(max(λ, 0)) Vᵀ`.
/// Returns `F` and the number of negative (clipped) Gram eigenvalues.
pub fn gram_sqrt_factor(a: &Matrix, scale: f64) -> Result<(Mat<f64>, usize)> {
    let af = a.as_faer();
    let mut gram = Mat::<f64>::zeros(a.rows(), a.rows());
    matmul_into(gram.as_mut(), af, af.transpose(), 1.0);
    let SymEigen { values, vectors } = sym_eigen(gram.as_ref())?;
    let clipped = values.iter().filter(|&&l| l < 0.0).count();
    let keep: Vec<usize> = (0..values.len()).filter(|&k| values[k] > 0.0).collect();
    let kept = Mat::<f64>::from_fn(a.rows(), keep.len(), |i, k| vectors[(i, keep[k])]);
    let mut factor = Mat::<f64>::zeros(a.cols(), keep.len());
    matmul_into(factor.as_mut(), af.transpose(), kept.as_ref(), scale);
    Ok((factor, clipped))
}

/// `V diag(λ) Vᵀ`, summing only over the columns with `λ ≠ 0` (one matrix product).
pub fn rebuild(vectors: &Mat<f64>, values: &[f64]) -> Mat<f64> {
    let n = vectors.nrows();
    let keep: Vec<usize> = (0..values.len()).filter(|&k| values[k] != 0.0).collect();
    let scaled = Mat::<f64>::from_fn(n, keep.len(), |i, k| vectors[(i, keep[k])] * values[keep[k]]);
    let kept = Mat::<f64>::from_fn(n, keep.len(), |i, k| vectors[(i, keep[k])]);
    let mut out = Mat::<f64>::zeros(n, n);
    matmul_into(out.as_mut(), scaled.as_ref(), kept.transpose(), 1.0);
    out
}

impl PsdRepair {
    /// The square-root factor `F = scale · V diag(√λ)` without its zero columns (`p × r`,
    /// `r = #{λ > 0}`), so that `x = μ + F z` with `z ~ N(0, I_r)` has covariance
    /// `scale² · V diag(λ) Vᵀ`.
    pub fn sqrt_factor(&self, scale: f64) -> Mat<f64> {
        let keep: Vec<usize> = (0..self.values.len()).filter(|&k| self.values[k] > 0.0).collect();
        Mat::<f64>::from_fn(self.vectors.nrows(), keep.len(), |i, k| {
            self.vectors[(i, keep[k])] * scale * self.values[keep[k]].sqrt()
        })
    }

    /// The repaired matrix `V diag(λ) Vᵀ`.
    pub fn matrix(&self) -> Mat<f64> {
        rebuild(&self.vectors, &self.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_factor_and_forward_substitution_by_hand() {
        // A = [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]]; L⁻¹ (2, 5)ᵀ = (1, 2)ᵀ.
        let a = Mat::<f64>::from_fn(2, 2, |i, j| [[4.0, 2.0], [2.0, 5.0]][i][j]);
        let l = cholesky_lower(a.as_ref()).unwrap();
        assert_eq!((l[(0, 0)], l[(0, 1)], l[(1, 0)], l[(1, 1)]), (2.0, 0.0, 1.0, 2.0));
        let mut b = Mat::<f64>::from_fn(2, 1, |i, _| [2.0, 5.0][i]);
        solve_lower_in_place(l.as_ref(), b.as_mut());
        assert_eq!((b[(0, 0)], b[(1, 0)]), (1.0, 2.0));
        let singular = Mat::<f64>::from_fn(2, 2, |_, _| 1.0);
        assert!(cholesky_lower(singular.as_ref()).is_err());
    }

    fn max_abs_diff(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
        let mut m = 0.0_f64;
        for j in 0..a.ncols() {
            for i in 0..a.nrows() {
                m = m.max((a[(i, j)] - b[(i, j)]).abs());
            }
        }
        m
    }

    #[test]
    fn covariance_matches_hand_computation() {
        // x = [[1, 2], [3, 6], [5, 7]]: means (3, 5); centred [[-2,-3],[0,1],[2,2]];
        // XcᵀXc = [[8, 10], [10, 14]]; divided by n − 1 = 2 → [[4, 5], [5, 7]].
        let x = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 6.0], vec![5.0, 7.0]]).unwrap();
        let (mean, cov) = mean_and_covariance(&x).unwrap();
        assert_eq!(mean, vec![3.0, 5.0]);
        let want = faer::mat![[4.0, 5.0], [5.0, 7.0]];
        assert!(max_abs_diff(cov.as_ref(), want.as_ref()) < 1e-14);
        let one = Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap();
        assert!(mean_and_covariance(&one).unwrap_err().to_string().contains("at least 2 rows"));
    }

    #[test]
    fn eigen_of_a_known_matrix() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with vectors (1, −1)/√2 and (1, 1)/√2.
        let a = faer::mat![[2.0, 1.0], [1.0, 2.0]];
        let e = sym_eigen(a.as_ref()).unwrap();
        assert!((e.values[0] - 1.0).abs() < 1e-14 && (e.values[1] - 3.0).abs() < 1e-14, "{:?}", e.values);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((e.vectors[(0, 1)].abs() - h).abs() < 1e-14 && (e.vectors[(1, 1)].abs() - h).abs() < 1e-14);
        assert!((e.vectors[(0, 0)] * e.vectors[(1, 0)] + 0.5).abs() < 1e-14);
        assert_eq!(sym_eigenvalues(a.as_ref()).unwrap().len(), 2);
        assert!(sym_eigen(Mat::<f64>::zeros(2, 3).as_ref()).is_err());
        let nan = faer::mat![[1.0, f64::NAN], [f64::NAN, 1.0]];
        assert!(sym_eigen(nan.as_ref()).unwrap_err().to_string().contains("non-finite"));
    }

    #[test]
    fn eigen_reconstructs_a_random_symmetric_matrix() {
        let mut rng = crate::rng::Rng::from_seed(11);
        let n = 40;
        let b = Mat::<f64>::from_fn(n, n, |_, _| rng.normal());
        let a = Mat::<f64>::from_fn(n, n, |i, j| b[(i, j)] + b[(j, i)]);
        let e = sym_eigen(a.as_ref()).unwrap();
        assert!(e.values.windows(2).all(|w| w[0] <= w[1]));
        assert!(max_abs_diff(rebuild(&e.vectors, &e.values).as_ref(), a.as_ref()) < 1e-11);
        let mut vtv = Mat::<f64>::zeros(n, n);
        matmul_into(vtv.as_mut(), e.vectors.transpose(), e.vectors.as_ref(), 1.0);
        assert!(max_abs_diff(vtv.as_ref(), Mat::<f64>::identity(n, n).as_ref()) < 1e-12);
    }

    #[test]
    fn psd_repair_clips_an_indefinite_matrix() {
        // Symmetrising [[1, 3], [1, 1]] gives [[1, 2], [2, 1]]: eigenvalues −1 and 3, vectors
        // (1, −1)/√2 and (1, 1)/√2. Clipping −1 → 0 leaves 3·vvᵀ = [[1.5, 1.5], [1.5, 1.5]].
        let a = faer::mat![[1.0, 3.0], [1.0, 1.0]];
        let r = psd_repair(a.as_ref()).unwrap();
        assert_eq!(r.clipped, 1);
        assert!(r.shift >= 0.0 && r.shift < 1e-14, "shift {}", r.shift);
        assert!(r.values.iter().all(|&l| l >= 0.0));
        let want = faer::mat![[1.5, 1.5], [1.5, 1.5]];
        assert!(max_abs_diff(r.matrix().as_ref(), want.as_ref()) < 1e-13);
        // The factor reproduces the repaired matrix: F Fᵀ = scale² · R.
        let f = r.sqrt_factor(2.0);
        let mut fft = Mat::<f64>::zeros(2, 2);
        matmul_into(fft.as_mut(), f.as_ref(), f.transpose(), 1.0);
        let want4 = faer::mat![[6.0, 6.0], [6.0, 6.0]];
        assert!(max_abs_diff(fft.as_ref(), want4.as_ref()) < 1e-12);
    }

    #[test]
    fn psd_project_clips_without_the_rebuild_check() {
        let a = faer::mat![[1.0, 3.0], [1.0, 1.0]];
        let r = psd_project(a.as_ref()).unwrap();
        assert_eq!((r.clipped, r.rebuilt_min, r.shift), (1, None, 0.0));
        let want = faer::mat![[1.5, 1.5], [1.5, 1.5]];
        assert!(max_abs_diff(r.matrix().as_ref(), want.as_ref()) < 1e-13);
    }

    #[test]
    fn gram_factor_equals_the_clipped_covariance_factor() {
        // 6 rows in 20 dimensions: Σ = AᵀA has rank ≤ 5 (centring removes one). The thin factor
        // F must satisfy F Fᵀ = scale² · (the §7.1-repaired Σ) and have at most 6 columns.
        let mut rng = crate::rng::Rng::from_seed(9);
        let x = Matrix::from_row_major(6, 20, (0..120).map(|_| 3.0 + rng.normal()).collect()).unwrap();
        let (_, a) = centred_scaled(&x).unwrap();
        let (f, _) = gram_sqrt_factor(&a, 1.5).unwrap();
        assert!(f.ncols() <= 6 && f.nrows() == 20);
        let mut fft = Mat::<f64>::zeros(20, 20);
        matmul_into(fft.as_mut(), f.as_ref(), f.transpose(), 1.0);
        let repaired = psd_repair(gram_of_columns(&a).as_ref()).unwrap().matrix();
        let want = Mat::<f64>::from_fn(20, 20, |i, j| 2.25 * repaired[(i, j)]);
        assert!(max_abs_diff(fft.as_ref(), want.as_ref()) < 1e-12, "{}", max_abs_diff(fft.as_ref(), want.as_ref()));
    }

    #[test]
    fn psd_repair_of_a_low_rank_covariance_is_psd() {
        // 5 rows in 30 dimensions: rank ≤ 4, so 26 eigenvalues are 0 up to rounding; the repaired
        // matrix must be positive semi-definite and close to the input.
        let mut rng = crate::rng::Rng::from_seed(5);
        let x = Matrix::from_row_major(5, 30, (0..150).map(|_| rng.normal()).collect()).unwrap();
        let (_, cov) = mean_and_covariance(&x).unwrap();
        let r = psd_repair(cov.as_ref()).unwrap();
        assert!(r.values.iter().all(|&l| l >= 0.0));
        assert!(max_abs_diff(r.matrix().as_ref(), cov.as_ref()) < 1e-12);
        if r.shift > 0.0 {
            assert!(r.shift < 1e-12, "shift {} should be at rounding level", r.shift);
        }
    }

    #[test]
    fn psd_repair_shifts_by_ten_times_the_rebuilt_minimum() {
        // A rank-one matrix vvᵀ in 50 dimensions: 49 zero eigenvalues, which rounding turns into
        // tiny values of either sign. The rebuilt matrix's smallest eigenvalue is recomputed here
        // from the same decomposition, and the shift must follow the §7.1 rule exactly.
        let v: Vec<f64> = (0..50).map(|i| 1.0 + i as f64 / 7.0).collect();
        let a = Mat::<f64>::from_fn(50, 50, |i, j| v[i] * v[j]);
        let r = psd_repair(a.as_ref()).unwrap();
        let e = sym_eigen(a.as_ref()).unwrap();
        let clipped: Vec<f64> = e.values.iter().map(|l| l.max(0.0)).collect();
        let rebuilt_min = sym_eigenvalues(rebuild(&e.vectors, &clipped).as_ref()).unwrap()[0];
        assert_eq!(r.rebuilt_min, Some(rebuilt_min));
        let want_shift = if rebuilt_min < 0.0 { 10.0 * rebuilt_min.abs() } else { 0.0 };
        assert_eq!(r.shift, want_shift);
        assert!(r.shift < 1e-9 * clipped[49], "shift {} is not at rounding level", r.shift);
        assert!(r.values.iter().all(|&l| l >= 0.0));
        assert!(r.values.iter().zip(&clipped).all(|(l, c)| *l == c + want_shift));
    }
}
