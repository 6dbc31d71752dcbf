//! The logistic loss per row and the reductions the solver applies to it (metrics.md §2.2).

use super::kernels;
use crate::numeric::vmath;

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
pub(super) struct Trial<'a> {
    pub(super) u: &'a [f64],
    pub(super) v: &'a [f64],
    pub(super) stp: f64,
    pub(super) b: f64,
    /// `n`, the divisor of the residuals.
    pub(super) count: f64,
}

impl Trial<'_> {
    /// Pointwise losses and residuals `(σ(z_i) − y_i)/n` ([`loss_and_gradient`]), compiled for
    /// AVX2 too (the loop vectorises; the same IEEE operations either way).
    pub(super) fn pointwise(&self, y: &[f64], loss: &mut [f64], resid: &mut [f64]) {
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
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
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

pub(super) fn max_abs(a: &[f64]) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::logistic::sigmoid;

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
}
