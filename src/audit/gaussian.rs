//! The audit's self-test mechanism (docs/audit.md §6): the Gaussian mechanism on a counting
//! query, `M(D) = |D| + N(0, σ²)` with sensitivity 1 under add/remove neighbours, whose exact
//! privacy curve is known (Balle & Wang 2018, Theorem 8): with `μ = 1/σ`,
//!
//! `δ(ε) = Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2)`,
//!
//! so the true ε at δ is the root of `δ(ε) = δ` (δ(ε) decreases in ε).

use super::game::{play, GameScores, Trial};
use crate::error::Result;
use crate::numeric::special::std_normal_cdf;
use crate::rng::Rng;

/// `δ(ε)` of the Gaussian mechanism with `μ = Δ/σ` (module documentation).
pub fn exact_delta(mu: f64, eps: f64) -> f64 {
    std_normal_cdf(-eps / mu + mu / 2.0) - eps.exp() * std_normal_cdf(-eps / mu - mu / 2.0)
}

/// The smallest ε with `δ(ε) ≤ δ`, by bisection (upper end returned).
pub fn exact_epsilon(mu: f64, delta: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while exact_delta(mu, hi) > delta {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if exact_delta(mu, mid) > delta {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-14 * hi {
            break;
        }
    }
    hi
}

/// The game on the counting query: D has `n` records, D′ one more; the score is the release.
pub fn counting_query_game(n: usize, sigma: f64, trials: usize, base: &Rng) -> Result<GameScores> {
    play(trials, 1, base, |with_canary, mut rng| {
        let count = n as f64 + f64::from(u8::from(with_canary));
        Ok(Trial { scores: vec![count + sigma * rng.normal()], privacy: None })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::accountant::{cdp_eps, gaussian_rho};

    #[test]
    fn the_exact_curve_is_below_the_zcdp_conversion() {
        // The exact ε never exceeds the zCDP bound ε(ρ = 1/(2σ²)) the accountant states.
        for sigma in [0.5, 1.0, 2.0, 5.0] {
            let exact = exact_epsilon(1.0 / sigma, 1e-5);
            let stated = cdp_eps(gaussian_rho(sigma, 1.0), 1e-5);
            assert!(exact > 0.0 && exact < stated, "σ {sigma}: exact {exact} vs zCDP {stated}");
            assert!((exact_delta(1.0 / sigma, exact) - 1e-5).abs() < 1e-9);
        }
    }
}
