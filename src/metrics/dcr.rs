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

use super::revision::Revision;
use super::spec::{ColumnSpec, Direction, Exactness};
use super::{round4, EvalInput, Metric, MetricOutput};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::distance::nearest_sq_distances;
use crate::numeric::summation::pairwise_sum;

/// The DCR family of one revision; `camda2026` adds the ratio column.
pub struct DistanceToClosest(pub Revision);

const DISTANCE_TO_CLOSEST: ColumnSpec = ColumnSpec::new(
    "distance_to_closest",
    Direction::Higher,
    Exactness::Rounded4,
    "mean distance from a synthetic row to its nearest real train row, 4 dp (§2.9)",
)
.with_real_counterpart("distance_to_closest_base")
.in_paper_column("dcr");
const DISTANCE_TO_CLOSEST_BASE: ColumnSpec = ColumnSpec::real_reference(
    "distance_to_closest_base",
    Exactness::Rounded4,
    "mean distance from a real test row to its nearest real train row, 4 dp (§2.9)",
)
.in_paper_column("dcr");
const DISTANCE_TO_CLOSEST_RELATIVE: ColumnSpec = ColumnSpec::new(
    "distance_to_closest_relative",
    Direction::Reference,
    Exactness::Deterministic,
    "distance_to_closest / distance_to_closest_base (§3.2)",
);

/// `(1/|Q|) Σ_q min_r ‖q − r‖`, unrounded; the 1-NN distances are exact (duplicates give 0).
pub fn mean_distance_to_closest(query: &Matrix, reference: &Matrix) -> f64 {
    let d = nearest_sq_distances(query, reference);
    let distances: Vec<f64> = d.iter().map(|v| v.sqrt()).collect();
    pairwise_sum(&distances) / d.len() as f64
}

impl Metric for DistanceToClosest {
    fn name(&self) -> &'static str {
        "distance_to_closest"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        match self.0 {
            Revision::Camda2025 => vec![DISTANCE_TO_CLOSEST, DISTANCE_TO_CLOSEST_BASE],
            Revision::Camda2026 => vec![DISTANCE_TO_CLOSEST, DISTANCE_TO_CLOSEST_BASE, DISTANCE_TO_CLOSEST_RELATIVE],
        }
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let dcr = round4(mean_distance_to_closest(&input.synthetic.x, &input.train.x));
        let base =
            round4(*super::memo(&input.real.dcr_base, || mean_distance_to_closest(&input.test.x, &input.train.x)));
        let mut scores = vec![DISTANCE_TO_CLOSEST.value(dcr), DISTANCE_TO_CLOSEST_BASE.value(base)];
        if self.0 == Revision::Camda2026 {
            scores.push(if base > 0.0 {
                DISTANCE_TO_CLOSEST_RELATIVE.value(dcr / base)
            } else {
                DISTANCE_TO_CLOSEST_RELATIVE.nan("zero_base")
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
