//! Built-in simulated datasets `sim-brca` and `sim-combined` (simulator.md, `sim.v1`).

use super::dataset::Dataset;
use crate::error::Result;

/// Version recorded in every result row of a simulated dataset.
pub const SIM_VERSION: &str = "sim.v1";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimDataset {
    Brca,
    Combined,
}

impl SimDataset {
    pub const ALL: [SimDataset; 2] = [SimDataset::Brca, SimDataset::Combined];

    pub fn from_name(name: &str) -> Option<SimDataset> {
        match name {
            "sim-brca" => Some(SimDataset::Brca),
            "sim-combined" => Some(SimDataset::Combined),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SimDataset::Brca => "sim-brca",
            SimDataset::Combined => "sim-combined",
        }
    }
}

/// Generate a simulated dataset, deterministic from `seed`.
pub fn simulate(which: SimDataset, seed: u64) -> Result<Dataset> {
    crate::bail!("simulator not implemented yet ({} seed {seed})", which.name())
}

/// Relabel the simulated genes with the IDs of a gene-list file (one ID per line, exactly as
/// many lines as genes; simulator.md §1).
pub fn rename_genes(dataset: &mut Dataset, path: &std::path::Path) -> Result<()> {
    crate::bail!("gene_names not implemented yet ({} for {})", path.display(), dataset.name)
}
