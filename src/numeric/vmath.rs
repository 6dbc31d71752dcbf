//! `exp` and `log1p` over slices, written branch-free so the compiler vectorises them: the
//! logistic-regression loss (`numeric::logistic`) and the RBF kernel sums of MMD
//! (`numeric::distance`) call them once per row or pair, millions of times per fold.
//!
//! **Algorithms.** fdlibm's (the C library of Sun, also musl's and FreeBSD's), evaluated with
//! IEEE additions, multiplications, divisions and exact bit operations only, no fused
//! multiply–add, so every CPU and both compilations (AVX2 or baseline x86-64) give the same bits.
//!
//! * `exp(x)`: `x = k·ln2 + r`, `|r| ≤ ln2/2` (`ln2` split in a 32-bit head and a tail, so `k·ln2_hi`
//!   is exact), `c = r − r²·P(r²)` with fdlibm's degree-5 Remez polynomial, then
//!   `exp(r) = 1 − ((lo − r·c/(2 − c)) − hi)` and the scale `2^k` applied as two powers of two
//!   (exact while normal, one rounding into the subnormal range). Error below 1 ulp.
//! * `log1p(x)` for `x ≥ 0`: `u = 1 + x` rounded, the rounding error recovered as
//!   `c = (x − (u − 1))/u` (`u − 1` is exact here), `u = 2^k·m` with `m ∈ [√2/2, √2)`,
//!   `log m = f − f²/2 + s·(f²/2 + R(s²))`, `f = m − 1`, `s = f/(2 + f)` with fdlibm's `Lg1…Lg7`,
//!   and `log1p x = k·ln2_hi + (f − (f²/2 − (s·(f²/2 + R) + (k·ln2_lo + c))))`. Error about 1 ulp.
//!
//! Both are checked against the platform's libm (`f64::exp`, `f64::ln_1p`) in the tests below.

// Constants as fdlibm spells them, by bit pattern (`e_exp.c`, `e_log.c`).
/// `ln 2` split so that `k·LN2_HI` is exact for `|k| < 2²⁰`.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// fdlibm `e_exp.c` P1…P5.
const P: [f64; 5] = [
    f64::from_bits(0x3fc5_5555_5555_553e),
    f64::from_bits(0xbf66_c16c_16be_bd93),
    f64::from_bits(0x3f11_566a_af25_de2c),
    f64::from_bits(0xbebb_bd41_c5d2_6bf1),
    f64::from_bits(0x3e66_3769_72be_a4d0),
];
/// fdlibm `e_log.c` Lg1…Lg7.
const LG: [f64; 7] = [
    f64::from_bits(0x3fe5_5555_5555_5593),
    f64::from_bits(0x3fd9_9999_9997_fa04),
    f64::from_bits(0x3fd2_4924_9422_9359),
    f64::from_bits(0x3fcc_71c5_1d8e_78af),
    f64::from_bits(0x3fc7_4664_96cb_03de),
    f64::from_bits(0x3fc3_9a09_d078_c69f),
    f64::from_bits(0x3fc2_f112_df3e_5244),
];
/// `1.5·2⁵²`: adding it rounds to an integer held in the low mantissa bits.
const ROUNDER: f64 = 6_755_399_441_055_744.0;
/// Beyond these `exp` is `+∞` or `0` (the argument is clamped first).
const EXP_MAX: f64 = 709.782_712_893_384;
const EXP_MIN: f64 = -745.2;

/// `Σ_i exp(scale·x_i)`: four interleaved partial sums (lane `l` takes `i ≡ l mod 4` of the
/// leading multiple of four) combined as `(s₀ + s₁) + (s₂ + s₃)`, then the rest in order.
/// Compiled for AVX2 too and dispatched at run time; the result is the same either way.
pub fn exp_sum(xs: &[f64], scale: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { exp_sum_avx2(xs, scale) };
    }
    exp_sum_body(xs, scale)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn exp_sum_avx2(xs: &[f64], scale: f64) -> f64 {
    exp_sum_body(xs, scale)
}

