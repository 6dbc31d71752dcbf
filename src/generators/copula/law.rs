//! Post-processing of the `dp-copula` releases into one Gaussian law per class in gene space
//! (docs/generators.md §7.3, "Post-processing"). Nothing here reads the train rows.

use super::release::LatentStats;
use crate::error::Result;
use crate::generators::multivariate::ClassLaw;
use crate::numeric::linalg::psd_project;
use faer::Mat;

/// One class in the latent space: `u ~ N(mean, cov)`, `cov` PSD.
#[derive(Clone, Debug)]
pub struct LatentClass {
    pub mean: Vec<f64>,
    pub cov: Mat<f64>,
}

/// `n̂ = max(ñ, 2)`, `μ = s̃/n̂`, `Σ = PSD((S̃ − s̃ s̃ᵀ/n̂)/(n̂ − 1))` (eigenvalues clipped at 0).
pub fn latent_class(stats: &LatentStats, noisy_count: f64) -> Result<LatentClass> {
    let k = stats.sum.len();
    let n = noisy_count.max(2.0);
    let mean: Vec<f64> = stats.sum.iter().map(|s| s / n).collect();
    let raw = Mat::<f64>::from_fn(k, k, |a, b| (stats.second[(a, b)] - stats.sum[a] * stats.sum[b] / n) / (n - 1.0));
    let cov = psd_project(raw.as_ref())?.matrix();
    Ok(LatentClass { mean, cov })
}

/// Classes sharing one within-class covariance (`class_cov = "pooled"`), from the per-class
/// sums `s̃_c` and the pooled second moment `S̃`: `ñ_c = max(ñ_c, 2)`, `μ_c = s̃_c/ñ_c`,
/// `Σ_w = PSD((S̃ − Σ_c s̃_c s̃_cᵀ/ñ_c)/max(Σ_c ñ_c − C, 1))`.
pub fn pooled_latent_classes(sums: &[Vec<f64>], second: &Mat<f64>, noisy_counts: &[f64]) -> Result<Vec<LatentClass>> {
    let k = second.nrows();
    let counts: Vec<f64> = noisy_counts.iter().map(|n| n.max(2.0)).collect();
    let dof = (counts.iter().sum::<f64>() - counts.len() as f64).max(1.0);
    let raw = Mat::<f64>::from_fn(k, k, |a, b| {
        let between: f64 = sums.iter().zip(&counts).map(|(s, n)| s[a] * s[b] / n).sum();
        (second[(a, b)] - between) / dof
    });
    let cov = psd_project(raw.as_ref())?.matrix();
    Ok(sums
        .iter()
        .zip(&counts)
        .map(|(s, n)| LatentClass { mean: s.iter().map(|v| v / n).collect(), cov: cov.clone() })
        .collect())
}

/// Residual variance of each standardised gene: `r_j = max(1 − e_j, floor)` with the variance
/// the latent part explains, `e_j = Σ_c w_c (V (Σ_c + μ_c μ_cᵀ) Vᵀ)_jj` (`w_c` the class
/// weights normalised to sum 1; equal weights if they are all 0). A standardised gene has
/// variance ≈ 1 about the pooled mean, so `r_j` is what the top-`k` space leaves over.
pub fn residual_variances(vectors: &Mat<f64>, classes: &[LatentClass], weights: &[f64], floor: f64) -> Vec<f64> {
    let k = vectors.ncols();
    let total: f64 = weights.iter().sum();
    let w: Vec<f64> = if total > 0.0 {
        weights.iter().map(|v| v / total).collect()
    } else {
        vec![1.0 / classes.len().max(1) as f64; classes.len()]
    };
    let pooled = Mat::<f64>::from_fn(k, k, |a, b| {
        classes.iter().zip(&w).map(|(c, wc)| wc * (c.cov[(a, b)] + c.mean[a] * c.mean[b])).sum()
    });
    (0..vectors.nrows())
        .map(|j| {
            let explained: f64 =
                (0..k).map(|a| (0..k).map(|b| vectors[(j, a)] * pooled[(a, b)] * vectors[(j, b)]).sum::<f64>()).sum();
            (1.0 - explained).max(floor)
        })
        .collect()
}

