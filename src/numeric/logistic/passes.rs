//! Passes over `X` that serve the products and gradients of several solvers at once.

use super::kernels::{self, TileKernels, GROUP, WIDE};
use crate::data::matrix::Matrix;
use rayon::prelude::*;

/// Rows of `X` per block of the objective evaluation (fixed: it sets the summation order).
const BLOCK: usize = 256;

/// What a solver needs from a pass over `X`: `X·d` for a search direction `d` (p weights), or
/// `Xᵀ·r` for a residual vector `r` (n rows). Carries the slices when asked, their batch columns
/// when scheduled.
#[derive(Clone, Copy, Debug)]
pub(super) enum Need<T> {
    Product(T),
    Gradient(T),
}

/// Buffers for one pass over `X` serving several problems at once.
///
/// Rows are cut into fixed blocks of `BLOCK` rows, processed in parallel; within a block each
/// tile of rows is loaded once for every pending product `X·d_j` and gradient `Xᵀ·r_j` (the tile
/// kernels). Products are written row by row; the per-block gradient parts `X_bᵀ·r_b` are added
/// in block order.
pub(super) struct Passes {
    n: usize,
    p: usize,
    /// Products, row-major (n × number of products).
    pub(super) products: Vec<f64>,
    width: usize,
    /// Per row block, `X_bᵀ·R_b`, column-major (p × number of gradients) each.
    parts: Vec<f64>,
    /// `Xᵀ·R`, column-major (p × number of gradients).
    xtr: Vec<f64>,
}

impl Passes {
    pub(super) fn new(n: usize, p: usize) -> Self {
        Passes { n, p, products: Vec::new(), width: 0, parts: Vec::new(), xtr: Vec::new() }
    }

    /// One pass over `x`: `X·d` for every `d` in `directions` (p values each) and `Xᵀ·r` for
    /// every `r` in `residuals` (n values each).
    pub(super) fn run(&mut self, x: &Matrix, directions: &[&[f64]], residuals: &[&[f64]]) {
        let (n, p, kd, kr) = (self.n, self.p, directions.len(), residuals.len());
        let blocks = n.div_ceil(BLOCK);
        self.width = kd;
        self.products.resize(n * kd, 0.0);
        self.parts.resize(blocks * p * kr, 0.0);
        self.xtr.resize(p * kr, 0.0);
        let block = Block { x, directions, residuals };
        // Each block's rows of the products and its gradient part (empty when not asked for).
        let mut jobs = Vec::with_capacity(blocks);
        let (mut out, mut parts) = (&mut self.products[..], &mut self.parts[..]);
        for blk in 0..blocks {
            let rows = BLOCK.min(n - blk * BLOCK);
            let (o, rest) = std::mem::take(&mut out).split_at_mut(rows * kd);
            out = rest;
            let (g, rest) = std::mem::take(&mut parts).split_at_mut(p * kr);
            parts = rest;
            jobs.push((blk * BLOCK, rows, o, g));
        }
        jobs.into_par_iter().for_each(|(start, rows, out, part)| block.run(start, rows, out, part));
        if kr > 0 {
            let (parts, xtr) = (&self.parts, &mut self.xtr[..p * kr]);
            xtr.copy_from_slice(&parts[..p * kr]);
            for part in parts[p * kr..].chunks_exact(p * kr).take(blocks - 1) {
                xtr.iter_mut().zip(part).for_each(|(a, v)| *a += v);
            }
        }
    }

    /// Copy product `j` (`X·d_j`, n values) into `dst`.
    pub(super) fn product(&self, j: usize, dst: &mut [f64]) {
        let k = self.width;
        dst.iter_mut().enumerate().for_each(|(i, v)| *v = self.products[i * k + j]);
    }

    /// Gradient part `j`: `Xᵀ·r_j` (p values).
    pub(super) fn gradient(&self, j: usize) -> &[f64] {
        &self.xtr[j * self.p..(j + 1) * self.p]
    }
}

/// What one block of rows needs for one pass.
struct Block<'a> {
    x: &'a Matrix,
    /// Search directions (p weights each).
    directions: &'a [&'a [f64]],
    /// Residual vectors (n rows each).
    residuals: &'a [&'a [f64]],
}

