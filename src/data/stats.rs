//! Calibration statistics of a dataset (simulator.md §3), shown by `bench datasets describe`.
//!
//! The definitions follow simulator.md §3 and `../shared/datasets/compute_stats.py`, which
//! produced the `stats.json` of the real stand-in datasets:
//!
//! * per-gene statistics are over all rows; SD uses ddof 1;
//! * quantiles interpolate linearly between order statistics (numpy's default `linear` method);
//! * correlations are Pearson; "within-class" means after subtracting each class's gene means;
//! * PCs are taken on genes z-scored with their ddof-1 SD;
//! * skewness is the biased sample skewness `g₁ = m₃ / m₂^{3/2}` with central moments
//!   `m_k = (1/n) Σ (x − x̄)^k` (`scipy.stats.skew`, `bias=True`, its default).
//!
//! Genes with zero variance have no correlation, skewness or η²: they are left out of those
//! statistics (compute_stats.py drops them from the correlations too, but would count a constant
//! gene's η² as 1), and their z-scores are 0. A statistic with nothing to summarise is NaN.
//!
//! The cross-validated logistic-regression accuracy and the largest confusion pair of §3 need
//! `crate::numeric::logistic` and are not part of this struct yet.

use super::dataset::Dataset;
use faer::linalg::evd::{self, ComputeEigenvectors};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The §3 statistics of one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationStats {
    pub n_samples: usize,
    pub n_genes: usize,
    pub n_classes: usize,
    /// p5, p50 and p95 of the per-gene means.
    pub gene_mean: [f64; 3],
    /// p5, p50 and p95 of the per-gene SDs (ddof 1).
    pub gene_sd: [f64; 3],
    /// Pearson correlation between gene mean and gene SD, over genes.
    pub corr_mean_sd: f64,
    /// Median of |r| over all pairs of genes, after subtracting class means.
    pub within_class_abs_r_median: f64,
    /// p99 of the same |r|.
    pub within_class_abs_r_p99: f64,
    /// Share of the total variance of the z-scored genes on the first three principal components.
    pub top3_pc_share: f64,
    /// Median over genes of η² = between-class SS / total SS.
    pub eta2_median: f64,
    /// Median of the per-gene skewness `g₁`.
    pub skew_median: f64,
    /// p5 of the per-gene skewness `g₁`.
    pub skew_p5: f64,
    /// Smallest value in the matrix.
    pub min_value: f64,
    /// Number of values exactly equal to 0.
    pub exact_zeros: usize,
    /// Fraction of values below 5.
    pub frac_below_5: f64,
}

/// Compute the calibration statistics of `dataset` (simulator.md §3). Deterministic: every
/// reduction runs in a fixed order and the linear algebra is single-threaded.
pub fn calibration_stats(dataset: &Dataset) -> CalibrationStats {
    let x = dataset.x.as_slice();
    let (n, p) = (dataset.x.rows(), dataset.x.cols());
    let (class_of_row, n_classes) = class_indices(&dataset.labels);
    let moments = gene_moments(x, n, p);

    let mut centred = x.to_vec();
    let within_ss = subtract_class_means(&mut centred, p, &class_of_row, n_classes);
    let within_abs_r = sorted(abs_correlations(&gram(MatRef::from_row_major_slice(&centred, n, p))));

    let eta2: Vec<f64> =
        moments.total_ss.iter().zip(&within_ss).filter(|(&t, _)| t > 0.0).map(|(t, w)| 1.0 - w / t).collect();
    let skew: Vec<f64> = moments.skew.iter().copied().filter(|s| !s.is_nan()).collect();
    let sorted_means = sorted(moments.mean.clone());
    let sorted_sds = sorted(moments.sd.clone());
    let skew = sorted(skew);

    CalibrationStats {
        n_samples: n,
        n_genes: p,
        n_classes,
        gene_mean: [0.05, 0.5, 0.95].map(|q| quantile_sorted(&sorted_means, q)),
        gene_sd: [0.05, 0.5, 0.95].map(|q| quantile_sorted(&sorted_sds, q)),
        corr_mean_sd: pearson(&moments.mean, &moments.sd),
        within_class_abs_r_median: quantile_sorted(&within_abs_r, 0.5),
        within_class_abs_r_p99: quantile_sorted(&within_abs_r, 0.99),
        top3_pc_share: top_pc_share(&z_scores(x, n, &moments), n, p, 3),
        eta2_median: quantile_sorted(&sorted(eta2), 0.5),
        skew_median: quantile_sorted(&skew, 0.5),
        skew_p5: quantile_sorted(&skew, 0.05),
        min_value: x.iter().copied().fold(f64::INFINITY, f64::min),
        exact_zeros: x.iter().filter(|&&v| v == 0.0).count(),
        frac_below_5: x.iter().filter(|&&v| v < 5.0).count() as f64 / x.len().max(1) as f64,
    }
}

