//! Statistics of the report tables: the mean and variance of a metric over folds × seeds, and
//! Student-t quantiles for the 95 % intervals (metrics.md §1.3 allows an interval across folds
//! and seeds beside the mean).

/// Mean of `values` by compensated (Kahan) summation, `(Σ x_i) / n`; NaN when empty.
///
/// ```text
/// y = x_i − c;  t = s + y;  c' = (t − s) − y;  s = t;  c = c' (kept only while finite)
/// ```
///
/// Keeping the last finite `c` stops `inf − inf` from turning an infinite sum into NaN.
/// (This is the polars `KahanSum` that table1.csv was computed with before polars was removed;
/// keeping the same recurrence keeps the published numbers byte-identical.)
pub fn kahan_mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let (mut sum, mut err) = (0.0f64, 0.0f64);
    for &x in values {
        let y = x - err;
        let next = sum + y;
        let next_err = (next - sum) - y;
        sum = next;
        if next_err.is_finite() {
            err = next_err;
        }
    }
    sum / values.len() as f64
}

/// Sample variance with `ddof` delta degrees of freedom by Welford's online recurrence
/// (Welford 1962), `M₂ / (n − ddof)`; NaN when `n ≤ ddof`.
///
/// ```text
/// δ₁ = x_k − m;  m' = δ₁/k + m;  δ₂ = x_k − m';  M₂' = M₂ + δ₁·δ₂
/// ```
pub fn welford_variance(values: &[f64], ddof: usize) -> f64 {
    if values.len() <= ddof {
        return f64::NAN;
    }
    let (mut mean, mut m2) = (0.0f64, 0.0f64);
    for (k, &x) in values.iter().enumerate() {
        let delta_1 = x - mean;
        let next_mean = delta_1 / (k + 1) as f64 + mean;
        let delta_2 = x - next_mean;
        m2 += delta_1 * delta_2;
        mean = next_mean;
    }
    m2 / (values.len() - ddof) as f64
}

/// Resamples of the percentile bootstrap ([`bootstrap_mean_interval`]).
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// Seed of the bootstrap resampling stream (ChaCha8), fixed so that reports are deterministic.
const BOOTSTRAP_SEED: u64 = 0x7461_626c_6531;

/// Percentile-bootstrap interval of the mean at `level` (e.g. 0.95): draw
/// [`BOOTSTRAP_RESAMPLES`] resamples of `n` values with replacement, take each resample's mean
/// `m_b`, and return the `(1 − level)/2` and `(1 + level)/2` quantiles of the sorted `m_b`
/// (linear interpolation between order statistics, numpy's default). Each `m_b` lies between
/// `min x` and `max x`, so the interval does too. `(NaN, NaN)` when `n < 2`.
pub fn bootstrap_mean_interval(values: &[f64], level: f64) -> (f64, f64) {
    use rand::{Rng, SeedableRng};
    let n = values.len();
    if n < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
    let mut means: Vec<f64> =
        (0..BOOTSTRAP_RESAMPLES).map(|_| (0..n).map(|_| values[rng.gen_range(0..n)]).sum::<f64>() / n as f64).collect();
    means.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    (quantile_sorted(&means, tail), quantile_sorted(&means, 1.0 - tail))
}

/// The `q`-quantile of sorted values with linear interpolation: position `q·(len − 1)`.
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

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
    fn mean_and_variance_by_hand() {
        // 0.5, 0.7, 0.9: mean 0.7; squared deviations 0.04 + 0 + 0.04 over n − 1 = 2 gives 0.04.
        let v = [0.5, 0.7, 0.9];
        assert!((kahan_mean(&v) - 0.7).abs() < 1e-15);
        assert!((welford_variance(&v, 1) - 0.04).abs() < 1e-15);
        assert!((welford_variance(&v, 0) - 0.08 / 3.0).abs() < 1e-15);
        assert!(kahan_mean(&[]).is_nan() && welford_variance(&[1.0], 1).is_nan());
        // Compensation: 1 + 1e-16 + … + 1e-16 (10 times) keeps the small terms a plain sum loses.
        let mut w = vec![1.0];
        w.extend([1e-16; 10]);
        assert_eq!(kahan_mean(&w), (1.0 + 1e-15) / 11.0);
        assert_ne!(w.iter().sum::<f64>(), 1.0 + 1e-15);
        // An infinite value gives an infinite mean, not NaN.
        assert_eq!(kahan_mean(&[1.0, f64::INFINITY, 2.0]), f64::INFINITY);
    }

    #[test]
    fn bootstrap_interval_stays_in_the_range_of_the_values() {
        // Accuracy-like values close to 1: the t-interval leaves [0, 1], the bootstrap cannot.
        let v = [0.96, 1.0, 1.0, 0.98, 1.0];
        let (lo, hi) = bootstrap_mean_interval(&v, 0.95);
        assert!(0.96 <= lo && lo < hi && hi <= 1.0, "[{lo}, {hi}]");
        let mean = kahan_mean(&v);
        assert!(lo < mean && mean < hi);
        let t_hi = mean + student_t_quantile(0.975, 4) * welford_variance(&v, 1).sqrt() / 5f64.sqrt();
        assert!(t_hi > 1.0, "the example must show the t-interval leaving the range: {t_hi}");
        // Constant values: a point interval; fewer than two values: no interval.
        assert_eq!(bootstrap_mean_interval(&[0.5; 4], 0.95), (0.5, 0.5));
        assert!(bootstrap_mean_interval(&[0.5], 0.95).0.is_nan());
        // Deterministic.
        assert_eq!(bootstrap_mean_interval(&v, 0.95), (lo, hi));
        assert_eq!(quantile_sorted(&[0.0, 1.0, 2.0, 3.0], 0.5), 1.5);
    }

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
