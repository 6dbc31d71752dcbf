//! The inner loops of the logistic-regression passes over `X`: dot products of rows of `X` with
//! direction or coefficient vectors, and rank-one updates of gradient accumulators, for tiles of
//! rows against one or two vectors at a time: 4 rows × 2 vectors (each load of a row serves two
//! problems, each load of a vector or gradient chunk four rows) and, for a single request,
//! 8 rows × 1 (eight independent sums hide the latency of the adds).
//!
//! **Summation order (the contract).** Every dot product is [`dot4`]: four interleaved partial
//! sums (lane `l` adds the products of elements `l, l+4, l+8, …` of the leading multiple of four),
//! combined as `(s₀ + s₁) + (s₂ + s₃)`, then the remaining elements added in order. Every
//! gradient entry is updated row by row, `g += r·x` (a multiply, then an add). The [`Avx2`]
//! kernels do exactly these IEEE operations, lane for lane, with no fused multiply–add, so
//! they agree bit for bit with [`Portable`], and the fit does not depend on the CPU.

/// Rows per tile of the two-problem kernels.
pub const GROUP: usize = 4;
/// Rows per tile of the one-problem kernels.
pub const WIDE: usize = 8;

/// Rows of one tile.
pub type Rows<'a> = [&'a [f64]; GROUP];
/// Rows of one wide tile.
pub type WideRows<'a> = [&'a [f64]; WIDE];

/// `Σ aᵢ·bᵢ` in the crate's four-lane order (module doc).
#[inline(always)]
pub fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let full = n - n % 4;
    let mut s = [0.0; 4];
    for (x, y) in a[..full].chunks_exact(4).zip(b[..full].chunks_exact(4)) {
        for l in 0..4 {
            s[l] += x[l] * y[l];
        }
    }
    let mut sum = (s[0] + s[1]) + (s[2] + s[3]);
    for (x, y) in a[full..n].iter().zip(&b[full..n]) {
        sum += x * y;
    }
    sum
}

