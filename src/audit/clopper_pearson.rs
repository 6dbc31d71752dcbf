//! One-sided Clopper–Pearson upper confidence bounds for a binomial proportion (docs/audit.md
//! §2.2): the exact inversion of the binomial tail, from [`crate::numeric::special::incomplete_beta`].

use crate::numeric::special::incomplete_beta;

/// `P(X ≤ k)` for `X ~ Bin(n, p)`: `1 − I_p(k + 1, n − k)` (1 when `k ≥ n`).
pub fn binomial_cdf(k: usize, n: usize, p: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    1.0 - incomplete_beta(k as f64 + 1.0, (n - k) as f64, p)
}

/// The one-sided `1 − α` Clopper–Pearson upper bound on `p` after `k` successes in `n` trials:
/// the `p_u` with `P(X ≤ k | n, p_u) = α` (docs/audit.md §2.2), found by bisection on the
/// decreasing function `p ↦ P(X ≤ k | n, p)` and returned at the upper end (conservative).
/// `k = n` gives 1; `k = 0` gives `1 − α^(1/n)` exactly in exact arithmetic.
pub fn upper_bound(k: usize, n: usize, alpha: f64) -> f64 {
    assert!(k <= n && n > 0, "Clopper–Pearson needs 0 ≤ k ≤ n and n > 0 (k = {k}, n = {n})");
    assert!(alpha > 0.0 && alpha < 1.0, "alpha must lie in (0, 1), got {alpha}");
    if k == n {
        return 1.0;
    }
    let (mut lo, mut hi) = (k as f64 / n as f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if binomial_cdf(k, n, mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-15 * hi {
            break;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms_at_the_ends() {
        // k = 0: (1 − p)^n = α ⇒ p = 1 − α^(1/n); k = n − 1: 1 − p^n = α ⇒ p = (1 − α)^(1/n).
        for (n, alpha) in [(1, 0.05), (10, 0.025), (500, 0.00625), (10_000, 0.05)] {
            let want0 = 1.0 - f64::powf(alpha, 1.0 / n as f64);
            assert!((upper_bound(0, n, alpha) - want0).abs() < 1e-12 * want0.max(1e-3), "n {n}");
            let want1 = f64::powf(1.0 - alpha, 1.0 / n as f64);
            assert!((upper_bound(n - 1, n, alpha) - want1).abs() < 1e-12, "n {n}");
            assert_eq!(upper_bound(n, n, alpha), 1.0);
        }
    }

    #[test]
    fn the_bound_has_tail_probability_alpha() {
        for (k, n) in [(3, 20), (17, 100), (250, 1000)] {
            let p = upper_bound(k, n, 0.025);
            assert!(p > k as f64 / n as f64);
            assert!((binomial_cdf(k, n, p) - 0.025).abs() < 1e-10, "k {k} n {n}");
        }
    }
}
