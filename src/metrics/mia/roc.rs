//! Rank statistics of a membership-inference attack (metrics.md §4.4): AUC (Mann–Whitney with ½
//! for ties), average precision (§2.4, positives = members), the tie-correct TPR at a fixed FPR,
//! the challenge kit's TPR@FPR rule (scikit-learn `roc_curve` with `drop_intermediate`, then
//! `argmax`), precision among the top 5 % with fractional ties, and the share of tied scores.
//!
//! Everything is computed from the **tie groups** of the scores in descending order: group `j`
//! holds `tp_j` members and `fp_j` non-members with the same score; `TP_j`, `FP_j` are the
//! cumulative counts. All statistics depend only on these groups, so they are invariant to the
//! order of the candidates.

/// One group of equal scores: the score, its members (`tp`) and non-members (`fp`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Group {
    score: f64,
    tp: usize,
    fp: usize,
}

/// The tie groups of `scores` in descending score order, with the totals.
#[derive(Clone, Debug)]
pub struct Ranking {
    groups: Vec<Group>,
    n_pos: usize,
    n_neg: usize,
}

/// The rank metrics of one attack (metrics.md §4.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankMetrics {
    pub aucroc: f64,
    pub average_precision: f64,
    pub tpr_at_fpr_01: f64,
    pub tpr_at_fpr_001: f64,
    pub tpr_at_fpr_01_kit: f64,
    pub tpr_at_fpr_001_kit: f64,
    pub score_ties: f64,
    pub precision_at_5pct: f64,
}

impl Ranking {
    /// Group `scores` (higher = more likely member; `−∞` allowed, NaN not) with membership
    /// `member`. `None` when a score is NaN or either class is empty.
    pub fn new(scores: &[f64], member: &[bool]) -> Option<Ranking> {
        if scores.iter().any(|s| s.is_nan()) {
            return None;
        }
        let ranking = Ranking::grouped(scores, member);
        (ranking.n_pos > 0 && ranking.n_neg > 0).then_some(ranking)
    }

    /// The tie groups of NaN-free `scores` (either class may be empty; the rate statistics
    /// need both, see [`Ranking::new`]).
    pub fn grouped(scores: &[f64], member: &[bool]) -> Ranking {
        assert_eq!(scores.len(), member.len(), "one membership flag per score");
        assert!(!scores.iter().any(|s| s.is_nan()), "NaN scores have no rank");
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let mut groups: Vec<Group> = Vec::new();
        let mut previous: Option<f64> = None;
        for i in order {
            if previous != Some(scores[i]) {
                groups.push(Group { score: scores[i], tp: 0, fp: 0 });
                previous = Some(scores[i]);
            }
            let g = groups.last_mut().expect("pushed above");
            if member[i] {
                g.tp += 1;
            } else {
                g.fp += 1;
            }
        }
        let n_pos = member.iter().filter(|&&m| m).count();
        let n_neg = member.len() - n_pos;
        Ranking { groups, n_pos, n_neg }
    }

    /// All metrics of §4.4 for this ranking.
    pub fn metrics(&self) -> RankMetrics {
        RankMetrics {
            aucroc: self.auc(),
            average_precision: self.average_precision(),
            tpr_at_fpr_01: self.tpr_at_fpr(0.1),
            tpr_at_fpr_001: self.tpr_at_fpr(0.01),
            tpr_at_fpr_01_kit: self.tpr_at_fpr_kit(0.1),
            tpr_at_fpr_001_kit: self.tpr_at_fpr_kit(0.01),
            score_ties: self.score_ties(),
            precision_at_5pct: self.precision_at_fraction(5),
        }
    }

    /// The score of each group, descending (aligned with [`Ranking::cumulative`]).
    pub fn group_scores(&self) -> Vec<f64> {
        self.groups.iter().map(|g| g.score).collect()
    }

    /// Cumulative `(FP_j, TP_j)` after each group, in descending score order.
    pub fn cumulative(&self) -> Vec<(usize, usize)> {
        let (mut fp, mut tp) = (0, 0);
        self.groups
            .iter()
            .map(|g| {
                fp += g.fp;
                tp += g.tp;
                (fp, tp)
            })
            .collect()
    }

