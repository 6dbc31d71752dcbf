//! Discretisation of genes into ordered bins and back (generators.md §2): bin edges (public
//! train-fold quantiles or a DP histogram on a public grid), the encoded discrete table the
//! marginal-based generators work on, and the three de-discretisation modes.

use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::privacy::accountant::Accountant;
use crate::privacy::mechanisms::{count_round, gaussian_mechanism, Noise};
use crate::rng::{Key, Rng};
use crate::{bail, ensure};
use rayon::prelude::*;
use serde::Deserialize;

/// Cells of the public grid a DP edge histogram uses (§2.2).
pub const DP_GRID_CELLS: usize = 40;
/// Smallest and largest bin count a configuration may ask for (§2.1).
pub const MIN_BINS: usize = 2;
pub const MAX_BINS: usize = 64;

/// Non-private step strings of the privacy report (§1.5, §2).
pub const STEP_PUBLIC_EDGES: &str = "bin_edges:public(train)";
pub const STEP_BIN_MEAN: &str = "dediscretise:bin_mean(train)";
/// Warning when the DP edge histogram is mostly noise (§2.2).
pub const WARN_DP_EDGES_NOISE: &str = "dp_edges_noise_dominated";

/// How bin edges are chosen (§2.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeMode {
    /// Train-fold quantiles (non-private, recorded).
    Public,
    /// Quantiles of a noisy histogram on the public grid (the default: end-to-end DP).
    #[default]
    Dp,
}

/// How bins become values again (§2.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dediscretise {
    /// Mean of the train values in the bin (non-private, recorded).
    BinMean,
    /// Uniform draw inside the bin's interval.
    Uniform,
    /// Noisy clipped bin sums over noisy bin counts (requires DP edges; the default).
    #[default]
    BinMeanDp,
}

/// Per-gene cut points `t_j1 ≤ … ≤ t_j(B−1)` (§2.1), stored gene-major, and the public range
/// that bounds the outer bins.
#[derive(Clone, Debug, PartialEq)]
pub struct BinEdges {
    bins: usize,
    cuts: Vec<f64>,
    range: (f64, f64),
}

impl BinEdges {
    /// Edges from gene-major cut points (`genes × (bins − 1)` values, each row non-decreasing).
    pub fn new(bins: usize, cuts: Vec<f64>, range: (f64, f64)) -> Result<BinEdges> {
        check_bins(bins)?;
        ensure!(cuts.len() % (bins - 1) == 0, "{} cut points do not split into rows of {}", cuts.len(), bins - 1);
        if !(range.0.is_finite() && range.1.is_finite()) || range.0 >= range.1 {
            bail!("public range [{}, {}] must be finite and non-empty", range.0, range.1);
        }
        for (j, row) in cuts.chunks_exact(bins - 1).enumerate() {
            ensure!(row.iter().all(|t| t.is_finite()), "gene {j}: non-finite cut point");
            ensure!(row.windows(2).all(|w| w[0] <= w[1]), "gene {j}: cut points are not non-decreasing");
        }
        Ok(BinEdges { bins, cuts, range })
    }

    pub fn bins(&self) -> usize {
        self.bins
    }

    pub fn genes(&self) -> usize {
        self.cuts.len() / (self.bins - 1)
    }

    pub fn range(&self) -> (f64, f64) {
        self.range
    }

    /// The `B − 1` cut points of gene `j`.
    pub fn cuts(&self, j: usize) -> &[f64] {
        &self.cuts[j * (self.bins - 1)..(j + 1) * (self.bins - 1)]
    }

    /// `bin(x) = #{b : t_jb ≤ x}` (ties go up, as numpy `digitize` with `right = False`).
    pub fn bin(&self, j: usize, x: f64) -> usize {
        self.cuts(j).partition_point(|&t| t <= x)
    }

    /// The interval `[t_jb, t_j(b+1))` of bin `b`; the outer bins are bounded by the public range
    /// (widened to the outer cut points if those lie outside it).
    pub fn interval(&self, j: usize, b: usize) -> (f64, f64) {
        let cuts = self.cuts(j);
        let lo = if b == 0 { self.range.0.min(cuts[0]) } else { cuts[b - 1] };
        let hi = if b == self.bins - 1 { self.range.1.max(cuts[self.bins - 2]) } else { cuts[b] };
        (lo, hi)
    }
}

fn check_bins(bins: usize) -> Result<()> {
    ensure!((MIN_BINS..=MAX_BINS).contains(&bins), "bins must be between {MIN_BINS} and {MAX_BINS}, got {bins}");
    Ok(())
}

