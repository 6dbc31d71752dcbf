//! The data's path in: datasets (load, simulate), splits, exports.

pub mod dataset;
pub mod export;
pub mod load;
pub mod matrix;
pub mod simulate;
pub mod split;
pub mod split_yaml;
pub mod stats;
