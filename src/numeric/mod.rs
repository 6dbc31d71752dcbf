//! Numerical kernels shared across stages. One implementation each: pairwise distances,
//! logistic regression, PCA, eigendecomposition,
//! average ranks.

pub mod distance;
pub mod linalg;
pub mod logistic;
pub mod pca;
pub mod rank;
pub mod scaler;
pub mod summation;
pub mod vmath;
