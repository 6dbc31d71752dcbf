//! The DP releases of `dp-copula` (docs/generators.md §7.3), in the order the fit makes them.
//! Each is one Gaussian mechanism `q(D) + N(0, σ²I)`, `σ = Δ/√(2ρ)` (generators.md §1.3),
//! charged to the accountant with its sensitivity `Δ` under add/remove neighbours before any
//! noise is drawn ([`gaussian_mechanism`]). Every input a release reads besides the train rows
//! is public (the value range, the bounds) or an earlier release (post-processing).

use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::linalg::{matmul_into, sym_eigen};
use crate::privacy::accountant::{gaussian_sigma, Accountant};
use crate::privacy::mechanisms::{gaussian_mechanism, Noise};
use faer::Mat;

/// Release `count`: the per-class row counts `ñ_c = n_c + N(0, σ²)`.
/// Δ = 1: adding or removing a row changes one class count by 1.
pub fn class_counts(
    class_of_row: &[usize],
    classes: usize,
    acct: &mut Accountant,
    rho: f64,
    noise: &mut Noise,
) -> Result<Vec<f64>> {
    let mut counts = vec![0.0; classes];
    class_of_row.iter().for_each(|&c| counts[c] += 1.0);
    gaussian_mechanism(acct, "count", rho, 1.0, &[("k", classes as f64)], &mut counts, noise)?;
    Ok(counts)
}

/// Release `mean`: the pooled sum of the rows `y = clamp(x, lo, hi) − c₀`, each scaled down to
/// L2 norm at most `bound`, plus noise; returns `m̂ = s̃/n̂ + c₀` (`n̂` the DP row count).
/// Δ = `bound`: one row adds or removes one vector of norm ≤ `bound`.
#[allow(clippy::too_many_arguments)]
pub fn gene_means(
    x: &Matrix,
    (lo, hi): (f64, f64),
    bound: f64,
    n_hat: f64,
    acct: &mut Accountant,
    rho: f64,
    noise: &mut Noise,
) -> Result<Vec<f64>> {
    let centre = 0.5 * (lo + hi);
    let mut sum = vec![0.0; x.cols()];
    for row in x.row_iter() {
        let mut y: Vec<f64> = row.iter().map(|v| v.clamp(lo, hi) - centre).collect();
        clip_l2(&mut y, bound);
        sum.iter_mut().zip(&y).for_each(|(s, v)| *s += v);
    }
    gaussian_mechanism(acct, "mean", rho, bound, &[("k", x.cols() as f64)], &mut sum, noise)?;
    Ok(sum.iter().map(|s| s / n_hat + centre).collect())
}

/// Per-class gene means (release `mean` with `class_means = "gene"`, centre `c₀` in every
/// gene; release `class_mean` with `"centred"`, centre the pooled DP mean `m̂`): per class, the
/// sum of the rows `y = clamp(x, lo, hi) − centre`, each scaled down to L2 norm at most `bound`,
/// plus noise; returns `m̂_c = s̃_c/max(ñ_c, 2) + centre` per class.
/// Δ = `bound`: a row touches one class's sum only, so the C sums concatenated (one ledger
/// entry) have the sensitivity of one. The centre is public or an earlier release.
#[allow(clippy::too_many_arguments)]
pub fn class_gene_means(
    x: &Matrix,
    class_of_row: &[usize],
    noisy_counts: &[f64],
    (lo, hi): (f64, f64),
    centre: &[f64],
    bound: f64,
    (phase, rho): (&str, f64),
    acct: &mut Accountant,
    noise: &mut Noise,
) -> Result<Vec<Vec<f64>>> {
    let (p, classes) = (x.cols(), noisy_counts.len());
    let mut sums = vec![0.0; classes * p];
    for (row, &c) in x.row_iter().zip(class_of_row) {
        let mut y: Vec<f64> = row.iter().zip(centre).map(|(v, m)| v.clamp(lo, hi) - m).collect();
        clip_l2(&mut y, bound);
        sums[c * p..(c + 1) * p].iter_mut().zip(&y).for_each(|(s, v)| *s += v);
    }
    gaussian_mechanism(acct, phase, rho, bound, &[("k", classes as f64), ("dim", p as f64)], &mut sums, noise)?;
    Ok(sums
        .chunks_exact(p.max(1))
        .zip(noisy_counts)
        .map(|(s, n)| s.iter().zip(centre).map(|(v, m)| v / n.max(2.0) + m).collect())
        .collect())
}