/// numpy's default (`method = "linear"`) quantile of sorted values: virtual index
/// `h = (n − 1)·q`, then `_lerp` between its neighbours exactly as numpy 1.26 computes it
/// (`b − (b − a)(1 − γ)` when `γ ≥ 0.5`, else `a + (b − a)γ`).
pub fn quantile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let h = (n as f64 - 1.0) * q;
    if h >= n as f64 - 1.0 {
        return sorted[n - 1];
    }
    if h < 0.0 {
        return sorted[0];
    }
    let lo = h.floor();
    let (a, b) = (sorted[lo as usize], sorted[lo as usize + 1]);
    let gamma = h - lo;
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// `public` edges (§2.2): per gene, the train-fold quantiles at levels `b/B`, b = 1..B−1.
pub fn public_edges(x: &Matrix, bins: usize, range: (f64, f64)) -> Result<BinEdges> {
    check_bins(bins)?;
    ensure!(x.rows() > 0, "cannot compute bin edges of an empty train fold");
    let (n, p) = (x.rows(), x.cols());
    let mut cuts = vec![0.0; p * (bins - 1)];
    cuts.par_chunks_mut(bins - 1).enumerate().for_each(|(j, row)| {
        let mut col: Vec<f64> = (0..n).map(|i| x.get(i, j)).collect();
        col.sort_unstable_by(f64::total_cmp);
        for (b, t) in row.iter_mut().enumerate() {
            *t = quantile_linear(&col, (b + 1) as f64 / bins as f64);
        }
    });
    BinEdges::new(bins, cuts, range)
}

/// Cell of the public grid `[lo, hi]` with `cells` equal cells; values outside go to the end cells.
pub fn grid_cell(x: f64, range: (f64, f64), cells: usize) -> usize {
    let w = (range.1 - range.0) / cells as f64;
    let k = ((x - range.0) / w).floor();
    if k < 0.0 {
        0
    } else {
        (k as usize).min(cells - 1)
    }
}

/// Post-processing of one gene's noisy grid histogram into `B − 1` cut points (§2.2):
/// clamp negative cells to 0; with no mass left use equal-width edges over `[lo, hi]`;
/// otherwise interpolate linearly inside the cell where the CDF crosses `b/B`; finally force
/// strictly increasing edges with a minimum gap of `(hi − lo)/(1000·G)`.
pub fn edges_from_histogram(hist: &[f64], bins: usize, range: (f64, f64)) -> Vec<f64> {
    let g = hist.len();
    let (lo, hi) = range;
    let w = (hi - lo) / g as f64;
    let clamped: Vec<f64> = hist.iter().map(|&h| h.max(0.0)).collect();
    let total: f64 = clamped.iter().sum();
    let mut cuts: Vec<f64> = if total <= 0.0 {
        (1..bins).map(|b| lo + (hi - lo) * b as f64 / bins as f64).collect()
    } else {
        let mut cdf = Vec::with_capacity(g);
        let mut acc = 0.0;
        for &h in &clamped {
            acc += h;
            cdf.push(acc / total);
        }
        (1..bins)
            .map(|b| {
                let q = b as f64 / bins as f64;
                let k = cdf.iter().position(|&f| f >= q).unwrap_or(g - 1);
                let below = if k == 0 { 0.0 } else { cdf[k - 1] };
                let frac = if cdf[k] > below { (q - below) / (cdf[k] - below) } else { 0.0 };
                lo + w * (k as f64 + frac)
            })
            .collect()
    };
    enforce_min_gap(&mut cuts, (hi - lo) / (1000.0 * g as f64));
    cuts
}

/// Make cut points strictly increasing: `t_b ← max(t_b, t_(b−1) + gap)`, left to right.
pub fn enforce_min_gap(cuts: &mut [f64], gap: f64) {
    for b in 1..cuts.len() {
        cuts[b] = cuts[b].max(cuts[b - 1] + gap);
    }
}

