//! Per-gene KL divergence (metrics.md §3.4): `kl_mean_train = mean_g KL_g(Xtr ‖ Xs)`,
//! `kl_mean_test = mean_g KL_g(Xte ‖ Xs)` and the real-only `kl_mean_base = mean_g KL_g(Xte ‖ Xtr)`
//! (memoised per fold).
//!
//! For gene `g` with real column `r` and synthetic column `s`, on the common range
//! `[lo, hi] = [min(r ∪ s), max(r ∪ s)]`:
//!
//! ```text
//! e_i = i·((hi − lo)/49) + lo  (i = 0..48),  e_49 = hi         # numpy linspace(lo, hi, 50)
//! bins [e_i, e_{i+1}), the last one closed                      # numpy histogram
//! dens_x[i] = count_x[i] / (e_{i+1} − e_i) / |x|                # density=True
//! P_x[i] = (dens_x[i] + 1e-10) / Σ_j (dens_x[j] + 1e-10)       # ε on the DENSITY
//! KL_g = Σ_i P_r[i] · ln(P_r[i] / P_s[i]);   KL_g = 0 if hi = lo (constant gene)
//! ```

use super::spec::{ColumnSpec, Direction, Exactness};
use super::{EvalInput, Metric, MetricOutput};
use crate::data::matrix::Matrix;
use crate::error::Result;

/// Number of bin edges (`kl.n_edges`, §6): 49 bins.
pub const N_EDGES: usize = 50;
/// Added to each bin's density before normalising (`kl.eps`, §6).
pub const DENSITY_EPS: f64 = 1e-10;

/// The KL family of `camda2026`.
pub struct KlDivergence;

const KL_MEAN_TRAIN: ColumnSpec = ColumnSpec::new(
    "kl_mean_train",
    Direction::Lower,
    Exactness::Deterministic,
    "mean per-gene KL(real train ‖ synthetic) (§3.4)",
);
const KL_MEAN_TEST: ColumnSpec = ColumnSpec::new(
    "kl_mean_test",
    Direction::Lower,
    Exactness::Deterministic,
    "mean per-gene KL(real test ‖ synthetic) (§3.4)",
);
const KL_MEAN_BASE: ColumnSpec = ColumnSpec::real_reference(
    "kl_mean_base",
    Exactness::Deterministic,
    "mean per-gene KL(real test ‖ real train) (§3.4)",
);

impl Metric for KlDivergence {
    fn name(&self) -> &'static str {
        "kl"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        vec![KL_MEAN_TRAIN, KL_MEAN_TEST, KL_MEAN_BASE]
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let (train, test, syn) = (&input.train.x, &input.test.x, &input.synthetic.x);
        let base = *super::memo(&input.real.kl_base, || mean_kl(test, train));
        Ok(MetricOutput {
            scores: vec![
                KL_MEAN_TRAIN.value(mean_kl(train, syn)),
                KL_MEAN_TEST.value(mean_kl(test, syn)),
                KL_MEAN_BASE.value(base),
            ],
            ..Default::default()
        })
    }
}

/// `mean_g KL_g(real ‖ synthetic)` over all genes (columns). The matrices are scanned row by row
/// (contiguous memory): one pass for each gene's range, one to count each gene's bins; the mean
/// sums the genes in order.
pub fn mean_kl(real: &Matrix, synthetic: &Matrix) -> f64 {
    assert_eq!(real.cols(), synthetic.cols(), "KL between matrices of different widths");
    let p = real.cols();
    let mut lo = vec![f64::INFINITY; p];
    let mut hi = vec![f64::NEG_INFINITY; p];
    for row in real.row_iter().chain(synthetic.row_iter()) {
        for ((l, h), &v) in lo.iter_mut().zip(hi.iter_mut()).zip(row) {
            *l = l.min(v);
            *h = h.max(v);
        }
    }
    let edges: Vec<[f64; N_EDGES]> = lo.iter().zip(&hi).map(|(&l, &h)| linspace_edges(l, h)).collect();
    let real_counts = bin_counts(real, &edges);
    let syn_counts = bin_counts(synthetic, &edges);
    let kl_sum: f64 = (0..p)
        .map(|g| {
            if hi[g] == lo[g] {
                return 0.0;
            }
            let p_real = smoothed_distribution(&real_counts[g], real.rows(), &edges[g]);
            let p_syn = smoothed_distribution(&syn_counts[g], synthetic.rows(), &edges[g]);
            kl(&p_real, &p_syn)
        })
        .sum();
    kl_sum / p as f64
}

/// `KL_g(real ‖ synthetic)` of one gene (module doc).
pub fn gene_kl(real: &[f64], synthetic: &[f64]) -> f64 {
    let real = Matrix::from_row_major(real.len(), 1, real.to_vec()).expect("one column");
    let synthetic = Matrix::from_row_major(synthetic.len(), 1, synthetic.to_vec()).expect("one column");
    mean_kl(&real, &synthetic)
}

fn kl(p_real: &[f64], p_syn: &[f64]) -> f64 {
    p_real.iter().zip(p_syn).map(|(pr, ps)| pr * (pr / ps).ln()).sum()
}

