//! Classification scores used by the utility, discriminative and MIA metrics: average precision
//! (metrics.md §2.4), Mann–Whitney AUROC (§4.4), accuracy, binary F1 (§2.8) and weighted F1
//! (§3.2). Sums follow numpy's order where scikit-learn's result depends on it.

use crate::numeric::rank::rank_sum;
use crate::numeric::summation::numpy_sum;

/// Step-wise average precision of one class (§2.4):
///
/// ```text
/// thresholds u_1 > … > u_J = distinct scores (tied scores form ONE step)
/// Prec_j = TP_j / (TP_j + FP_j),  Rec_j = TP_j / P,  Rec_0 = 0
/// AP = Σ_j (Rec_j − Rec_{j−1}) · Prec_j
/// ```
///
/// The terms are added from the lowest threshold up with numpy's pairwise sum, as
/// scikit-learn's `average_precision_score` does. `None` when there is no positive.
pub fn average_precision(scores: &[f64], truth: &[bool]) -> Option<f64> {
    assert_eq!(scores.len(), truth.len(), "one truth value per score");
    let positives = truth.iter().filter(|&&t| t).count();
    if positives == 0 {
        return None;
    }
    let p = positives as f64;
    let points: Vec<(f64, f64)> = threshold_steps(scores, truth)
        .into_iter()
        .map(|(tp, fp)| (tp as f64 / (tp + fp) as f64, tp as f64 / p))
        .collect();
    // scikit-learn sums (Rec_{j−1} − Rec_j)·Prec_j over j = J … 1 and negates the sum.
    let terms: Vec<f64> = (0..points.len())
        .rev()
        .map(|j| {
            let lower = if j == 0 { 0.0 } else { points[j - 1].1 };
            (lower - points[j].1) * points[j].0
        })
        .collect();
    Some(-numpy_sum(&terms))
}

/// Area under the ROC curve as the Mann–Whitney statistic (§4.4):
/// `P(s_pos > s_neg) + ½·P(s_pos = s_neg) = (R_pos − P(P+1)/2) / (P·N)` with `R_pos` the sum of
/// the positives' average ranks (the one rank kernel, `numeric::rank`). `None` unless both
/// classes occur.
pub fn auroc(scores: &[f64], truth: &[bool]) -> Option<f64> {
    assert_eq!(scores.len(), truth.len(), "one truth value per score");
    let of_class =
        |class: bool| -> Vec<f64> { scores.iter().zip(truth).filter(|&(_, &t)| t == class).map(|(&s, _)| s).collect() };
    let (pos, neg) = (of_class(true), of_class(false));
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let ranks = rank_sum(&pos, &neg);
    let (p, n) = (pos.len() as f64, neg.len() as f64);
    Some((ranks.rank_sum_a - p * (p + 1.0) / 2.0) / (p * n))
}

/// Fraction of positions where `pred` equals `truth`.
pub fn accuracy<T: PartialEq>(truth: &[T], pred: &[T]) -> f64 {
    assert_eq!(truth.len(), pred.len(), "one prediction per truth value");
    let correct = truth.iter().zip(pred).filter(|(t, p)| t == p).count();
    correct as f64 / truth.len() as f64
}

/// Binary F1 of the positive class, `2TP / (2TP + FP + FN)`, 0 when the denominator is 0.
pub fn binary_f1(truth: &[bool], pred: &[bool]) -> f64 {
    assert_eq!(truth.len(), pred.len(), "one prediction per truth value");
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (&t, &p) in truth.iter().zip(pred) {
        match (t, p) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => {}
        }
    }
    f1_from_counts(tp, fp, fn_)
}

/// Support-weighted F1 (§3.2): `Σ_c support_c · F1_c / Σ_c support_c` over the sorted union of
/// true and predicted labels, `support_c` counted in `truth` (scikit-learn `average="weighted"`).
pub fn weighted_f1<T: Ord>(truth: &[T], pred: &[T]) -> f64 {
    assert_eq!(truth.len(), pred.len(), "one prediction per truth value");
    let mut labels: Vec<&T> = truth.iter().chain(pred).collect();
    labels.sort();
    labels.dedup();
    let mut weighted = Vec::with_capacity(labels.len());
    let mut supports = Vec::with_capacity(labels.len());
    for c in labels {
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        for (t, p) in truth.iter().zip(pred) {
            match (t == c, p == c) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => {}
            }
        }
        let support = (tp + fn_) as f64;
        weighted.push(f1_from_counts(tp, fp, fn_) * support);
        supports.push(support);
    }
    numpy_sum(&weighted) / numpy_sum(&supports)
}

