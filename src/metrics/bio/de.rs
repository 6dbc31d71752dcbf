//! Differential-expression preservation (metrics.md §5.1).
//!
//! For each unordered class pair `{A, B}` with `A < B` in byte order and each gene `g`, the
//! Wilcoxon rank-sum test of `a = X[y=A, g]` (`n1` values) against `b = X[y=B, g]` (`n2`):
//!
//! ```text
//! N = n1 + n2;  U = Σ ranks(a) − n1(n1+1)/2      (average ranks of a ∪ b for ties)
//! μ = n1·n2/2;  σ² = (n1·n2/12) · [ (N+1) − Σ_ties (t³ − t) / (N(N−1)) ]
//! p_up   = 1 − Φ((U − μ − 0.5)/σ)                (A > B)
//! p_down =     Φ((U − μ + 0.5)/σ)                (A < B)
//! σ = 0 or n1·n2 < 2  →  p_up = p_down = 1
//! ```
//!
//! which is R's `wilcox.test(a, b, alternative = "greater"/"less", exact = FALSE,
//! correct = TRUE)`. `Up = {g : p_up < bio.de_p}`, `Down = {g : p_down < bio.de_p}`; per pair and
//! direction, with `S` the synthetic set, `R` the real-train set and `G` genes,
//! `TPR = |S ∩ R|/|R|` (NaN if `R = ∅`) and `FPR = |S \ R|/(G − |R|)` (NaN if `|R| = G`). The
//! columns are the NaN-skipping means over pairs.

use super::bitset::Bitset;
use crate::data::matrix::Matrix;
use crate::numeric::rank::rank_sum_sorted;
use crate::numeric::special::std_normal_cdf;
use rayon::prelude::*;

/// The p-value threshold of the DE sets (`bio.de_p`, §6).
pub const DE_P: f64 = 0.05;

/// One-sided p-values of one rank-sum test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneSided {
    /// `H1: A > B`.
    pub up: f64,
    /// `H1: A < B`.
    pub down: f64,
}

/// The rank-sum test of the module doc on two samples sorted ascending (no NaN).
pub fn wilcoxon_sorted(a: &[f64], b: &[f64]) -> OneSided {
    let none = OneSided { up: 1.0, down: 1.0 };
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if n1 * n2 < 2.0 {
        return none;
    }
    let ranks = rank_sum_sorted(a, b);
    let n = n1 + n2;
    let u = ranks.rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    // The operation order follows R's wilcox.test, so U, σ and z agree bit for bit.
    let sigma = ((n1 * n2 / 12.0) * ((n + 1.0) - ranks.tie_term / (n * (n - 1.0)))).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return none;
    }
    let centred = u - n1 * n2 / 2.0;
    // 1 − Φ(z) as Φ(−z): no cancellation in the upper tail.
    OneSided { up: std_normal_cdf(-((centred - 0.5) / sigma)), down: std_normal_cdf((centred + 0.5) / sigma) }
}

/// [`wilcoxon_sorted`] of unsorted samples.
pub fn wilcoxon(a: &[f64], b: &[f64]) -> OneSided {
    use crate::numeric::rank::sorted;
    wilcoxon_sorted(&sorted(a), &sorted(b))
}

/// The class pairs `(A, B)` as indices into a sorted class list, `A < B`, in the order
/// `(0,1), (0,2), …, (1,2), …`.
pub fn class_pairs(n_classes: usize) -> Vec<(usize, usize)> {
    (0..n_classes).flat_map(|a| (a + 1..n_classes).map(move |b| (a, b))).collect()
}

/// The one-sided p-values of every class pair (order of [`class_pairs`]) and gene.
#[derive(Clone, Debug)]
pub struct PairwiseTests {
    pub pairs: Vec<(usize, usize)>,
    /// `p[pair][gene]`.
    pub p: Vec<Vec<OneSided>>,
}

impl PairwiseTests {
    /// The Up (`up = true`) or Down set of pair `pair` at threshold `de_p`.
    pub fn de_set(&self, pair: usize, up: bool, de_p: f64) -> Bitset {
        let p = &self.p[pair];
        Bitset::from_fn(p.len(), |g| if up { p[g].up < de_p } else { p[g].down < de_p })
    }
}

