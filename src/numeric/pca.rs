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
//! deficiency) is the zero vector.
//!
//! The top eigenpairs come from a block subspace iteration with Rayleigh–Ritz that never forms
//! the Gram matrix: each sweep applies it as two thin products (`Z·(Zᵀ·V)` or `Zᵀ·(Z·V)`,
//! `2·n·p·(k + 14)` work; about a dozen sweeps on expression data). Small or degenerate
//! matrices, and many components (more than 1/16 of the Gram dimension, where the iteration
//! converges slowly), use the Gram matrix and its full eigendecomposition instead. Products and
//! the eigensolver run through `numeric::linalg` with its fixed parallelism, so the fit is
//! bit-identical for any thread count.

use crate::data::matrix::Matrix;
use crate::ensure;
use crate::error::Result;
use crate::numeric::linalg::{column_means, matmul_into, sym_eigen};
use crate::numeric::scaler::StandardScaler;
use faer::{Mat, MatMut, MatRef};

/// A fitted PCA: the preprocessing and the top components.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// Centring (column means) and scale (population sd, 0 → 1, when standardised; else 1).
    pub scaler: StandardScaler,
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
        let scaler = if standardise {
            StandardScaler::fit(x)
        } else {
            StandardScaler { mean: column_means(x), scale: vec![1.0; p] }
        };
        let z = scaler.transform(x);
        let (vectors, singular_values) = top_right_singular_vectors(&z, k)?;
        let total: f64 = z.as_slice().iter().map(|v| v * v).sum();
        let explained_variance = singular_values.iter().map(|s| s * s / (n as f64 - 1.0)).collect();
        let explained_variance_ratio =
            singular_values.iter().map(|s| if total > 0.0 { s * s / total } else { 0.0 }).collect();
        Ok(Pca { scaler, components: vectors, singular_values, explained_variance, explained_variance_ratio })
    }

    /// Project rows onto the components: `((x − mean) / scale) · Vᵀ` (rows × k).
    pub fn transform(&self, x: &Matrix) -> Result<Matrix> {
        let p = self.scaler.mean.len();
        ensure!(x.cols() == p, "PCA fitted on {p} columns, got {}", x.cols());
        let z = self.scaler.transform(x);
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

/// The top `k` right singular vectors (as rows, sign-fixed) and singular values of `z`.
fn top_right_singular_vectors(z: &Matrix, k: usize) -> Result<(Matrix, Vec<f64>)> {
    let (n, p) = (z.rows(), z.cols());
    let zf = z.as_faer();
    let gram_side = n < p;
    let dim = if gram_side { n } else { p };
    // `A·V` for the Gram matrix `A` (ZZᵀ or ZᵀZ) without forming it: two thin products.
    let apply = |v: MatRef<'_, f64>, out: MatMut<'_, f64>| {
        let (first, second) = if gram_side { (zf.transpose(), zf) } else { (zf, zf.transpose()) };
        let mut inner = Mat::<f64>::zeros(first.nrows(), v.ncols());
        matmul_into(inner.as_mut(), first, v, 1.0);
        matmul_into(out, second, inner.as_ref(), 1.0);
    };
    let (values, vectors) = match subspace_top_eigenpairs(dim, k, apply) {
        Some(pairs) => pairs,
        None => {
            let mut g = Mat::<f64>::zeros(dim, dim);
            if gram_side {
                matmul_into(g.as_mut(), zf, zf.transpose(), 1.0);
            } else {
                matmul_into(g.as_mut(), zf.transpose(), zf, 1.0);
            }
            full_top_eigenpairs(&g, k)?
        }
    };
    let mut components = Matrix::zeros(k, p);
    let mut singular = Vec::with_capacity(k);
    singular.extend(values.iter().map(|v| v.max(0.0).sqrt()));
    if gram_side {
        // v_c = Zᵀ u_c / s_c, all components in one product.
        let mut v = Mat::<f64>::zeros(p, k);
        matmul_into(v.as_mut(), zf.transpose(), vectors.as_ref(), 1.0);
        for (c, &s) in singular.iter().enumerate() {
            if s > 0.0 {
                components.row_mut(c).iter_mut().enumerate().for_each(|(j, x)| *x = v[(j, c)] / s);
            }
        }
    } else {
        for (c, &s) in singular.iter().enumerate() {
            if s > 0.0 {
                components.row_mut(c).iter_mut().enumerate().for_each(|(j, x)| *x = vectors[(j, c)]);
            }
        }
    }
    for c in 0..k {
        flip_sign(components.row_mut(c));
    }
    Ok((components, singular))
}

/// Extra block columns of the subspace iteration beyond the `k` wanted.
const GUARD_COLUMNS: usize = 14;
/// Iteration cap of the subspace iteration before falling back to the full decomposition.
const MAX_SWEEPS: usize = 60;
/// The subspace iteration is tried only for `k ≤ n / MAX_SHARE` components of an `n × n`
/// matrix. Deep in the spectrum `λ_{k+15}/λ_k` is close to 1: for the 100 components of
/// `domias_kde` (metrics.md §4.3) on an 871 × 978 synthetic set the iteration ran all
/// `MAX_SWEEPS` sweeps (2.3 s of CPU) before falling back, while the full decomposition of the
/// 871 × 871 Gram matrix takes 0.15 s.
const MAX_SHARE: usize = 16;
/// Convergence: every wanted Ritz pair has `‖A x − θ x‖ ≤ RESIDUAL_TOL · θ_max`.
const RESIDUAL_TOL: f64 = 1e-13;

/// The `k` largest eigenpairs of a symmetric positive semi-definite `n × n` matrix `A`, given
/// as the product `apply(V, out): out = A·V`, by block subspace iteration with Rayleigh–Ritz
/// (block of `k + 14` columns from a fixed pseudo-random start, re-orthonormalised by two passes
/// of Gram–Schmidt each sweep). Converges at the rate `λ_{k+15}/λ_k`, which is fast for
/// expression data when `k` is small; returns `None` (caller falls back to the full
/// decomposition) for small matrices, for many components (`k > n / MAX_SHARE`), for degenerate
/// spectra or with no convergence within `MAX_SWEEPS`. Deterministic.
fn subspace_top_eigenpairs(
    n: usize,
    k: usize,
    apply: impl Fn(MatRef<'_, f64>, MatMut<'_, f64>),
) -> Option<(Vec<f64>, Mat<f64>)> {
    let b = k + GUARD_COLUMNS;
    if n < 4 * b || k * MAX_SHARE > n {
        return None;
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut v = Mat::<f64>::from_fn(n, b, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    });
    orthonormalise(&mut v)?;
    let mut av = Mat::<f64>::zeros(n, b);
    for _ in 0..MAX_SWEEPS {
        apply(v.as_ref(), av.as_mut());
        // Rayleigh–Ritz on span(v): H = vᵀ A v (b × b).
        let mut h = Mat::<f64>::zeros(b, b);
        matmul_into(h.as_mut(), v.transpose(), av.as_ref(), 1.0);
        let (theta, y) = full_top_eigenpairs(&h, b).ok()?;
        let mut x = Mat::<f64>::zeros(n, b);
        matmul_into(x.as_mut(), v.as_ref(), y.as_ref(), 1.0);
        let mut ax = Mat::<f64>::zeros(n, b);
        matmul_into(ax.as_mut(), av.as_ref(), y.as_ref(), 1.0);
        let scale = theta[0].abs();
        if scale == 0.0 {
            return None;
        }
        let converged = (0..k).all(|c| {
            let r: f64 = (0..n).map(|i| (ax[(i, c)] - theta[c] * x[(i, c)]).powi(2)).sum();
            r.sqrt() <= RESIDUAL_TOL * scale
        });
        if converged {
            let values = theta[..k].to_vec();
            return Some((values, Mat::<f64>::from_fn(n, k, |i, c| x[(i, c)])));
        }
        v = av.clone();
        orthonormalise(&mut v)?;
    }
    None
}

/// Orthonormalise the columns in place (Gram–Schmidt, two passes); `None` if a column
/// vanishes (the block spans fewer than its width of directions).
fn orthonormalise(v: &mut Mat<f64>) -> Option<()> {
    let (n, b) = (v.nrows(), v.ncols());
    for c in 0..b {
        for _ in 0..2 {
            for prev in 0..c {
                let dot: f64 = (0..n).map(|i| v[(i, prev)] * v[(i, c)]).sum();
                for i in 0..n {
                    let q = v[(i, prev)];
                    v[(i, c)] -= dot * q;
                }
            }
        }
        let norm = (0..n).map(|i| v[(i, c)] * v[(i, c)]).sum::<f64>().sqrt();
        if norm <= f64::EPSILON {
            return None;
        }
        for i in 0..n {
            v[(i, c)] /= norm;
        }
    }
    Some(())
}

/// The `k` largest eigenvalues (descending) and their eigenvectors (columns) of a symmetric
/// matrix, from the full eigendecomposition.
fn full_top_eigenpairs(a: &Mat<f64>, k: usize) -> Result<(Vec<f64>, Mat<f64>)> {
    let eig = sym_eigen(a.as_ref())?;
    let n = a.nrows();
    // Ascending order: the top k are the last k.
    let values = (0..k).map(|c| eig.values[n - 1 - c]).collect();
    Ok((values, Mat::<f64>::from_fn(n, k, |i, c| eig.vectors[(i, n - 1 - c)])))
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

    #[test]
    fn subspace_iteration_matches_the_full_eigendecomposition() {
        // 150 × 120 data with a decaying spectrum: the 120 × 120 covariance is large enough for
        // the subspace iteration.
        let mut state = 7u64;
        let mut noise = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let data: Vec<f64> = (0..150 * 120).map(|i| noise() * (1.0 + 30.0 / (1.0 + (i % 120) as f64))).collect();
        let x = Matrix::from_row_major(150, 120, data).unwrap();
        let z = StandardScaler { mean: column_means(&x), scale: vec![1.0; 120] }.transform(&x);
        let mut g = Mat::<f64>::zeros(120, 120);
        matmul_into(g.as_mut(), z.as_faer().transpose(), z.as_faer(), 1.0);
        let by_gram = |v: MatRef<'_, f64>, out: MatMut<'_, f64>| matmul_into(out, g.as_ref(), v, 1.0);
        let (fast_values, fast_vectors) = subspace_top_eigenpairs(120, 2, by_gram).expect("converges");
        let (full_values, full_vectors) = full_top_eigenpairs(&g, 2).unwrap();
        for c in 0..2 {
            assert!((fast_values[c] - full_values[c]).abs() < 1e-10 * full_values[0]);
            let dot: f64 = (0..120).map(|i| fast_vectors[(i, c)] * full_vectors[(i, c)]).sum();
            assert!((dot.abs() - 1.0).abs() < 1e-10, "component {c}: |cos| = {}", dot.abs());
        }
        // Too small for the iteration, and a zero matrix: both left to the full decomposition.
        let zero = |_: MatRef<'_, f64>, mut out: MatMut<'_, f64>| out.fill(0.0);
        assert!(subspace_top_eigenpairs(30, 2, zero).is_none());
        assert!(subspace_top_eigenpairs(100, 2, zero).is_none());
    }

    #[test]
    fn fit_is_bit_identical_for_any_thread_count() {
        // 90 × 200 (Gram route, 90 × 90 cross product in two column blocks) and its transpose
        // shape 200 × 90 (covariance route), both through the subspace iteration.
        for (rows, cols) in [(90, 200), (200, 90)] {
            let data: Vec<f64> =
                (0..rows * cols).map(|i| ((i * 7919) % 1013) as f64 / 97.0 + (i % cols) as f64).collect();
            let x = Matrix::from_row_major(rows, cols, data).unwrap();
            let fit = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| Pca::fit(&x, 2, true).unwrap())
            };
            assert_eq!(fit(1), fit(3));
        }
    }
}
