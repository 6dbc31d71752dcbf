//! L2-regularised logistic regression: the one solver of the crate (metrics.md §2.2–2.3), used by
//! the utility metrics, feature overlap, the discriminative score and the MIA loss attacks.
//!
//! **Model.** Binary target `y ∈ {0,1}`, weights `w ∈ Rᵖ`, unpenalised intercept `b`, `z = w·x + b`:
//!
//! ```text
//! f(w,b) = (1/n) Σ_i [ log(1 + exp(z_i)) − y_i z_i ] + ‖w‖² / (2·C·n)
//! ∇_w f  = Xᵀ r + w / (C·n),   ∂_b f = Σ_i r_i,   r_i = (σ(z_i) − y_i) / n
//! ```
//!
//! which is scikit-learn's `C·Σ loss + ½‖w‖²` divided by `C·n`, evaluated the way scikit-learn
//! 1.5 evaluates it (piecewise overflow-safe loss and gradient, numpy pairwise sums).
//!
//! **Solver.** L-BFGS that follows scipy's L-BFGS-B (v3.0) as `LogisticRegression(solver="lbfgs")`
//! calls it through `scipy.optimize.minimize`, on an unbounded problem: history 10, start at 0,
//! first step `1/‖∇f‖`, then unit steps, the Moré–Thuente line search `dcsrch` (ftol 1e-3,
//! gtol 0.9, xtol 0.1, at most 50 evaluations), the curvature-skip rule for updates, memory
//! refresh after a failed line search, and the stopping rules in scipy's order:
//! iterations ≥ `max_iter` (checked first), `max|∇f| ≤ tol`, `(f_old − f) ≤ 64·ε·max(|f_old|,|f|,1)`.
//! The search direction is the two-loop recursion with `H₀ = (sᵀy / yᵀy)·I`, which equals
//! L-BFGS-B's compact representation when no bound is active; paths agree up to rounding.
//!
//! **Speed.** Each solver keeps `u = X·w` of its iterate. An iteration costs two half passes
//! over `X`: `v = X·d` once the direction `d` is known, then the line-search trials are evaluated
//! from `z = u + α·v + b` without touching `X`, and `Xᵀr` is formed only at the accepted point
//! (scipy evaluates `X·w` and `Xᵀr` at every trial: the same values up to rounding, about 20 %
//! more passes). Problems that share `X` (the K one-vs-rest problems) are solved together: each
//! keeps its own L-BFGS state, but every round serves all pending products and gradients in one
//! pass over `X`, per fixed block of rows, with the tile kernels of `kernels` (AVX2 or a portable
//! twin with the same IEEE operations); blocks run in parallel, the per-block parts of `Xᵀr` are
//! added in block order, and the K solver updates run in parallel too. Nothing depends on the
//! thread count or the CPU, so results are bit-identical for any number of threads.

mod kernels;

use crate::data::matrix::Matrix;
use crate::numeric::summation::numpy_sum;
use crate::numeric::vmath;
use kernels::{TileKernels, GROUP, WIDE};
use rayon::prelude::*;

/// Solver parameters (metrics.md §6: `lr.C`, `lr.max_iter`, `lr.tol`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrParams {
    /// Inverse regularisation strength `C`.
    pub c: f64,
    /// Maximum number of L-BFGS iterations.
    pub max_iter: usize,
    /// Gradient tolerance on `max_j |∇f|_j`.
    pub tol: f64,
}

impl Default for LrParams {
    fn default() -> Self {
        LrParams { c: 1.0, max_iter: 1000, tol: 1e-4 }
    }
}

/// L-BFGS memory (scipy `maxcor`).
const HISTORY: usize = 10;
/// Line-search evaluations per iteration (scikit-learn passes `maxls=50`).
const MAX_LINE_SEARCH: usize = 50;
/// scipy's default `maxfun`.
const MAX_EVALUATIONS: usize = 15_000;
/// Relative-decrease threshold: scikit-learn's `ftol = 64·ε`.
const FTOL: f64 = 64.0 * f64::EPSILON;
/// Rows of `X` per block of the objective evaluation (fixed: it sets the summation order).
const BLOCK: usize = 256;

/// Why a fit stopped. The first two count as converged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// `max|∇f| ≤ tol`.
    Gradient,
    /// Relative decrease of `f` at most `64·ε`.
    RelativeReduction,
    /// `max_iter` iterations reached (scikit-learn's ConvergenceWarning).
    MaxIterations,
    /// More than 15 000 function evaluations.
    MaxEvaluations,
    /// The line search failed with an empty memory (scipy's ABNORMAL_TERMINATION_IN_LNSRCH).
    LineSearch,
}

impl Stop {
    pub fn converged(self) -> bool {
        matches!(self, Stop::Gradient | Stop::RelativeReduction)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Gradient => "gradient",
            Stop::RelativeReduction => "relative_reduction",
            Stop::MaxIterations => "max_iter",
            Stop::MaxEvaluations => "max_evaluations",
            Stop::LineSearch => "line_search",
        }
    }
}

/// Per-fit diagnostics (metrics.md §2.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitInfo {
    /// Completed L-BFGS iterations (scikit-learn's `n_iter_`).
    pub iterations: usize,
    /// Objective and gradient evaluations.
    pub evaluations: usize,
    /// `max_j |∇f|_j` at the returned point.
    pub grad_max_norm: f64,
    pub stop: Stop,
}

impl FitInfo {
    pub fn converged(&self) -> bool {
        self.stop.converged()
    }
}

/// A fitted binary model: `decision(x) = coef·x + intercept`.
#[derive(Clone, Debug)]
pub struct BinaryLr {
    pub coef: Vec<f64>,
    pub intercept: f64,
    pub info: FitInfo,
}

/// Fit one binary model (`y[i]` = positive class).
pub fn fit_binary(x: &Matrix, y: &[bool], params: &LrParams) -> BinaryLr {
    fit_shared(x, &[y.to_vec()], params).pop().expect("one problem in, one model out")
}

