//! Pairwise squared Euclidean distances: the one distance kernel of the crate (metrics.md §2.7,
//! §2.9, §3.5, pitfall §8.4).
//!
//! Distances between the rows of `a` (m rows) and `b` (n rows) are produced one **row panel**
//! at a time: a panel holds rows `i0..i1` of `a` against a range of rows of `b`, computed as
//!
//! ```text
//! d̃²(i, j) = max(0, ‖a_i − c‖² + ‖b_j − c‖² − 2 (a_i − c)·(b_j − c))
//! ```
//!
//! with one matrix product (faer) per panel. `c` is the column mean of `b`: distances do not
//! depend on a common shift, and centring shrinks the norms, so the cancellation error of the
//! expansion is small. Only one panel per worker thread exists at a time (never the full m×n
//! matrix). Panels run in parallel on rayon with sequential products inside, and every
//! reduction combines panel results in panel order, so results do not depend on the number of
//! threads.
//!
//! The expansion is approximate. Each entry carries a rigorous error bound
//! `t(i,j) = τ·(‖a_i − c‖² + ‖b_j − c‖²)` that covers the rounding of the norms, of the dot
//! product and of the exact recomputation below: `τ = 2(p + 8)·ε₆₄` for f64 products
//! ([`Precision::Double`], used by the kernel sums) and `τ = (p + 16)·ε₃₂` for f32 products
//! ([`Precision::Screening`], twice as fast, used only to screen candidates). Wherever a
//! *decision* depends on a distance (nearest neighbour, k-th neighbour, PRDC's strict `<`),
//! candidates inside the error window are recomputed exactly as
//! `Σ_j (a_j − b_j)²` from the original rows, so identical rows give exactly 0 and the
//! outcome equals brute force. Kernel sums (MMD) use `d̃²` directly.

use crate::data::matrix::Matrix;
use crate::numeric::linalg::column_means;
use crate::numeric::summation::pairwise_sum;
use crate::numeric::vmath;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;
use std::ops::Range;

/// Target number of entries in one panel (4 MiB of f64): large enough for an efficient matrix
/// product (at least 128 rows up to 4096 columns), small enough to stay near the core.
const PANEL_ENTRIES: usize = 1 << 19;
/// Panel height bounds.
const MIN_PANEL_ROWS: usize = 8;
const MAX_PANEL_ROWS: usize = 128;

/// `Σ_j (a_j − b_j)²`, summed left to right: the exact (reference) squared distance.
pub fn exact_sq_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Which part of the distance matrix the panels cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Every pair `(i, j)`.
    Full,
    /// For `a` against itself: panel rows `i0..i1` cover columns `i0..n` only, i.e. every
    /// unordered pair `i < j` once (plus the diagonal block, which consumers skip as needed).
    UpperTriangle,
}

/// Arithmetic of the panel products.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// f64 products (`τ = 2(p + 8)·ε₆₄`): for values used directly, such as kernel sums.
    Double,
    /// f32 products, about twice as fast (`τ = (p + 16)·ε₃₂`): only to *screen* candidates for
    /// decisions that are then settled exactly (nearest neighbours, PRDC comparisons).
    Screening,
}

/// Rows shifted by the common centre, in the panel arithmetic (row-major): those of `a`, and
/// those of `b` unless `b` is `a` (then the one copy serves both sides).
enum Centred {
    Double(Vec<f64>, Option<Vec<f64>>),
    Single(Vec<f32>, Option<Vec<f32>>),
}

/// A prepared pair of matrices whose distances are produced panel by panel.
pub struct Pairwise<'a> {
    a: &'a Matrix,
    b: &'a Matrix,
    /// `a` and `b` shifted by the column mean of `b` (rounded to f32 when screening).
    centred: Centred,
    /// `τ·‖a_i − c‖²` and `τ·‖b_j − c‖²`: the per-entry error bound is their sum.
    a_tol: Vec<f64>,
    b_tol: Vec<f64>,
    a_norms: Vec<f64>,
    b_norms: Vec<f64>,
    same: bool,
}

/// One panel: approximate squared distances of rows `rows` of `a` to rows `cols` of `b`.
pub struct Panel<'p> {
    pub rows: Range<usize>,
    pub cols: Range<usize>,
    d2: &'p [f64],
}

