//! Co-expression preservation (metrics.md §5.2).
//!
//! ```text
//! r_gh = Pearson correlation of genes g and h over all rows of X   (a constant gene: no edges)
//! E_τ(X) = { {g,h} : g < h, |r_gh| > τ }      mode `abs` (default)
//!        = { {g,h} : g < h,  r_gh ≥ τ }       mode `positive`
//! correct_τ = |E_τ(Xs) ∩ E_τ(Xtr)|
//! precision_τ = correct_τ / |E_τ(Xs)|  (NaN if E_τ(Xs) = ∅);  recall_τ = correct_τ / |E_τ(Xtr)|
//! ```
//!
//! Edge sets are bitsets over the pair index of [`pair_index`] (477 753 pairs for 978 genes).

use super::bitset::Bitset;
use crate::data::matrix::Matrix;
use crate::numeric::linalg::{centred_scaled, gram_of_columns};

/// The correlation cutoffs τ (`bio.coexpr_cutoffs`, §6).
pub const CUTOFFS: [f64; 2] = [0.3, 0.5];

/// Which correlations make an edge (`bio.coexpr_mode`, §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoexprMode {
    /// `|r| > τ` (the default).
    Abs,
    /// `r ≥ τ` (hCoCena-like).
    Positive,
}

/// Index of the unordered pair `g < h` among `genes` genes, in the order
/// `(0,1), (0,2), …, (0,p−1), (1,2), …`: `g·p − g(g+1)/2 + (h − g − 1)`.
pub fn pair_index(g: usize, h: usize, genes: usize) -> usize {
    debug_assert!(g < h && h < genes, "pair ({g}, {h}) of {genes} genes");
    g * genes - g * (g + 1) / 2 + (h - g - 1)
}

/// Number of unordered gene pairs, `p(p − 1)/2`.
pub fn n_pairs(genes: usize) -> usize {
    genes * genes.saturating_sub(1) / 2
}

/// The Pearson correlation of every gene pair, in [`pair_index`] order; NaN for pairs with a
/// constant gene.
#[derive(Clone, Debug)]
pub struct PairCorrelations {
    pub genes: usize,
    pub r: Vec<f64>,
}

/// Pearson correlations of the columns of `x` as numpy's `corrcoef(x, rowvar=False)`: the
/// covariance `C = AᵀA` of the centred, scaled columns (one matrix product), then
/// `r_gh = (C_gh / √C_gg) / √C_hh`, clipped to `[−1, 1]`. A gene whose values are all equal is
/// constant (its centred values need not round to exactly 0, so the test is on the values) and
/// gets NaN, i.e. no edges.
pub fn pair_correlations(x: &Matrix) -> PairCorrelations {
    let genes = x.cols();
    let constant = constant_columns(x);
    let mut r = vec![f64::NAN; n_pairs(genes)];
    if constant.iter().all(|&c| c) {
        return PairCorrelations { genes, r };
    }
    // Some gene varies, so there are at least 2 rows.
    let (_, a) = centred_scaled(x).expect("a varying column implies at least 2 rows");
    let cov = gram_of_columns(&a);
    let sd: Vec<f64> = (0..genes).map(|g| cov[(g, g)].sqrt()).collect();
    for g in 0..genes {
        if constant[g] {
            continue;
        }
        for h in g + 1..genes {
            if !constant[h] {
                r[pair_index(g, h, genes)] = (cov[(g, h)] / sd[g] / sd[h]).clamp(-1.0, 1.0);
            }
        }
    }
    PairCorrelations { genes, r }
}

/// Per column: are all its values equal?
fn constant_columns(x: &Matrix) -> Vec<bool> {
    let mut constant = vec![true; x.cols()];
    if let Some(first) = x.row_iter().next() {
        for row in x.row_iter().skip(1) {
            for ((c, v), f) in constant.iter_mut().zip(row).zip(first) {
                *c &= v == f;
            }
        }
    }
    constant
}

