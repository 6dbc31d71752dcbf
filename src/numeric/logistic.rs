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
//! **Speed.** Problems that share `X` (the K one-vs-rest problems) are solved together: each
//! keeps its own L-BFGS state, but every round evaluates all pending points in one pass over `X`:
//! per fixed block of rows, each tile of rows gives `z = X·w`, the losses and residuals, and its
//! share of `G_b = X_bᵀ·R_b` while the rows are in cache (the tile kernels of `kernels`, AVX2 or
//! a portable twin with the same IEEE operations); blocks run in parallel, the `G_b` are added in
//! block order, and the K solver updates run in parallel too. Nothing depends on the thread count
//! or the CPU, so results are bit-identical for any number of threads.

mod kernels;

use crate::data::matrix::Matrix;
use crate::numeric::summation::numpy_sum;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
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
/// problems share matrix products). Each target must have `x.rows()` entries.
pub fn fit_shared(x: &Matrix, targets: &[Vec<bool>], params: &LrParams) -> Vec<BinaryLr> {
    let (n, p) = (x.rows(), x.cols());
    assert!(n > 0, "logistic regression needs at least one row");
    assert!(targets.iter().all(|t| t.len() == n), "every target needs one value per row");
    let k = targets.len();
    let y: Vec<Vec<f64>> = targets.iter().map(|t| t.iter().map(|&v| f64::from(u8::from(v))).collect()).collect();
    let lambda = 1.0 / (params.c * n as f64);
    let mut solvers: Vec<Lbfgs> = (0..k).map(|_| Lbfgs::new(vec![0.0; p + 1], params)).collect();
    let mut work = Workspace::new(n, p, k);
    // column[c]: where problem c's pending point sits in this round's batch.
    let mut column: Vec<Option<usize>> = vec![None; k];
    loop {
        let mut active = 0;
        for (c, s) in solvers.iter().enumerate() {
            column[c] = s.pending().map(|_| {
                active += 1;
                active - 1
            });
        }
        if active == 0 {
            break;
        }
        let points: Vec<&[f64]> = solvers.iter().filter_map(Lbfgs::pending).collect();
        let targets: Vec<&[f64]> = (0..k).filter(|&c| column[c].is_some()).map(|c| y[c].as_slice()).collect();
        work.evaluate(x, &points, &targets, lambda);
        drop(points);
        let work = &work;
        solvers.par_iter_mut().zip(&column).for_each(|(solver, col)| {
            if let Some(j) = *col {
                solver.tell(work.f[j], |g| work.gradient(j, g));
            }
        });
    }
    solvers.into_iter().map(|s| s.into_model(p)).collect()
}

