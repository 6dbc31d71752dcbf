//! The audit dataset and its canary (docs/audit.md §3).
//!
//! * Audit dataset D: the first `genes` genes of the grid's first dataset and a systematic
//!   sample of `rows` of its samples (every ⌊N/rows⌋-th sample in file order, starting with the
//!   first), so class proportions follow the full data; the class set stays the full dataset's
//!   (public schema) and the public range is the grid's.
//! * Canary: every gene at the top of the public range, `x_j = hi`, with the first class of the
//!   schema. It is worst-case for every DP generator in bench at once:
//!   - discretised generators: with `edges = dp` it is alone in the last cell of each gene's
//!     DP edge histogram (no D value lies in `[hi − (hi − lo)/40, hi]` on the VST scale; the
//!     count is reported), and it falls in the top bin of every measured marginal;
//!   - `dp-gaussian`: after range clipping its centred row is `(h, …, h)`, of L2 norm exactly
//!     the clipping bound `B₂ = h√p`;
//!   - non-private steps: it is the extreme value that moves the top train quantile (public
//!     edges) and the top bin's train mean (`bin-mean`), and it adds 1 to `n_train`.
//! * D′ = D ∪ {canary} (add/remove neighbours, generators.md §1.1).

use crate::data::dataset::{Dataset, Labelled, Schema};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::generators::discrete::discretise::{grid_cell, DP_GRID_CELLS};
use crate::{bail, ensure};

/// The two neighbouring datasets of the game and what a generator may know.
#[derive(Clone, Debug)]
pub struct AuditData {
    /// D.
    pub without: Labelled,
    /// D′ = D ∪ {canary} (the canary is the last row).
    pub with: Labelled,
    pub schema: Schema,
    pub canary: Vec<f64>,
    pub canary_label: String,
}

impl AuditData {
    /// Values of D in the canary's cell of the DP edge grid, over all genes (0 = the canary
    /// is alone there).
    pub fn canary_cell_occupancy(&self) -> usize {
        let (range, x) = (self.schema.public_range, &self.without.x);
        let mut n = 0;
        for i in 0..x.rows() {
            for (j, &c) in self.canary.iter().enumerate() {
                n += usize::from(grid_cell(x.get(i, j), range, DP_GRID_CELLS) == grid_cell(c, range, DP_GRID_CELLS));
            }
        }
        n
    }
}

/// D and D′ from `dataset` by the rule of the module documentation.
pub fn audit_data(dataset: &Dataset, rows: usize, genes: usize, public_range: (f64, f64)) -> Result<AuditData> {
    ensure!(rows >= 2, "--rows must be at least 2, got {rows}");
    ensure!(genes >= 1, "--genes must be at least 1, got {genes}");
    let (n, p) = (dataset.n_samples(), dataset.n_genes());
    if rows > n || genes > p {
        bail!("dataset '{}' has {n} samples x {p} genes; the audit asks for {rows} x {genes}", dataset.name);
    }
    let step = n / rows;
    let picked: Vec<usize> = (0..rows).map(|i| i * step).collect();
    let cols: Vec<usize> = (0..genes).collect();
    let x = dataset.x.select_rows(&picked).select_cols(&cols);
    let labels: Vec<String> = picked.iter().map(|&i| dataset.labels[i].clone()).collect();
    let classes = dataset.classes();
    let canary_label = classes[0].clone();
    let canary = vec![public_range.1; genes];
    let with_x = x.vstack(&Matrix::from_row_major(1, genes, canary.clone())?)?;
    let mut with_labels = labels.clone();
    with_labels.push(canary_label.clone());
    Ok(AuditData {
        without: Labelled { x, labels },
        with: Labelled { x: with_x, labels: with_labels },
        schema: Schema { gene_ids: dataset.gene_ids[..genes].to_vec(), classes, public_range },
        canary,
        canary_label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systematic_sample_and_canary() {
        let x = Matrix::from_row_major(6, 3, (0..18).map(|v| v as f64 / 2.0).collect()).unwrap();
        let d = Dataset {
            name: "t".into(),
            source: "t".into(),
            sample_ids: (0..6).map(|i| format!("s{i}")).collect(),
            gene_ids: vec!["g0".into(), "g1".into(), "g2".into()],
            x,
            labels: ["b", "a", "b", "a", "b", "a"].iter().map(|s| s.to_string()).collect(),
            label_column: "label".into(),
        };
        let a = audit_data(&d, 3, 2, (0.0, 20.0)).unwrap();
        assert_eq!(a.without.x.rows(), 3);
        assert_eq!(a.without.x.row(1), &[3.0, 3.5]);
        assert_eq!(a.without.labels, vec!["b", "b", "b"]);
        assert_eq!(a.with.x.row(3), &[20.0, 20.0]);
        assert_eq!(a.with.labels[3], "a");
        assert_eq!(a.schema.classes, vec!["a", "b"]);
        assert_eq!(a.canary_cell_occupancy(), 0);
        assert!(audit_data(&d, 7, 2, (0.0, 20.0)).unwrap_err().to_string().contains("6 samples"));
    }
}