/// The edge set `E_τ` of the module doc (NaN correlations are never edges).
pub fn edges(corr: &PairCorrelations, tau: f64, mode: CoexprMode) -> Bitset {
    Bitset::from_fn(corr.r.len(), |k| match mode {
        CoexprMode::Abs => corr.r[k].abs() > tau,
        CoexprMode::Positive => corr.r[k] >= tau,
    })
}

/// The five columns of one cutoff.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeComparison {
    pub precision: f64,
    pub correct: usize,
    pub recall: f64,
    pub real_edges: usize,
    pub synthetic_edges: usize,
}

/// Precision (NaN if the synthetic set is empty), correct edges, recall (NaN if the real set is
/// empty) and both edge counts.
pub fn compare_edges(real: &Bitset, synthetic: &Bitset) -> EdgeComparison {
    let correct = real.intersection_count(synthetic);
    let (real_edges, synthetic_edges) = (real.count(), synthetic.count());
    let ratio = |den: usize| if den == 0 { f64::NAN } else { correct as f64 / den as f64 };
    EdgeComparison {
        precision: ratio(synthetic_edges),
        correct,
        recall: ratio(real_edges),
        real_edges,
        synthetic_edges,
    }
}

/// The column suffix of a cutoff: `c` and the decimal digits of τ without the point
/// (`0.3 → c03`, `0.5 → c05`).
pub fn cutoff_suffix(tau: f64) -> String {
    format!("c{}", format!("{tau}").replace('.', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_index_enumerates_the_upper_triangle() {
        let p = 5;
        let mut k = 0;
        for g in 0..p {
            for h in g + 1..p {
                assert_eq!(pair_index(g, h, p), k);
                k += 1;
            }
        }
        assert_eq!(k, n_pairs(p));
        assert_eq!(n_pairs(978), 477_753);
    }

    #[test]
    fn correlations_modes_and_constant_genes() {
        // Gene 1 = 2·gene 0 (r = 1), gene 2 = −gene 0 (r = −1), gene 3 constant at 0.1 (whose
        // mean over 3 rows is not exactly 0.1 in floating point).
        let x = Matrix::from_rows(&[vec![1.0, 2.0, -1.0, 0.1], vec![2.0, 4.0, -2.0, 0.1], vec![4.0, 8.0, -4.0, 0.1]])
            .unwrap();
        let corr = pair_correlations(&x);
        assert!((corr.r[pair_index(0, 1, 4)] - 1.0).abs() < 1e-15);
        assert!((corr.r[pair_index(0, 2, 4)] + 1.0).abs() < 1e-15);
        assert!((0..3).all(|g| corr.r[pair_index(g, 3, 4)].is_nan()));
        let abs = edges(&corr, 0.5, CoexprMode::Abs);
        let positive = edges(&corr, 0.5, CoexprMode::Positive);
        // Pairs (0,1), (0,2), (1,2): |r| = 1 for all; positive only for (0,1).
        assert_eq!(abs.members(), [0, 1, 3]);
        assert_eq!(positive.members(), [0]);
    }

    #[test]
    fn comparison_and_nan_rules() {
        let real = Bitset::from_fn(6, |k| k < 3);
        let syn = Bitset::from_fn(6, |k| k == 2 || k == 5);
        let c = compare_edges(&real, &syn);
        assert_eq!(
            c,
            EdgeComparison { precision: 0.5, correct: 1, recall: 1.0 / 3.0, real_edges: 3, synthetic_edges: 2 }
        );
        let empty = compare_edges(&real, &Bitset::new(6));
        assert!(empty.precision.is_nan() && empty.recall == 0.0);
        assert_eq!((cutoff_suffix(0.3), cutoff_suffix(0.5)), ("c03".to_string(), "c05".to_string()));
    }

    #[test]
    fn single_row_has_no_edges() {
        let corr = pair_correlations(&Matrix::from_rows(&[vec![1.0, 2.0, 3.0]]).unwrap());
        assert_eq!(edges(&corr, 0.3, CoexprMode::Abs).count(), 0);
    }
}