/// `dp` edges (§2.2): each gene's histogram on the public grid of [`DP_GRID_CELLS`] cells is one
/// count marginal; the round of `p` histograms is charged `rho` to phase `discretisation`
/// (σ = √(p/(2ρ))). Returns the edges and σ.
pub fn dp_edges(
    x: &Matrix,
    bins: usize,
    range: (f64, f64),
    rho: f64,
    acct: &mut Accountant,
    noise: &mut Noise,
) -> Result<(BinEdges, f64)> {
    check_bins(bins)?;
    let (n, p, g) = (x.rows(), x.cols(), DP_GRID_CELLS);
    let mut hist = vec![0.0; p * g];
    hist.par_chunks_mut(g).enumerate().for_each(|(j, h)| {
        for i in 0..n {
            h[grid_cell(x.get(i, j), range, g)] += 1.0;
        }
    });
    let sigma = count_round(acct, "discretisation", rho, p, &mut hist, noise)?;
    let cuts: Vec<f64> = hist.chunks_exact(g).flat_map(|h| edges_from_histogram(h, bins, range)).collect();
    Ok((BinEdges::new(bins, cuts, range)?, sigma))
}

/// Expected noise-to-signal ratio of the DP edge histogram, `σ·√G / (N/B)` (§2.2), with the
/// row count `n` supplied by the caller (bench passes the DP estimate N̂).
pub fn dp_edges_noise_to_signal(sigma: f64, n: f64, bins: usize) -> f64 {
    sigma * (DP_GRID_CELLS as f64).sqrt() / (n / bins as f64)
}

/// A discrete table: `rows` records over attributes with domain sizes `sizes`, stored
/// attribute-major (`codes[a·rows + i]` is attribute `a` of record `i`). For the generators the
/// attributes are the genes followed by the label (attribute `p`).
#[derive(Clone, Debug, PartialEq)]
pub struct DiscreteData {
    rows: usize,
    sizes: Vec<usize>,
    codes: Vec<u32>,
}

impl DiscreteData {
    pub fn new(rows: usize, sizes: Vec<usize>, codes: Vec<u32>) -> Result<DiscreteData> {
        ensure!(
            codes.len() == rows * sizes.len(),
            "{} codes for {rows} rows x {} attributes",
            codes.len(),
            sizes.len()
        );
        for (a, &s) in sizes.iter().enumerate() {
            ensure!(s > 0, "attribute {a} has an empty domain");
            if let Some(&c) = codes[a * rows..(a + 1) * rows].iter().find(|&&c| c as usize >= s) {
                bail!("attribute {a}: code {c} outside its domain of size {s}");
            }
        }
        Ok(DiscreteData { rows, sizes, codes })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn attrs(&self) -> usize {
        self.sizes.len()
    }

    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    pub fn column(&self, a: usize) -> &[u32] {
        &self.codes[a * self.rows..(a + 1) * self.rows]
    }

    /// The codes of attributes `attrs` (consecutive), attribute-major.
    pub fn columns(&self, attrs: std::ops::Range<usize>) -> &[u32] {
        &self.codes[attrs.start * self.rows..attrs.end * self.rows]
    }

    /// Count table of attribute `a` (length `sizes[a]`).
    pub fn histogram(&self, a: usize) -> Vec<f64> {
        let mut h = vec![0.0; self.sizes[a]];
        for &c in self.column(a) {
            h[c as usize] += 1.0;
        }
        h
    }

    /// Count table of the pair `(a, b)`, flattened in C order (`x_a·|b| + x_b`).
    pub fn pair_histogram(&self, a: usize, b: usize) -> Vec<f64> {
        let nb = self.sizes[b];
        let mut h = vec![0.0; self.sizes[a] * nb];
        for (&ca, &cb) in self.column(a).iter().zip(self.column(b)) {
            h[ca as usize * nb + cb as usize] += 1.0;
        }
        h
    }
}

/// Encode the train fold: gene `j` → `bin(x_ij)`, then the label codes as the last attribute.
pub fn encode(x: &Matrix, edges: &BinEdges, labels: &[u32], classes: usize) -> Result<DiscreteData> {
    let (n, p, bins) = (x.rows(), x.cols(), edges.bins());
    ensure!(edges.genes() == p, "bin edges cover {} genes, the data has {p}", edges.genes());
    ensure!(labels.len() == n, "{} labels for {n} rows", labels.len());
    let mut codes = vec![0u32; n * (p + 1)];
    codes[..n * p].par_chunks_mut(n.max(1)).enumerate().for_each(|(j, col)| {
        for (i, c) in col.iter_mut().enumerate() {
            *c = edges.bin(j, x.get(i, j)) as u32;
        }
    });
    codes[n * p..].copy_from_slice(labels);
    let mut sizes = vec![bins; p];
    sizes.push(classes);
    DiscreteData::new(n, sizes, codes)
}

/// Bins → values (§2.3).
#[derive(Clone, Debug)]
pub struct Dediscretiser {
    mode: Dediscretise,
    edges: BinEdges,
    /// Per (gene, bin) representative value (`bin-mean`, `bin-mean-dp`); empty for `uniform`.
    values: Vec<f64>,
}

impl Dediscretiser {
    /// `bin-mean`: the mean of the train values in each bin; an empty bin takes the midpoint of
    /// its interval. Non-private ([`STEP_BIN_MEAN`]).
    pub fn bin_mean(x: &Matrix, data: &DiscreteData, edges: &BinEdges) -> Dediscretiser {
        let (p, bins) = (edges.genes(), edges.bins());
        let mut values = vec![0.0; p * bins];
        values.par_chunks_mut(bins).enumerate().for_each(|(j, v)| {
            let mut counts = vec![0usize; bins];
            for (i, &c) in data.column(j).iter().enumerate() {
                v[c as usize] += x.get(i, j);
                counts[c as usize] += 1;
            }
            for b in 0..bins {
                v[b] = if counts[b] > 0 { v[b] / counts[b] as f64 } else { midpoint(edges.interval(j, b)) };
            }
        });
        Dediscretiser { mode: Dediscretise::BinMean, edges: edges.clone(), values }
    }

