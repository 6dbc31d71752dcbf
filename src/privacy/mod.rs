//! Privacy: the zCDP accountant and the noise mechanisms every DP generator spends through.

pub mod accountant;
pub mod mechanisms;