/// Fit one binary model per target vector, all on the same `x` (see the module doc for how the
/// problems share passes over `x`). Each target must have `x.rows()` entries.
pub fn fit_shared(x: &Matrix, targets: &[Vec<bool>], params: &LrParams) -> Vec<BinaryLr> {
    let (n, p) = (x.rows(), x.cols());
    assert!(n > 0, "logistic regression needs at least one row");
    assert!(targets.iter().all(|t| t.len() == n), "every target needs one value per row");
    let lambda = 1.0 / (params.c * n as f64);
    let solvers: Vec<Lbfgs> = targets
        .iter()
        .map(|t| Lbfgs::new(p, t.iter().map(|&v| f64::from(u8::from(v))).collect(), lambda, params))
        .collect();
    solve(x, solvers).into_iter().map(Lbfgs::into_model).collect()
}

/// Run the solvers to the end, serving each round's requests in one pass over `x`.
fn solve(x: &Matrix, mut solvers: Vec<Lbfgs>) -> Vec<Lbfgs> {
    let k = solvers.len();
    let mut passes = Passes::new(x.rows(), x.cols());
    // slot[c]: problem c's request in this round's batch (a product or a gradient, and its column).
    let mut slot: Vec<Option<Need<usize>>> = vec![None; k];
    loop {
        let (mut products, mut residuals) = (Vec::new(), Vec::new());
        for (c, s) in solvers.iter().enumerate() {
            slot[c] = s.need().map(|need| match need {
                Need::Product(d) => {
                    products.push(d);
                    Need::Product(products.len() - 1)
                }
                Need::Gradient(r) => {
                    residuals.push(r);
                    Need::Gradient(residuals.len() - 1)
                }
            });
        }
        if products.is_empty() && residuals.is_empty() {
            break;
        }
        passes.run(x, &products, &residuals);
        drop((products, residuals));
        let passes = &passes;
        solvers.par_iter_mut().zip(&slot).for_each(|(solver, need)| match *need {
            Some(Need::Product(j)) => solver.tell_product(|v| passes.product(j, v)),
            Some(Need::Gradient(j)) => solver.tell_gradient(passes.gradient(j)),
            None => {}
        });
    }
    solvers
}

/// Decision values `Z[i][k] = coef_k·x_i + intercept_k` of several binary models (n × K), the
/// products by the same pass over `x` as the fit's `X·d`.
pub fn decision_function(x: &Matrix, models: &[BinaryLr]) -> Matrix {
    let (n, k) = (x.rows(), models.len());
    let coefs: Vec<&[f64]> = models.iter().map(|m| m.coef.as_slice()).collect();
    let mut passes = Passes::new(n, x.cols());
    passes.run(x, &coefs, &[]);
    let mut z = std::mem::take(&mut passes.products);
    for row in z.chunks_exact_mut(k.max(1)) {
        for (v, m) in row.iter_mut().zip(models) {
            *v += m.intercept;
        }
    }
    Matrix::from_row_major(n, k, z).expect("n x k buffer")
}

/// Logistic function `1 / (1 + exp(−z))` (scipy `expit`); exp overflow gives exactly 0.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// One-vs-rest wrapper (metrics.md §2.3), as scikit-learn's `OneVsRestClassifier`: with K > 2
/// sorted classes, one binary model per class (target `1[label = c]`); with exactly 2 classes,
/// a single model whose positive class is the second one.
#[derive(Clone, Debug)]
pub struct OvrLr {
    pub classes: Vec<String>,
    /// K models, or one (for `classes[1]`) when K = 2.
    pub models: Vec<BinaryLr>,
}

impl OvrLr {
    /// Fit on `labels`; `None` when they hold fewer than two classes.
    pub fn fit(x: &Matrix, labels: &[String], params: &LrParams) -> Option<OvrLr> {
        let classes = crate::data::dataset::classes(labels);
        if classes.len() < 2 {
            return None;
        }
        let positive = if classes.len() == 2 { &classes[1..] } else { &classes[..] };
        let targets: Vec<Vec<bool>> = positive.iter().map(|c| labels.iter().map(|l| l == c).collect()).collect();
        let models = fit_shared(x, &targets, params);
        Some(OvrLr { classes, models })
    }

    fn is_binary(&self) -> bool {
        self.classes.len() == 2
    }

    /// Decision values, one column per model.
    pub fn decision_function(&self, x: &Matrix) -> Matrix {
        decision_function(x, &self.models)
    }

    /// Index (into `classes`) predicted for each row of `decision`: the largest decision value,
    /// ties to the last maximal class; with two classes, `classes[1]` iff the decision is > 0.
    pub fn predict_from_decision(&self, decision: &Matrix) -> Vec<usize> {
        if self.is_binary() {
            return decision.as_slice().iter().map(|&z| usize::from(z > 0.0)).collect();
        }
        decision
            .row_iter()
            .map(|row| {
                let mut best = 0;
                for (k, &v) in row.iter().enumerate() {
                    if v >= row[best] {
                        best = k;
                    }
                }
                best
            })
            .collect()
    }

    /// Class probabilities, columns in class order: `σ(z_c) / Σ_c' σ(z_c')`; with two classes
    /// `(1 − σ(z), σ(z))`, normalised the same way.
    pub fn proba_from_decision(&self, decision: &Matrix) -> Matrix {
        let k = self.classes.len();
        let mut data = Vec::with_capacity(decision.rows() * k);
        for row in decision.row_iter() {
            let start = data.len();
            if self.is_binary() {
                let s = sigmoid(row[0]);
                data.extend([1.0 - s, s]);
            } else {
                data.extend(row.iter().map(|&z| sigmoid(z)));
            }
            let probs = &mut data[start..];
            let total = probs.iter().fold(0.0, |acc, v| acc + v);
            probs.iter_mut().for_each(|v| *v /= total);
        }
        Matrix::from_row_major(decision.rows(), k, data).expect("rows x classes")
    }

    pub fn predict(&self, x: &Matrix) -> Vec<usize> {
        self.predict_from_decision(&self.decision_function(x))
    }

    pub fn predict_proba(&self, x: &Matrix) -> Matrix {
        self.proba_from_decision(&self.decision_function(x))
    }

    pub fn infos(&self) -> Vec<FitInfo> {
        self.models.iter().map(|m| m.info).collect()
    }
}