impl CalibrationStats {
    /// The statistics as (name, formatted value) rows, in the order of simulator.md §3.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let triple = |v: &[f64; 3]| format!("{:.2} / {:.2} / {:.2}", v[0], v[1], v[2]);
        vec![
            ("samples x genes (classes)", format!("{} x {} ({})", self.n_samples, self.n_genes, self.n_classes)),
            ("gene mean p5 / p50 / p95", triple(&self.gene_mean)),
            ("gene SD p5 / p50 / p95", triple(&self.gene_sd)),
            ("corr(gene mean, gene SD)", format!("{:.3}", self.corr_mean_sd)),
            (
                "within-class median / p99 |r|",
                format!("{:.3} / {:.3}", self.within_class_abs_r_median, self.within_class_abs_r_p99),
            ),
            ("top-3 PC variance share", format!("{:.3}", self.top3_pc_share)),
            ("eta^2 median", format!("{:.3}", self.eta2_median)),
            ("gene skew median / p5", format!("{:.3} / {:.3}", self.skew_median, self.skew_p5)),
            ("minimum value; exact zeros", format!("{:.4}; {}", self.min_value, self.exact_zeros)),
            ("fraction of values < 5", format!("{:.4}", self.frac_below_5)),
        ]
    }
}

/// Two datasets' statistics side by side as an aligned plain-text table with a header row.
pub fn render_side_by_side(
    left_name: &str,
    left: &CalibrationStats,
    right_name: &str,
    right: &CalibrationStats,
) -> String {
    let mut lines = vec![["statistic".to_string(), left_name.to_string(), right_name.to_string()]];
    for ((name, a), (_, b)) in left.rows().into_iter().zip(right.rows()) {
        lines.push([name.to_string(), a, b]);
    }
    let width = |c: usize| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    let mut out = String::new();
    for l in &lines {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{:<w0$}  {:<w1$}  {}", l[0], l[1], l[2]);
    }
    out
}

/// Quantile `q ∈ [0, 1]` of ascending `sorted` values by linear interpolation between order
/// statistics at position `h = (n − 1)·q` (numpy's default `linear` method, including its
/// two-sided lerp `a + (b − a)·t` for `t < 0.5`, `b − (b − a)·(1 − t)` otherwise). NaN when
/// empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = last as f64 * q;
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    let t = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    if t < 0.5 {
        a + (b - a) * t
    } else {
        b - (b - a) * (1.0 - t)
    }
}

/// Values sorted ascending by IEEE total order.
fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Pearson correlation of two equal-length samples (NaN if either is constant).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    sab / (saa * sbb).sqrt()
}

/// Class index of each row (classes in byte order) and the number of classes.
fn class_indices(labels: &[String]) -> (Vec<usize>, usize) {
    let classes = super::dataset::classes(labels);
    let index: HashMap<&str, usize> = classes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    (labels.iter().map(|l| index[l.as_str()]).collect(), classes.len())
}

/// Per-gene moments over the rows of a row-major `n × p` matrix.
struct GeneMoments {
    mean: Vec<f64>,
    /// SD with ddof 1.
    sd: Vec<f64>,
    /// Total sum of squares `Σᵢ (x_ij − x̄_j)²`.
    total_ss: Vec<f64>,
    /// Biased skewness `g₁` (NaN for a constant gene).
    skew: Vec<f64>,
}

