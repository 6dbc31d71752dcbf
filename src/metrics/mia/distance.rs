//! Distance attacks (metrics.md §4.2) on the one blocked distance kernel
//! (`numeric::distance`), with `D²_G(x) = min_{g ∈ Xs} d²(x, g)` and
//! `D²_R(x) = min_{r ∈ Ref, r ≠ x} d²(x, r)` (leave-one-out for candidates in `Ref`):
//!
//! ```text
//! gan_leaks(x)     = −D²_G(x)
//! gan_leaks_cal(x) = D²_R(x) − D²_G(x)
//! mc(x)            = #{g : d²(x, g) < ε} / n,   ε = Pct_P({D²_G(y) : y ∈ C})  (numpy linear)
//! ```

use super::AttackData;
use crate::data::stats::quantile_sorted;
use crate::numeric::distance::{count_sq_within, kth_nearest_sq_distances, nearest_sq_distances};

/// Scores of the three distance attacks, one per candidate.
pub struct DistanceScores {
    pub gan_leaks: Vec<f64>,
    pub gan_leaks_cal: Vec<f64>,
    pub mc: Vec<f64>,
}

/// `D²_R` with the reference = the non-member part of the candidates, leave-one-out: members
/// against all of `Ref`, each reference row against the others (NaN when `|Ref| < 2`).
fn reference_sq_distances(data: &AttackData) -> Vec<f64> {
    let mut d = nearest_sq_distances(data.members(), data.reference());
    d.extend(kth_nearest_sq_distances(data.reference(), 1));
    d
}

/// The three distance attacks; `percentile` is `mia.mc_percentile` (in 0..=100).
pub fn distance_attacks(data: &AttackData, percentile: f64) -> DistanceScores {
    let (d_g, d_r) =
        rayon::join(|| nearest_sq_distances(&data.candidates, &data.synthetic), || reference_sq_distances(data));
    let mut sorted = d_g.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let eps = quantile_sorted(&sorted, percentile / 100.0);
    let n = data.synthetic.rows() as f64;
    let mc = count_sq_within(&data.candidates, &data.synthetic, eps).into_iter().map(|c| c as f64 / n).collect();
    DistanceScores {
        gan_leaks: d_g.iter().map(|d| -d).collect(),
        gan_leaks_cal: d_r.iter().zip(&d_g).map(|(r, g)| r - g).collect(),
        mc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::matrix::Matrix;

    #[test]
    fn distance_scores_by_hand() {
        // 1-D: members {0, 10}, reference {4, 5}, synthetic {0, 9}.
        let data = AttackData::new(
            Matrix::from_rows(&[vec![0.0], vec![10.0], vec![4.0], vec![5.0]]).unwrap(),
            vec!["a".into(); 4],
            2,
            Matrix::from_rows(&[vec![0.0], vec![9.0]]).unwrap(),
            vec!["a".into(); 2],
        );
        let s = distance_attacks(&data, 50.0);
        // D²_G = 0, 1, 16, 16; D²_R (LOO for 4 and 5) = 16, 25, 1, 1.
        assert_eq!(s.gan_leaks, vec![0.0, -1.0, -16.0, -16.0]);
        assert_eq!(s.gan_leaks_cal, vec![16.0, 24.0, -15.0, -15.0]);
        // ε = median of {0, 1, 16, 16} = 8.5: synthetic rows strictly closer than that.
        assert_eq!(s.mc, vec![0.5, 0.5, 0.0, 0.0]);
        let s = distance_attacks(&data, 10.0);
        // ε = 0.3: only x = 0 has a synthetic row (itself at 0) strictly closer.
        assert_eq!(s.mc, vec![0.5, 0.0, 0.0, 0.0]);
    }
}