/// The class law in gene space: `x = m̂ + ŝ ⊙ (V u + √r ⊙ η)`, `u ~ N(μ_c, Σ_c)`, `η ~ N(0, I)`:
/// mean `m̂ + ŝ ⊙ V μ_c`, factor `diag(ŝ) [V L_c | diag(√r)]` with `L_c` the square-root factor
/// of `Σ_c` (`p × (rank Σ_c + p)`). `spread` multiplies the whole factor (1 = the fitted law).
pub(crate) fn gene_law(
    label: &str,
    means: &[f64],
    scales: &[f64],
    vectors: &Mat<f64>,
    latent: &LatentClass,
    residual: &[f64],
    spread: f64,
) -> Result<ClassLaw> {
    let p = means.len();
    let k = vectors.ncols();
    let l = psd_project(latent.cov.as_ref())?.sqrt_factor(spread);
    let r = l.ncols();
    let mut factor = Mat::<f64>::zeros(p, r + p);
    let mut mean = means.to_vec();
    for j in 0..p {
        let s = scales[j];
        mean[j] += s * (0..k).map(|a| vectors[(j, a)] * latent.mean[a]).sum::<f64>();
        for c in 0..r {
            factor[(j, c)] = s * (0..k).map(|a| vectors[(j, a)] * l[(a, c)]).sum::<f64>();
        }
        factor[(j, r + j)] = s * spread * residual[j].sqrt();
    }
    Ok(ClassLaw { label: label.to_string(), mean, factor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::linalg::matmul_into;

    #[test]
    fn latent_class_mean_and_covariance_without_noise() {
        // u = 1, 3, 5: s = 9, S = 35, n = 3 → μ = 3, Σ = (35 − 27)/2 = 4.
        let stats = LatentStats { sum: vec![9.0], second: faer::mat![[35.0]] };
        let c = latent_class(&stats, 3.0).unwrap();
        assert_eq!(c.mean, vec![3.0]);
        assert!((c.cov[(0, 0)] - 4.0).abs() < 1e-12);
        // A noisy count below 2 is floored at 2; a negative variance is clipped to 0.
        let stats = LatentStats { sum: vec![4.0], second: faer::mat![[1.0]] };
        let c = latent_class(&stats, -3.0).unwrap();
        assert_eq!((c.mean[0], c.cov[(0, 0)]), (2.0, 0.0));
    }

    #[test]
    fn pooled_classes_share_the_within_class_covariance() {
        // Class 0 u = 1, 3 (s = 4, n = 2); class 1 u = 5, 9 (s = 14, n = 2): S = 1 + 9 + 25 + 81 = 116;
        // between = 16/2 + 196/2 = 106; Σ_w = (116 − 106)/(4 − 2) = 5 (= pooled variance of ±1, ±2).
        let cls = pooled_latent_classes(&[vec![4.0], vec![14.0]], &faer::mat![[116.0]], &[2.0, 2.0]).unwrap();
        assert_eq!((cls[0].mean[0], cls[1].mean[0]), (2.0, 7.0));
        assert!(cls.iter().all(|c| (c.cov[(0, 0)] - 5.0).abs() < 1e-12));
    }

    #[test]
    fn residual_is_one_minus_explained_then_floored() {
        // V = (0.6, 0.8)ᵀ, one class with μ = 1, Σ = 0.5: pooled 1.5; e = (0.36, 0.64)·1.5 =
        // (0.54, 0.96) → r = (0.46, 0.04) → floor 0.1 → (0.46, 0.1).
        let v = faer::mat![[0.6], [0.8]];
        let c = LatentClass { mean: vec![1.0], cov: faer::mat![[0.5]] };
        let r = residual_variances(&v, &[c], &[7.0], 0.1);
        assert!((r[0] - 0.46).abs() < 1e-12 && (r[1] - 0.1).abs() < 1e-12, "{r:?}");
    }

    #[test]
    fn gene_law_mean_and_covariance() {
        // p = 2, k = 1, V = (0.6, 0.8)ᵀ, μ = 2, Σ = 4, r = (0.5, 0.25), m̂ = (10, 5), ŝ = (2, 1):
        // mean = m̂ + ŝ ⊙ Vμ = (10 + 2·1.2, 5 + 1.6) = (12.4, 6.6);
        // cov = diag(ŝ)(4·VVᵀ + diag(r))diag(ŝ) = [[4(1.44 + 0.5), 2·1.92], [2·1.92, 2.56 + 0.25]].
        let v = faer::mat![[0.6], [0.8]];
        let c = LatentClass { mean: vec![2.0], cov: faer::mat![[4.0]] };
        let law = gene_law("a", &[10.0, 5.0], &[2.0, 1.0], &v, &c, &[0.5, 0.25], 1.0).unwrap();
        assert!((law.mean[0] - 12.4).abs() < 1e-12 && (law.mean[1] - 6.6).abs() < 1e-12);
        let mut cov = Mat::<f64>::zeros(2, 2);
        matmul_into(cov.as_mut(), law.factor.as_ref(), law.factor.transpose(), 1.0);
        for (i, j, want) in [(0, 0, 7.76), (0, 1, 3.84), (1, 0, 3.84), (1, 1, 2.81)] {
            assert!((cov[(i, j)] - want).abs() < 1e-12, "({i},{j}) {}", cov[(i, j)]);
        }
    }
}