/// Release `scale`: per gene, the sum of squared deviations `d_j² = min((x_j − m̂_j)², c²)`
/// plus noise; returns `ŝ_j = √(clamp(ṽ_j/n̂, floor², c²))`.
/// Δ = `c²√p`: one row adds a vector with every entry in `[0, c²]`.
#[allow(clippy::too_many_arguments)]
pub fn gene_scales(
    x: &Matrix,
    means: &[f64],
    clip: f64,
    floor: f64,
    n_hat: f64,
    acct: &mut Accountant,
    rho: f64,
    noise: &mut Noise,
) -> Result<Vec<f64>> {
    let p = x.cols();
    let cap = clip * clip;
    let mut sum = vec![0.0; p];
    for row in x.row_iter() {
        sum.iter_mut().zip(row.iter().zip(means)).for_each(|(s, (v, m))| *s += ((v - m) * (v - m)).min(cap));
    }
    let sensitivity = cap * (p as f64).sqrt();
    gaussian_mechanism(acct, "scale", rho, sensitivity, &[("k", p as f64)], &mut sum, noise)?;
    Ok(sum.iter().map(|s| (s / n_hat).clamp(floor * floor, cap.max(floor * floor)).sqrt()).collect())
}

/// The standardised rows `z = (x − m̂)/ŝ`, each scaled down to L2 norm at most `bound`
/// (post-processing of the `mean` and `scale` releases; the row clip bounds every later
/// sensitivity).
pub fn standardise(x: &Matrix, means: &[f64], scales: &[f64], bound: f64) -> Matrix {
    let mut z = x.clone();
    let p = x.cols().max(1);
    for row in z.as_mut_slice().chunks_exact_mut(p) {
        row.iter_mut().zip(means.iter().zip(scales)).for_each(|(v, (m, s))| *v = (*v - m) / s);
        clip_l2(row, bound);
    }
    z
}

/// Scale `v` down to L2 norm `bound` when it is longer (unchanged otherwise).
pub fn clip_l2(v: &mut [f64], bound: f64) {
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    if norm > bound {
        let f = bound / norm;
        v.iter_mut().for_each(|a| *a *= f);
    }
}

/// The noisy symmetric matrix `Σᵢ zᵢ zᵢᵀ + E` of rows with `‖zᵢ‖ ≤ bound`, as released by
/// [`eigenspace`]: `E` is drawn on the upper triangle (diagonal included, row by row) and
/// mirrored. Δ = `bound²`: one row adds `zzᵀ`, whose Frobenius norm is `‖z‖² ≤ bound²`; the
/// upper triangle has a smaller norm, so releasing it with that Δ is conservative.
pub fn noisy_second_moment(
    z: &Matrix,
    bound: f64,
    phase: &str,
    acct: &mut Accountant,
    rho: f64,
    noise: &mut Noise,
) -> Result<Mat<f64>> {
    let p = z.cols();
    let mut m = Mat::<f64>::zeros(p, p);
    let zf = z.as_faer();
    matmul_into(m.as_mut(), zf.transpose(), zf, 1.0);
    let mut upper: Vec<f64> = (0..p).flat_map(|i| (i..p).map(move |j| (i, j))).map(|(i, j)| m[(i, j)]).collect();
    gaussian_mechanism(acct, phase, rho, bound * bound, &[("k", upper.len() as f64)], &mut upper, noise)?;
    let mut it = upper.into_iter();
    for i in 0..p {
        for j in i..p {
            let v = it.next().unwrap_or(0.0);
            m[(i, j)] = v;
            m[(j, i)] = v;
        }
    }
    Ok(m)
}

/// Release `eigen`: the top eigenvectors `V` (`p × k'`, orthonormal columns, largest
/// eigenvalue first) of the noisy second moment of the standardised, clipped rows
/// ([`noisy_second_moment`], Δ = `bound²`), and their eigenvalues.
///
/// `k' = k` with `noise_floor = false`. With `noise_floor = true`, `k'` is the number of the
/// top `k` eigenvalues above the spectral norm of the noise, `2σ√p` (a symmetric Gaussian
/// matrix with entry variance σ² has largest eigenvalue ≈ 2σ√p), at least 1: eigenvectors
/// below it are mostly noise (post-processing with the public σ).
pub fn eigenspace(
    z: &Matrix,
    k: usize,
    noise_floor: bool,
    bound: f64,
    acct: &mut Accountant,
    rho: f64,
    noise: &mut Noise,
) -> Result<(Mat<f64>, Vec<f64>)> {
    let m = noisy_second_moment(z, bound, "eigen", acct, rho, noise)?;
    let eig = sym_eigen(m.as_ref())?;
    let p = z.cols();
    let mut k = k.min(p);
    if noise_floor {
        let edge = 2.0 * gaussian_sigma(rho, bound * bound) * (p as f64).sqrt();
        k = (0..k).take_while(|&r| eig.values[p - 1 - r] > edge).count().max(1);
    }
    let order: Vec<usize> = (0..k).map(|r| p - 1 - r).collect();
    let vectors = Mat::<f64>::from_fn(p, k, |i, r| eig.vectors[(i, order[r])]);
    Ok((vectors, order.iter().map(|&r| eig.values[r]).collect()))
}