/// `log(1 + exp(z)) − y·z` and its derivative `σ(z) − y`, piecewise as scikit-learn's
/// `closs_grad_half_binomial` so that neither overflows:
///
/// ```text
/// z ≤ −37:      e = exp(z),   loss = e − y·z,               grad = e − y
/// −37 < z ≤ −2: e = exp(z),   loss = log1p(e) − y·z,        grad = ((1 − y)·e − y)/(1 + e)
/// −2 < z ≤ 18:  e = exp(−z),  loss = log1p(e) + (1 − y)·z,  grad = ((1 − y) − y·e)/(1 + e)
/// z > 18:       e = exp(−z),  loss = e + (1 − y)·z,         grad = ((1 − y) − y·e)/(1 + e)
/// ```
///
/// Branch-free (every piece is computed, then selected) with `vmath`'s exp and log1p, so loops
/// over rows vectorise.
#[inline(always)]
fn loss_and_gradient(y: f64, z: f64) -> (f64, f64) {
    let left = z <= -2.0;
    let e = vmath::exp(if left { z } else { -z });
    let log1p = vmath::log1p(e);
    let loss = if z <= -37.0 {
        e - y * z
    } else if left {
        log1p - y * z
    } else if z <= 18.0 {
        log1p + (1.0 - y) * z
    } else {
        e + (1.0 - y) * z
    };
    let numerator = if left { (1.0 - y) * e - y } else { (1.0 - y) - y * e };
    let grad = if z <= -37.0 { e - y } else { numerator / (1.0 + e) };
    (loss, grad)
}

/// A line-search trial point as the rows see it: `z_i = u_i + stp·v_i + b`.
struct Trial<'a> {
    u: &'a [f64],
    v: &'a [f64],
    stp: f64,
    b: f64,
    /// `n`, the divisor of the residuals.
    count: f64,
}

impl Trial<'_> {
    /// Pointwise losses and residuals `(σ(z_i) − y_i)/n` ([`loss_and_gradient`]), compiled for
    /// AVX2 too (the loop vectorises; the same IEEE operations either way).
    fn pointwise(&self, y: &[f64], loss: &mut [f64], resid: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if kernels::Avx2::detect().is_some() {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { self.pointwise_avx2(y, loss, resid) };
        }
        self.pointwise_body(y, loss, resid)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn pointwise_avx2(&self, y: &[f64], loss: &mut [f64], resid: &mut [f64]) {
        self.pointwise_body(y, loss, resid)
    }

    #[inline(always)]
    fn pointwise_body(&self, y: &[f64], loss: &mut [f64], resid: &mut [f64]) {
        let rows = loss.iter_mut().zip(resid.iter_mut()).zip(y.iter().zip(self.u).zip(self.v));
        for ((loss, resid), ((&y, &u), &v)) in rows {
            let (l, g) = loss_and_gradient(y, u + self.stp * v + self.b);
            *loss = l;
            *resid = g / self.count;
        }
    }
}

/// Dot product with eight interleaved partial sums (like a SIMD BLAS `ddot`), combined
/// pairwise; the order is fixed, so results are reproducible.
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

fn max_abs(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = a.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..8 {
            acc[l] = acc[l].max(c[l].abs());
        }
    }
    rest.iter().fold(acc.iter().fold(0.0, |m, &v| m.max(v)), |m, v| m.max(v.abs()))
}

/// What a solver needs from a pass over `X`: `X·d` for a search direction `d` (p weights), or
/// `Xᵀ·r` for a residual vector `r` (n rows). Carries the slices when asked, their batch columns
/// when scheduled.
#[derive(Clone, Copy, Debug)]
enum Need<T> {
    Product(T),
    Gradient(T),
}

/// Buffers for one pass over `X` serving several problems at once.
///
/// Rows are cut into fixed blocks of `BLOCK` rows, processed in parallel; within a block each
/// tile of rows is loaded once for every pending product `X·d_j` and gradient `Xᵀ·r_j` (the tile
/// kernels). Products are written row by row; the per-block gradient parts `X_bᵀ·r_b` are added
/// in block order.
struct Passes {
    n: usize,
    p: usize,
    /// Products, row-major (n × number of products).
    products: Vec<f64>,
    width: usize,
    /// Per row block, `X_bᵀ·R_b`, column-major (p × number of gradients) each.
    parts: Vec<f64>,
    /// `Xᵀ·R`, column-major (p × number of gradients).
    xtr: Vec<f64>,
}

impl Passes {
    fn new(n: usize, p: usize) -> Self {
        Passes { n, p, products: Vec::new(), width: 0, parts: Vec::new(), xtr: Vec::new() }
    }