impl Panel<'_> {
    /// Approximate squared distances of row `i` of `a` (absolute index) to `b[cols]`.
    pub fn row(&self, i: usize) -> &[f64] {
        let w = self.cols.len();
        let r = i - self.rows.start;
        &self.d2[r * w..(r + 1) * w]
    }
}

impl<'a> Pairwise<'a> {
    /// Distances between the rows of `a` and the rows of `b` (same column count).
    pub fn new(a: &'a Matrix, b: &'a Matrix, precision: Precision) -> Self {
        assert_eq!(a.cols(), b.cols(), "distance between matrices of different widths");
        Self::assemble(a, b, false, precision)
    }

    /// Distances among the rows of `x`.
    pub fn within(x: &'a Matrix, precision: Precision) -> Self {
        Self::assemble(x, x, true, precision)
    }

    /// Centre both matrices on the column mean of `b` and take norms and error bounds of the
    /// rows as the panels will see them.
    fn assemble(a: &'a Matrix, b: &'a Matrix, same: bool, precision: Precision) -> Self {
        let centre = column_means(b);
        let p = a.cols() as f64;
        let (centred, a_norms, b_norms, tau) = match precision {
            Precision::Double => {
                let (ca, cb) = centred_pair(a, b, same, &centre, |v| v);
                let (na, nb) = norms_pair(&ca, cb.as_deref(), p as usize);
                (Centred::Double(ca, cb), na, nb, 2.0 * (p + 8.0) * f64::EPSILON)
            }
            Precision::Screening => {
                let (ca, cb) = centred_pair(a, b, same, &centre, |v| v as f32);
                let (na, nb) = norms_pair(&ca, cb.as_deref(), p as usize);
                (Centred::Single(ca, cb), na, nb, (p + 16.0) * f64::from(f32::EPSILON))
            }
        };
        let a_tol = a_norms.iter().map(|v| tau * v).collect();
        let b_tol = b_norms.iter().map(|v| tau * v).collect();
        Pairwise { a, b, centred, a_tol, b_tol, a_norms, b_norms, same }
    }

    /// Error bound of the approximate entry `(i, j)`.
    pub fn tolerance(&self, i: usize, j: usize) -> f64 {
        self.a_tol[i] + self.b_tol[j]
    }

    /// Exact squared distance `Σ (a_i − b_j)²` from the original rows.
    pub fn exact(&self, i: usize, j: usize) -> f64 {
        exact_sq_distance(self.a.row(i), self.b.row(j))
    }

    /// Whether `‖a_i − b_j‖ < radius` holds for the exact distance, given the approximate
    /// squared distance `approx` of that pair. Decided from `approx` outside the error window,
    /// by exact recomputation inside it (strict `<` on the square-rooted distances, as upstream).
    pub fn strictly_within(&self, i: usize, j: usize, approx: f64, radius: f64) -> bool {
        let t = 2.0 * self.tolerance(i, j);
        let r2 = radius * radius;
        if approx + t < r2 * (1.0 - 4.0 * f64::EPSILON) {
            true
        } else if approx - t > r2 * (1.0 + 4.0 * f64::EPSILON) {
            false
        } else {
            self.exact(i, j).sqrt() < radius
        }
    }