/// The rank-sum tests of every class pair for every gene of `(x, labels)`. `classes` (sorted)
/// defines the pairs; a class without rows gives `p = 1` for its pairs, hence empty DE sets.
/// Rows whose label is not in `classes` take part in no pair.
///
/// Each gene's values are gathered class by class and sorted once per class; each pair then
/// merges two sorted runs (linear). Genes are processed in parallel; every p-value depends on
/// its gene alone, so the result does not depend on the thread count.
pub fn pairwise_wilcoxon(x: &Matrix, labels: &[String], classes: &[String]) -> PairwiseTests {
    assert_eq!(x.rows(), labels.len(), "one label per row");
    let mut rows_by_class: Vec<Vec<usize>> = vec![Vec::new(); classes.len()];
    for (i, label) in labels.iter().enumerate() {
        if let Ok(c) = classes.binary_search(label) {
            rows_by_class[c].push(i);
        }
    }
    let order: Vec<usize> = rows_by_class.iter().flatten().copied().collect();
    let mut bounds = vec![0];
    bounds.extend(rows_by_class.iter().scan(0, |end, rows| {
        *end += rows.len();
        Some(*end)
    }));
    let pairs = class_pairs(classes.len());
    let (n, genes) = (order.len(), x.cols());
    if n == 0 {
        let p = vec![vec![OneSided { up: 1.0, down: 1.0 }; genes]; pairs.len()];
        return PairwiseTests { pairs, p };
    }
    let by_gene: Vec<Vec<OneSided>> = class_ordered_columns(x, &order)
        .par_chunks_mut(n)
        .map(|column| {
            for c in 0..classes.len() {
                column[bounds[c]..bounds[c + 1]].sort_unstable_by(f64::total_cmp);
            }
            let run = |c: usize| &column[bounds[c]..bounds[c + 1]];
            pairs.iter().map(|&(a, b)| wilcoxon_sorted(run(a), run(b))).collect()
        })
        .collect();
    let p = (0..pairs.len()).map(|k| by_gene.iter().map(|g| g[k]).collect()).collect();
    PairwiseTests { pairs, p }
}

/// Gene-major copy of the rows `order` of `x`: entry `g·|order| + k` is `x[order[k], g]`.
fn class_ordered_columns(x: &Matrix, order: &[usize]) -> Vec<f64> {
    let n = order.len();
    let mut out = vec![0.0; n * x.cols()];
    for (k, &i) in order.iter().enumerate() {
        for (g, &v) in x.row(i).iter().enumerate() {
            out[g * n + k] = v;
        }
    }
    out
}

/// TPR and FPR of one pair and direction, with the set sizes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairRates {
    pub tpr: f64,
    pub fpr: f64,
    /// `|R|`.
    pub real: usize,
    /// `|S|`.
    pub synthetic: usize,
}

/// `TPR = |S ∩ R|/|R|` (NaN if `R = ∅`), `FPR = |S \ R|/(G − |R|)` (NaN if `|R| = G`).
pub fn pair_rates(real: &Bitset, synthetic: &Bitset) -> PairRates {
    let (genes, r) = (real.len(), real.count());
    let tpr = if r == 0 { f64::NAN } else { real.intersection_count(synthetic) as f64 / r as f64 };
    let fpr = if r == genes { f64::NAN } else { synthetic.difference_count(real) as f64 / (genes - r) as f64 };
    PairRates { tpr, fpr, real: r, synthetic: synthetic.count() }
}

/// One row of the per-pair side table.
#[derive(Clone, Debug, PartialEq)]
pub struct PairRow {
    /// Class indices `A < B`.
    pub pair: (usize, usize),
    /// `true` for Up, `false` for Down.
    pub up: bool,
    pub rates: PairRates,
}