    /// One pass over `x`: `X·d` for every `d` in `directions` (p values each) and `Xᵀ·r` for
    /// every `r` in `residuals` (n values each).
    fn run(&mut self, x: &Matrix, directions: &[&[f64]], residuals: &[&[f64]]) {
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
    fn product(&self, j: usize, dst: &mut [f64]) {
        let k = self.width;
        dst.iter_mut().enumerate().for_each(|(i, v)| *v = self.products[i * k + j]);
    }

    /// Gradient part `j`: `Xᵀ·r_j` (p values).
    fn gradient(&self, j: usize) -> &[f64] {
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
    fn run(&self, start: usize, rows: usize, out: &mut [f64], part: &mut [f64]) {
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

/// Where the reverse-communication solver is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Waiting for `Xᵀr` at the starting point.
    Start,
    /// Waiting for `X·d` of a new search direction.
    Direction,
    /// Waiting for `Xᵀr` at the point the line search accepted.
    Accepted,
    Done(Stop),
}

/// L-BFGS with reverse communication for one logistic-regression problem: [`Lbfgs::need`] says
/// which product with `X` the solver waits for, `tell_product`/`tell_gradient` hand it back.
///
/// The solver keeps `u = X·w` of its iterate. Once `v = X·d` of a search direction is known,
/// every line-search trial `x + α·d` is evaluated from `z = u + α·v + b` in O(n): the loss `f`,
/// the residuals and the directional derivative `φ'(α) = r·v + λ·w·d_w + (Σr)·d_b`. Only the
/// accepted point's full gradient needs `Xᵀr`. Variable names follow scipy's `mainlb`/`lnsrlb`.
struct Lbfgs {
    pgtol: f64,
    max_iter: usize,
    /// Number of weights (the intercept is entry `p` of every vector of length `p + 1`).
    p: usize,
    /// Targets `y_i ∈ {0, 1}`, the penalty `λ = 1/(C·n)` and `n`.
    y: Vec<f64>,
    lambda: f64,
    count: f64,
    /// `X·w` of the current iterate, and `X·d_w` of the search direction.
    u: Vec<f64>,
    v: Vec<f64>,
    /// Pointwise losses and residuals `(σ(z) − y)/n` at the last evaluated point, and `Σ r`.
    loss: Vec<f64>,
    resid: Vec<f64>,
    gb: f64,
    /// Point to evaluate; after the fit, the solution.
    x: Vec<f64>,
    f: f64,
    g: Vec<f64>,
    /// Ring of correction pairs `s = x_new − x_old`, `y = g_new − g_old` and their `sᵀy`.
    ws: Vec<f64>,
    wy: Vec<f64>,
    sy: [f64; HISTORY],
    head: usize,
    col: usize,
    itail: usize,
    iupdat: usize,
    theta: f64,
    /// Search direction, unit-step point `z = x + d`, and `x`, `g` at the start of the search.
    d: Vec<f64>,
    z: Vec<f64>,
    t: Vec<f64>,
    r: Vec<f64>,
    fold: f64,
    gd: f64,
    gdold: f64,
    stp: f64,
    ifun: usize,
    search: MoreThuente,
    iterations: usize,
    evaluations: usize,
    phase: Phase,
    alpha: [f64; HISTORY],
}

impl Lbfgs {
    /// A solver for targets `y` starting at `w = 0, b = 0` (so `X·w = 0` without a pass), with
    /// the objective and residuals of the start already evaluated.
    fn new(p: usize, y: Vec<f64>, lambda: f64, params: &LrParams) -> Self {
        let (n, rows) = (p + 1, y.len());
        let mut solver = Lbfgs {
            pgtol: params.tol,
            max_iter: params.max_iter,
            p,
            lambda,
            count: rows as f64,
            u: vec![0.0; rows],
            v: vec![0.0; rows],
            loss: vec![0.0; rows],
            resid: vec![0.0; rows],
            gb: 0.0,
            y,
            x: vec![0.0; n],
            f: 0.0,
            g: vec![0.0; n],
            ws: vec![0.0; HISTORY * n],
            wy: vec![0.0; HISTORY * n],
            sy: [0.0; HISTORY],
            head: 0,
            col: 0,
            itail: 0,
            iupdat: 0,
            theta: 1.0,
            d: vec![0.0; n],
            z: vec![0.0; n],
            t: vec![0.0; n],
            r: vec![0.0; n],
            fold: 0.0,
            gd: 0.0,
            gdold: 0.0,
            stp: 0.0,
            ifun: 0,
            search: MoreThuente::default(),
            iterations: 0,
            evaluations: 0,
            phase: Phase::Start,
            alpha: [0.0; HISTORY],
        };
        solver.f = solver.evaluate(0.0);
        solver
    }

    /// The product the solver waits for (`X·d_w` or `Xᵀr`), or `None` once finished.
    fn need(&self) -> Option<Need<&[f64]>> {
        match self.phase {
            Phase::Start | Phase::Accepted => Some(Need::Gradient(&self.resid)),
            Phase::Direction => Some(Need::Product(&self.d[..self.p])),
            Phase::Done(_) => None,
        }
    }

    /// `f` and the residuals at the current `x`, whose `X·w` is `u + stp·v` (a line-search
    /// trial; at the start `u = v = 0`): `z_i = u_i + stp·v_i + b`, losses and residuals
    /// piecewise as scikit-learn, `f = Σ loss / n + λ‖w‖²/2` (numpy-order sum).
    fn evaluate(&mut self, stp: f64) -> f64 {
        let trial = Trial { u: &self.u, v: &self.v, stp, b: self.x[self.p], count: self.count };
        trial.pointwise(&self.y, &mut self.loss, &mut self.resid);
        self.evaluations += 1;
        self.gb = numpy_sum(&self.resid);
        let w = &self.x[..self.p];
        numpy_sum(&self.loss) / self.count + 0.5 * self.lambda * dot(w, w)
    }

    /// Hand back `X·d_w` of the search direction (written by `fill` into the solver's buffer),
    /// then run the line search, which needs no further pass over `X`.
    fn tell_product(&mut self, fill: impl FnOnce(&mut [f64])) {
        assert_eq!(self.phase, Phase::Direction, "L-BFGS told a product it did not ask for");
        fill(&mut self.v);
        self.line_search();
    }

    /// Hand back `Xᵀr` at the start or the accepted point: completes `∇f = (Xᵀr + λw, Σr)`.
    fn tell_gradient(&mut self, xtr: &[f64]) {
        let p = self.p;
        for ((g, a), w) in self.g[..p].iter_mut().zip(xtr).zip(&self.x[..p]) {
            *g = a + self.lambda * w;
        }
        self.g[p] = self.gb;
        match self.phase {
            Phase::Start => {
                if max_abs(&self.g) <= self.pgtol {
                    self.phase = Phase::Done(Stop::Gradient);
                } else {
                    self.next_direction();
                }
            }
            Phase::Accepted => self.accept_iterate(),
            _ => panic!("L-BFGS told a gradient it did not ask for"),
        }
    }

    /// Compute the search direction and start the line search (scipy `mainlb` label 222 to
    /// `lnsrlb`). Loops when a memory refresh asks for a steepest-descent restart.
    fn next_direction(&mut self) {
        loop {
            if self.col == 0 {
                // Generalised Cauchy point of the model with B = I and no bounds: z = x − g.
                for ((z, x), g) in self.z.iter_mut().zip(&self.x).zip(&self.g) {
                    *z = x + -g;
                }
            } else {
                self.two_loop_direction();
                for ((z, x), d) in self.z.iter_mut().zip(&self.x).zip(&self.d) {
                    *z = x + d;
                }
            }
            for ((d, z), x) in self.d.iter_mut().zip(&self.z).zip(&self.x) {
                *d = z - x;
            }
            let dnorm = dot(&self.d, &self.d).sqrt();
            self.stp = if self.iterations == 0 { (1.0 / dnorm).min(MoreThuente::STPMAX) } else { 1.0 };
            self.t.copy_from_slice(&self.x);
            self.r.copy_from_slice(&self.g);
            self.fold = self.f;
            self.ifun = 0;
            self.gd = dot(&self.g, &self.d);
            self.gdold = self.gd;
            if self.gd >= 0.0 {
                // Not a descent direction: the line search is impossible.
                if self.line_search_failed() {
                    return;
                }
                continue;
            }
            self.search = MoreThuente::start(self.f, self.gd, self.stp);
            self.phase = Phase::Direction;
            return;
        }
    }

    /// Trial steps until the line search accepts one (then `u` moves to it and the solver waits
    /// for its gradient) or gives up after 50 evaluations (then a restart or the end).
    fn line_search(&mut self) {
        loop {
            self.ifun += 1;
            if self.ifun > MAX_LINE_SEARCH {
                if !self.line_search_failed() {
                    self.next_direction();
                }
                return;
            }
            if self.stp == 1.0 {
                self.x.copy_from_slice(&self.z);
            } else {
                for ((x, d), t) in self.x.iter_mut().zip(&self.d).zip(&self.t) {
                    *x = self.stp * d + t;
                }
            }
            self.f = self.evaluate(self.stp);
            let p = self.p;
            self.gd = dot(&self.resid, &self.v) + self.lambda * dot(&self.x[..p], &self.d[..p]) + self.gb * self.d[p];
            if let Search::Done = self.search.step(self.f, self.gd, &mut self.stp) {
                let stp = self.stp;
                self.u.iter_mut().zip(&self.v).for_each(|(u, v)| *u += stp * v);
                self.phase = Phase::Accepted;
                return;
            }
        }
    }

    /// Restore the iterate from before the line search. With an empty memory the run ends
    /// (returns true); otherwise the memory is dropped and the caller restarts.
    fn line_search_failed(&mut self) -> bool {
        self.x.copy_from_slice(&self.t);
        self.g.copy_from_slice(&self.r);
        self.f = self.fold;
        if self.col == 0 {
            self.phase = Phase::Done(Stop::LineSearch);
            return true;
        }
        self.col = 0;
        self.head = 0;
        self.theta = 1.0;
        self.iupdat = 0;
        false
    }

    /// The line search accepted a point: count the iteration, apply the stopping rules in
    /// scipy's order, update the memory and continue.
    fn accept_iterate(&mut self) {
        self.iterations += 1;
        if self.iterations >= self.max_iter {
            self.phase = Phase::Done(Stop::MaxIterations);
            return;
        }
        if self.evaluations > MAX_EVALUATIONS {
            self.phase = Phase::Done(Stop::MaxEvaluations);
            return;
        }
        if max_abs(&self.g) <= self.pgtol {
            self.phase = Phase::Done(Stop::Gradient);
            return;
        }
        let scale = self.fold.abs().max(self.f.abs()).max(1.0);
        if self.fold - self.f <= FTOL * scale {
            self.phase = Phase::Done(Stop::RelativeReduction);
            return;
        }
        for (r, g) in self.r.iter_mut().zip(&self.g) {
            *r = g - *r;
        }
        let rr = dot(&self.r, &self.r);
        let (dr, ddum) = if self.stp == 1.0 {
            (self.gd - self.gdold, -self.gdold)
        } else {
            let stp = self.stp;
            self.d.iter_mut().for_each(|d| *d *= stp);
            ((self.gd - self.gdold) * stp, -self.gdold * stp)
        };
        if dr > f64::EPSILON * ddum {
            self.update_memory(rr, dr);
        }
        self.next_direction();
    }

    /// Store the pair `(s, y) = (d, r)` in the ring and set `θ = yᵀy / sᵀy` (scipy `matupd`).
    fn update_memory(&mut self, rr: f64, dr: f64) {
        let n = self.x.len();
        self.iupdat += 1;
        if self.iupdat <= HISTORY {
            self.col = self.iupdat;
            self.itail = (self.head + self.iupdat - 1) % HISTORY;
        } else {
            self.itail = (self.itail + 1) % HISTORY;
            self.head = (self.head + 1) % HISTORY;
        }
        let slot = self.itail * n..(self.itail + 1) * n;
        self.ws[slot.clone()].copy_from_slice(&self.d);
        self.wy[slot].copy_from_slice(&self.r);
        self.sy[self.itail] = dr;
        self.theta = rr / dr;
    }

    /// `d = −H g` by the two-loop recursion over the stored pairs, `H₀ = I/θ`.
    fn two_loop_direction(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if kernels::Avx2::detect().is_some() {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { self.two_loop_direction_avx2() };
        }
        self.two_loop_direction_body()
    }

    /// The same loops compiled with AVX2 enabled (the compiler vectorises the eight partial
    /// sums of [`dot`] lane for lane, so the result is unchanged).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn two_loop_direction_avx2(&mut self) {
        self.two_loop_direction_body()
    }

    #[inline(always)]
    fn two_loop_direction_body(&mut self) {
        let n = self.x.len();
        for (d, g) in self.d.iter_mut().zip(&self.g) {
            *d = -g;
        }
        for k in (0..self.col).rev() {
            let slot = (self.head + k) % HISTORY;
            let (s, y) = (&self.ws[slot * n..(slot + 1) * n], &self.wy[slot * n..(slot + 1) * n]);
            let a = dot(s, &self.d) / self.sy[slot];
            self.alpha[k] = a;
            self.d.iter_mut().zip(y).for_each(|(d, y)| *d -= a * y);
        }
        let theta = self.theta;
        self.d.iter_mut().for_each(|d| *d /= theta);
        for k in 0..self.col {
            let slot = (self.head + k) % HISTORY;
            let (s, y) = (&self.ws[slot * n..(slot + 1) * n], &self.wy[slot * n..(slot + 1) * n]);
            let beta = dot(y, &self.d) / self.sy[slot];
            let c = self.alpha[k] - beta;
            self.d.iter_mut().zip(s).for_each(|(d, s)| *d += c * s);
        }
    }

    fn into_model(self) -> BinaryLr {
        let p = self.p;
        let stop = match self.phase {
            Phase::Done(s) => s,
            _ => panic!("L-BFGS model taken before the fit finished"),
        };
        let info = FitInfo {
            iterations: self.iterations,
            evaluations: self.evaluations,
            grad_max_norm: max_abs(&self.g),
            stop,
        };
        BinaryLr { coef: self.x[..p].to_vec(), intercept: self.x[p], info }
    }
}

/// What the line search asks for next.
enum Search {
    Evaluate,
    /// Converged or stopped with a warning: either way the current point is accepted.
    Done,
}

/// Moré–Thuente line search, MINPACK-2 `dcsrch` with L-BFGS-B's settings.
#[derive(Clone, Debug, Default)]
struct MoreThuente {
    brackt: bool,
    stage: u8,
    ginit: f64,
    gtest: f64,
    gx: f64,
    gy: f64,
    finit: f64,
    fx: f64,
    fy: f64,
    stx: f64,
    sty: f64,
    stmin: f64,
    stmax: f64,
    width: f64,
    width1: f64,
}

impl MoreThuente {
    const FTOL: f64 = 1e-3;
    const GTOL: f64 = 0.9;
    const XTOL: f64 = 0.1;
    const STPMIN: f64 = 0.0;
    /// L-BFGS-B's `big` step bound for unconstrained problems.
    const STPMAX: f64 = 1e10;
    const XTRAPL: f64 = 1.1;
    const XTRAPU: f64 = 4.0;

    /// `task = 'START'`: `f`, `g` are the value and directional derivative at step 0.
    fn start(f: f64, g: f64, stp: f64) -> Self {
        let width = Self::STPMAX - Self::STPMIN;
        MoreThuente {
            brackt: false,
            stage: 1,
            ginit: g,
            gtest: Self::FTOL * g,
            gx: g,
            gy: g,
            finit: f,
            fx: f,
            fy: f,
            stx: 0.0,
            sty: 0.0,
            stmin: 0.0,
            stmax: stp + Self::XTRAPU * stp,
            width,
            width1: width / 0.5,
        }
    }

    /// Within a bracket, `stp` is at or beyond its ends, or the bracket is narrower than xtol.
    fn no_progress(&self, stp: f64) -> bool {
        self.brackt && (stp <= self.stmin || stp >= self.stmax || self.stmax - self.stmin <= Self::XTOL * self.stmax)
    }

    /// One `dcsrch` call with `f`, `g` at `stp`; updates `stp` when it asks for another point.
    fn step(&mut self, f: f64, g: f64, stp: &mut f64) -> Search {
        let ftest = self.finit + *stp * self.gtest;
        if self.stage == 1 && f <= ftest && g >= 0.0 {
            self.stage = 2;
        }
        let warning = self.no_progress(*stp)
            || (*stp == Self::STPMAX && f <= ftest && g <= self.gtest)
            || (*stp == Self::STPMIN && (f > ftest || g >= self.gtest));
        let converged = f <= ftest && g.abs() <= Self::GTOL * (-self.ginit);
        if warning || converged {
            return Search::Done;
        }
        if self.stage == 1 && f <= self.fx && f > ftest {
            // Use the modified function ψ(α) = f(α) − f(0) − ftol·α·f'(0) until ψ ≤ 0 and f' ≥ 0.
            let mut s = Step {
                stx: self.stx,
                fx: self.fx - self.stx * self.gtest,
                dx: self.gx - self.gtest,
                sty: self.sty,
                fy: self.fy - self.sty * self.gtest,
                dy: self.gy - self.gtest,
                brackt: self.brackt,
            };
            *stp = s.dcstep(*stp, f - *stp * self.gtest, g - self.gtest, self.stmin, self.stmax);
            self.stx = s.stx;
            self.sty = s.sty;
            self.brackt = s.brackt;
            self.fx = s.fx + self.stx * self.gtest;
            self.fy = s.fy + self.sty * self.gtest;
            self.gx = s.dx + self.gtest;
            self.gy = s.dy + self.gtest;
        } else {
            let mut s = Step {
                stx: self.stx,
                fx: self.fx,
                dx: self.gx,
                sty: self.sty,
                fy: self.fy,
                dy: self.gy,
                brackt: self.brackt,
            };
            *stp = s.dcstep(*stp, f, g, self.stmin, self.stmax);
            (self.stx, self.fx, self.gx, self.sty, self.fy, self.gy, self.brackt) =
                (s.stx, s.fx, s.dx, s.sty, s.fy, s.dy, s.brackt);
        }
        if self.brackt {
            if (self.sty - self.stx).abs() >= 0.66 * self.width1 {
                *stp = self.stx + 0.5 * (self.sty - self.stx);
            }
            self.width1 = self.width;
            self.width = (self.sty - self.stx).abs();
            self.stmin = self.stx.min(self.sty);
            self.stmax = self.stx.max(self.sty);
        } else {
            self.stmin = *stp + Self::XTRAPL * (*stp - self.stx);
            self.stmax = *stp + Self::XTRAPU * (*stp - self.stx);
        }
        *stp = stp.clamp(Self::STPMIN, Self::STPMAX);
        if self.no_progress(*stp) {
            *stp = self.stx;
        }
        Search::Evaluate
    }
}

/// The interval state `dcstep` updates: best step `stx`, other end `sty`, values and derivatives.
struct Step {
    stx: f64,
    fx: f64,
    dx: f64,
    sty: f64,
    fy: f64,
    dy: f64,
    brackt: bool,
}

impl Step {
    /// MINPACK-2 `dcstep`: a safeguarded cubic/quadratic step from the trial `(stp, fp, dp)`;
    /// updates the interval and returns the new trial step.
    fn dcstep(&mut self, stp: f64, fp: f64, dp: f64, stpmin: f64, stpmax: f64) -> f64 {
        let (stx, fx, dx, sty, fy, dy) = (self.stx, self.fx, self.dx, self.sty, self.fy, self.dy);
        let sgnd = dp * (dx / dx.abs());
        let stpf = if fp > fx {
            // Higher function value: the minimum is bracketed.
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
            if stp < stx {
                gamma = -gamma;
            }
            let p = (gamma - dx) + theta;
            let q = ((gamma - dx) + gamma) + dp;
            let stpc = stx + (p / q) * (stp - stx);
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
            self.brackt = true;
            if (stpc - stx).abs() < (stpq - stx).abs() {
                stpc
            } else {
                stpc + (stpq - stpc) / 2.0
            }
        } else if sgnd < 0.0 {
            // Lower value, derivatives of opposite sign: bracketed.
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
            if stp > stx {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = ((gamma - dp) + gamma) + dx;
            let stpc = stp + (p / q) * (stx - stp);
            let stpq = stp + (dp / (dp - dx)) * (stx - stp);
            self.brackt = true;
            if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            }
        } else if dp.abs() < dx.abs() {
            // Lower value, same sign, derivative magnitude decreases.
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).max(0.0).sqrt();
            if stp > stx {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = (gamma + (dx - dp)) + gamma;
            let r = p / q;
            let stpc = if r < 0.0 && gamma != 0.0 {
                stp + r * (stx - stp)
            } else if stp > stx {
                stpmax
            } else {
                stpmin
            };
            let stpq = stp + (dp / (dp - dx)) * (stx - stp);
            if self.brackt {
                let f = if (stpc - stp).abs() < (stpq - stp).abs() { stpc } else { stpq };
                if stp > stx {
                    (stp + 0.66 * (sty - stp)).min(f)
                } else {
                    (stp + 0.66 * (sty - stp)).max(f)
                }
            } else {
                let f = if (stpc - stp).abs() > (stpq - stp).abs() { stpc } else { stpq };
                f.min(stpmax).max(stpmin)
            }
        } else if self.brackt {
            // Lower value, same sign, derivative does not decrease: cubic step towards sty.
            let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
            let s = theta.abs().max(dy.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dy / s) * (dp / s)).sqrt();
            if stp > sty {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = ((gamma - dp) + gamma) + dy;
            stp + (p / q) * (sty - stp)
        } else if stp > stx {
            stpmax
        } else {
            stpmin
        };
        if fp > fx {
            self.sty = stp;
            self.fy = fp;
            self.dy = dp;
        } else {
            if sgnd < 0.0 {
                self.sty = stx;
                self.fy = fx;
                self.dy = dx;
            }
            self.stx = stp;
            self.fx = fp;
            self.dx = dp;
        }
        stpf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    /// Objective of §2.2 computed directly, for checking the solver's optimum.
    fn objective(x: &Matrix, y: &[bool], c: f64, w: &[f64], b: f64) -> f64 {
        let n = x.rows() as f64;
        let loss: f64 = x
            .row_iter()
            .zip(y)
            .map(|(r, &t)| {
                let z = dot(r, w) + b;
                (1.0 + z.exp()).ln() - if t { z } else { 0.0 }
            })
            .sum();
        loss / n + dot(w, w) / (2.0 * c * n)
    }

    #[test]
    fn loss_pieces_agree_with_the_plain_formula() {
        for &z in &[-50.0, -37.0, -10.0, -2.0, -0.5, 0.0, 3.0, 18.0, 25.0, 40.0] {
            for &y in &[0.0, 1.0] {
                let (l, g) = loss_and_gradient(y, z);
                let u = if y == 1.0 { -z } else { z };
                let plain = u.max(0.0) + (-u.abs()).exp().ln_1p();
                // Above z = 18 scikit-learn uses log1p(e) ≈ e, relative error ≤ e^-18 / 2 ≈ 8e-9.
                assert!((l - plain).abs() <= 1e-8 * plain.abs(), "z={z} y={y}: {l} vs {plain}");
                assert!((g - (sigmoid(z) - y)).abs() < 1e-15, "z={z} y={y}");
            }
        }
        // No overflow far out.
        assert_eq!(loss_and_gradient(0.0, 1000.0), (1000.0, 1.0));
        assert_eq!(loss_and_gradient(1.0, -1000.0), (1000.0, -1.0));
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
    }

    #[test]
    fn zero_gradient_at_start_stops_immediately() {
        // Balanced labels on a symmetric design: at w = 0, b = 0 the gradient is exactly 0.
        let x = matrix(&[&[1.0], &[-1.0], &[1.0], &[-1.0]]);
        let m = fit_binary(&x, &[true, true, false, false], &LrParams::default());
        assert_eq!(m.coef, vec![0.0]);
        assert_eq!(m.intercept, 0.0);
        assert_eq!(m.info.iterations, 0);
        assert_eq!(m.info.stop, Stop::Gradient);
    }

    #[test]
    fn one_feature_fit_reaches_the_stationary_point() {
        // Overlapping classes: a finite optimum. Check the first-order conditions directly.
        let xs = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0];
        let ys = [false, false, true, false, true, false, true, true];
        let x = Matrix::from_row_major(8, 1, xs.to_vec()).unwrap();
        let m = fit_binary(&x, &ys, &LrParams::default());
        assert!(m.info.converged(), "{:?}", m.info);
        assert!(m.info.grad_max_norm <= 1e-4);
        let n = 8.0;
        let resid: Vec<f64> =
            xs.iter().zip(&ys).map(|(&v, &t)| sigmoid(m.coef[0] * v + m.intercept) - f64::from(u8::from(t))).collect();
        let gb = resid.iter().sum::<f64>() / n;
        let gw = resid.iter().zip(&xs).map(|(r, v)| r * v).sum::<f64>() / n + m.coef[0] / n;
        assert!(gb.abs() <= 1e-4 && gw.abs() <= 1e-4, "gradient {gw} {gb}");
        assert!(m.coef[0] > 0.0);
        // A nudge in any direction does not lower the objective (beyond the tolerance).
        let f0 = objective(&x, &ys, 1.0, &m.coef, m.intercept);
        for (dw, db) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] {
            assert!(objective(&x, &ys, 1.0, &[m.coef[0] + dw], m.intercept + db) >= f0 - 1e-9);
        }
    }

    #[test]
    fn separable_data_is_held_finite_by_the_penalty() {
        let x = matrix(&[&[0.0, 1.0], &[1.0, 0.0], &[3.0, 4.0], &[4.0, 3.0]]);
        let y = [false, false, true, true];
        let m = fit_binary(&x, &y, &LrParams::default());
        assert!(m.info.converged());
        assert!(m.coef.iter().all(|w| w.is_finite() && *w > 0.0));
        let z = decision_function(&x, std::slice::from_ref(&m));
        assert!(z.get(0, 0) < 0.0 && z.get(3, 0) > 0.0);
    }

    #[test]
    fn iteration_cap_is_reported_as_not_converged() {
        let x = matrix(&[&[0.0, 1.0], &[1.0, 0.0], &[3.0, 4.0], &[4.0, 3.0], &[1.0, 1.0]]);
        let y = [false, false, true, true, true];
        let m = fit_binary(&x, &y, &LrParams { max_iter: 2, ..LrParams::default() });
        assert_eq!(m.info.iterations, 2);
        assert_eq!(m.info.stop, Stop::MaxIterations);
        assert!(!m.info.converged());
    }

    #[test]
    fn shared_fits_equal_separate_fits_up_to_rounding() {
        let x = matrix(&[&[0.0, 1.0], &[1.0, 0.5], &[3.0, 4.0], &[4.0, 3.0], &[1.0, 1.0], &[2.0, 0.0]]);
        let a = vec![false, false, true, true, true, false];
        let b = vec![true, false, false, true, false, true];
        let both = fit_shared(&x, &[a.clone(), b.clone()], &LrParams::default());
        for (m, y) in both.iter().zip([a, b]) {
            let alone = fit_binary(&x, &y, &LrParams::default());
            assert!((m.intercept - alone.intercept).abs() < 1e-6);
            for (u, v) in m.coef.iter().zip(&alone.coef) {
                assert!((u - v).abs() < 1e-6);
            }
        }
    }

    fn fixed_ovr(classes: &[&str], n_models: usize) -> OvrLr {
        let info = FitInfo { iterations: 0, evaluations: 1, grad_max_norm: 0.0, stop: Stop::Gradient };
        let model = BinaryLr { coef: vec![1.0], intercept: 0.0, info };
        OvrLr { classes: classes.iter().map(|c| c.to_string()).collect(), models: vec![model; n_models] }
    }

    #[test]
    fn ovr_predict_ties_go_to_the_last_class_and_proba_rows_sum_to_one() {
        let ovr = fixed_ovr(&["a", "b", "c"], 3);
        let d = matrix(&[&[1.0, 1.0, 0.0], &[0.0, 2.0, 2.0], &[-1.0, -3.0, -2.0]]);
        assert_eq!(ovr.predict_from_decision(&d), vec![1, 2, 0]);
        let p = ovr.proba_from_decision(&d);
        for row in p.row_iter() {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        }
        // Row 0: σ(1), σ(1), σ(0) normalised.
        let s1 = sigmoid(1.0);
        assert!((p.get(0, 2) - 0.5 / (2.0 * s1 + 0.5)).abs() < 1e-15);
    }

    #[test]
    fn two_classes_use_one_model_like_sklearn() {
        let ovr = fixed_ovr(&["a", "b"], 1);
        let d = matrix(&[&[2.0], &[0.0], &[-1.0]]);
        // Strictly positive decision → second class; 0 → first class.
        assert_eq!(ovr.predict_from_decision(&d), vec![1, 0, 0]);
        let p = ovr.proba_from_decision(&d);
        assert_eq!((p.cols(), p.get(1, 0), p.get(1, 1)), (2, 0.5, 0.5));
        assert!((p.get(0, 1) - sigmoid(2.0)).abs() < 1e-15);
        let x = matrix(&[&[0.0], &[1.0], &[2.0], &[3.0]]);
        let labels: Vec<String> = ["b", "a", "b", "a"].iter().map(|s| s.to_string()).collect();
        assert_eq!(OvrLr::fit(&x, &labels, &LrParams::default()).unwrap().models.len(), 1);
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        // Enough rows and columns for several parallel blocks.
        let (n, p) = (300, 150);
        let mut rng = crate::rng::Rng::from_seed(11);
        let data: Vec<f64> = (0..n * p).map(|_| rng.normal()).collect();
        let x = Matrix::from_row_major(n, p, data).unwrap();
        let targets: Vec<Vec<bool>> =
            (0..3).map(|k| (0..n).map(|i| x.get(i, k) + 0.5 * rng.normal() > 0.0).collect()).collect();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| fit_shared(&x, &targets, &LrParams::default()))
        };
        let (a, b) = (run(1), run(3));
        for (u, v) in a.iter().zip(&b) {
            assert_eq!(u.coef, v.coef);
            assert_eq!(u.intercept, v.intercept);
            assert_eq!(u.info, v.info);
        }
    }

    #[test]
    fn tracked_products_stay_equal_to_x_times_w() {
        // `u` is updated as u + α·X·d over hundreds of iterations instead of recomputed: it must
        // still equal X·w of the solution to rounding (unscaled data, a long path).
        let (n, p) = (120, 40);
        let mut rng = crate::rng::Rng::from_seed(5);
        let data: Vec<f64> = (0..n * p).map(|i| 10.0 * (i % 7) as f64 + rng.normal() * (1 + i % 5) as f64).collect();
        let x = Matrix::from_row_major(n, p, data).unwrap();
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(x.get(i, 1) + 3.0 * rng.normal() > 10.0))).collect();
        let params = LrParams::default();
        let done = solve(&x, vec![Lbfgs::new(p, y, 1.0 / n as f64, &params)]).pop().unwrap();
        assert!(done.iterations > 50, "a long path: {} iterations", done.iterations);
        for i in 0..n {
            let direct = kernels::dot4(x.row(i), &done.x[..p]);
            let scale = x.row(i).iter().zip(&done.x).map(|(a, w)| (a * w).abs()).sum::<f64>();
            assert!((done.u[i] - direct).abs() <= 1e-12 * scale, "row {i}: {} vs {direct}", done.u[i]);
        }
    }

    #[test]
    fn line_search_takes_a_full_step_on_a_quadratic() {
        // f(α) = (α − 1)², f'(0) = −2: the unit step satisfies both Wolfe conditions.
        let mut ls = MoreThuente::start(1.0, -2.0, 1.0);
        let mut stp = 1.0;
        assert!(matches!(ls.step(0.0, 0.0, &mut stp), Search::Done));
        // From step 4 (f = 9, f' = 6) it brackets and moves back towards 1.
        let mut ls = MoreThuente::start(1.0, -2.0, 4.0);
        let mut stp = 4.0;
        assert!(matches!(ls.step(9.0, 6.0, &mut stp), Search::Evaluate));
        assert!(stp > 0.0 && stp < 4.0, "{stp}");
    }
}