    /// Compute every panel of the chosen coverage and map it with `f`; the results come back in
    /// panel order (rows ascending), whatever the number of threads.
    pub fn map_panels<T: Send>(&self, coverage: Coverage, f: impl Fn(&Panel<'_>) -> T + Sync) -> Vec<T> {
        assert!(coverage == Coverage::Full || self.same, "upper-triangle panels need a matrix against itself");
        let m = self.a.rows();
        let n = self.b.rows();
        let height = (PANEL_ENTRIES / n.max(1)).clamp(MIN_PANEL_ROWS, MAX_PANEL_ROWS);
        let starts: Vec<usize> = (0..m).step_by(height.max(1)).collect();
        starts
            .into_par_iter()
            .map_init(
                || (Vec::new(), Vec::new()),
                |buf, i0| {
                    let rows = i0..(i0 + height).min(m);
                    let cols = match coverage {
                        Coverage::Full => 0..n,
                        Coverage::UpperTriangle => i0..n,
                    };
                    let (out, single) = buf;
                    out.resize(rows.len() * cols.len(), 0.0);
                    self.fill_panel(rows.clone(), cols.clone(), out, single);
                    f(&Panel { rows, cols, d2: out })
                },
            )
            .collect()
    }

    /// `out[r, c] = max(0, ‖a_i‖² + ‖b_j‖² − 2 a_i·b_j)` (centred rows) for the panel; `single`
    /// is the f32 product buffer of the screening precision.
    fn fill_panel(&self, rows: Range<usize>, cols: Range<usize>, out: &mut [f64], single: &mut Vec<f32>) {
        let (h, w) = (rows.len(), cols.len());
        match &self.centred {
            Centred::Double(ca, cb) => {
                let cb = cb.as_deref().unwrap_or(ca);
                let dst = MatMut::from_row_major_slice_mut(out, h, w);
                product(dst, block(ca, &rows, self.a.cols()), block(cb, &cols, self.a.cols()));
            }
            Centred::Single(ca, cb) => {
                let cb = cb.as_deref().unwrap_or(ca);
                single.resize(h * w, 0.0);
                let dst = MatMut::from_row_major_slice_mut(single.as_mut_slice(), h, w);
                product(dst, block(ca, &rows, self.a.cols()), block(cb, &cols, self.a.cols()));
                out.iter_mut().zip(single.iter()).for_each(|(o, v)| *o = f64::from(*v));
            }
        }
        for (r, i) in rows.enumerate() {
            let na = self.a_norms[i];
            let row = &mut out[r * w..(r + 1) * w];
            for (v, nb) in row.iter_mut().zip(&self.b_norms[cols.clone()]) {
                *v = (*v + na + nb).max(0.0);
            }
        }
    }
}

/// Rows `rows` of a row-major matrix with `p` columns, as a faer view.
fn block<'m, T>(data: &'m [T], rows: &Range<usize>, p: usize) -> MatRef<'m, T> {
    MatRef::from_row_major_slice(&data[rows.start * p..rows.end * p], rows.len(), p)
}

/// `dst = −2 · lhs · rhsᵀ`, sequential (the panels are the parallel unit).
fn product<T: faer::traits::ComplexField + From<i8>>(dst: MatMut<'_, T>, lhs: MatRef<'_, T>, rhs: MatRef<'_, T>) {
    matmul(dst, Accum::Replace, lhs, rhs.transpose(), T::from(-2), Par::Seq);
}

/// Squared Euclidean norm (in f64) of every row of a row-major matrix with `p` columns.
fn sq_norms<T: Copy + Into<f64>>(data: &[T], p: usize) -> Vec<f64> {
    data.chunks_exact(p.max(1)).map(|r| r.iter().map(|&v| v.into() * v.into()).sum()).collect()
}

/// The centred rows of `a` and, unless `same` (then `b` is `a`), of `b`.
fn centred_pair<T>(
    a: &Matrix,
    b: &Matrix,
    same: bool,
    centre: &[f64],
    convert: impl Fn(f64) -> T,
) -> (Vec<T>, Option<Vec<T>>) {
    let ca = shifted(a, centre, &convert);
    let cb = (!same).then(|| shifted(b, centre, &convert));
    (ca, cb)
}

/// Row norms of both sides (`b = None`: the same rows as `a`).
fn norms_pair<T: Copy + Into<f64>>(a: &[T], b: Option<&[T]>, p: usize) -> (Vec<f64>, Vec<f64>) {
    let na = sq_norms(a, p);
    let nb = b.map_or_else(|| na.clone(), |b| sq_norms(b, p));
    (na, nb)
}

/// `x − centre` row by row, converted to the panel arithmetic.
fn shifted<T>(x: &Matrix, centre: &[f64], convert: impl Fn(f64) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(x.rows() * x.cols());
    for row in x.row_iter() {
        out.extend(row.iter().zip(centre).map(|(v, c)| convert(v - c)));
    }
    out
}

/// For each row of `query`, the squared Euclidean distance to its nearest row of `reference`,
/// computed exactly as `Σ (a_j − b_j)²` (duplicates give exactly 0; the value equals brute
/// force). Candidates are the rows whose approximate distance cannot be ruled out by the error
/// bound; only they are recomputed.
pub fn nearest_sq_distances(query: &Matrix, reference: &Matrix) -> Vec<f64> {
    if reference.rows() == 0 {
        return vec![f64::INFINITY; query.rows()];
    }
    let pw = Pairwise::new(query, reference, Precision::Screening);
    pw.map_panels(Coverage::Full, |panel| {
        let mut scratch = Vec::with_capacity(panel.cols.len());
        panel.rows.clone().map(|i| exact_kth_smallest(&pw, panel, i, 1, &mut scratch)).collect::<Vec<_>>()
    })
    .concat()
}