/// `y += a·x`, element by element.
#[inline(always)]
pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// The tile kernels. `z[r][c] = rows[r]·w_c` by [`dot4`]; the updates add `coef[r]·rows[r]`
/// for `r = 0, 1, 2, 3` in turn.
pub trait TileKernels {
    fn dot_4x2(&self, rows: &Rows<'_>, w0: &[f64], w1: &[f64]) -> [[f64; 2]; GROUP];
    fn dot_4x1(&self, rows: &Rows<'_>, w: &[f64]) -> [f64; GROUP];
    fn axpy_4x2(&self, coef: &[[f64; 2]; GROUP], rows: &Rows<'_>, y0: &mut [f64], y1: &mut [f64]);
    fn axpy_4x1(&self, coef: &[f64; GROUP], rows: &Rows<'_>, y: &mut [f64]);
    fn dot_8x1(&self, rows: &WideRows<'_>, w: &[f64]) -> [f64; WIDE];
    fn axpy_8x1(&self, coef: &[f64; WIDE], rows: &WideRows<'_>, y: &mut [f64]);
}

/// Plain Rust kernels, for any CPU.
pub struct Portable;

impl TileKernels for Portable {
    #[inline(always)]
    fn dot_4x2(&self, rows: &Rows<'_>, w0: &[f64], w1: &[f64]) -> [[f64; 2]; GROUP] {
        std::array::from_fn(|r| [dot4(rows[r], w0), dot4(rows[r], w1)])
    }

    #[inline(always)]
    fn dot_4x1(&self, rows: &Rows<'_>, w: &[f64]) -> [f64; GROUP] {
        std::array::from_fn(|r| dot4(rows[r], w))
    }

    #[inline(always)]
    fn axpy_4x2(&self, coef: &[[f64; 2]; GROUP], rows: &Rows<'_>, y0: &mut [f64], y1: &mut [f64]) {
        for (c, x) in coef.iter().zip(rows) {
            axpy(c[0], x, y0);
            axpy(c[1], x, y1);
        }
    }

    #[inline(always)]
    fn axpy_4x1(&self, coef: &[f64; GROUP], rows: &Rows<'_>, y: &mut [f64]) {
        for (c, x) in coef.iter().zip(rows) {
            axpy(*c, x, y);
        }
    }

    #[inline(always)]
    fn dot_8x1(&self, rows: &WideRows<'_>, w: &[f64]) -> [f64; WIDE] {
        std::array::from_fn(|r| dot4(rows[r], w))
    }

    #[inline(always)]
    fn axpy_8x1(&self, coef: &[f64; WIDE], rows: &WideRows<'_>, y: &mut [f64]) {
        for (c, x) in coef.iter().zip(rows) {
            axpy(*c, x, y);
        }
    }
}

/// AVX2 kernels; only constructible on a CPU that has AVX2 ([`Avx2::detect`]).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Avx2 {
    pub fn detect() -> Option<Avx2> {
        std::arch::is_x86_feature_detected!("avx2").then_some(Avx2(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl TileKernels for Avx2 {
    #[inline(always)]
    fn dot_4x2(&self, rows: &Rows<'_>, w0: &[f64], w1: &[f64]) -> [[f64; 2]; GROUP] {
        // SAFETY: an `Avx2` value exists only on CPUs with AVX2.
        unsafe { avx2::dot_4x2(rows, w0, w1) }
    }

    #[inline(always)]
    fn dot_4x1(&self, rows: &Rows<'_>, w: &[f64]) -> [f64; GROUP] {
        // SAFETY: as above.
        unsafe { avx2::dot_4x1(rows, w) }
    }

    #[inline(always)]
    fn axpy_4x2(&self, coef: &[[f64; 2]; GROUP], rows: &Rows<'_>, y0: &mut [f64], y1: &mut [f64]) {
        // SAFETY: as above.
        unsafe { avx2::axpy_4x2(coef, rows, y0, y1) }
    }

    #[inline(always)]
    fn axpy_4x1(&self, coef: &[f64; GROUP], rows: &Rows<'_>, y: &mut [f64]) {
        // SAFETY: as above.
        unsafe { avx2::axpy_4x1(coef, rows, y) }
    }

    #[inline(always)]
    fn dot_8x1(&self, rows: &WideRows<'_>, w: &[f64]) -> [f64; WIDE] {
        // SAFETY: as above.
        unsafe { avx2::dot_nx1(rows, w) }
    }

    #[inline(always)]
    fn axpy_8x1(&self, coef: &[f64; WIDE], rows: &WideRows<'_>, y: &mut [f64]) {
        // SAFETY: as above.
        unsafe { avx2::axpy_nx1(coef, rows, y) }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Rows, GROUP};
    use std::arch::x86_64::*;

    /// Length shared by every slice, and its leading multiple of four.
    fn lengths(rows: &Rows<'_>, others: &[&[f64]]) -> (usize, usize) {
        let n = rows[0].len();
        assert!(rows.iter().all(|r| r.len() == n) && others.iter().all(|o| o.len() == n), "slices differ in length");
        (n, n - n % 4)
    }

    /// `(s₀ + s₁) + (s₂ + s₃)` of a register's lanes, then the tail `Σ x·w` in order.
    #[inline(always)]
    fn finish(lanes: __m256d, x: &[f64], w: &[f64]) -> f64 {
        let mut s = [0.0; 4];
        // SAFETY: `s` holds four f64.
        unsafe { _mm256_storeu_pd(s.as_mut_ptr(), lanes) };
        let mut sum = (s[0] + s[1]) + (s[2] + s[3]);
        for (a, b) in x.iter().zip(w) {
            sum += a * b;
        }
        sum
    }

    #[target_feature(enable = "avx2")]
    pub unsafe fn dot_4x2(rows: &Rows<'_>, w0: &[f64], w1: &[f64]) -> [[f64; 2]; GROUP] {
        let (n, full) = lengths(rows, &[w0, w1]);
        let z = _mm256_setzero_pd();
        let mut acc = [[z; 2]; GROUP];
        let [r0, r1, r2, r3] = rows.map(<[f64]>::as_ptr);
        let mut i = 0;
        while i < full {
            // SAFETY: i + 4 ≤ full ≤ n, the length of every slice.
            unsafe {
                let (u, v) = (_mm256_loadu_pd(w0.as_ptr().add(i)), _mm256_loadu_pd(w1.as_ptr().add(i)));
                let x = [r0, r1, r2, r3].map(|r| _mm256_loadu_pd(r.add(i)));
                for (a, x) in acc.iter_mut().zip(x) {
                    a[0] = _mm256_add_pd(a[0], _mm256_mul_pd(x, u));
                    a[1] = _mm256_add_pd(a[1], _mm256_mul_pd(x, v));
                }
            }
            i += 4;
        }
        std::array::from_fn(|r| {
            let tail = &rows[r][full..n];
            [finish(acc[r][0], tail, &w0[full..n]), finish(acc[r][1], tail, &w1[full..n])]
        })
    }

    #[target_feature(enable = "avx2")]
    pub unsafe fn dot_4x1(rows: &Rows<'_>, w: &[f64]) -> [f64; GROUP] {
        // SAFETY: same contract.
        unsafe { dot_nx1(rows, w) }
    }

    /// `N` rows against one weight vector, one register of partial sums per row.
    #[target_feature(enable = "avx2")]
    pub unsafe fn dot_nx1<const N: usize>(rows: &[&[f64]; N], w: &[f64]) -> [f64; N] {
        let n = w.len();
        assert!(rows.iter().all(|r| r.len() == n), "slices differ in length");
        let full = n - n % 4;
        let mut acc = [_mm256_setzero_pd(); N];
        let ptrs = rows.map(<[f64]>::as_ptr);
        let mut i = 0;
        while i < full {
            // SAFETY: i + 4 ≤ full ≤ n, the length of every slice.
            unsafe {
                let u = _mm256_loadu_pd(w.as_ptr().add(i));
                for (a, r) in acc.iter_mut().zip(ptrs) {
                    *a = _mm256_add_pd(*a, _mm256_mul_pd(_mm256_loadu_pd(r.add(i)), u));
                }
            }
            i += 4;
        }
        std::array::from_fn(|r| finish(acc[r], &rows[r][full..n], &w[full..n]))
    }

    #[target_feature(enable = "avx2")]
    pub unsafe fn axpy_4x2(coef: &[[f64; 2]; GROUP], rows: &Rows<'_>, y0: &mut [f64], y1: &mut [f64]) {
        let (n, full) = lengths(rows, &[y0, y1]);
        let c: [[__m256d; 2]; GROUP] = coef.map(|c| c.map(|v| _mm256_set1_pd(v)));
        let [r0, r1, r2, r3] = rows.map(<[f64]>::as_ptr);
        let mut i = 0;
        while i < full {
            // SAFETY: i + 4 ≤ full ≤ n, the length of every slice.
            unsafe {
                let x = [r0, r1, r2, r3].map(|r| _mm256_loadu_pd(r.add(i)));
                let mut a = _mm256_loadu_pd(y0.as_ptr().add(i));
                let mut b = _mm256_loadu_pd(y1.as_ptr().add(i));
                for (c, x) in c.iter().zip(x) {
                    a = _mm256_add_pd(a, _mm256_mul_pd(c[0], x));
                    b = _mm256_add_pd(b, _mm256_mul_pd(c[1], x));
                }
                _mm256_storeu_pd(y0.as_mut_ptr().add(i), a);
                _mm256_storeu_pd(y1.as_mut_ptr().add(i), b);
            }
            i += 4;
        }
        for i in full..n {
            for (c, row) in coef.iter().zip(rows) {
                y0[i] += c[0] * row[i];
                y1[i] += c[1] * row[i];
            }
        }
    }

    #[target_feature(enable = "avx2")]
    pub unsafe fn axpy_4x1(coef: &[f64; GROUP], rows: &Rows<'_>, y: &mut [f64]) {
        // SAFETY: same contract.
        unsafe { axpy_nx1(coef, rows, y) }
    }

    /// `y += coef[r]·rows[r]` for the `N` rows in turn.
    #[target_feature(enable = "avx2")]
    pub unsafe fn axpy_nx1<const N: usize>(coef: &[f64; N], rows: &[&[f64]; N], y: &mut [f64]) {
        let n = y.len();
        assert!(rows.iter().all(|r| r.len() == n), "slices differ in length");
        let full = n - n % 4;
        let c: [__m256d; N] = coef.map(|v| _mm256_set1_pd(v));
        let ptrs = rows.map(<[f64]>::as_ptr);
        let mut i = 0;
        while i < full {
            // SAFETY: i + 4 ≤ full ≤ n, the length of every slice.
            unsafe {
                let mut a = _mm256_loadu_pd(y.as_ptr().add(i));
                for (c, r) in c.iter().zip(ptrs) {
                    a = _mm256_add_pd(a, _mm256_mul_pd(*c, _mm256_loadu_pd(r.add(i))));
                }
                _mm256_storeu_pd(y.as_mut_ptr().add(i), a);
            }
            i += 4;
        }
        for i in full..n {
            for (c, row) in coef.iter().zip(rows) {
                y[i] += c * row[i];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e3
            })
            .collect()
    }

    #[test]
    fn dot4_by_hand() {
        // Lanes: (1·1 + 5·1), 2·1, 3·1, 4·1 → (6 + 2) + (3 + 4) = 15; tail 6·2 = 12.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 0.0, 0.0, 6.0];
        let b = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0];
        assert_eq!(dot4(&a, &b), 27.0);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_kernels_equal_the_portable_ones_bit_for_bit() {
        let Some(simd) = Avx2::detect() else { return };
        for n in [0, 1, 3, 4, 7, 978] {
            let x: Vec<Vec<f64>> = (0..GROUP as u64).map(|r| data(n, r + 1)).collect();
            let rows: Rows<'_> = std::array::from_fn(|r| x[r].as_slice());
            let (w0, w1) = (data(n, 11), data(n, 12));
            assert_eq!(simd.dot_4x2(&rows, &w0, &w1), Portable.dot_4x2(&rows, &w0, &w1));
            assert_eq!(simd.dot_4x1(&rows, &w0), Portable.dot_4x1(&rows, &w0));
            assert_eq!(Portable.dot_4x1(&rows, &w0)[2], dot4(&x[2], &w0));
            let coef = [[0.3, -1.7], [2.5e-3, 4.0], [-0.9, 1e-7], [7.0, -3.3]];
            let (mut a0, mut a1, mut b0, mut b1) = (w0.clone(), w1.clone(), w0.clone(), w1.clone());
            simd.axpy_4x2(&coef, &rows, &mut a0, &mut a1);
            Portable.axpy_4x2(&coef, &rows, &mut b0, &mut b1);
            assert_eq!((a0.clone(), a1), (b0, b1));
            let single = coef.map(|c| c[0]);
            let (mut c0, mut d0) = (w0.clone(), w0.clone());
            simd.axpy_4x1(&single, &rows, &mut c0);
            Portable.axpy_4x1(&single, &rows, &mut d0);
            assert_eq!(c0, d0);
            assert_eq!(c0, a0);
            let wide_x: Vec<Vec<f64>> = (0..WIDE as u64).map(|r| data(n, r + 20)).collect();
            let wide: WideRows<'_> = std::array::from_fn(|r| wide_x[r].as_slice());
            assert_eq!(simd.dot_8x1(&wide, &w1), Portable.dot_8x1(&wide, &w1));
            let wide_coef: [f64; WIDE] = std::array::from_fn(|r| r as f64 * 0.37 - 1.1);
            let (mut e0, mut f0) = (w1.clone(), w1.clone());
            simd.axpy_8x1(&wide_coef, &wide, &mut e0);
            Portable.axpy_8x1(&wide_coef, &wide, &mut f0);
            assert_eq!(e0, f0);
        }
    }
}