    /// `uniform`: a uniform draw in each bin's interval; no privacy cost.
    pub fn uniform(edges: &BinEdges) -> Dediscretiser {
        Dediscretiser { mode: Dediscretise::Uniform, edges: edges.clone(), values: vec![] }
    }

    /// `bin-mean-dp` (§2.3): per (gene, bin) the noisy sum of the train values clipped to the
    /// bin's interval and centred at its midpoint, over the noisy bin count `counts` (from the
    /// 1-way measurement, gene-major, floored at 1), added back to the midpoint and clamped to
    /// the interval. One row moves one gene's sums by at most the half-width `w_max/2`, so the
    /// round of all genes has L2 sensitivity `√p·w_max/2`; it is charged `rho` to phase
    /// `dediscretise`.
    pub fn bin_mean_dp(
        x: &Matrix,
        data: &DiscreteData,
        edges: &BinEdges,
        counts: &[f64],
        rho: f64,
        acct: &mut Accountant,
        noise: &mut Noise,
    ) -> Result<Dediscretiser> {
        let (p, bins) = (edges.genes(), edges.bins());
        ensure!(counts.len() == p * bins, "{} noisy bin counts for {p} genes x {bins} bins", counts.len());
        let mut w_max: f64 = 0.0;
        for j in 0..p {
            for b in 0..bins {
                let (lo, hi) = edges.interval(j, b);
                w_max = w_max.max(hi - lo);
            }
        }
        let mut sums = vec![0.0; p * bins];
        sums.par_chunks_mut(bins).enumerate().for_each(|(j, s)| {
            for (i, &c) in data.column(j).iter().enumerate() {
                let (lo, hi) = edges.interval(j, c as usize);
                s[c as usize] += x.get(i, j).clamp(lo, hi) - midpoint((lo, hi));
            }
        });
        let sensitivity = (p as f64).sqrt() * w_max / 2.0;
        gaussian_mechanism(acct, "dediscretise", rho, sensitivity, &[("k", p as f64)], &mut sums, noise)?;
        let mut values = vec![0.0; p * bins];
        for j in 0..p {
            for b in 0..bins {
                let (lo, hi) = edges.interval(j, b);
                let v = midpoint((lo, hi)) + sums[j * bins + b] / counts[j * bins + b].max(1.0);
                values[j * bins + b] = v.clamp(lo, hi);
            }
        }
        Ok(Dediscretiser { mode: Dediscretise::BinMeanDp, edges: edges.clone(), values })
    }

    pub fn mode(&self) -> Dediscretise {
        self.mode
    }

    /// Values of gene `j` for the bin codes `codes` (`uniform` draws from `rng`).
    pub fn decode_gene(&self, j: usize, codes: &[u32], rng: &mut Rng, out: &mut [f64]) {
        let bins = self.edges.bins();
        match self.mode {
            Dediscretise::Uniform => {
                for (o, &c) in out.iter_mut().zip(codes) {
                    let (lo, hi) = self.edges.interval(j, c as usize);
                    *o = lo + (hi - lo) * rng.uniform();
                }
            }
            Dediscretise::BinMean | Dediscretise::BinMeanDp => {
                let v = &self.values[j * bins..(j + 1) * bins];
                for (o, &c) in out.iter_mut().zip(codes) {
                    *o = v[c as usize];
                }
            }
        }
    }

