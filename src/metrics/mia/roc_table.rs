//! The per-cell ROC side table of profile `mia` (`mia/<cell_id>.csv` from `bench run`,
//! `mia_split_<k>.csv` from `bench score`): for every attack the vertices of its tie-grouped ROC
//! (metrics.md §4.4, the curve behind `aucroc` and the tie-correct `tpr_at_fpr_*`), thinned to at
//! most [`MAX_POINTS`] points, so the report draws ROC curves without the scores.
//!
//! **Vertices.** `(0, 0)` followed by `(FP_j / N_neg, TP_j / N_pos)` after each tie group in
//! descending score order ([`Ranking::cumulative`], the one ROC construction); the curve is the
//! polyline through them (a tie group is a straight segment, the expected ROC under random
//! tie-breaking).
//!
//! **Thinning** (deterministic, exact at the target FPRs):
//! 1. drop every interior vertex collinear with its neighbours (exact: the polyline is unchanged;
//!    tested on the integer counts, so no rounding decides);
//! 2. for every target `x` of [`targets`] (61 points log-spaced over `[1e-3, 1]`, 0.05 decade
//!    apart, which include 1e-3, 1e-2 and 1e-1) keep the two ends of the segment that contains
//!    `x` (the first vertex with `FPR ≥ x` and its predecessor) and the top of the vertical run
//!    at that vertex's FPR; keep the first and the last vertex.
//!
//! The kept vertices are a subset of the exact ones, so the thinned curve is monotone, keeps its
//! end points `(0, 0)` and `(1, 1)`, and interpolates to the exact tie-correct TPR at every
//! target FPR (in particular at 1 % and 10 %). At most `3·61 + 2 = 185` points per attack.
//!
//! **Columns:** `attack, fpr, tpr`, one row per kept vertex in curve order; an attack without a
//! ranking (it failed, or a score is NaN) has one row with `fpr = tpr = NaN`.

use super::roc::Ranking;
use super::AttackScores;
use crate::io::fmt_f64;
use crate::metrics::SideTable;

/// The most vertices one attack's curve keeps.
pub const MAX_POINTS: usize = 200;

/// Decades below FPR 1 covered by the targets, and targets per decade.
const DECADES: i32 = 3;
const PER_DECADE: i32 = 20;

/// The side table's name (its file is `mia/<cell_id>.csv`).
pub const TABLE_NAME: &str = "roc";

/// The target FPRs of the thinning: `10^(k / 20)` for `k = −60, …, 0`, i.e. 1e-3 … 1.
pub fn targets() -> Vec<f64> {
    (-DECADES * PER_DECADE..=0).map(|k| 10f64.powf(f64::from(k) / f64::from(PER_DECADE))).collect()
}

/// The exact tie-grouped ROC vertices `(FP, TP)` in counts, starting at `(0, 0)`.
fn vertices(ranking: &Ranking) -> Vec<(usize, usize)> {
    std::iter::once((0, 0)).chain(ranking.cumulative()).collect()
}

/// Whether `b` lies on the straight line through `a` and `c` (exact, on counts).
fn collinear(a: (usize, usize), b: (usize, usize), c: (usize, usize)) -> bool {
    let d = |p: (usize, usize), q: (usize, usize)| (q.0 as i128 - p.0 as i128, q.1 as i128 - p.1 as i128);
    let ((x1, y1), (x2, y2)) = (d(a, b), d(b, c));
    x1 * y2 == y1 * x2
}

/// `points` without the interior points collinear with their kept neighbours (the vertices of
/// a ROC move right and up, so collinear neighbours lie on one segment).
fn drop_collinear(points: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(points.len());
    for &p in points {
        while out.len() >= 2 && collinear(out[out.len() - 2], out[out.len() - 1], p) {
            out.pop();
        }
        out.push(p);
    }
    out
}

/// The thinned curve of the module documentation, as `(fpr, tpr)`, from the exact vertices in
/// counts with `n_neg` non-members and `n_pos` members.
pub fn thin(points: &[(usize, usize)], n_neg: usize, n_pos: usize) -> Vec<(f64, f64)> {
    let points = drop_collinear(points);
    let fpr = |i: usize| points[i].0 as f64 / n_neg as f64;
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    for x in targets() {
        let Some(j) = (0..points.len()).find(|&i| fpr(i) >= x) else { continue };
        keep[j] = true;
        if j > 0 {
            keep[j - 1] = true;
        }
        let top = (j..points.len()).take_while(|&i| points[i].0 == points[j].0).last().unwrap_or(j);
        keep[top] = true;
    }
    let curve: Vec<(f64, f64)> = points
        .iter()
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(&(fp, tp), _)| (fp as f64 / n_neg as f64, tp as f64 / n_pos as f64))
        .collect();
    debug_assert!(curve.len() <= MAX_POINTS, "{} ROC points", curve.len());
    curve
}

/// The thinned ROC of one attack's scores, or `None` when they have no ranking.
pub fn attack_curve(scores: &[f64], member: &[bool]) -> Option<Vec<(f64, f64)>> {
    let ranking = Ranking::new(scores, member)?;
    let points = vertices(&ranking);
    let (n_neg, n_pos) = *points.last().expect("a ranking has at least two candidates");
    Some(thin(&points, n_neg, n_pos))
}