/// For each row of `x`, the squared Euclidean distance to its `k`-th nearest **other** row
/// (self excluded; duplicates of the row count, at distance 0), computed exactly. `NaN` for
/// every row when `x` has at most `k` rows. PRDC's radius (metrics.md §3.5) is its square root.
pub fn kth_nearest_sq_distances(x: &Matrix, k: usize) -> Vec<f64> {
    assert!(k >= 1, "k-th nearest neighbour needs k ≥ 1");
    if x.rows() <= k {
        return vec![f64::NAN; x.rows()];
    }
    let pw = Pairwise::within(x, Precision::Screening);
    pw.map_panels(Coverage::Full, |panel| {
        let mut scratch = Vec::with_capacity(panel.cols.len());
        panel.rows.clone().map(|i| exact_kth_smallest(&pw, panel, i, k, &mut scratch)).collect::<Vec<_>>()
    })
    .concat()
}

/// The exact `k`-th smallest of `Σ(a_i − b_j)²` over `j` (skipping `j = i` when `a` is `b`).
///
/// Let `U` be the k-th smallest upper bound `d̃² + t`. At least k exact values are ≤ U, so the
/// k-th smallest exact value is ≤ U and every row with `d̃² − t > U` can be skipped; the rest
/// are recomputed exactly and the k-th smallest of them is the answer.
/// `scratch` is a reusable buffer.
fn exact_kth_smallest(pw: &Pairwise<'_>, panel: &Panel<'_>, i: usize, k: usize, scratch: &mut Vec<f64>) -> f64 {
    let row = panel.row(i);
    let skip = |j: usize| pw.same && j == i;
    let upper = scratch;
    upper.clear();
    upper.extend(row.iter().enumerate().filter(|&(j, _)| !skip(j)).map(|(j, &d)| d + pw.tolerance(i, j)));
    let (_, bound, _) = upper.select_nth_unstable_by(k - 1, f64::total_cmp);
    let bound = *bound;
    upper.clear();
    upper.extend(
        row.iter()
            .enumerate()
            .filter(|&(j, &d)| !skip(j) && d - pw.tolerance(i, j) <= bound)
            .map(|(j, _)| pw.exact(i, j)),
    );
    let (_, kth, _) = upper.select_nth_unstable_by(k - 1, f64::total_cmp);
    *kth
}

/// For each row of `query`, the number of rows of `reference` at squared Euclidean distance
/// strictly below `threshold` (the Monte-Carlo membership attack, metrics.md §4.2). Pairs whose
/// screened distance lies inside its error window are recomputed exactly, so the counts equal
/// brute force.
pub fn count_sq_within(query: &Matrix, reference: &Matrix, threshold: f64) -> Vec<usize> {
    if reference.rows() == 0 {
        return vec![0; query.rows()];
    }
    let pw = Pairwise::new(query, reference, Precision::Screening);
    pw.map_panels(Coverage::Full, |panel| {
        panel
            .rows
            .clone()
            .map(|i| {
                let row = panel.row(i);
                let near = |j: usize, d: f64| {
                    let t = pw.tolerance(i, j);
                    if d + t < threshold {
                        true
                    } else if d - t >= threshold {
                        false
                    } else {
                        pw.exact(i, j) < threshold
                    }
                };
                row.iter().enumerate().filter(|&(j, &d)| near(j, d)).count()
            })
            .collect::<Vec<_>>()
    })
    .concat()
}

/// `Σ_{i,j} exp(−γ d²(a_i, b_j))` over all pairs (the cross term of MMD², metrics.md §2.7).
pub fn rbf_kernel_sum(a: &Matrix, b: &Matrix, gamma: f64) -> f64 {
    let pw = Pairwise::new(a, b, Precision::Double);
    let partial = pw.map_panels(Coverage::Full, |panel| sum_rows(panel, |i| rbf_row_sum(panel.row(i), gamma)));
    pairwise_sum(&partial)
}