/// The noisy latent statistics of one class: `Σ u` (`k`) and `Σ u uᵀ` (`k × k`) over its rows.
#[derive(Clone, Debug)]
pub struct LatentStats {
    pub sum: Vec<f64>,
    pub second: Mat<f64>,
}

/// The latent rows `u = Vᵀz` (`n × k`), each scaled down to L2 norm at most `clip` when given
/// (post-processing of the released `V` and of rows already bounded by the caller).
pub fn latent_rows(z: &Matrix, vectors: &Mat<f64>, clip: Option<f64>) -> Mat<f64> {
    let k = vectors.ncols();
    let mut u = Mat::<f64>::zeros(z.rows(), k);
    matmul_into(u.as_mut(), z.as_faer(), vectors.as_ref(), 1.0);
    if let Some(bound) = clip {
        for i in 0..u.nrows() {
            let mut row: Vec<f64> = (0..k).map(|a| u[(i, a)]).collect();
            clip_l2(&mut row, bound);
            row.iter().enumerate().for_each(|(a, v)| u[(i, a)] = *v);
        }
    }
    u
}

/// The noisy latent sums of the C classes and the C (or, pooled, 1) second moments.
#[derive(Clone, Debug)]
pub struct LatentRelease {
    pub sums: Vec<Vec<f64>>,
    pub seconds: Vec<Mat<f64>>,
}