/// Decision values `Z[i][k] = coef_k·x_i + intercept_k` of several binary models (n × K).
pub fn decision_function(x: &Matrix, models: &[BinaryLr]) -> Matrix {
    let (n, p, k) = (x.rows(), x.cols(), models.len());
    let mut w = vec![0.0; p * k];
    for (col, m) in w.chunks_exact_mut(p.max(1)).zip(models) {
        col.copy_from_slice(&m.coef);
    }
    let mut z = vec![0.0; n * k];
    mul_x_w(x.as_faer(), MatRef::from_column_major_slice(&w, p, k), &mut z, k);
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
/// `closs_grad_half_binomial` so that neither overflows.
fn loss_and_gradient(y: f64, z: f64) -> (f64, f64) {
    if z <= -37.0 {
        let e = z.exp();
        (e - y * z, e - y)
    } else if z <= -2.0 {
        let e = z.exp();
        (e.ln_1p() - y * z, ((1.0 - y) * e - y) / (1.0 + e))
    } else if z <= 18.0 {
        let e = (-z).exp();
        (e.ln_1p() + (1.0 - y) * z, ((1.0 - y) - y * e) / (1.0 + e))
    } else {
        let e = (-z).exp();
        (e + (1.0 - y) * z, ((1.0 - y) - y * e) / (1.0 + e))
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

/// `dst = lhs · rhs` on one thread. Products with one or two columns go column by column
/// (faer's matrix–vector kernel is faster there).
fn product(lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>, mut dst: MatMut<'_, f64>) {
    if rhs.ncols() <= 2 {
        for c in 0..rhs.ncols() {
            matmul(dst.as_mut().subcols_mut(c, 1), Accum::Replace, lhs, rhs.subcols(c, 1), 1.0, Par::Seq);
        }
    } else {
        matmul(dst, Accum::Replace, lhs, rhs, 1.0, Par::Seq);
    }
}

/// `dst (n × k, row-major) = X · W`, in fixed blocks of rows run in parallel, so the result
/// does not depend on the number of threads.
fn mul_x_w(x: MatRef<'_, f64>, w: MatRef<'_, f64>, dst: &mut [f64], k: usize) {
    let n = x.nrows();
    dst[..n * k].par_chunks_mut(BLOCK * k.max(1)).enumerate().for_each(|(blk, chunk)| {
        let rows = chunk.len() / k.max(1);
        product(x.subrows(blk * BLOCK, rows), w, MatMut::from_row_major_slice_mut(chunk, rows, k));
    });
}

/// Buffers for evaluating the objective of several problems that share `X`.
///
/// One round reads `X` once: rows are cut into fixed blocks of `BLOCK` rows, processed in
/// parallel; within a block each row `x_i` is loaded once, giving `z_ij = w_j·x_i + b_j`, the
/// pointwise loss and residual `r_ij`, and the rank-one update `g_j += r_ij·x_i` of the block's
/// partial gradient while `x_i` is in L1 cache. The partial gradients are added in block order.
struct Workspace {
    n: usize,
    p: usize,
    /// Pending points: weights column-major (p × k), intercepts.
    w: Vec<f64>,
    b: Vec<f64>,
    /// Pointwise losses, row-major (n × k).
    loss: Vec<f64>,
    /// Residuals `(σ(z) − y)/n`, row-major (n × k).
    resid: Vec<f64>,
    /// Per row block, `X_bᵀ·R_b`, column-major (p × k) each.
    parts: Vec<f64>,
    /// `Xᵀ·R`, column-major (p × k).
    xtr: Vec<f64>,
    /// One column of `loss` or `resid`, for numpy-order sums.
    column: Vec<f64>,
    /// Objective value and intercept derivative per pending point.
    f: Vec<f64>,
    gb: Vec<f64>,
    lambda: f64,
}

impl Workspace {
    fn new(n: usize, p: usize, k: usize) -> Self {
        let blocks = n.div_ceil(BLOCK);
        Workspace {
            n,
            p,
            w: vec![0.0; p * k],
            b: vec![0.0; k],
            loss: vec![0.0; n * k],
            resid: vec![0.0; n * k],
            parts: vec![0.0; blocks * p * k],
            xtr: vec![0.0; p * k],
            column: vec![0.0; n],
            f: vec![0.0; k],
            gb: vec![0.0; k],
            lambda: 0.0,
        }
    }

    /// Objective, residuals and `Xᵀ·R` at each point (`p + 1` values: weights then intercept).
    fn evaluate(&mut self, x: &Matrix, points: &[&[f64]], targets: &[&[f64]], lambda: f64) {
        let (n, p, k) = (self.n, self.p, points.len());
        self.lambda = lambda;
        for (j, pt) in points.iter().enumerate() {
            self.w[j * p..(j + 1) * p].copy_from_slice(&pt[..p]);
            self.b[j] = pt[p];
        }
        let block = Block { x, w: &self.w[..p * k], b: &self.b[..k], targets, count: n as f64 };
        self.loss[..n * k]
            .par_chunks_mut(BLOCK * k)
            .zip(self.resid[..n * k].par_chunks_mut(BLOCK * k))
            .zip(self.parts.par_chunks_mut(p * k))
            .enumerate()
            .for_each(|(blk, ((loss, resid), part))| block.evaluate(blk * BLOCK, loss, resid, &mut part[..p * k]));
        let blocks = n.div_ceil(BLOCK);
        let (parts, xtr) = (&self.parts, &mut self.xtr[..p * k]);
        xtr.copy_from_slice(&parts[..p * k]);
        for part in parts[p * k..].chunks_exact(p * k).take(blocks - 1) {
            xtr.iter_mut().zip(part).for_each(|(a, v)| *a += v);
        }
        for j in 0..k {
            let wj = &self.w[j * p..(j + 1) * p];
            self.column.iter_mut().enumerate().for_each(|(i, c)| *c = self.loss[i * k + j]);
            self.f[j] = numpy_sum(&self.column) / n as f64 + 0.5 * lambda * dot(wj, wj);
            self.column.iter_mut().enumerate().for_each(|(i, c)| *c = self.resid[i * k + j]);
            self.gb[j] = numpy_sum(&self.column);
        }
    }

    /// Write the gradient of pending point `j` into `grad`.
    fn gradient(&self, j: usize, grad: &mut [f64]) {
        let p = self.p;
        let w = &self.w[j * p..(j + 1) * p];
        let xtr = &self.xtr[j * p..(j + 1) * p];
        for ((g, a), w) in grad[..p].iter_mut().zip(xtr).zip(w) {
            *g = a + self.lambda * w;
        }
        grad[p] = self.gb[j];
    }
}

/// What one block of rows needs to evaluate the `k` pending points.
struct Block<'a> {
    x: &'a Matrix,
    /// Weights, column-major (p × k).
    w: &'a [f64],
    b: &'a [f64],
    targets: &'a [&'a [f64]],
    count: f64,
}

impl Block<'_> {
    /// Losses and residuals of rows `start..start + loss.len()/k` and their gradient part
    /// `part = X_bᵀ·R_b` (column-major p × k), with the AVX2 kernels where the CPU has them
    /// (bit-identical to the portable ones, see [`kernels`]).
    fn evaluate(&self, start: usize, loss: &mut [f64], resid: &mut [f64], part: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = kernels::Avx2::detect() {
            // SAFETY: `simd` exists, so the CPU has AVX2.
            return unsafe { self.evaluate_avx2(simd, start, loss, resid, part) };
        }
        self.evaluate_rows(&kernels::Portable, start, loss, resid, part)
    }

    /// [`Self::evaluate_rows`] compiled with AVX2 enabled, so the kernels inline into it.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn evaluate_avx2(
        &self,
        simd: kernels::Avx2,
        start: usize,
        loss: &mut [f64],
        resid: &mut [f64],
        part: &mut [f64],
    ) {
        self.evaluate_rows(&simd, start, loss, resid, part)
    }

    /// One problem: rows in tiles of [`kernels::WIDE`] (eight independent sums per load of the
    /// weights). Several: rows in tiles of [`kernels::GROUP`], problems in pairs, a last odd one
    /// alone. Leftover rows go one at a time through [`kernels::dot4`] and [`kernels::axpy`].
    /// Every path performs the same operations per row and problem.
    #[inline(always)]
    fn evaluate_rows(
        &self,
        kern: &impl TileKernels,
        start: usize,
        loss: &mut [f64],
        resid: &mut [f64],
        part: &mut [f64],
    ) {
        let k = self.b.len();
        let rows = loss.len() / k;
        part.fill(0.0);
        let mut i = 0;
        if k == 1 {
            while i + WIDE <= rows {
                let xs: kernels::WideRows<'_> = std::array::from_fn(|r| self.x.row(start + i + r));
                let z = kern.dot_8x1(&xs, self.weights(0));
                let coef: [f64; WIDE] = std::array::from_fn(|r| self.residual(start + i + r, 0, z[r], loss, resid));
                kern.axpy_8x1(&coef, &xs, part);
                i += WIDE;
            }
        }
        while i + GROUP <= rows {
            let xs: kernels::Rows<'_> = std::array::from_fn(|r| self.x.row(start + i + r));
            self.pairs_4(kern, &xs, start + i, k / 2, loss, resid, part);
            if k % 2 == 1 {
                let j = k - 1;
                let z = kern.dot_4x1(&xs, self.weights(j));
                let coef: [f64; GROUP] = std::array::from_fn(|r| self.residual(start + i + r, j, z[r], loss, resid));
                kern.axpy_4x1(&coef, &xs, self.gradient_part(part, j));
            }
            i += GROUP;
        }
        for row in start + i..start + rows {
            let x = self.x.row(row);
            for j in 0..k {
                let r = self.residual(row, j, kernels::dot4(x, self.weights(j)), loss, resid);
                kernels::axpy(r, x, self.gradient_part(part, j));
            }
        }
    }

    /// Problems `2q, 2q + 1` for `q < pairs` over the 4 rows `xs` (first row `first`).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn pairs_4(
        &self,
        kern: &impl TileKernels,
        xs: &kernels::Rows<'_>,
        first: usize,
        pairs: usize,
        loss: &mut [f64],
        resid: &mut [f64],
        part: &mut [f64],
    ) {
        let p = self.x.cols();
        for j in (0..2 * pairs).step_by(2) {
            let z = kern.dot_4x2(xs, self.weights(j), self.weights(j + 1));
            let coef: [[f64; 2]; GROUP] = std::array::from_fn(|r| {
                [
                    self.residual(first + r, j, z[r][0], loss, resid),
                    self.residual(first + r, j + 1, z[r][1], loss, resid),
                ]
            });
            let (g0, g1) = part[j * p..(j + 2) * p].split_at_mut(p);
            kern.axpy_4x2(&coef, xs, g0, g1);
        }
    }

    /// Problem `j`'s column of the block's gradient part.
    #[inline(always)]
    fn gradient_part<'p>(&self, part: &'p mut [f64], j: usize) -> &'p mut [f64] {
        let p = self.x.cols();
        &mut part[j * p..(j + 1) * p]
    }

    /// Weights of pending point `j`.
    #[inline(always)]
    fn weights(&self, j: usize) -> &[f64] {
        let p = self.x.cols();
        &self.w[j * p..(j + 1) * p]
    }

    /// Store row `row`'s loss and residual `(σ(z) − y)/n` for problem `j` (`z` without the
    /// intercept) and return the residual.
    #[inline(always)]
    fn residual(&self, row: usize, j: usize, z: f64, loss: &mut [f64], resid: &mut [f64]) -> f64 {
        let (k, local) = (self.b.len(), row % BLOCK);
        let (l, g) = loss_and_gradient(self.targets[j][row], z + self.b[j]);
        let r = g / self.count;
        loss[local * k + j] = l;
        resid[local * k + j] = r;
        r
    }
}

