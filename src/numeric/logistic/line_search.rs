//! The Moré–Thuente line search of L-BFGS-B (MINPACK-2 `dcsrch`/`dcstep`).

/// What the line search asks for next.
pub(super) enum Search {
    Evaluate,
    /// Converged or stopped with a warning: either way the current point is accepted.
    Done,
}

/// Moré–Thuente line search, MINPACK-2 `dcsrch` with L-BFGS-B's settings.
#[derive(Clone, Debug, Default)]
pub(super) struct MoreThuente {
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
    pub(super) const STPMAX: f64 = 1e10;
    const XTRAPL: f64 = 1.1;
    const XTRAPU: f64 = 4.0;

    /// `task = 'START'`: `f`, `g` are the value and directional derivative at step 0.
    pub(super) fn start(f: f64, g: f64, stp: f64) -> Self {
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
    pub(super) fn step(&mut self, f: f64, g: f64, stp: &mut f64) -> Search {
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
