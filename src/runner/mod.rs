//! The runner: grid parsing ([`grid`]), dataset loading ([`datasets`]), cell expansion and
//! parallel execution with a per-cell cache ([`execute`]) and its progress lines, the generator
//! output contract ([`output_check`]), process measurements
//! ([`results::peak_rss_mb`]), and scale-out: sharded runs ([`shard`]), their merge ([`merge`]) and
//! Slurm jobs ([`slurm`]). The results files are [`crate::results`].

pub mod datasets;
pub mod execute;
pub mod generate;
pub mod grid;
pub mod grid_checks;
pub mod grid_errors;
pub mod merge;
pub mod output_check;
mod progress;
pub mod results;
pub mod score;
pub mod shard;
pub mod slurm;
pub mod synthetic_out;
