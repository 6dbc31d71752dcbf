//! A dense, row-major `f64` matrix: rows are samples, columns are genes.
//!
//! Row-major keeps each sample contiguous, which is what the distance kernels and the simulator
//! want. Linear-algebra code borrows it as a `faer` view with [`Matrix::as_faer`] (no copy).

use crate::error::Result;
use crate::{bail, ensure};

#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// Build from row-major data; `data.len()` must equal `rows * cols`.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self> {
        ensure!(
            data.len() == rows * cols,
            "matrix data has {} values, expected {rows} x {cols} = {}",
            data.len(),
            rows * cols
        );
        Ok(Matrix { rows, cols, data })
    }

    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix { rows, cols, data: vec![0.0; rows * cols] }
    }

    /// Build from equal-length rows.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, r) in rows.iter().enumerate() {
            if r.len() != cols {
                bail!("row {i} has {} values, expected {cols}", r.len());
            }
            data.extend_from_slice(r);
        }
        Ok(Matrix { rows: rows.len(), cols, data })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.cols + j] = v;
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn row_iter(&self) -> impl Iterator<Item = &[f64]> {
        // `max(1)` keeps chunks_exact valid for zero-column matrices.
        self.data.chunks_exact(self.cols.max(1)).take(self.rows)
    }

    /// Column `j` copied out.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.rows).map(|i| self.get(i, j)).collect()
    }

    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// A new matrix with the given rows, in the given order.
    pub fn select_rows(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Matrix { rows: indices.len(), cols: self.cols, data }
    }

    /// A new matrix with the given columns, in the given order.
    pub fn select_cols(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(self.rows * indices.len());
        for r in self.row_iter() {
            data.extend(indices.iter().map(|&j| r[j]));
        }
        Matrix { rows: self.rows, cols: indices.len(), data }
    }

    /// Stack `self` on top of `other` (same column count).
    pub fn vstack(&self, other: &Matrix) -> Result<Matrix> {
        ensure!(self.cols == other.cols, "cannot stack matrices with {} and {} columns", self.cols, other.cols);
        let mut data = Vec::with_capacity(self.data.len() + other.data.len());
        data.extend_from_slice(&self.data);
        data.extend_from_slice(&other.data);
        Ok(Matrix { rows: self.rows + other.rows, cols: self.cols, data })
    }

    /// Position (row, column) of the first non-finite value, if any.
    pub fn first_non_finite(&self) -> Option<(usize, usize)> {
        let pos = self.data.iter().position(|v| !v.is_finite())?;
        Some((pos / self.cols.max(1), pos % self.cols.max(1)))
    }

    /// Borrow as a `faer` matrix view (row-major strides, no copy).
    pub fn as_faer(&self) -> faer::MatRef<'_, f64> {
        faer::MatRef::from_row_major_slice(&self.data, self.rows, self.cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_stack() {
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]).unwrap();
        assert_eq!(m.select_rows(&[2, 0]).as_slice(), &[5.0, 6.0, 1.0, 2.0]);
        assert_eq!(m.select_cols(&[1]).as_slice(), &[2.0, 4.0, 6.0]);
        let s = m.vstack(&m.select_rows(&[1])).unwrap();
        assert_eq!(s.rows(), 4);
        assert_eq!(s.row(3), &[3.0, 4.0]);
        assert_eq!(m.as_faer()[(2, 1)], 6.0);
    }

    #[test]
    fn rejects_ragged_rows_and_finds_nan() {
        assert!(Matrix::from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_err());
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![f64::NAN, 4.0]]).unwrap();
        assert_eq!(m.first_non_finite(), Some((1, 0)));
    }
}
