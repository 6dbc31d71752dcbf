//! The L-BFGS solver of one logistic-regression problem, by reverse communication (scipy's
//! L-BFGS-B on an unbounded problem; see the module doc of `logistic`).

use super::kernels;
use super::line_search::{MoreThuente, Search};
use super::objective::{dot, max_abs, Trial};
use super::passes::Need;
use super::{BinaryLr, FitInfo, LrParams, Stop};
use crate::numeric::summation::numpy_sum;

/// L-BFGS memory (scipy `maxcor`).
const HISTORY: usize = 10;
/// Line-search evaluations per iteration (scikit-learn passes `maxls=50`).
const MAX_LINE_SEARCH: usize = 50;
/// scipy's default `maxfun`.
const MAX_EVALUATIONS: usize = 15_000;
/// Relative-decrease threshold: scikit-learn's `ftol = 64·ε`.
const FTOL: f64 = 64.0 * f64::EPSILON;

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
pub(super) struct Lbfgs {
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
    pub(super) fn new(p: usize, y: Vec<f64>, lambda: f64, params: &LrParams) -> Self {
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
    pub(super) fn need(&self) -> Option<Need<&[f64]>> {
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
    pub(super) fn tell_product(&mut self, fill: impl FnOnce(&mut [f64])) {
        assert_eq!(self.phase, Phase::Direction, "L-BFGS told a product it did not ask for");
        fill(&mut self.v);
        self.line_search();
    }

    /// Hand back `Xᵀr` at the start or the accepted point: completes `∇f = (Xᵀr + λw, Σr)`.
    pub(super) fn tell_gradient(&mut self, xtr: &[f64]) {
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

    pub(super) fn into_model(self) -> BinaryLr {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::matrix::Matrix;
    use crate::numeric::logistic::solve;

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
}
