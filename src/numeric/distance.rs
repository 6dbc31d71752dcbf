//! Pairwise Euclidean distance kernels.

use crate::data::matrix::Matrix;
use rayon::prelude::*;

/// For each row of `query`, the squared Euclidean distance to its nearest row of `reference`,
/// computed exactly as Σ (a_j − b_j)² (no cancellation: duplicates give exactly 0).
pub fn nearest_sq_distances(query: &Matrix, reference: &Matrix) -> Vec<f64> {
    assert_eq!(query.cols(), reference.cols(), "distance between matrices of different widths");
    (0..query.rows())
        .into_par_iter()
        .map(|i| {
            let q = query.row(i);
            reference
                .row_iter()
                .map(|r| q.iter().zip(r).map(|(a, b)| (a - b) * (a - b)).sum::<f64>())
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}