    /// `AUC = (1 / (N_pos·N_neg)) Σ_j fp_j · (TP_{j−1} + ½ tp_j)`: P(member scores higher) plus
    /// half the probability of a tie (Mann–Whitney).
    pub fn auc(&self) -> f64 {
        let mut tp_above = 0.0;
        let mut u = 0.0;
        for g in &self.groups {
            u += g.fp as f64 * (tp_above + 0.5 * g.tp as f64);
            tp_above += g.tp as f64;
        }
        u / (self.n_pos as f64 * self.n_neg as f64)
    }

    /// `AP = Σ_j (tp_j / N_pos) · TP_j / (TP_j + FP_j)` (metrics.md §2.4: one step per tie group).
    pub fn average_precision(&self) -> f64 {
        self.cumulative()
            .iter()
            .zip(&self.groups)
            .map(|(&(fp, tp), g)| g.tp as f64 / self.n_pos as f64 * tp as f64 / (tp + fp) as f64)
            .sum()
    }

    /// Tie-correct TPR at `FPR = α`: the ROC with tie groups drawn as straight segments,
    /// interpolated linearly on the segment with `FP_{j−1} ≤ α·N_neg ≤ FP_j`:
    /// `(TP_{j−1} + (α·N_neg − FP_{j−1})·(TP_j − TP_{j−1})/(FP_j − FP_{j−1})) / N_pos`.
    pub fn tpr_at_fpr(&self, alpha: f64) -> f64 {
        let target = alpha * self.n_neg as f64;
        let (mut fp0, mut tp0) = (0usize, 0usize);
        for (fp1, tp1) in self.cumulative() {
            if fp1 as f64 >= target && fp1 > fp0 {
                let slope = (tp1 - tp0) as f64 / (fp1 - fp0) as f64;
                return (tp0 as f64 + (target - fp0 as f64) * slope) / self.n_pos as f64;
            }
            (fp0, tp0) = (fp1, tp1);
        }
        1.0
    }

    /// The kit's rule: scikit-learn `roc_curve(drop_intermediate=True)` keeps the first and last
    /// threshold and every point where the second difference of FP or of TP is non-zero (only
    /// when there are more than two thresholds), prepends `(0, 0)`, and the kit returns the TPR
    /// of the first kept point with `FPR ≥ α`.
    pub fn tpr_at_fpr_kit(&self, alpha: f64) -> f64 {
        let points = self.cumulative();
        let n = points.len();
        let kept = (0..n).filter(|&j| {
            if n <= 2 || j == 0 || j == n - 1 {
                return true;
            }
            let second = |f: fn(&(usize, usize)) -> usize| {
                f(&points[j + 1]) as i64 - 2 * f(&points[j]) as i64 + f(&points[j - 1]) as i64
            };
            second(|p| p.0) != 0 || second(|p| p.1) != 0
        });
        let roc = std::iter::once((0, 0)).chain(kept.map(|j| points[j]));
        for (fp, tp) in roc {
            if fp as f64 / self.n_neg as f64 >= alpha {
                return tp as f64 / self.n_pos as f64;
            }
        }
        0.0
    }

    /// Share of candidates whose score equals another candidate's.
    pub fn score_ties(&self) -> f64 {
        let tied: usize = self.groups.iter().map(|g| g.tp + g.fp).filter(|&size| size > 1).sum();
        tied as f64 / (self.n_pos + self.n_neg) as f64
    }