#[inline(always)]
fn exp_sum_body(xs: &[f64], scale: f64) -> f64 {
    let full = xs.len() - xs.len() % 4;
    let mut acc = [0.0; 4];
    for c in xs[..full].chunks_exact(4) {
        for l in 0..4 {
            acc[l] += exp(scale * c[l]);
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for &x in &xs[full..] {
        sum += exp(scale * x);
    }
    sum
}

/// `2^k` for an integer `k ∈ [−1022, 1023]` given as the low bits of `k + ROUNDER`.
#[inline(always)]
fn pow2(k_bits: u64) -> f64 {
    f64::from_bits(k_bits.wrapping_sub(ROUNDER.to_bits()).wrapping_add(1023) << 52)
}

/// `e^x` (module doc); `x` must not be NaN. Branch-free.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let a = x.clamp(EXP_MIN, EXP_MAX);
    let kr = a * INV_LN2 + ROUNDER;
    let k = kr - ROUNDER;
    let hi = a - k * LN2_HI;
    let lo = k * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P[0] + t * (P[1] + t * (P[2] + t * (P[3] + t * P[4]))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // 2^k as 2^(k/2)·2^(k − k/2): both factors are normal for every k the clamp allows.
    let kb = kr.to_bits();
    let half = (kb.wrapping_sub(ROUNDER.to_bits()) as i64 >> 1) as u64;
    let first = pow2(ROUNDER.to_bits().wrapping_add(half));
    let second = pow2(kb.wrapping_sub(half));
    let v = y * first * second;
    if x > EXP_MAX {
        f64::INFINITY
    } else {
        v
    }
}

/// `ln(1 + x)` for `x ≥ 0` (module doc). Branch-free.
#[inline(always)]
pub fn log1p(x: f64) -> f64 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    // Shift the exponent so that the mantissa lands in [√2/2, √2) (fdlibm's 0x3fe6a09e trick).
    let bits = u.to_bits().wrapping_add((0x3ff0_0000_u64 - 0x3fe6_a09e) << 32);
    let k_int = (bits >> 52).wrapping_sub(1023);
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09e_u64 << 32));
    let k = f64::from_bits(k_int.wrapping_add(ROUNDER.to_bits())) - ROUNDER;
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    k * LN2_HI + (f - (hfsq - (s * (hfsq + r) + (k * LN2_LO + c))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite doubles of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        assert!(a.is_finite() && b.is_finite() && a.signum() == b.signum(), "{a} vs {b}");
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    fn samples(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        let mut s = 0x9e37_79b9_7f4a_7c15_u64;
        (0..n).map(move |_| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)
        })
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm() {
        let mut worst = 0;
        for (lo, hi) in [(-1.0, 1.0), (-40.0, 2.0), (-708.0, 709.0), (-1e-6, 1e-6)] {
            for x in samples(lo, hi, 200_000) {
                worst = worst.max(ulps(exp(x), x.exp()));
            }
        }
        assert!(worst <= 1, "worst error {worst} ulp");
    }

    #[test]
    fn exp_edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1);
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        // Subnormal results: one rounding, as libm.
        for x in samples(-745.0, -708.5, 20_000) {
            let (ours, libm) = (exp(x), x.exp());
            assert!((ours - libm).abs() <= f64::from_bits(1), "{x}: {ours:e} vs {libm:e}");
        }
    }

    #[test]
    fn log1p_is_within_one_ulp_of_libm() {
        let mut worst = 0;
        for (lo, hi) in [(0.0, 1e-10), (0.0, 0.5), (0.0, 8.0), (1.0, 1e6)] {
            for x in samples(lo, hi, 200_000) {
                worst = worst.max(ulps(log1p(x), x.ln_1p()));
            }
        }
        assert!(worst <= 1, "worst error {worst} ulp");
    }

    #[test]
    fn log1p_edges() {
        assert_eq!(log1p(0.0), 0.0);
        assert_eq!(log1p(1.0), std::f64::consts::LN_2);
        assert_eq!(log1p(1e-300), 1e-300);
        assert_eq!(log1p(f64::EPSILON), f64::EPSILON.ln_1p());
    }
}