/// Per gene, the number of rows in each bin (constant genes: everything in bin 0).
fn bin_counts(x: &Matrix, edges: &[[f64; N_EDGES]]) -> Vec<[u32; N_EDGES - 1]> {
    let mut counts = vec![[0u32; N_EDGES - 1]; x.cols()];
    for row in x.row_iter() {
        for ((c, e), &v) in counts.iter_mut().zip(edges).zip(row) {
            c[bin_of(v, e)] += 1;
        }
    }
    counts
}

/// numpy `linspace(lo, hi, 50)`: `i·step + lo` with `step = (hi − lo)/49`, last edge exactly `hi`.
fn linspace_edges(lo: f64, hi: f64) -> [f64; N_EDGES] {
    let step = (hi - lo) / (N_EDGES - 1) as f64;
    let mut edges = [0.0; N_EDGES];
    for (i, e) in edges.iter_mut().enumerate() {
        *e = i as f64 * step + lo;
    }
    edges[N_EDGES - 1] = hi;
    edges
}

/// Bin of `v` under numpy's histogram rule: the `i` with `e_i ≤ v < e_{i+1}`, and the last bin
/// for `v = e_49`. The arithmetic guess is corrected against the actual edges.
fn bin_of(v: f64, edges: &[f64; N_EDGES]) -> usize {
    let last = N_EDGES - 2;
    let width = edges[N_EDGES - 1] - edges[0];
    if width <= 0.0 {
        return 0;
    }
    let guess = (v - edges[0]) / width * (N_EDGES - 1) as f64;
    let mut i = (guess.max(0.0) as usize).min(last);
    while i > 0 && v < edges[i] {
        i -= 1;
    }
    while i < last && v >= edges[i + 1] {
        i += 1;
    }
    i
}

/// `P_x` of the module doc from a gene's bin counts over `n` rows: density plus `1e-10`,
/// normalised to sum 1.
fn smoothed_distribution(counts: &[u32; N_EDGES - 1], n: usize, edges: &[f64; N_EDGES]) -> [f64; N_EDGES - 1] {
    let mut q = [0.0; N_EDGES - 1];
    for (i, qi) in q.iter_mut().enumerate() {
        *qi = f64::from(counts[i]) / (edges[i + 1] - edges[i]) / n as f64 + DENSITY_EPS;
    }
    let norm: f64 = q.iter().sum();
    q.iter_mut().for_each(|v| *v /= norm);
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_gene_is_zero_and_identical_columns_give_zero() {
        assert_eq!(gene_kl(&[3.0, 3.0], &[3.0]), 0.0);
        let r = [0.1, 0.5, 0.9, 0.9, 2.0];
        assert!(gene_kl(&r, &r).abs() < 1e-15);
    }

    #[test]
    fn two_point_example_by_hand() {
        // real = {0, 1}, synthetic = {0, 0}: lo = 0, hi = 1, 49 bins of width 1/49.
        // Real: one value in bin 0, one in bin 48 (the closed last bin); synthetic: two in bin 0.
        // dens_r = 24.5 in bins 0 and 48; dens_s = 49 in bin 0; ε = 1e-10 everywhere else.
        let eps = DENSITY_EPS;
        let (zr, zs) = (49.0 + 47.0 * eps, 49.0 + 48.0 * eps);
        let (pr_hit, pr_miss) = ((24.5 + eps) / zr, eps / zr);
        let (ps0, ps_miss) = ((49.0 + eps) / zs, eps / zs);
        let expected =
            pr_hit * (pr_hit / ps0).ln() + pr_hit * (pr_hit / ps_miss).ln() + 47.0 * pr_miss * (pr_miss / ps_miss).ln();
        let kl = gene_kl(&[0.0, 1.0], &[0.0, 0.0]);
        // The real bin widths differ from 1/49 in the last bits, hence the 1e-9 tolerance.
        assert!((kl - expected).abs() < 1e-9 * expected, "{kl} vs {expected}");
        assert!(kl > 10.0); // half of the real mass sits where the synthetic has only ε
    }

    #[test]
    fn values_on_edges_follow_numpy_bins() {
        let edges = linspace_edges(0.0, 49.0);
        assert_eq!(bin_of(0.0, &edges), 0);
        assert_eq!(bin_of(1.0, &edges), 1); // left-closed
        assert_eq!(bin_of(48.0, &edges), 48);
        assert_eq!(bin_of(49.0, &edges), 48); // right edge belongs to the last bin
        assert_eq!(bin_of(0.999_999, &edges), 0);
    }

    #[test]
    fn mean_over_genes() {
        let real = Matrix::from_rows(&[vec![0.0, 5.0], vec![1.0, 5.0]]).unwrap();
        let syn = Matrix::from_rows(&[vec![0.0, 5.0], vec![0.0, 5.0]]).unwrap();
        let kl = mean_kl(&real, &syn);
        assert_eq!(kl, gene_kl(&[0.0, 1.0], &[0.0, 0.0]) / 2.0);
    }
}
