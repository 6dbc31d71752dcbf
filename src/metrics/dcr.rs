//! Distance to closest record (metrics.md §2.9): `distance_to_closest` (synthetic → real train)
//! and `distance_to_closest_base` (real test → real train), Euclidean, mean over query rows,
//! rounded to 4 dp.

use super::{round4, EvalInput, Metric, MetricOutput, Score};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::distance::nearest_sq_distances;

pub struct DistanceToClosest;

/// DCR(Q, Ref) = (1/|Q|) Σ_q min_r ‖q − r‖, unrounded.
pub fn mean_distance_to_closest(query: &Matrix, reference: &Matrix) -> f64 {
    let d = nearest_sq_distances(query, reference);
    d.iter().map(|v| v.sqrt()).sum::<f64>() / d.len() as f64
}

impl Metric for DistanceToClosest {
    fn name(&self) -> &'static str {
        "distance_to_closest"
    }

    fn columns(&self, _classes: &[String]) -> Vec<String> {
        vec!["distance_to_closest".into(), "distance_to_closest_base".into()]
    }

    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let dcr = mean_distance_to_closest(&input.synthetic.x, &input.train.x);
        let base = *input.real.dcr_base.get_or_init(|| mean_distance_to_closest(&input.test.x, &input.train.x));
        Ok(MetricOutput {
            scores: vec![
                Score::new("distance_to_closest", round4(dcr)),
                Score::new("distance_to_closest_base", round4(base)),
            ],
            ..Default::default()
        })
    }
}
