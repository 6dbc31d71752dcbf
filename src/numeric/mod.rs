//! Numerical kernels shared across stages. One implementation each: pairwise distances,
//! logistic regression, PCA, eigendecomposition.

pub mod distance;
pub mod linalg;
pub mod logistic;
pub mod pca;
pub mod scaler;
pub mod summation;
pub mod vmath;
