//! The Pareto front of points whose two coordinates are both "higher is better" (issue 18: the
//! utility-vs-co-expression figure, [`super::pareto_plot`]).
//!
//! Point `j` dominates point `i` when it is at least as good on both axes and strictly better on
//! one:
//!
//! ```text
//! j ≻ i  ⇔  x_j ≥ x_i  ∧  y_j ≥ y_i  ∧  (x_j > x_i  ∨  y_j > y_i)
//! ```
//!
//! The front is the set of points no other point dominates. Equal points do not dominate each
//! other, so duplicates of a front point are all on the front. A point with a NaN coordinate is
//! never on the front and dominates nothing (every comparison with NaN is false).

/// Indices of the points of the Pareto front, ordered by increasing `x`, then decreasing `y`,
/// then index — the order in which a line joins them (along the front `y` does not increase).
pub fn front(points: &[(f64, f64)]) -> Vec<usize> {
    let dominates = |j: usize, i: usize| {
        let ((xj, yj), (xi, yi)) = (points[j], points[i]);
        xj >= xi && yj >= yi && (xj > xi || yj > yi)
    };
    let mut out: Vec<usize> = (0..points.len())
        .filter(|&i| !points[i].0.is_nan() && !points[i].1.is_nan())
        .filter(|&i| !(0..points.len()).any(|j| dominates(j, i)))
        .collect();
    out.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0).then(points[b].1.total_cmp(&points[a].1)).then(a.cmp(&b)));
    out
}

#[cfg(test)]
mod tests {
    use super::front;

    #[test]
    fn a_staircase_keeps_its_corners_and_drops_the_points_below() {
        // (0.2, 0.9) (0.5, 0.7) (0.9, 0.3) trade off; (0.4, 0.6) is below (0.5, 0.7), (0.1, 0.1)
        // below everything.
        let p = [(0.5, 0.7), (0.4, 0.6), (0.9, 0.3), (0.1, 0.1), (0.2, 0.9)];
        assert_eq!(front(&p), [4, 0, 2]);
    }

    #[test]
    fn ties() {
        // Equal x: the higher y dominates. Equal y: the higher x dominates.
        assert_eq!(front(&[(0.5, 0.4), (0.5, 0.6)]), [1]);
        assert_eq!(front(&[(0.3, 0.6), (0.5, 0.6)]), [1]);
        // Identical points dominate nothing: both stay on the front, in index order.
        assert_eq!(front(&[(0.5, 0.5), (0.2, 0.1), (0.5, 0.5)]), [0, 2]);
        // An identical pair below a third point: both dominated.
        assert_eq!(front(&[(0.5, 0.5), (0.5, 0.5), (0.6, 0.5)]), [2]);
    }

    #[test]
    fn single_empty_and_nan() {
        assert_eq!(front(&[(0.3, 0.2)]), [0]);
        assert!(front(&[]).is_empty());
        // NaN is neither on the front nor dominating: (0.1, 0.1) stays.
        assert_eq!(front(&[(f64::NAN, 0.9), (0.1, 0.1), (0.95, f64::NAN)]), [1]);
        // One point beats every other on both axes: the front is that point.
        assert_eq!(front(&[(0.1, 0.2), (0.9, 0.9), (0.5, 0.5), (0.9, 0.1)]), [1]);
    }
}