/// Where the reverse-communication solver is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Waiting for `f, ∇f` at the starting point.
    Start,
    /// Waiting for `f, ∇f` at a line-search trial point.
    LineSearch,
    Done(Stop),
}

/// L-BFGS with reverse communication: `pending()` is the point at which the caller evaluates
/// `f` and `∇f`, `tell()` hands them back. Variable names follow scipy's `mainlb`/`lnsrlb`.
struct Lbfgs {
    pgtol: f64,
    max_iter: usize,
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
    fn new(x0: Vec<f64>, params: &LrParams) -> Self {
        let n = x0.len();
        Lbfgs {
            pgtol: params.tol,
            max_iter: params.max_iter,
            x: x0,
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
        }
    }

    /// The point awaiting evaluation, or `None` once finished.
    fn pending(&self) -> Option<&[f64]> {
        match self.phase {
            Phase::Done(_) => None,
            _ => Some(&self.x),
        }
    }

    /// Hand back `f` and, through `fill_gradient`, `∇f` at the pending point.
    fn tell(&mut self, f: f64, fill_gradient: impl FnOnce(&mut [f64])) {
        self.f = f;
        fill_gradient(&mut self.g);
        self.evaluations += 1;
        match self.phase {
            Phase::Start => {
                if max_abs(&self.g) <= self.pgtol {
                    self.phase = Phase::Done(Stop::Gradient);
                } else {
                    self.next_direction();
                }
            }
            Phase::LineSearch => {
                self.gd = dot(&self.g, &self.d);
                match self.search.step(self.f, self.gd, &mut self.stp) {
                    Search::Evaluate => self.request_trial(),
                    Search::Done => self.accept_iterate(),
                }
            }
            Phase::Done(_) => panic!("L-BFGS told a value after it finished"),
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
            self.request_trial();
            return;
        }
    }

    /// Ask for `f, ∇f` at the current step, or give up after 50 evaluations.
    fn request_trial(&mut self) {
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
        self.phase = Phase::LineSearch;
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

    fn into_model(self, p: usize) -> BinaryLr {
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
