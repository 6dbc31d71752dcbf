//! Numerical kernels shared across stages. One implementation each: pairwise distances,
//! logistic regression, PCA, eigendecomposition, average ranks, special functions (erfc, normal
//! CDF).

pub mod distance;
pub mod linalg;
pub mod logistic;
pub mod pca;
pub mod rank;
pub mod scaler;
pub mod special;
pub mod summation;
pub mod vmath;
