//! The runner: grid parsing ([`grid`]), dataset loading ([`datasets`]), cell expansion and
//! parallel execution with a per-cell cache ([`execute`]), the results files ([`results`]),
//! and scale-out: sharded runs ([`shard`]), their merge ([`merge`]) and Slurm jobs ([`slurm`]).

pub mod datasets;
pub mod execute;
pub mod grid;
pub mod merge;
pub mod results;
pub mod score;
pub mod shard;
pub mod slurm;
