//! The runner: grid parsing ([`grid`]), dataset loading ([`datasets`]), cell expansion and
//! parallel execution with a per-cell cache ([`execute`]), and process measurements
//! ([`results::peak_rss_mb`]). The results files are [`crate::results`].

pub mod datasets;
pub mod execute;
pub mod grid;
pub mod results;
pub mod score;
pub mod synthetic_out;