/// The per-pair, per-direction rates (pairs in order, Up before Down). `real` and `synthetic`
/// must come from [`pairwise_wilcoxon`] with the same class list.
pub fn compare(real: &PairwiseTests, synthetic: &PairwiseTests, de_p: f64) -> Vec<PairRow> {
    assert_eq!(real.pairs, synthetic.pairs, "DE tests over different class pairs");
    let mut rows = Vec::with_capacity(2 * real.pairs.len());
    for (k, &pair) in real.pairs.iter().enumerate() {
        for up in [true, false] {
            let rates = pair_rates(&real.de_set(k, up, de_p), &synthetic.de_set(k, up, de_p));
            rows.push(PairRow { pair, up, rates });
        }
    }
    rows
}

/// Which rate of a pair and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rate {
    Tpr,
    Fpr,
}

/// The mean of `rate` over the rows of direction `up` (Up when true), ignoring NaN: the value of
/// the columns `DE_TPR_up`, `DE_TPR_down`, `DE_FPR_up`, `DE_FPR_down`. NaN when no pair has a
/// defined value.
pub fn mean_rate(rows: &[PairRow], up: bool, rate: Rate) -> f64 {
    let values: Vec<f64> = rows
        .iter()
        .filter(|r| r.up == up)
        .map(|r| match rate {
            Rate::Tpr => r.rates.tpr,
            Rate::Fpr => r.rates.fpr,
        })
        .filter(|v| !v.is_nan())
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(rows: &[(&str, [f64; 3])]) -> (Matrix, Vec<String>) {
        let x = Matrix::from_rows(&rows.iter().map(|(_, v)| v.to_vec()).collect::<Vec<_>>()).unwrap();
        (x, rows.iter().map(|(l, _)| l.to_string()).collect())
    }

    #[test]
    fn p_values_by_hand() {
        // a = {3, 4}, b = {1, 2}: ranks of a are 3, 4 → U = 7 − 3 = 4, μ = 2,
        // σ² = (4/12)·5 = 5/3, z_up = (4 − 2 − 0.5)/σ = 1.5/√(5/3).
        let p = wilcoxon(&[3.0, 4.0], &[1.0, 2.0]);
        let sigma = (5.0f64 / 3.0).sqrt();
        assert!((p.up - (1.0 - std_normal_cdf(1.5 / sigma))).abs() < 1e-15);
        assert!((p.down - std_normal_cdf(2.5 / sigma)).abs() < 1e-15);
    }

    #[test]
    fn degenerate_cases_give_p_one() {
        let one = OneSided { up: 1.0, down: 1.0 };
        assert_eq!(wilcoxon(&[2.0, 2.0, 2.0], &[2.0, 2.0]), one); // σ = 0
        assert_eq!(wilcoxon(&[1.0], &[5.0]), one); // n1·n2 = 1
        assert_eq!(wilcoxon(&[], &[1.0, 5.0]), one); // class absent
    }

    #[test]
    fn tpr_fpr_and_nan_rules() {
        let real = Bitset::from_fn(10, |g| g < 4); // {0,1,2,3}
        let syn = Bitset::from_fn(10, |g| g == 1 || g == 2 || g == 7); // 2 hits, 1 false positive
        assert_eq!(pair_rates(&real, &syn), PairRates { tpr: 0.5, fpr: 1.0 / 6.0, real: 4, synthetic: 3 });
        let none = pair_rates(&Bitset::new(10), &syn);
        assert!(none.tpr.is_nan() && none.fpr == 0.3);
        let all = pair_rates(&Bitset::from_fn(10, |_| true), &syn);
        assert!(all.tpr == 0.3 && all.fpr.is_nan());
    }

    /// A hand-computable three-class case: the DE sets, the per-pair rates and the columns.
    #[test]
    fn columns_on_a_tiny_case() {
        // Real: 3 classes × 4 rows, 3 genes. Gene 0 separates A > B > C completely; gene 1 is
        // constant (σ = 0); gene 2 has C above A and B, which overlap. With 4 vs 4 rows and
        // complete separation, U = 16, μ = 8, σ² = 16·9/12 = 12: p = 1 − Φ(7.5/√12) ≈ 0.015 < 0.05.
        // Gene 2 of A = {1,3,5,7} vs B = {2,4,6,8} has U = 6: p_up ≈ 0.76, p_down = Φ(−1.5/√12) ≈ 0.33.
        let real_rows = [
            ("A", [30.0, 1.0, 1.0]),
            ("A", [31.0, 1.0, 3.0]),
            ("A", [32.0, 1.0, 5.0]),
            ("A", [33.0, 1.0, 7.0]),
            ("B", [20.0, 1.0, 2.0]),
            ("B", [21.0, 1.0, 4.0]),
            ("B", [22.0, 1.0, 6.0]),
            ("B", [23.0, 1.0, 8.0]),
            ("C", [10.0, 1.0, 50.0]),
            ("C", [11.0, 1.0, 51.0]),
            ("C", [12.0, 1.0, 52.0]),
            ("C", [13.0, 1.0, 53.0]),
        ];
        let classes: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let (x, y) = labelled(&real_rows);
        let real = pairwise_wilcoxon(&x, &y, &classes);
        assert_eq!(real.pairs, vec![(0, 1), (0, 2), (1, 2)]);
        // Real sets. (A,B): Up {0}, Down {}; (A,C): Up {0}, Down {2}; (B,C): Up {0}, Down {2}.
        assert_eq!(real.de_set(0, true, DE_P).members(), [0]);
        assert!(real.de_set(0, false, DE_P).members().is_empty());
        assert_eq!(real.de_set(1, false, DE_P).members(), [2]);
        assert_eq!(real.de_set(2, false, DE_P).members(), [2]);

        // Synthetic: class C absent; A and B swapped on gene 0 and separated on gene 2 (A > B).
        let syn_rows = [
            ("A", [20.0, 1.0, 60.0]),
            ("A", [21.0, 1.0, 61.0]),
            ("A", [22.0, 1.0, 62.0]),
            ("A", [23.0, 1.0, 63.0]),
            ("B", [30.0, 1.0, 2.0]),
            ("B", [31.0, 1.0, 4.0]),
            ("B", [32.0, 1.0, 6.0]),
            ("B", [33.0, 1.0, 8.0]),
        ];
        let (xs, ys) = labelled(&syn_rows);
        let syn = pairwise_wilcoxon(&xs, &ys, &classes);
        // Synthetic (A,B): Up {2}, Down {0}; pairs with C: empty.
        let rows = compare(&real, &syn, DE_P);
        let rates: Vec<(f64, f64)> = rows.iter().map(|r| (r.rates.tpr, r.rates.fpr)).collect();
        // (A,B) up: R = {0}, S = {2} → TPR 0, FPR 1/2. (A,B) down: R = ∅ → TPR NaN, FPR 1/3.
        // (A,C), (B,C) up: R = {0}, S = ∅ → 0, 0; down: R = {2}, S = ∅ → 0, 0.
        assert_eq!(rates[0], (0.0, 0.5));
        assert!(rates[1].0.is_nan() && rates[1].1 == 1.0 / 3.0);
        assert!(rates[2..].iter().all(|&r| r == (0.0, 0.0)));
        assert_eq!(mean_rate(&rows, true, Rate::Tpr), 0.0);
        assert_eq!(mean_rate(&rows, false, Rate::Tpr), 0.0); // the NaN of (A,B) is skipped
        assert_eq!(mean_rate(&rows, true, Rate::Fpr), 0.5 / 3.0);
        assert_eq!(mean_rate(&rows, false, Rate::Fpr), (1.0 / 3.0) / 3.0);
        assert_eq!(rows[0].rates, PairRates { tpr: 0.0, fpr: 0.5, real: 1, synthetic: 1 });

        // The synthetic set equal to the real one gives TPR 1 and FPR 0 wherever defined.
        let same = compare(&real, &real, DE_P);
        let means = [(true, Rate::Tpr), (false, Rate::Tpr), (true, Rate::Fpr), (false, Rate::Fpr)];
        assert_eq!(means.map(|(up, rate)| mean_rate(&same, up, rate)), [1.0, 1.0, 0.0, 0.0]);
    }
}
