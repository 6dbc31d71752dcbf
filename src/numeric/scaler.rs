//! Standardisation with the mean and population standard deviation of a reference matrix
//! (metrics.md §2.8, §3.1: scikit-learn `StandardScaler`, ddof 0, sd = 0 → 1).

use crate::data::matrix::Matrix;

/// Per-column `mean` and `scale`; `transform(x) = (x − mean) / scale`.
#[derive(Clone, Debug, PartialEq)]
pub struct StandardScaler {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

impl StandardScaler {
    /// Fit on the rows of `x`, as scikit-learn 1.5 does: column sums left to right over rows,
    /// mean = sum / n, variance by the corrected two-pass formula
    /// `(Σ(x − mean)² − (Σ(x − mean))² / n) / n`, scale = √variance. A column is treated as
    /// constant (scale 1) when `var ≤ n·ε·var + (n·mean·ε)²`, which covers sd = 0 exactly and
    /// values that differ only by rounding.
    pub fn fit(x: &Matrix) -> StandardScaler {
        let (n, p) = (x.rows(), x.cols());
        let count = n as f64;
        let mut sum = vec![0.0; p];
        for row in x.row_iter() {
            for (s, v) in sum.iter_mut().zip(row) {
                *s += v;
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / count).collect();
        let mut correction = vec![0.0; p];
        let mut squares = vec![0.0; p];
        for row in x.row_iter() {
            for j in 0..p {
                let t = row[j] - mean[j];
                correction[j] += t;
                squares[j] += t * t;
            }
        }
        let eps = f64::EPSILON;
        let scale = (0..p)
            .map(|j| {
                let var = (squares[j] - correction[j] * correction[j] / count) / count;
                let bound = count * eps * var + (count * mean[j] * eps).powi(2);
                if var <= bound {
                    1.0
                } else {
                    var.sqrt()
                }
            })
            .collect();
        StandardScaler { mean, scale }
    }

    /// `(x − mean) / scale`, column by column.
    pub fn transform(&self, x: &Matrix) -> Matrix {
        let mut out = x.clone();
        self.transform_in_place(&mut out);
        out
    }

    /// [`Self::transform`] without a copy.
    pub fn transform_in_place(&self, x: &mut Matrix) {
        assert_eq!(x.cols(), self.mean.len(), "scaler fitted on {} columns, applied to {}", self.mean.len(), x.cols());
        for row in x.as_mut_slice().chunks_exact_mut(self.mean.len().max(1)) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_sd_and_constant_columns() {
        // Column 0: 1, 2, 3 → mean 2, population sd √(2/3). Column 1 constant → scale 1.
        let x = Matrix::from_rows(&[vec![1.0, 5.0], vec![2.0, 5.0], vec![3.0, 5.0]]).unwrap();
        let s = StandardScaler::fit(&x);
        assert_eq!(s.mean, vec![2.0, 5.0]);
        assert!((s.scale[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(s.scale[1], 1.0);
        let z = s.transform(&x);
        assert_eq!(z.get(1, 0), 0.0);
        assert!((z.get(2, 0) - 1.224744871391589).abs() < 1e-15);
        assert_eq!(z.column(1), vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn rounding_level_spread_counts_as_constant() {
        // 0.1 + 0.2 differs from 0.3 by one ulp: sklearn's constant-feature test keeps scale 1.
        let x = Matrix::from_rows(&[vec![0.1 + 0.2], vec![0.3], vec![0.3]]).unwrap();
        assert_eq!(StandardScaler::fit(&x).scale, vec![1.0]);
    }
}
