//! The common in-memory dataset every reader and the simulator produce (data-formats.md §0),
//! and the train-fold view generators are allowed to see (generators.md §8).

use super::matrix::Matrix;
use crate::error::Result;
use crate::{bail, ensure};
use std::collections::{BTreeSet, HashSet};

/// Samples × genes with one string label per sample.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Name used in grids and result rows (e.g. `sim-brca`, or the grid's dataset name).
    pub name: String,
    /// Where it came from, recorded in result rows (e.g. `sim.v1 seed=1`, or file paths).
    pub source: String,
    pub sample_ids: Vec<String>,
    pub gene_ids: Vec<String>,
    pub x: Matrix,
    pub labels: Vec<String>,
    /// Header of the label column in the challenge layout (`Subtype`, `cancer_type`, `label`).
    pub label_column: String,
}

impl Dataset {
    /// Check the invariants of data-formats.md §0: shapes agree, IDs unique, values finite,
    /// labels non-empty. `what` names the source in error messages.
    pub fn validate(&self, what: &str) -> Result<()> {
        let n = self.sample_ids.len();
        ensure!(
            self.x.rows() == n && self.labels.len() == n,
            "{what}: {n} sample IDs but {} rows and {} labels",
            self.x.rows(),
            self.labels.len()
        );
        ensure!(
            self.x.cols() == self.gene_ids.len(),
            "{what}: {} gene IDs but {} columns",
            self.gene_ids.len(),
            self.x.cols()
        );
        ensure!(n > 0, "{what}: no samples");
        ensure!(!self.gene_ids.is_empty(), "{what}: no genes");
        if let Some(dup) = first_duplicate(&self.sample_ids) {
            bail!("{what}: duplicate sample ID '{dup}'");
        }
        if let Some(j) = self.gene_ids.iter().position(String::is_empty) {
            bail!("{what}: gene {} has an empty ID", j + 1);
        }
        if let Some(dup) = first_duplicate(&self.gene_ids) {
            bail!("{what}: duplicate gene ID '{dup}'");
        }
        if let Some((i, j)) = self.x.first_non_finite() {
            bail!(
                "{what}: non-finite value {} at sample '{}', gene '{}'",
                self.x.get(i, j),
                self.sample_ids[i],
                self.gene_ids[j]
            );
        }
        if let Some(i) = self.labels.iter().position(String::is_empty) {
            bail!("{what}: empty label for sample '{}'", self.sample_ids[i]);
        }
        Ok(())
    }

    /// Sorted distinct labels (byte order), the `classes(y)` of metrics.md §0.1.
    pub fn classes(&self) -> Vec<String> {
        classes(&self.labels)
    }

    /// Number of samples of each class, in `classes()` order.
    pub fn class_counts(&self) -> Vec<(String, usize)> {
        self.classes()
            .into_iter()
            .map(|c| {
                let n = self.labels.iter().filter(|l| **l == c).count();
                (c, n)
            })
            .collect()
    }

    pub fn n_samples(&self) -> usize {
        self.sample_ids.len()
    }

    pub fn n_genes(&self) -> usize {
        self.gene_ids.len()
    }
}

/// Sorted distinct labels in byte order.
pub fn classes(labels: &[String]) -> Vec<String> {
    labels.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect()
}

fn first_duplicate(ids: &[String]) -> Option<&str> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().find(|id| !seen.insert(id.as_str())).map(String::as_str)
}

/// What a generator may know besides the train rows: the class set (public schema, never
/// derived from train rows) and the public value range used by DP clipping and DP bin edges.
#[derive(Clone, Debug)]
pub struct Schema {
    pub gene_ids: Vec<String>,
    /// Sorted class set of the whole dataset definition.
    pub classes: Vec<String>,
    /// Public value range `[lo, hi]` (default `[0, 20]`, the VST scale).
    pub public_range: (f64, f64),
}

/// Labelled rows: a matrix and one label per row.
#[derive(Clone, Debug)]
pub struct Labelled {
    pub x: Matrix,
    pub labels: Vec<String>,
}

/// The train part of one split: the only data a generator ever receives. It is built by
/// [`crate::data::split::Fold::train_fold`] and has no route to the test rows.
#[derive(Debug)]
pub struct TrainFold<'a> {
    data: &'a Labelled,
    schema: &'a Schema,
}

impl<'a> TrainFold<'a> {
    pub(crate) fn new(data: &'a Labelled, schema: &'a Schema) -> Self {
        TrainFold { data, schema }
    }

    /// A train fold over arbitrary rows, for tests and benchmarks of generators.
    pub fn from_parts(data: &'a Labelled, schema: &'a Schema) -> Self {
        TrainFold { data, schema }
    }

    pub fn x(&self) -> &Matrix {
        &self.data.x
    }

    pub fn labels(&self) -> &[String] {
        &self.data.labels
    }

    pub fn schema(&self) -> &Schema {
        self.schema
    }

    pub fn gene_ids(&self) -> &[String] {
        &self.schema.gene_ids
    }

    pub fn classes(&self) -> &[String] {
        &self.schema.classes
    }

    pub fn n_rows(&self) -> usize {
        self.data.x.rows()
    }

    /// Train-fold count of each schema class (zero for a class with no train rows).
    pub fn class_counts(&self) -> Vec<usize> {
        self.schema.classes.iter().map(|c| self.data.labels.iter().filter(|l| *l == c).count()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Dataset {
        Dataset {
            name: "t".into(),
            source: "test".into(),
            sample_ids: vec!["a".into(), "b".into()],
            gene_ids: vec!["g1".into()],
            x: Matrix::from_rows(&[vec![1.0], vec![2.0]]).unwrap(),
            labels: vec!["B".into(), "A".into()],
            label_column: "label".into(),
        }
    }

    #[test]
    fn validation_names_the_problem() {
        assert!(tiny().validate("t").is_ok());
        let mut d = tiny();
        d.sample_ids[1] = "a".into();
        assert!(d.validate("t").unwrap_err().to_string().contains("duplicate sample ID 'a'"));
        let mut d = tiny();
        d.x.set(1, 0, f64::INFINITY);
        let e = d.validate("t").unwrap_err().to_string();
        assert!(e.contains("sample 'b'") && e.contains("gene 'g1'"), "{e}");
        assert_eq!(tiny().classes(), vec!["A".to_string(), "B".to_string()]);
    }
}
