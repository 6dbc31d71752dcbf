//! Average ranks with ties: the one rank kernel, shared by the ROC AUC (Mann–Whitney form,
//! metrics.md §4.4) and the Wilcoxon rank-sum test (§5.1).
//!
//! Both need, for two samples `a` and `b`, the sum of the 1-based ranks of `a` in the pooled
//! sample `a ∪ b`, where a group of `t` equal values occupying ranks `k+1 … k+t` all receive the
//! average rank `k + (t+1)/2`, and the tie term `Σ_groups (t³ − t)`. Merging the two sorted
//! samples gives both in one linear pass.

/// Rank statistics of sample `a` within `a ∪ b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankSum {
    /// `Σ ranks(a)` with average ranks for ties (exact: a sum of half-integers).
    pub rank_sum_a: f64,
    /// `Σ_groups (t³ − t)` over the groups of equal values of `a ∪ b`.
    pub tie_term: f64,
}

/// [`RankSum`] of two samples, each sorted ascending and free of NaN. Values compare with `==`
/// (so `−0.0` and `0.0` tie).
pub fn rank_sum_sorted(a: &[f64], b: &[f64]) -> RankSum {
    debug_assert!(a.windows(2).all(|w| w[0] <= w[1]) && b.windows(2).all(|w| w[0] <= w[1]), "inputs must be sorted");
    let (mut i, mut j) = (0, 0);
    let mut ranked = 0u64;
    let mut twice_rank_sum = 0u64;
    let mut tie_term = 0u64;
    while i < a.len() || j < b.len() {
        let value = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => unreachable!("loop condition"),
        };
        let (i0, j0) = (i, j);
        while i < a.len() && a[i] == value {
            i += 1;
        }
        while j < b.len() && b[j] == value {
            j += 1;
        }
        let in_a = (i - i0) as u64;
        let t = in_a + (j - j0) as u64;
        // The group holds ranks ranked+1 ..= ranked+t; twice their average is 2·ranked + t + 1.
        twice_rank_sum += in_a * (2 * ranked + t + 1);
        tie_term += t * t * t - t;
        ranked += t;
    }
    RankSum { rank_sum_a: twice_rank_sum as f64 / 2.0, tie_term: tie_term as f64 }
}

/// [`rank_sum_sorted`] of unsorted samples (copies are sorted).
pub fn rank_sum(a: &[f64], b: &[f64]) -> RankSum {
    rank_sum_sorted(&sorted(a), &sorted(b))
}

/// A sorted copy (IEEE total order).
pub fn sorted(v: &[f64]) -> Vec<f64> {
    let mut out = v.to_vec();
    out.sort_unstable_by(f64::total_cmp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_by_hand() {
        // Pooled: 1(a) 2(b) 2(a) 2(b) 5(a) → ranks 1, 3, 3, 3, 5: a gets 1 + 3 + 5 = 9.
        // One tie group of t = 3: 27 − 3 = 24.
        let r = rank_sum(&[5.0, 2.0, 1.0], &[2.0, 2.0]);
        assert_eq!(r, RankSum { rank_sum_a: 9.0, tie_term: 24.0 });
    }

    #[test]
    fn half_ranks_and_signed_zero() {
        // Pooled: −0(a) 0(b) → one group of 2, average rank 1.5; 7(b) rank 3.
        let r = rank_sum(&[-0.0], &[7.0, 0.0]);
        assert_eq!(r, RankSum { rank_sum_a: 1.5, tie_term: 6.0 });
    }

    #[test]
    fn empty_samples_and_no_ties() {
        assert_eq!(rank_sum(&[], &[1.0, 2.0]), RankSum { rank_sum_a: 0.0, tie_term: 0.0 });
        // a fills ranks 2 and 4.
        assert_eq!(rank_sum(&[2.0, 4.0], &[3.0, 1.0]), RankSum { rank_sum_a: 6.0, tie_term: 0.0 });
    }
}