    /// Expected precision among the `k = max(1, ⌈percent/100 · |C|⌉)` highest scores, a tie
    /// group straddling position `k` counting `slots left × members / group size`.
    pub fn precision_at_fraction(&self, percent: usize) -> f64 {
        let total = self.n_pos + self.n_neg;
        let k = (percent * total).div_ceil(100).max(1);
        let mut left = k;
        let mut members = 0.0;
        for g in &self.groups {
            let size = g.tp + g.fp;
            if size <= left {
                members += g.tp as f64;
                left -= size;
            } else {
                members += left as f64 * g.tp as f64 / size as f64;
                left = 0;
            }
            if left == 0 {
                break;
            }
        }
        members / k as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranking(scores: &[f64], member: &[bool]) -> Ranking {
        Ranking::new(scores, member).unwrap()
    }

    #[test]
    fn all_tied_scores_are_a_coin_flip_under_the_tie_correct_rule_but_not_the_kits() {
        // 8 members, 2 non-members, one score: AUC ½, tie-correct TPR@α = α, the kit's rule
        // jumps to the only ROC point (1, 1).
        let member: Vec<bool> = (0..10).map(|i| i < 8).collect();
        let r = ranking(&[0.0; 10], &member);
        assert_eq!(r.auc(), 0.5);
        assert_eq!(r.tpr_at_fpr(0.1), 0.1);
        assert_eq!(r.tpr_at_fpr(0.01), 0.01);
        assert_eq!(r.tpr_at_fpr_kit(0.1), 1.0);
        assert_eq!(r.score_ties(), 1.0);
        // k = max(1, ⌈0.5⌉) = 1 slot in a group of 10 holding 8 members.
        assert_eq!(r.precision_at_fraction(5), 0.8);
        assert_eq!(r.average_precision(), 0.8);
    }

    #[test]
    fn tie_correct_rule_interpolates_inside_a_straddling_group_by_hand() {
        // Descending groups: {m} 9, {m, m, n, n} 5, {n, n} 1, {m} 0 — N_pos = 4, N_neg = 4.
        // Cumulative (FP, TP): (0,1), (2,3), (4,3), (4,4).
        // α = 0.25 → target 1 FP: on segment (0,1)→(2,3): TP = 1 + 1·(2/2) = 2 → 0.5.
        // α = 0.5 → target 2: the end of that segment: 3/4.
        // α = 0.75 → target 3: segment (2,3)→(4,3): 3/4.
        let scores = [9.0, 5.0, 5.0, 5.0, 5.0, 1.0, 1.0, 0.0];
        let member = [true, true, true, false, false, false, false, true];
        let r = ranking(&scores, &member);
        assert_eq!(r.tpr_at_fpr(0.25), 0.5);
        assert_eq!(r.tpr_at_fpr(0.5), 0.75);
        assert_eq!(r.tpr_at_fpr(0.75), 0.75);
        // Kit: points (0,1),(2,3),(4,3),(4,4) (all kept: the second differences are non-zero),
        // plus (0,0); first FPR ≥ 0.25 is (2,3) → 0.75.
        assert_eq!(r.tpr_at_fpr_kit(0.25), 0.75);
        // AUC: group 2 has 2 non-members with 1 member above and 2 tied: 2·(1 + 1) = 4;
        // group 3: 2·3 = 6; total 10 / 16.
        assert_eq!(r.auc(), 10.0 / 16.0);
        // Ties: 4 + 2 of 8 candidates.
        assert_eq!(r.score_ties(), 0.75);
    }

    #[test]
    fn precision_at_five_percent_counts_a_straddling_group_fractionally() {
        // 40 candidates → k = 2. Top score: one non-member; next group of 4 holds 3 members:
        // 1 slot left × 3/4 → expected members 0.75 → precision 0.375.
        let mut scores = vec![0.0; 40];
        let mut member = vec![true; 40];
        scores[0] = 10.0;
        member[0] = false;
        for s in scores.iter_mut().skip(1).take(4) {
            *s = 5.0;
        }
        member[4] = false;
        member[30] = false;
        let r = ranking(&scores, &member);
        assert_eq!(r.precision_at_fraction(5), 0.375);
        // 1089 candidates → k = 55 (the BRCA value of the spec).
        let r = ranking(
            &(0..1089).map(|i| i as f64).collect::<Vec<_>>(),
            &(0..1089).map(|i| i % 2 == 0).collect::<Vec<_>>(),
        );
        assert_eq!(r.precision_at_fraction(5), 28.0 / 55.0);
    }

    #[test]
    fn kit_rule_drops_collinear_points_before_taking_the_first_point_past_alpha() {
        // Groups (tp, fp) = (1,1), (1,1), (1,1), (0,1): points (1,1),(2,2),(3,3),(4,3).
        // (2,2) is collinear with its neighbours and dropped; N_neg = 4, α = 0.5 → the first
        // kept point with FPR ≥ ½ is (3,3) → TPR 1 (it would be (2,2) → 2/3 without dropping).
        let scores = [4.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0];
        let member = [true, false, true, false, true, false, false];
        let r = ranking(&scores, &member);
        assert_eq!(r.tpr_at_fpr_kit(0.5), 1.0);
        assert_eq!(r.tpr_at_fpr(0.5), 2.0 / 3.0);
    }

    #[test]
    fn nan_scores_or_one_sided_membership_give_no_ranking() {
        assert!(Ranking::new(&[1.0, f64::NAN], &[true, false]).is_none());
        assert!(Ranking::new(&[1.0, 2.0], &[true, true]).is_none());
        let r = ranking(&[f64::NEG_INFINITY, f64::NEG_INFINITY, 1.0], &[true, false, true]);
        assert_eq!(r.auc(), 0.75);
    }
}