/// Two passes over the rows: the means, then the second and third central moments.
fn gene_moments(x: &[f64], n: usize, p: usize) -> GeneMoments {
    let mut mean = vec![0.0; p];
    for row in x.chunks_exact(p) {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let (mut m2, mut m3) = (vec![0.0; p], vec![0.0; p]);
    for row in x.chunks_exact(p) {
        for j in 0..p {
            let d = row[j] - mean[j];
            m2[j] += d * d;
            m3[j] += d * d * d;
        }
    }
    let sd = m2.iter().map(|s| (s / (n as f64 - 1.0)).sqrt()).collect();
    let skew = m2
        .iter()
        .zip(&m3)
        .map(|(&s2, &s3)| if s2 > 0.0 { (s3 / n as f64) / (s2 / n as f64).powf(1.5) } else { f64::NAN })
        .collect();
    GeneMoments { mean, sd, total_ss: m2, skew }
}

/// Subtract each class's gene means from its rows (in place); returns the within-class sum of
/// squares of each gene.
fn subtract_class_means(x: &mut [f64], p: usize, class_of_row: &[usize], n_classes: usize) -> Vec<f64> {
    let mut sums = vec![0.0; n_classes * p];
    let mut counts = vec![0usize; n_classes];
    for (row, &c) in x.chunks_exact(p).zip(class_of_row) {
        sums[c * p..(c + 1) * p].iter_mut().zip(row).for_each(|(s, v)| *s += v);
        counts[c] += 1;
    }
    for (c, &count) in counts.iter().enumerate() {
        sums[c * p..(c + 1) * p].iter_mut().for_each(|s| *s /= count.max(1) as f64);
    }
    let mut within = vec![0.0; p];
    for (row, &c) in x.chunks_exact_mut(p).zip(class_of_row) {
        let means = &sums[c * p..(c + 1) * p];
        for ((v, m), w) in row.iter_mut().zip(means).zip(within.iter_mut()) {
            *v -= m;
            *w += *v * *v;
        }
    }
    within
}

/// Genes z-scored with their mean and ddof-1 SD (genes with zero SD become zero columns).
fn z_scores(x: &[f64], n: usize, moments: &GeneMoments) -> Vec<f64> {
    let p = moments.mean.len();
    let inv_sd: Vec<f64> = moments.sd.iter().map(|&s| if s > 0.0 { 1.0 / s } else { 0.0 }).collect();
    let mut z = Vec::with_capacity(n * p);
    for row in x.chunks_exact(p) {
        z.extend(row.iter().zip(&moments.mean).zip(&inv_sd).map(|((v, m), s)| (v - m) * s));
    }
    z
}

/// `AᵀA` of a column-centred `n × p` matrix (single-threaded, so deterministic).
fn gram(a: MatRef<'_, f64>) -> Mat<f64> {
    let mut g = Mat::<f64>::zeros(a.ncols(), a.ncols());
    matmul(g.as_mut(), Accum::Replace, a.transpose(), a, 1.0, Par::Seq);
    g
}

/// `|r_ab| = |G_ab| / √(G_aa G_bb)` for every pair `a < b` of columns with non-zero variance,
/// from the Gram matrix `G` of column-centred data.
fn abs_correlations(g: &Mat<f64>) -> Vec<f64> {
    let p = g.nrows();
    let live: Vec<usize> = (0..p).filter(|&j| g[(j, j)] > 0.0).collect();
    let mut out = Vec::with_capacity(live.len() * live.len().saturating_sub(1) / 2);
    for (ia, &a) in live.iter().enumerate() {
        for &b in &live[ia + 1..] {
            out.push(g[(a, b)].abs() / (g[(a, a)] * g[(b, b)]).sqrt());
        }
    }
    out
}

/// Share of `‖Z‖²_F` carried by the `k` largest principal components of the row-major `n × p`
/// matrix `z`: the top-`k` eigenvalues of `ZᵀZ` (p × p) when `n ≥ p`, else of `ZZᵀ` (n × n),
/// which has the same non-zero eigenvalues, divided by the trace.
fn top_pc_share(z: &[f64], n: usize, p: usize, k: usize) -> f64 {
    let view = MatRef::from_row_major_slice(z, n, p);
    let g = if n >= p { gram(view) } else { gram(view.transpose()) };
    let trace: f64 = (0..g.nrows()).map(|i| g[(i, i)]).sum();
    let Some(eigenvalues) = symmetric_eigenvalues(&g) else {
        return f64::NAN;
    };
    // Ascending order: the largest k are at the end.
    eigenvalues.iter().rev().take(k).sum::<f64>() / trace
}

/// Eigenvalues (ascending) of a symmetric matrix, single-threaded; `None` if the solver fails.
fn symmetric_eigenvalues(a: &Mat<f64>) -> Option<Vec<f64>> {
    let n = a.nrows();
    let par = Par::Seq;
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let scratch = evd::self_adjoint_evd_scratch::<f64>(n, ComputeEigenvectors::No, par, Default::default());
    let mut buffer = faer::dyn_stack::MemBuffer::new(scratch);
    let stack = faer::dyn_stack::MemStack::new(&mut buffer);
    evd::self_adjoint_evd(a.as_ref(), s.as_mut(), None, par, stack, Default::default()).ok()?;
    Some(s.column_vector().iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::matrix::Matrix;

    fn dataset(rows: &[Vec<f64>], labels: &[&str]) -> Dataset {
        Dataset {
            name: "t".into(),
            source: "test".into(),
            sample_ids: (0..rows.len()).map(|i| format!("s{i}")).collect(),
            gene_ids: (0..rows[0].len()).map(|j| format!("g{j}")).collect(),
            x: Matrix::from_rows(rows).unwrap(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            label_column: "label".into(),
        }
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        // numpy.percentile([1,2,3,4], [0, 5, 50, 99, 100]) = 1, 1.15, 2.5, 3.97, 4.
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert!((quantile_sorted(&v, 0.05) - 1.15).abs() < 1e-15);
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert!((quantile_sorted(&v, 0.99) - 3.97).abs() < 1e-15);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn moments_match_hand_values() {
        // Gene 0 = [0, 0, 3]: mean 1, m2 = 2, m3 = 2 → g1 = 2 / 2^1.5 = 1/√2; SD = √3 (ddof 1).
        // Gene 1 is constant: SD 0, skew NaN.
        let x = [0.0, 5.0, 0.0, 5.0, 3.0, 5.0];
        let m = gene_moments(&x, 3, 2);
        assert_eq!(m.mean, vec![1.0, 5.0]);
        assert!((m.sd[0] - 3f64.sqrt()).abs() < 1e-15);
        assert!((m.skew[0] - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-15);
        assert_eq!(m.sd[1], 0.0);
        assert!(m.skew[1].is_nan());
    }

    #[test]
    fn eta2_and_within_class_correlation_by_hand() {
        // Gene 0: class A = [1, 3], class B = [5, 7]. Total SS about 4: 9+1+1+9 = 20;
        // within SS: 1+1+1+1 = 4 → η² = 1 − 4/20 = 0.8.
        // Gene 1: A = [0, 2], B = [3, 1]; total SS about 1.5 is 5, within SS 4 → η² = 0.2.
        // After class centring it is [−1, 1, 1, −1] vs gene 0's [−1, 1, −1, 1] → r = 0.
        let d = dataset(
            &[vec![1.0, 0.0, 1.0], vec![3.0, 2.0, 1.0], vec![5.0, 3.0, 1.0], vec![7.0, 1.0, 1.0]],
            &["A", "A", "B", "B"],
        );
        let s = calibration_stats(&d);
        // Gene 2 is constant: no η², no correlation, no skew.
        assert!((s.eta2_median - (0.8 + 0.2) / 2.0).abs() < 1e-15, "{}", s.eta2_median);
        assert_eq!(s.within_class_abs_r_median, 0.0);
        assert_eq!(s.n_classes, 2);
        assert_eq!(s.exact_zeros, 1);
        assert_eq!(s.min_value, 0.0);
        assert_eq!(s.frac_below_5, 10.0 / 12.0);
    }

    #[test]
    fn pc_share_is_the_same_from_either_gram_matrix() {
        let mut rng = crate::rng::Rng::from_seed(2);
        let (n, p) = (9, 14);
        let z: Vec<f64> = (0..n * p).map(|_| rng.normal()).collect();
        let wide = top_pc_share(&z, n, p, 3);
        // The transpose (p × n, "tall") takes the other branch and has the same spectrum.
        let mut zt = vec![0.0; n * p];
        for i in 0..n {
            for j in 0..p {
                zt[j * n + i] = z[i * p + j];
            }
        }
        let tall = top_pc_share(&zt, p, n, 3);
        assert!((wide - tall).abs() < 1e-12, "{wide} vs {tall}");
        assert!(wide > 3.0 / 9.0 && wide < 1.0);
        // Three or fewer columns: all the variance is in the top three components.
        assert!((top_pc_share(&z[..3 * 3], 3, 3, 3) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn pc_share_of_two_identical_genes() {
        // Columns [a, a, b]: ZᵀZ has eigenvalues 2·‖a‖², ‖b‖², 0 (a ⟂ b) → top-1 share = 2/3.
        let z = [1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0];
        assert!((top_pc_share(&z, 4, 3, 1) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn side_by_side_table_lists_every_row() {
        let d = dataset(&[vec![1.0, 6.0], vec![2.0, 8.0], vec![4.0, 7.0]], &["A", "A", "B"]);
        let s = calibration_stats(&d);
        let table = render_side_by_side("left", &s, "right-name", &s);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), s.rows().len() + 1);
        assert!(lines[0].starts_with("statistic") && lines[0].ends_with("right-name"));
        assert!(lines.iter().any(|l| l.starts_with("gene mean p5 / p50 / p95")));
    }
}