fn f1_from_counts(tp: usize, fp: usize, fn_: usize) -> f64 {
    let denominator = 2 * tp + fp + fn_;
    if denominator == 0 {
        0.0
    } else {
        (2 * tp) as f64 / denominator as f64
    }
}

/// Cumulative `(TP_j, FP_j)` at each distinct score, highest score first.
fn threshold_steps(scores: &[f64], truth: &[bool]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut steps = Vec::new();
    let (mut tp, mut fp) = (0, 0);
    for (pos, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_group = pos + 1 == order.len() || scores[order[pos + 1]] != scores[i];
        if last_of_group {
            steps.push((tp, fp));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-15;

    #[test]
    fn average_precision_by_hand() {
        // Steps: (1/1, ½), (½, ½), (⅔, 1), (½, 1) → ½·1 + 0 + ½·⅔ + 0 = 5/6.
        let ap = average_precision(&[0.9, 0.8, 0.7, 0.6], &[true, false, true, false]).unwrap();
        assert!((ap - 5.0 / 6.0).abs() < EPS, "{ap}");
        // A perfect ranking gives 1.
        assert_eq!(average_precision(&[3.0, 2.0, 1.0], &[true, true, false]), Some(1.0));
        assert_eq!(average_precision(&[1.0, 2.0], &[false, false]), None);
    }

    #[test]
    fn tied_scores_form_one_step() {
        // Tie at 0.5 (one positive, one negative) → step (½, ½), then (⅔, 1): ¼ + ⅓ = 7/12.
        let ap = average_precision(&[0.5, 0.5, 0.2], &[true, false, true]).unwrap();
        assert!((ap - 7.0 / 12.0).abs() < EPS, "{ap}");
        // Order of tied rows does not matter.
        let swapped = average_precision(&[0.5, 0.5, 0.2], &[false, true, true]).unwrap();
        assert_eq!(ap, swapped);
        // All scores equal: one step with precision P/n.
        assert_eq!(average_precision(&[1.0; 4], &[true, false, false, false]), Some(0.25));
    }

    #[test]
    fn auroc_counts_ties_as_half() {
        // Pairs (pos, neg): 0.9>0.8, 0.9>0.6, 0.7<0.8, 0.7>0.6 → 3/4.
        assert_eq!(auroc(&[0.9, 0.8, 0.7, 0.6], &[true, false, true, false]), Some(0.75));
        // Positives 0.5 (tie with the negative → ½) and 0.2 (below → 0): ¼.
        assert_eq!(auroc(&[0.5, 0.5, 0.2], &[true, false, true]), Some(0.25));
        assert_eq!(auroc(&[0.5, 0.2], &[true, true]), None);
    }

    #[test]
    fn accuracy_and_binary_f1() {
        assert_eq!(accuracy(&["a", "b", "c", "a"], &["a", "b", "a", "b"]), 0.5);
        // TP 1, FP 1, FN 1 → 2/4.
        assert_eq!(binary_f1(&[true, true, false, false], &[true, false, true, false]), 0.5);
        assert_eq!(binary_f1(&[false, false], &[false, false]), 0.0);
    }

    #[test]
    fn weighted_f1_by_hand() {
        // a: TP1 FP0 FN1 → ⅔ (support 2); b: TP1 FP2 FN0 → ½ (1); c: 0 (1).
        // (2·⅔ + ½ + 0) / 4 = 11/24.
        let f = weighted_f1(&["a", "a", "b", "c"], &["a", "b", "b", "b"]);
        assert!((f - 11.0 / 24.0).abs() < EPS, "{f}");
        // A label that is only predicted has support 0 and weight 0.
        assert_eq!(weighted_f1(&["a", "a"], &["a", "z"]), 2.0 / 3.0);
    }
}
