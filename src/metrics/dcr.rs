//! Distance to closest record (metrics.md §2.9, §3.2): `distance_to_closest` (synthetic → real
//! train) and `distance_to_closest_base` (real test → real train, memoised per fold), each the
//! mean Euclidean 1-NN distance rounded to 4 dp:
//!
//! ```text
//! DCR(Q, Ref) = round4( (1/|Q|) Σ_{q ∈ Q} min_{r ∈ Ref} ‖q − r‖ )
//! ```
//!
//! `camda2026` adds `distance_to_closest_relative = distance_to_closest / distance_to_closest_base`
//! of the rounded per-fold values (as upstream divides its CSV columns).

use super::{round4, EvalInput, Metric, MetricOutput, Score};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::distance::{nearest_sq_distances, sum_in_order};

/// The DCR family; `relative` adds the `camda2026` ratio column.
pub struct DistanceToClosest {
    pub relative: bool,
}

/// `(1/|Q|) Σ_q min_r ‖q − r‖`, unrounded; the 1-NN distances are exact (duplicates give 0).
pub fn mean_distance_to_closest(query: &Matrix, reference: &Matrix) -> f64 {
    let d = nearest_sq_distances(query, reference);
    sum_in_order(d.iter().map(|v| v.sqrt())) / d.len() as f64
}

impl Metric for DistanceToClosest {
    fn name(&self) -> &'static str {
        "distance_to_closest"
    }

    fn columns(&self, _classes: &[String]) -> Vec<String> {
        let mut cols = vec!["distance_to_closest".to_string(), "distance_to_closest_base".to_string()];
        if self.relative {
            cols.push("distance_to_closest_relative".into());
        }
        cols
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let dcr = round4(mean_distance_to_closest(&input.synthetic.x, &input.train.x));
        let base = round4(*input.real.dcr_base.get_or_init(|| mean_distance_to_closest(&input.test.x, &input.train.x)));
        let mut scores = vec![Score::new("distance_to_closest", dcr), Score::new("distance_to_closest_base", base)];
        if self.relative {
            scores.push(if base > 0.0 {
                Score::new("distance_to_closest_relative", dcr / base)
            } else {
                Score::nan("distance_to_closest_relative", "zero_base")
            });
        }
        Ok(MetricOutput { scores, ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_of_nearest_distances_by_hand() {
        // Reference {(0,0), (3,4)}; queries (3,4) → 0, (0,1) → 1, (6,8) → 5: mean 2.
        let r = Matrix::from_rows(&[vec![0.0, 0.0], vec![3.0, 4.0]]).unwrap();
        let q = Matrix::from_rows(&[vec![3.0, 4.0], vec![0.0, 1.0], vec![6.0, 8.0]]).unwrap();
        assert_eq!(mean_distance_to_closest(&q, &r), 2.0);
    }
}