    /// Rows × genes values for gene-major codes (`codes[j·n + i]`), one random sub-stream of
    /// `rng` per gene, so the result does not depend on the thread count.
    pub fn decode(&self, codes: &[u32], n: usize, rng: &Rng) -> Result<Matrix> {
        let p = self.edges.genes();
        ensure!(codes.len() == n * p, "{} codes for {n} rows x {p} genes", codes.len());
        let mut columns = vec![0.0; n * p];
        columns.par_chunks_mut(n.max(1)).enumerate().for_each(|(j, col)| {
            let mut sub = rng.child(&[Key::Str("dediscretise"), Key::Num(j as u64)]);
            self.decode_gene(j, &codes[j * n..(j + 1) * n], &mut sub, col);
        });
        let mut x = Matrix::zeros(n, p);
        for (i, row) in x.as_mut_slice().chunks_exact_mut(p.max(1)).enumerate().take(n) {
            for (j, v) in row.iter_mut().enumerate() {
                *v = columns[j * n + i];
            }
        }
        Ok(x)
    }
}

fn midpoint((lo, hi): (f64, f64)) -> f64 {
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::accountant::Budget;

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy: np.quantile([1, 2, 3, 4, 10], [0.25, 0.5, 0.75]) = [2, 3, 4];
        // np.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) = [1.75, 2.5, 3.25].
        let a = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!([0.25, 0.5, 0.75].map(|q| quantile_linear(&a, q)), [2.0, 3.0, 4.0]);
        let b = [1.0, 2.0, 3.0, 4.0];
        assert_eq!([0.25, 0.5, 0.75].map(|q| quantile_linear(&b, q)), [1.75, 2.5, 3.25]);
        assert_eq!(quantile_linear(&[7.0], 0.5), 7.0);
    }

    #[test]
    fn bins_count_cuts_at_or_below_and_ties_go_up() {
        let e = BinEdges::new(4, vec![1.0, 2.0, 2.0], (0.0, 20.0)).unwrap();
        assert_eq!([0.5, 1.0, 1.5, 2.0, 9.0].map(|x| e.bin(0, x)), [0, 1, 1, 3, 3]);
        assert_eq!(e.interval(0, 0), (0.0, 1.0));
        assert_eq!(e.interval(0, 2), (2.0, 2.0));
        assert_eq!(e.interval(0, 3), (2.0, 20.0));
        assert!(BinEdges::new(1, vec![], (0.0, 1.0)).is_err());
        assert!(BinEdges::new(3, vec![2.0, 1.0], (0.0, 1.0)).is_err());
    }

    #[test]
    fn public_edges_are_train_quartiles_per_gene() {
        let x = Matrix::from_rows(&[vec![1.0, 10.0], vec![2.0, 30.0], vec![3.0, 20.0], vec![4.0, 40.0]]).unwrap();
        let e = public_edges(&x, 4, (0.0, 20.0)).unwrap();
        assert_eq!(e.cuts(0), &[1.75, 2.5, 3.25]);
        assert_eq!(e.cuts(1), &[17.5, 25.0, 32.5]);
        let d = encode(&x, &e, &[0, 1, 1, 0], 2).unwrap();
        assert_eq!(d.column(0), &[0, 1, 2, 3]);
        assert_eq!(d.column(1), &[0, 2, 1, 3]);
        assert_eq!(d.column(2), &[0, 1, 1, 0]);
        assert_eq!(d.pair_histogram(0, 2), vec![1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]);
        assert_eq!(d.histogram(2), vec![2.0, 2.0]);
    }

    #[test]
    fn histogram_edges_interpolate_inside_the_crossing_cell() {
        // Range [0, 4], 4 cells of width 1, mass (−1 → 0), 2, 2, 0: CDF 0, .5, 1, 1.
        let cuts = edges_from_histogram(&[-1.0, 2.0, 2.0, 0.0], 4, (0.0, 4.0));
        // q = 1/4 in cell 1 halfway; q = 1/2 at the end of cell 1; q = 3/4 halfway in cell 2.
        assert_eq!(cuts, vec![1.5, 2.0, 2.5]);
        let empty = edges_from_histogram(&[-1.0, -2.0], 4, (0.0, 4.0));
        assert_eq!(empty, vec![1.0, 2.0, 3.0]);
        // All mass in one cell: the median is its midpoint.
        let one = edges_from_histogram(&[0.0, 5.0, 0.0, 0.0], 2, (0.0, 4.0));
        assert_eq!(one, vec![1.5]);
        let mut tied = [1.0, 1.0, 1.0];
        enforce_min_gap(&mut tied, 0.25);
        assert_eq!(tied, [1.0, 1.25, 1.5]);
    }

