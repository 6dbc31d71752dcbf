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
mod lbfgs;
mod line_search;
mod objective;
mod ovr;
mod passes;

use crate::data::matrix::Matrix;
use lbfgs::Lbfgs;
pub use ovr::OvrLr;
use passes::{Need, Passes};
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

#[cfg(test)]
mod tests {
    use super::*;
    use objective::dot;

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
}