/// Releases `latent_mean` and `latent_cov` of the latent rows `u` (`‖u‖ ≤ bound`, the caller's
/// guarantee): per class the sum `Σ u` and, per class (`pooled = false`) or over all rows
/// (`pooled = true`), the second moment `Σ u uᵀ` (upper triangle). A row touches one class,
/// so the classes' statistics concatenated have Δ = `bound` (sums) and Δ = `bound²` (second
/// moments): one ledger entry each.
#[allow(clippy::too_many_arguments)]
pub fn latent_stats(
    u: &Mat<f64>,
    class_of_row: &[usize],
    classes: usize,
    pooled: bool,
    bound: f64,
    acct: &mut Accountant,
    (rho_mean, rho_cov): (f64, f64),
    noise: (&mut Noise, &mut Noise),
) -> Result<LatentRelease> {
    let k = u.ncols();
    let tri = k * (k + 1) / 2;
    let blocks = if pooled { 1 } else { classes };
    let mut sums = vec![0.0; classes * k];
    let mut seconds = vec![0.0; blocks * tri];
    for (i, &c) in class_of_row.iter().enumerate() {
        let row: Vec<f64> = (0..k).map(|a| u[(i, a)]).collect();
        sums[c * k..(c + 1) * k].iter_mut().zip(&row).for_each(|(s, v)| *s += v);
        let mut t = if pooled { 0 } else { c * tri };
        for a in 0..k {
            for b in a..k {
                seconds[t] += row[a] * row[b];
                t += 1;
            }
        }
    }
    let dim = ("dim", k as f64);
    gaussian_mechanism(acct, "latent_mean", rho_mean, bound, &[("k", classes as f64), dim], &mut sums, noise.0)?;
    gaussian_mechanism(
        acct,
        "latent_cov",
        rho_cov,
        bound * bound,
        &[("k", blocks as f64), dim],
        &mut seconds,
        noise.1,
    )?;
    let seconds = (0..blocks)
        .map(|c| {
            let mut second = Mat::<f64>::zeros(k, k);
            let mut t = c * tri;
            for a in 0..k {
                for b in a..k {
                    second[(a, b)] = seconds[t];
                    second[(b, a)] = seconds[t];
                    t += 1;
                }
            }
            second
        })
        .collect();
    Ok(LatentRelease { sums: sums.chunks_exact(k.max(1)).map(<[f64]>::to_vec).collect(), seconds })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::accountant::Budget;

    fn acct() -> Accountant {
        Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap()
    }

    #[test]
    fn counts_without_noise_are_exact_and_charge_delta_one() {
        let mut a = acct();
        let rho = a.rho_total() / 2.0;
        let counts = class_counts(&[0, 2, 2, 0, 2], 3, &mut a, rho, &mut Noise::Off).unwrap();
        assert_eq!(counts, vec![2.0, 0.0, 3.0]);
        let charge = &a.report(&[], vec![], vec![]).ledger[0];
        assert_eq!((charge.phase.as_str(), charge.params["sensitivity"], charge.rho), ("count", 1.0, rho));
        // σ = Δ/√(2ρ) with Δ = 1.
        assert!((charge.params["sigma"] - 1.0 / (2.0 * rho).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn means_clamp_centre_and_clip_rows() {
        // Range [0, 20], c₀ = 10, bound 5: row (13, 14) → y = (3, 4), norm 5, kept; row (25, 10) →
        // clamp (20, 10) → y = (10, 0), norm 10 → (5, 0). Sum (8, 4), n̂ = 2 → m̂ = (14, 12).
        let x = Matrix::from_rows(&[vec![13.0, 14.0], vec![25.0, 10.0]]).unwrap();
        let mut a = acct();
        let rho = a.rho_total();
        let m = gene_means(&x, (0.0, 20.0), 5.0, 2.0, &mut a, rho, &mut Noise::Off).unwrap();
        assert_eq!(m, vec![14.0, 12.0]);
        assert_eq!(a.report(&[], vec![], vec![]).ledger[0].params["sensitivity"], 5.0);
    }

    #[test]
    fn class_means_per_class_with_one_sensitivity() {
        // c₀ = 10, bound 100 (no clipping): class 0 rows 12, 14 → 13; class 1 row 7 → ñ = 1
        // floored at 2 → (7 − 10)/2 + 10 = 8.5.
        let x = Matrix::from_rows(&[vec![12.0], vec![7.0], vec![14.0]]).unwrap();
        let mut a = acct();
        let rho = a.rho_total();
        let m = class_gene_means(
            &x,
            &[0, 1, 0],
            &[2.0, 1.0],
            (0.0, 20.0),
            &[10.0],
            100.0,
            ("mean", rho / 2.0),
            &mut a,
            &mut Noise::Off,
        );
        assert_eq!(m.unwrap(), vec![vec![13.0], vec![8.5]]);
        // Centred at 11 with bound 1.5: class 0 deviations 1, 3 → clipped 1, 1.5 → 11 + 2.5/2 = 12.25.
        let m = class_gene_means(
            &x,
            &[0, 1, 0],
            &[2.0, 1.0],
            (0.0, 20.0),
            &[11.0],
            1.5,
            ("class_mean", rho / 2.0),
            &mut a,
            &mut Noise::Off,
        );
        assert_eq!(m.unwrap()[0], vec![12.25]);
        assert_eq!(a.report(&[], vec![], vec![]).ledger[0].params["sensitivity"], 100.0);
    }

    #[test]
    fn noise_floor_keeps_only_eigenvalues_above_the_noise_edge() {
        // Rows (10, 0) and (0, 1) (bound 10): eigenvalues 100 and 1. At ρ = 0.5, σ = Δ = 100 and
        // the edge 2σ√2 ≈ 283 exceeds both → one vector kept (the minimum). At ρ = 5000,
        // σ = 1 and the edge 2√2 ≈ 2.83 keeps only the first.
        let x = Matrix::from_rows(&[vec![10.0, 0.0], vec![0.0, 1.0]]).unwrap();
        let mut a = Accountant::new(&Budget::dp(20000.0, 1e-5).unwrap()).unwrap();
        let (v, values) = eigenspace(&x, 2, true, 10.0, &mut a, 0.5, &mut Noise::Off).unwrap();
        assert_eq!((v.ncols(), values.len()), (1, 1));
        let (v, values) = eigenspace(&x, 2, true, 10.0, &mut a, 5000.0, &mut Noise::Off).unwrap();
        assert_eq!((v.ncols(), values), (1, vec![100.0]));
        let (v, _) = eigenspace(&x, 2, false, 10.0, &mut a, 1.0, &mut Noise::Off).unwrap();
        assert_eq!(v.ncols(), 2);
    }

    #[test]
    fn scales_clip_deviations_and_floor_variances() {
        // Means (0, 0), clip c = 2, floor 0.5: gene 0 deviations (1, 3) → (1, 4 [capped]) → mean 2.5
        // → ŝ = √2.5; gene 1 deviations (0, 0) → 0 → floored at 0.25 → ŝ = 0.5. Δ = c²√p = 4√2.
        let x = Matrix::from_rows(&[vec![1.0, 0.0], vec![-3.0, 0.0]]).unwrap();
        let mut a = acct();
        let rho = a.rho_total();
        let s = gene_scales(&x, &[0.0, 0.0], 2.0, 0.5, 2.0, &mut a, rho, &mut Noise::Off).unwrap();
        assert!((s[0] - 2.5f64.sqrt()).abs() < 1e-12 && (s[1] - 0.5).abs() < 1e-12, "{s:?}");
        assert!((a.report(&[], vec![], vec![]).ledger[0].params["sensitivity"] - 4.0 * 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn standardise_and_clip() {
        // ((4 − 1)/1, (10 − 2)/2) = (3, 4), norm 5, bound 2.5 → (1.5, 2).
        let x = Matrix::from_rows(&[vec![4.0, 10.0]]).unwrap();
        let z = standardise(&x, &[1.0, 2.0], &[1.0, 2.0], 2.5);
        assert_eq!(z.row(0), &[1.5, 2.0]);
    }

    #[test]
    fn eigenspace_of_a_rank_one_second_moment() {
        // Rows ±(3, 4)/5·t: Σ zzᵀ ∝ v vᵀ with v = (0.6, 0.8); top eigenvector ±v, eigenvalue
        // Σ t² = 1 + 4 = 5.
        let x = Matrix::from_rows(&[vec![0.6, 0.8], vec![-1.2, -1.6]]).unwrap();
        let mut a = acct();
        let rho = a.rho_total();
        let (v, values) = eigenspace(&x, 1, false, 2.0, &mut a, rho, &mut Noise::Off).unwrap();
        assert!((values[0] - 5.0).abs() < 1e-12);
        assert!((v[(0, 0)].abs() - 0.6).abs() < 1e-12 && (v[(1, 0)].abs() - 0.8).abs() < 1e-12);
        assert_eq!(a.report(&[], vec![], vec![]).ledger[0].params["sensitivity"], 4.0);
    }

    #[test]
    fn latent_stats_per_class_and_their_sensitivities() {
        // V = e₀ (k = 1): u = first coordinate. Class 0 rows u = 1, 3 → sum 4, second 10;
        // class 1 row u = −2 → sum −2, second 4; pooled second 14.
        let z = Matrix::from_rows(&[vec![1.0, 5.0], vec![-2.0, 0.0], vec![3.0, 1.0]]).unwrap();
        let u = latent_rows(&z, &faer::mat![[1.0], [0.0]], None);
        let mut a = acct();
        let rho = a.rho_total() / 4.0;
        let (mut n0, mut n1) = (Noise::Off, Noise::Off);
        let LatentRelease { sums, seconds } =
            latent_stats(&u, &[0, 1, 0], 2, false, 3.0, &mut a, (rho, rho), (&mut n0, &mut n1)).unwrap();
        assert_eq!((sums, seconds[0][(0, 0)], seconds[1][(0, 0)]), (vec![vec![4.0], vec![-2.0]], 10.0, 4.0));
        let pooled =
            latent_stats(&u, &[0, 1, 0], 2, true, 3.0, &mut a, (rho, rho), (&mut n0, &mut n1)).unwrap().seconds;
        assert_eq!((pooled.len(), pooled[0][(0, 0)]), (1, 14.0));
        let ledger = a.report(&[], vec![], vec![]).ledger;
        assert_eq!((ledger[0].params["sensitivity"], ledger[1].params["sensitivity"]), (3.0, 9.0));
        assert_eq!((ledger[1].params["k"], ledger[3].params["k"]), (2.0, 1.0));
    }

    #[test]
    fn latent_rows_are_projected_then_clipped() {
        // V = ((0.6, 0.8), (0.8, −0.6)) (orthonormal): z = (5, 0) → u = (3, 4), norm 5 → clip 2.5 → (1.5, 2).
        let z = Matrix::from_rows(&[vec![5.0, 0.0]]).unwrap();
        let v = faer::mat![[0.6, 0.8], [0.8, -0.6]];
        let u = latent_rows(&z, &v, Some(2.5));
        assert!((u[(0, 0)] - 1.5).abs() < 1e-12 && (u[(0, 1)] - 2.0).abs() < 1e-12);
        assert!((latent_rows(&z, &v, None)[(0, 1)] - 4.0).abs() < 1e-12);
    }
}