    #[test]
    fn grid_cells_clamp_outside_values() {
        assert_eq!(
            [-3.0, 0.0, 0.49, 0.5, 19.99, 20.0, 25.0].map(|x| grid_cell(x, (0.0, 20.0), 40)),
            [0, 0, 0, 1, 39, 39, 39]
        );
    }

    #[test]
    fn dp_edges_charge_one_round_and_recover_quartiles_without_noise() {
        let rows: Vec<Vec<f64>> = (0..400).map(|i| vec![(i as f64 + 0.5) / 20.0]).collect();
        let x = Matrix::from_rows(&rows).unwrap();
        let mut acct = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let rho = acct.rho_total() / 10.0;
        let (e, sigma) = dp_edges(&x, 4, (0.0, 20.0), rho, &mut acct, &mut Noise::Off).unwrap();
        assert!((sigma - (1.0 / (2.0 * rho)).sqrt()).abs() < 1e-12);
        for (got, want) in e.cuts(0).iter().zip([5.0, 10.0, 15.0]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        let r = dp_edges_noise_to_signal(sigma, 400.0, 4);
        assert!((r - sigma * 40f64.sqrt() / 100.0).abs() < 1e-12);
    }

    #[test]
    fn bin_mean_and_uniform_decode() {
        let x = Matrix::from_rows(&[vec![1.0], vec![3.0], vec![10.0]]).unwrap();
        let e = BinEdges::new(3, vec![5.0, 8.0], (0.0, 20.0)).unwrap();
        let d = encode(&x, &e, &[0, 0, 0], 1).unwrap();
        let bm = Dediscretiser::bin_mean(&x, &d, &e);
        let mut out = [0.0; 3];
        bm.decode_gene(0, &[0, 1, 2], &mut Rng::from_seed(1), &mut out);
        // bin 0 mean of {1, 3}; bin 1 empty → midpoint of [5, 8); bin 2 mean of {10}.
        assert_eq!(out, [2.0, 6.5, 10.0]);
        let u = Dediscretiser::uniform(&e);
        let mut rng = Rng::from_seed(2);
        for _ in 0..100 {
            u.decode_gene(0, &[0, 1, 2], &mut rng, &mut out);
            assert!((0.0..5.0).contains(&out[0]) && (5.0..8.0).contains(&out[1]) && (8.0..20.0).contains(&out[2]));
        }
    }

    #[test]
    fn bin_mean_dp_without_noise_is_the_clipped_mean() {
        let x = Matrix::from_rows(&[vec![1.0], vec![3.0], vec![10.0], vec![30.0]]).unwrap();
        let e = BinEdges::new(2, vec![5.0], (0.0, 20.0)).unwrap();
        let d = encode(&x, &e, &[0, 0, 0, 0], 1).unwrap();
        let mut acct = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let rho = acct.rho_total() * 0.05;
        let dd = Dediscretiser::bin_mean_dp(&x, &d, &e, &[2.0, 2.0], rho, &mut acct, &mut Noise::Off).unwrap();
        let mut out = [0.0; 2];
        dd.decode_gene(0, &[0, 1], &mut Rng::from_seed(1), &mut out);
        // bin 1 = [5, 20]: values 10 and 30 → clipped 10, 20 → mean 15.
        assert_eq!(out, [2.0, 15.0]);
        let ledger = &acct.report(&[], vec![], vec![]).ledger;
        assert_eq!(ledger[0].phase, "dediscretise");
        // w_max = 15 (bin [5, 20]), p = 1 → sensitivity 7.5.
        assert_eq!(ledger[0].params["sensitivity"], 7.5);
    }

    #[test]
    fn decode_is_row_major_and_independent_of_threads() {
        let e = BinEdges::new(2, vec![1.0, 5.0], (0.0, 10.0)).unwrap();
        let u = Dediscretiser::uniform(&e);
        let codes = [0, 1, 1, 0, 0, 1];
        let rng = Rng::from_seed(3);
        let a = u.decode(&codes, 3, &rng).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| u.decode(&codes, 3, &rng).unwrap());
        assert_eq!(a, b);
        assert_eq!((a.rows(), a.cols()), (3, 2));
        assert!(a.get(0, 0) < 1.0 && a.get(0, 1) < 5.0 && a.get(1, 0) >= 1.0);
    }
}
