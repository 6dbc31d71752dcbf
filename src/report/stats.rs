//! Student-t quantiles for the 95 % intervals of the report tables (metrics.md §1.3 allows an
//! interval across folds and seeds beside the mean).

/// `A(t | ν) = P(|T| ≤ t)` for Student's t with an integer number of degrees of freedom `ν ≥ 1`,
/// by the finite series of Abramowitz & Stegun 26.7.3–26.7.4, with `θ = atan(t/√ν)`:
///
/// ```text
/// ν = 1:        A = 2θ/π
/// ν odd ≥ 3:    A = (2/π)·(θ + sin θ·Σ_{k=0}^{(ν−3)/2} a_k cos^{2k+1} θ),  a_0 = 1, a_k = a_{k−1}·2k/(2k+1)
/// ν even:       A = sin θ·Σ_{k=0}^{(ν−2)/2} b_k cos^{2k} θ,                 b_0 = 1, b_k = b_{k−1}·(2k−1)/(2k)
/// ```
///
/// All terms are non-negative, so the sum has no cancellation.
fn central_probability(t: f64, df: u64) -> f64 {
    let theta = (t / (df as f64).sqrt()).atan();
    let (s, c) = theta.sin_cos();
    let c2 = c * c;
    let terms = if df % 2 == 1 { (df - 1) / 2 } else { df / 2 };
    let mut sum = 0.0;
    let mut coef = 1.0;
    let mut power = if df % 2 == 1 { c } else { 1.0 };
    for k in 0..terms {
        if k > 0 {
            let k = k as f64;
            coef *= if df % 2 == 1 { 2.0 * k / (2.0 * k + 1.0) } else { (2.0 * k - 1.0) / (2.0 * k) };
            power *= c2;
        }
        sum += coef * power;
    }
    if df % 2 == 1 {
        std::f64::consts::FRAC_2_PI * (theta + s * sum)
    } else {
        s * sum
    }
}

/// The `p`-quantile (`0.5 < p < 1`) of Student's t with `df ≥ 1` degrees of freedom: the `t`
/// with `A(t | df) = 2p − 1`, found by bisection on the monotone `A` (to the last bit).
pub fn student_t_quantile(p: f64, df: u64) -> f64 {
    assert!(p > 0.5 && p < 1.0 && df >= 1, "student_t_quantile needs 0.5 < p < 1 and df ≥ 1");
    let target = 2.0 * p - 1.0;
    let mut hi = 1.0;
    while central_probability(hi, df) < target {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    while hi - lo > f64::EPSILON * hi {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if central_probability(mid, df) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden values from scipy.stats.t.ppf (scripts/golden_report.py).
    const GOLDEN: &str = include_str!("../../tests/golden/report_t_quantiles.csv");

    #[test]
    fn closed_forms() {
        // ν = 2: A(t) = t/√(2 + t²), so t_0.975 = √(2·0.95²/(1 − 0.95²)).
        let exact = (2.0 * 0.95f64.powi(2) / (1.0 - 0.95f64.powi(2))).sqrt();
        assert!((student_t_quantile(0.975, 2) - exact).abs() < 1e-12);
        // ν = 1 (Cauchy): t_p = tan(π(p − 1/2)).
        let exact = (std::f64::consts::PI * 0.475).tan();
        assert!((student_t_quantile(0.975, 1) - exact).abs() < 1e-10);
    }

    #[test]
    fn matches_scipy() {
        let mut n = 0;
        for line in GOLDEN.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (p, df, want): (f64, u64, f64) = (f[0].parse().unwrap(), f[1].parse().unwrap(), f[2].parse().unwrap());
            let got = student_t_quantile(p, df);
            assert!((got - want).abs() <= 1e-10 * want, "p {p} df {df}: {got} vs scipy {want}");
            n += 1;
        }
        assert!(n > 10);
    }
}