/// The TPR of a stored curve (rates, in curve order) at `FPR = alpha` by the tie-correct rule
/// of metrics.md §4.4 on rates: linear on the first segment `(f0, t0) → (f1, t1)` with
/// `f1 ≥ alpha` and `f1 > f0`. On a curve of [`thin`] it equals `Ranking::tpr_at_fpr(alpha)`
/// at every target FPR (unit-tested).
pub fn tpr_on_curve(curve: &[(f64, f64)], alpha: f64) -> f64 {
    for w in curve.windows(2) {
        let ((f0, t0), (f1, t1)) = (w[0], w[1]);
        if f1 >= alpha && f1 > f0 {
            return t0 + (alpha - f0) * (t1 - t0) / (f1 - f0);
        }
    }
    1.0
}

/// The side table `roc` of one cell (module documentation), attacks in column order.
pub fn side_table(attacks: &[AttackScores], member: &[bool]) -> SideTable {
    let mut rows = Vec::new();
    for a in attacks {
        match a.scores.as_ref().ok().and_then(|s| attack_curve(s, member)) {
            Some(curve) => {
                rows.extend(curve.into_iter().map(|(f, t)| vec![a.attack.to_string(), fmt_f64(f), fmt_f64(t)]));
            }
            None => rows.push(vec![a.attack.to_string(), fmt_f64(f64::NAN), fmt_f64(f64::NAN)]),
        }
    }
    SideTable { name: TABLE_NAME.into(), header: ["attack", "fpr", "tpr"].map(String::from).to_vec(), rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random ranking of `n` candidates with ties every `tie` scores.
    fn scores(n: usize, tie: usize) -> (Vec<f64>, Vec<bool>) {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let member: Vec<bool> = (0..n).map(|i| i % 5 != 0).collect();
        let scores = member
            .iter()
            .map(|&m| {
                let noise = (next() % 10_000) as f64 / 10_000.0;
                let s = noise + if m { 0.3 } else { 0.0 };
                (s * 1000.0 / tie as f64).floor()
            })
            .collect();
        (scores, member)
    }

    #[test]
    fn thinning_keeps_the_end_points_is_monotone_and_capped() {
        for (n, tie) in [(10, 1), (1089, 1), (4500, 1), (4500, 40), (20_000, 1)] {
            let (s, m) = scores(n, tie);
            let curve = attack_curve(&s, &m).unwrap();
            assert!(curve.len() <= MAX_POINTS, "{n}: {} points", curve.len());
            assert_eq!(curve[0], (0.0, 0.0));
            assert_eq!(*curve.last().unwrap(), (1.0, 1.0));
            assert!(curve.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{n}: not monotone");
        }
    }

    #[test]
    fn thinned_curve_is_exact_at_every_target_fpr() {
        for (n, tie) in [(1089, 1), (4500, 1), (4500, 40)] {
            let (s, m) = scores(n, tie);
            let ranking = Ranking::new(&s, &m).unwrap();
            let curve = attack_curve(&s, &m).unwrap();
            for x in targets() {
                let (exact, thinned) = (ranking.tpr_at_fpr(x), tpr_on_curve(&curve, x));
                assert!((exact - thinned).abs() < 1e-12, "n {n}, tie {tie}, FPR {x}: {exact} vs {thinned}");
            }
        }
        let t = targets();
        assert_eq!((t.len(), t[0], t[20], t[40], t[60]), (61, 1e-3, 1e-2, 1e-1, 1.0));
    }

    #[test]
    fn collinear_vertices_are_dropped_and_a_perfect_attack_keeps_its_corner() {
        assert_eq!(drop_collinear(&[(0, 0), (1, 1), (2, 2), (2, 3), (2, 4)]), vec![(0, 0), (2, 2), (2, 4)]);
        let curve = attack_curve(&[4.0, 3.0, 2.0, 1.0], &[true, true, false, false]).unwrap();
        assert_eq!(curve, vec![(0.0, 0.0), (0.0, 1.0), (1.0, 1.0)]);
        // All scores tied: the diagonal alone.
        let curve = attack_curve(&[0.0; 6], &[true, true, true, false, false, false]).unwrap();
        assert_eq!(curve, vec![(0.0, 0.0), (1.0, 1.0)]);
    }

    #[test]
    fn a_failed_attack_is_one_nan_row() {
        let attacks = vec![
            AttackScores { attack: "gan_leaks", scores: Ok(vec![2.0, 1.0]) },
            AttackScores { attack: "lr_loss", scores: Err("single_class".into()) },
        ];
        let t = side_table(&attacks, &[true, false]);
        assert_eq!(t.header, ["attack", "fpr", "tpr"]);
        assert_eq!(t.to_csv(), "attack,fpr,tpr\ngan_leaks,0,0\ngan_leaks,0,1\ngan_leaks,1,1\nlr_loss,NaN,NaN\n");
    }
}