/// `Σ_{i≠j} exp(−γ d²(x_i, x_j))` over ordered pairs of distinct rows (the within-set terms of
/// MMD²), computed on the upper triangle and doubled.
pub fn rbf_kernel_sum_offdiag(x: &Matrix, gamma: f64) -> f64 {
    let pw = Pairwise::within(x, Precision::Double);
    let partial = pw.map_panels(Coverage::UpperTriangle, |panel| {
        sum_rows(panel, |i| rbf_row_sum(&panel.row(i)[i + 1 - panel.cols.start..], gamma))
    });
    2.0 * pairwise_sum(&partial)
}

/// `Σ_j exp(−γ d²_j)` over one panel row in `vmath::exp_sum`'s four-lane order (a row has at most
/// a few thousand terms; rows and panels are then combined by pairwise summation).
fn rbf_row_sum(d2: &[f64], gamma: f64) -> f64 {
    vmath::exp_sum(d2, -gamma)
}

/// Pairwise sum of `row_sum(i)` over the rows of a panel.
fn sum_rows(panel: &Panel<'_>, row_sum: impl Fn(usize) -> f64) -> f64 {
    let sums: Vec<f64> = panel.rows.clone().map(row_sum).collect();
    pairwise_sum(&sums)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    /// A deterministic pseudo-random matrix with VST-like magnitudes (values around 5–15).
    fn noisy(rows: usize, cols: usize, salt: u64) -> Matrix {
        let mut state = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let data = (0..rows * cols)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                5.0 + 10.0 * (state >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect();
        Matrix::from_row_major(rows, cols, data).unwrap()
    }

    fn brute_nearest(q: &Matrix, r: &Matrix) -> Vec<f64> {
        q.row_iter().map(|a| r.row_iter().map(|b| exact_sq_distance(a, b)).fold(f64::INFINITY, f64::min)).collect()
    }

    #[test]
    fn nearest_by_hand() {
        let r = m(&[&[0.0, 0.0], &[3.0, 4.0]]);
        let q = m(&[&[3.0, 4.0], &[1.0, 1.0], &[6.0, 8.0]]);
        assert_eq!(nearest_sq_distances(&q, &r), vec![0.0, 2.0, 25.0]);
    }

    #[test]
    fn nearest_matches_brute_force_exactly_with_duplicates() {
        let r = noisy(300, 40, 1);
        let mut q = noisy(150, 40, 2);
        for i in 0..20 {
            q.row_mut(i * 7).copy_from_slice(r.row(i * 11)); // exact copies of reference rows
        }
        let fast = nearest_sq_distances(&q, &r);
        assert_eq!(fast, brute_nearest(&q, &r));
        assert!((0..20).all(|i| fast[i * 7] == 0.0));
    }

    #[test]
    fn near_ties_below_f32_resolution_are_settled_exactly() {
        // Two reference rows at squared distances 1 and 1 − 1e-9 from a query with values
        // around 10: f32 screening cannot tell them apart, the exact recomputation can.
        let q: Vec<f64> = (0..50).map(|j| 10.0 + 0.01 * j as f64).collect();
        let mut far = q.clone();
        far[0] += 1.0;
        let mut near = q.clone();
        near[1] += (1.0f64 - 1e-9).sqrt();
        let r = Matrix::from_rows(&[far, near.clone()]).unwrap();
        let query = Matrix::from_rows(std::slice::from_ref(&q)).unwrap();
        assert_eq!(nearest_sq_distances(&query, &r), vec![exact_sq_distance(&q, &near)]);
        let pw = Pairwise::new(&query, &r, Precision::Screening);
        let approx = pw.map_panels(Coverage::Full, |p| p.row(0).to_vec()).concat();
        let radius = exact_sq_distance(&q, &near).sqrt();
        assert!(!pw.strictly_within(0, 1, approx[1], radius));
        assert!(pw.strictly_within(0, 1, approx[1], (1.0f64 - 0.5e-9).sqrt()));
        assert!(!pw.strictly_within(0, 0, approx[0], (1.0f64 - 0.5e-9).sqrt()));
    }

    #[test]
    fn kth_nearest_by_hand_and_against_sorting() {
        // Points on a line at 0, 1, 3, 6: 2nd nearest other point of 0 is 3 (d² = 9).
        let x = m(&[&[0.0], &[1.0], &[3.0], &[6.0]]);
        assert_eq!(kth_nearest_sq_distances(&x, 1), vec![1.0, 1.0, 4.0, 9.0]);
        assert_eq!(kth_nearest_sq_distances(&x, 2), vec![9.0, 4.0, 9.0, 25.0]);
        assert!(kth_nearest_sq_distances(&x, 4).iter().all(|v| v.is_nan()));

        let mut y = noisy(200, 30, 3);
        let dup = y.row(5).to_vec();
        y.row_mut(9).copy_from_slice(&dup);
        let fast = kth_nearest_sq_distances(&y, 5);
        for (i, &got) in fast.iter().enumerate() {
            let mut d: Vec<f64> =
                (0..y.rows()).filter(|&j| j != i).map(|j| exact_sq_distance(y.row(i), y.row(j))).collect();
            d.sort_by(f64::total_cmp);
            assert_eq!(got, d[4], "row {i}");
        }
        assert_eq!(kth_nearest_sq_distances(&y, 1)[5], 0.0);
    }

    #[test]
    fn counts_within_a_squared_radius_match_brute_force_with_exact_boundaries() {
        let q = noisy(37, 11, 3);
        let r = noisy(53, 11, 4);
        let r2 = r.vstack(&q.select_rows(&[0, 5])).unwrap();
        let threshold = exact_sq_distance(q.row(1), r2.row(2));
        let brute: Vec<usize> =
            q.row_iter().map(|a| r2.row_iter().filter(|b| exact_sq_distance(a, b) < threshold).count()).collect();
        assert_eq!(count_sq_within(&q, &r2, threshold), brute);
        // Zero threshold: nothing is strictly closer, even an identical row.
        assert_eq!(count_sq_within(&q, &r2, 0.0), vec![0; 37]);
        assert!(brute.iter().any(|&c| c > 0));
    }

    #[test]
    fn kernel_sums_by_hand() {
        // d² = 0 on the diagonal, 4 between the two rows of x; γ = 1/2.
        let x = m(&[&[0.0, 0.0], &[2.0, 0.0]]);
        let y = m(&[&[0.0, 1.0]]);
        let e = |v: f64| (-0.5 * v).exp();
        assert!((rbf_kernel_sum_offdiag(&x, 0.5) - 2.0 * e(4.0)).abs() < 1e-15);
        assert!((rbf_kernel_sum(&x, &y, 0.5) - (e(1.0) + e(5.0))).abs() < 1e-15);
    }

    #[test]
    fn kernel_sums_match_direct_sums_across_panels() {
        // 300 rows × 40 columns span several panels of the upper triangle.
        let x = noisy(300, 40, 4);
        let y = noisy(170, 40, 5);
        let g = 1.0 / 40.0;
        let direct = |a: &Matrix, b: &Matrix, skip_diag: bool| -> f64 {
            let mut s = 0.0;
            for i in 0..a.rows() {
                for j in 0..b.rows() {
                    if !(skip_diag && i == j) {
                        s += (-g * exact_sq_distance(a.row(i), b.row(j))).exp();
                    }
                }
            }
            s
        };
        let rel = |a: f64, b: f64| ((a - b) / b).abs();
        assert!(rel(rbf_kernel_sum_offdiag(&x, g), direct(&x, &x, true)) < 1e-12);
        assert!(rel(rbf_kernel_sum(&x, &y, g), direct(&x, &y, false)) < 1e-12);
    }

    #[test]
    fn strictly_within_is_exact_at_the_boundary() {
        let a = m(&[&[0.0, 0.0]]);
        let b = m(&[&[3.0, 4.0]]);
        for precision in [Precision::Double, Precision::Screening] {
            let pw = Pairwise::new(&a, &b, precision);
            let approx = pw.map_panels(Coverage::Full, |p| p.row(0)[0])[0];
            assert!(!pw.strictly_within(0, 0, approx, 5.0)); // d = 5 is not < 5
            assert!(pw.strictly_within(0, 0, approx, 5.0 + 1e-12));
        }
    }

    #[test]
    fn bit_identical_for_any_thread_count() {
        // 700 rows give six 128-row panels, so the threads really split the work.
        let x = noisy(700, 25, 6);
        let y = noisy(650, 25, 7);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                (
                    rbf_kernel_sum(&x, &y, 0.04).to_bits(),
                    rbf_kernel_sum_offdiag(&x, 0.04).to_bits(),
                    nearest_sq_distances(&y, &x),
                    kth_nearest_sq_distances(&x, 5),
                )
            })
        };
        assert_eq!(run(1), run(4));
    }
}
