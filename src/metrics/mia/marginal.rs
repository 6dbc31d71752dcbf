//! `marginal_ratio` (metrics.md §4.2): a black-box marginal attack against discretised
//! generators (after Golob et al., arXiv 2410.05506, simplified):
//!
//! ```text
//! s(x) = Σ_g log( (f̂_S(b_g(x) ∣ y(x)) + a_S) / (f̂_R(b_g(x) ∣ y(x)) + a_R) ),   a = 1/(n_class + B)
//! ```
//!
//! Per gene `g`, `b_g` maps a value to one of `B = mia.marginal_bins` equal-frequency bins of the
//! **synthetic** column: the interior edges are the numpy-linear quantiles `k/B`
//! (`k = 1..B−1`), and `b_g(v) = #{edges e : e ≤ v}` (tied edges leave empty bins). `f̂_S`,
//! `f̂_R` are the per-class bin frequencies in `Xs` and in `Ref`; for a candidate in `Ref` its
//! own row is left out (LOO). A class with fewer than 5 rows in a set (after LOO) uses that set's
//! frequencies pooled over classes; `n_class` is the row count the frequency was taken over.

use super::AttackData;
use crate::data::matrix::Matrix;
use crate::data::stats::quantile_sorted;

/// Minimum rows of a class in a set for its own frequencies.
const MIN_CLASS_ROWS: usize = 5;

/// Bin counts of one set: per class (index into `classes`) and pooled, gene-major
/// `counts[g·B + b]`.
struct BinCounts {
    per_class: Vec<Vec<usize>>,
    class_rows: Vec<usize>,
    pooled: Vec<usize>,
    rows: usize,
}

/// Bin index of every entry of `x` (row-major, like `x`).
fn bin_indices(x: &Matrix, edges: &[Vec<f64>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(x.rows() * x.cols());
    for row in x.row_iter() {
        out.extend(row.iter().zip(edges).map(|(v, e)| e.iter().filter(|&&edge| edge <= *v).count() as u8));
    }
    out
}

fn count_bins(bins: &[u8], rows: &[usize], labels: &[usize], n_classes: usize, p: usize, b: usize) -> BinCounts {
    let mut per_class = vec![vec![0usize; p * b]; n_classes];
    let mut class_rows = vec![0usize; n_classes];
    let mut pooled = vec![0usize; p * b];
    for &i in rows {
        let c = labels[i];
        class_rows[c] += 1;
        for (g, &bin) in bins[i * p..(i + 1) * p].iter().enumerate() {
            per_class[c][g * b + bin as usize] += 1;
            pooled[g * b + bin as usize] += 1;
        }
    }
    BinCounts { per_class, class_rows, pooled, rows: rows.len() }
}

impl BinCounts {
    /// `f̂(bin ∣ class) + a` for gene `g`, leaving out one row in `bin` when `loo`.
    fn smoothed(&self, class: usize, g: usize, bin: usize, b: usize, loo: bool) -> f64 {
        let minus = usize::from(loo);
        let (count, n) = if self.class_rows[class] - minus >= MIN_CLASS_ROWS {
            (self.per_class[class][g * b + bin] - minus, self.class_rows[class] - minus)
        } else {
            (self.pooled[g * b + bin] - minus, self.rows - minus)
        };
        let freq = if n == 0 { 0.0 } else { count as f64 / n as f64 };
        freq + 1.0 / (n + b) as f64
    }
}

/// The `marginal_ratio` score of every candidate with `bins` equal-frequency bins per gene.
pub fn marginal_ratio(data: &AttackData, bins: usize) -> Result<Vec<f64>, String> {
    if !(2..=255).contains(&bins) {
        return Err("bad_bin_count".into());
    }
    let p = data.candidates.cols();
    let edges: Vec<Vec<f64>> = (0..p)
        .map(|g| {
            let mut col = data.synthetic.column(g);
            col.sort_unstable_by(f64::total_cmp);
            (1..bins).map(|k| quantile_sorted(&col, k as f64 / bins as f64)).collect()
        })
        .collect();
    let mut classes = crate::data::dataset::classes(&data.labels);
    classes.extend(crate::data::dataset::classes(&data.synthetic_labels));
    classes.sort();
    classes.dedup();
    let index = |l: &String| classes.binary_search(l).expect("class listed");
    let cand_labels: Vec<usize> = data.labels.iter().map(index).collect();
    let synth_labels: Vec<usize> = data.synthetic_labels.iter().map(index).collect();
    let cand_bins = bin_indices(&data.candidates, &edges);
    let synth_bins = bin_indices(&data.synthetic, &edges);
    let n_syn = data.synthetic.rows();
    let s = count_bins(&synth_bins, &(0..n_syn).collect::<Vec<_>>(), &synth_labels, classes.len(), p, bins);
    let ref_rows: Vec<usize> = (data.n_members..data.candidates.rows()).collect();
    let r = count_bins(&cand_bins, &ref_rows, &cand_labels, classes.len(), p, bins);
    let scores = (0..data.candidates.rows())
        .map(|i| {
            let loo = i >= data.n_members;
            let c = cand_labels[i];
            cand_bins[i * p..(i + 1) * p]
                .iter()
                .enumerate()
                .map(|(g, &bin)| {
                    let bin = bin as usize;
                    (s.smoothed(c, g, bin, bins, false) / r.smoothed(c, g, bin, bins, loo)).ln()
                })
                .sum()
        })
        .collect();
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marginal_ratio_by_hand_with_pooled_small_classes() {
        // One gene, B = 2. Synthetic {0, 1, 2, 3} → edge = median 1.5: bins {0,0,1,1}.
        // Candidates: member 0 (bin 0); reference {3, 2} (bin 1, bin 1). All classes have < 5
        // rows → pooled frequencies.
        // Member: f_S = 2/4 + 1/6; f_R = 0/2 + 1/4 → log((1/2 + 1/6)/(1/4)) = log(8/3).
        // Reference row (LOO): f_S = 2/4 + 1/6; f_R = 1/1 + 1/3 → log((2/3)/(4/3)) = log(1/2).
        let data = AttackData::new(
            Matrix::from_rows(&[vec![0.0], vec![3.0], vec![2.0]]).unwrap(),
            vec!["a".into(); 3],
            1,
            Matrix::from_rows(&[vec![0.0], vec![1.0], vec![2.0], vec![3.0]]).unwrap(),
            vec!["a".into(); 4],
        );
        let s = marginal_ratio(&data, 2).unwrap();
        assert!((s[0] - (8.0f64 / 3.0).ln()).abs() < 1e-15);
        assert!((s[1] - 0.5f64.ln()).abs() < 1e-15);
        assert_eq!(s[1], s[2]);
    }
}