impl Block<'_> {
    /// Rows `start..start + rows`: their products with every direction into `out` (row-major,
    /// one column per direction) and `part = X_bᵀ·R_b` (column-major, one column per residual
    /// vector), with the AVX2 kernels where the CPU has them (bit-identical to the portable
    /// ones, see [`kernels`]).
    pub(super) fn run(&self, start: usize, rows: usize, out: &mut [f64], part: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = kernels::Avx2::detect() {
            // SAFETY: `simd` exists, so the CPU has AVX2.
            return unsafe { self.run_avx2(simd, start, rows, out, part) };
        }
        self.run_rows(&kernels::Portable, start, rows, out, part)
    }

    /// [`Self::run_rows`] compiled with AVX2 enabled, so the kernels inline into it.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2(&self, simd: kernels::Avx2, start: usize, rows: usize, out: &mut [f64], part: &mut [f64]) {
        self.run_rows(&simd, start, rows, out, part)
    }

    /// A single request: rows in tiles of [`kernels::WIDE`] (eight independent sums per load of
    /// the weights or gradient). Several: rows in tiles of [`kernels::GROUP`], requests of a kind
    /// in pairs, a last odd one alone. Leftover rows go one at a time through [`kernels::dot4`]
    /// and [`kernels::axpy`]. Every path performs the same operations per row and request.
    #[inline(always)]
    fn run_rows(&self, kern: &impl TileKernels, start: usize, rows: usize, out: &mut [f64], part: &mut [f64]) {
        let (kd, kr) = (self.directions.len(), self.residuals.len());
        part.fill(0.0);
        let mut i = 0;
        if kd + kr == 1 {
            while i + WIDE <= rows {
                let xs: kernels::WideRows<'_> = std::array::from_fn(|r| self.x.row(start + i + r));
                if kd == 1 {
                    let z = kern.dot_8x1(&xs, self.directions[0]);
                    z.iter().enumerate().for_each(|(r, &v)| out[i + r] = v);
                } else {
                    let coef: [f64; WIDE] = std::array::from_fn(|r| self.residuals[0][start + i + r]);
                    kern.axpy_8x1(&coef, &xs, part);
                }
                i += WIDE;
            }
        }
        while i + GROUP <= rows {
            let xs: kernels::Rows<'_> = std::array::from_fn(|r| self.x.row(start + i + r));
            self.products_4(kern, &xs, i, out);
            self.gradients_4(kern, &xs, start + i, part);
            i += GROUP;
        }
        for local in i..rows {
            let x = self.x.row(start + local);
            for (j, d) in self.directions.iter().enumerate() {
                out[local * kd + j] = kernels::dot4(x, d);
            }
            for (j, r) in self.residuals.iter().enumerate() {
                kernels::axpy(r[start + local], x, gradient_part(part, self.x.cols(), j));
            }
        }
    }

    /// `X·d_j` for every direction over the 4 rows `xs` (block-local first row `local`).
    #[inline(always)]
    fn products_4(&self, kern: &impl TileKernels, xs: &kernels::Rows<'_>, local: usize, out: &mut [f64]) {
        let kd = self.directions.len();
        let mut j = 0;
        while j + 2 <= kd {
            let z = kern.dot_4x2(xs, self.directions[j], self.directions[j + 1]);
            for (r, z) in z.iter().enumerate() {
                out[(local + r) * kd + j] = z[0];
                out[(local + r) * kd + j + 1] = z[1];
            }
            j += 2;
        }
        if j < kd {
            let z = kern.dot_4x1(xs, self.directions[j]);
            z.iter().enumerate().for_each(|(r, &v)| out[(local + r) * kd + j] = v);
        }
    }

    /// `part_j += Σ_r r_j[row]·x_row` for every residual vector over the 4 rows `xs` (first
    /// row `first`).
    #[inline(always)]
    fn gradients_4(&self, kern: &impl TileKernels, xs: &kernels::Rows<'_>, first: usize, part: &mut [f64]) {
        let (kr, p) = (self.residuals.len(), self.x.cols());
        let mut j = 0;
        while j + 2 <= kr {
            let (r0, r1) = (self.residuals[j], self.residuals[j + 1]);
            let coef: [[f64; 2]; GROUP] = std::array::from_fn(|r| [r0[first + r], r1[first + r]]);
            let (g0, g1) = part[j * p..(j + 2) * p].split_at_mut(p);
            kern.axpy_4x2(&coef, xs, g0, g1);
            j += 2;
        }
        if j < kr {
            let coef: [f64; GROUP] = std::array::from_fn(|r| self.residuals[j][first + r]);
            kern.axpy_4x1(&coef, xs, gradient_part(part, p, j));
        }
    }
}

/// Column `j` of a column-major block of gradient parts with `p` rows.
#[inline(always)]
fn gradient_part(part: &mut [f64], p: usize, j: usize) -> &mut [f64] {
    &mut part[j * p..(j + 1) * p]
}
