//! Metrics: the `Metric` contract, the column specs each family declares (`spec`), the
//! evaluator revisions (`revision`), and the metric profiles with their registry and scoring
//! (`profile`, metrics.md §0.2).
//!
//! A metric family computes one or more result columns from the real train fold, the real test
//! fold and the synthetic rows. Real-only quantities that do not depend on the generator
//! (TRTR model, `distance_to_closest_base`, …) are memoised per fold in [`RealCache`] and shared
//! by every cell of that fold. How to add a family: see [`profile`].

pub mod bio;
pub mod classification;
pub mod dcr;
pub mod discriminative;
pub mod kl;
pub mod mia;
pub mod mmd;
pub mod pca;
pub mod prdc;
pub mod profile;
pub mod revision;
pub mod spec;
pub mod utility;

pub use profile::{column_spec, profile, profile_members, resolve_column, Profile, ScoredProfile, BUNDLES, PROFILES};
pub use revision::Revision;
pub use spec::{ColumnSpec, Direction, Exactness, Label, Score, Value, ValueKind};

use crate::data::dataset::Labelled;
use crate::error::Result;
use std::sync::OnceLock;

/// 2-D PCA coordinates of real-train and synthetic rows, stored with the cell for plotting.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PcaProjection {
    /// `camda2025` (separate PCA per set, §2.11) or `camda2026` (shared, §3.6).
    pub definition: String,
    pub real: Vec<[f64; 2]>,
    pub real_labels: Vec<String>,
    pub synthetic: Vec<[f64; 2]>,
    pub synthetic_labels: Vec<String>,
}

/// A per-fold table a metric family returns beside its columns (e.g. the per-pair DE rates of
/// metrics.md §5.1), for the runner to write as a CSV file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SideTable {
    /// File stem, e.g. `de_pairs`.
    pub name: String,
    pub header: Vec<String>,
    /// Formatted fields (numbers with `io::fmt_f64`), one vector per row, unquoted.
    pub rows: Vec<Vec<String>>,
}

impl SideTable {
    /// The table as CSV text: header line, then one line per row (fields quoted per RFC 4180
    /// where needed).
    pub fn to_csv(&self) -> String {
        let line =
            |fields: &[String]| fields.iter().map(|f| crate::io::csv_field(f)).collect::<Vec<_>>().join(",") + "\n";
        std::iter::once(line(&self.header)).chain(self.rows.iter().map(|r| line(r))).collect()
    }
}

/// What a metric family returns.
#[derive(Clone, Debug, Default)]
pub struct MetricOutput {
    /// Values of the family's numeric columns.
    pub scores: Vec<Score>,
    /// Values of the family's text columns ([`ValueKind::Text`]).
    pub labels: Vec<Label>,
    /// Free-form diagnostics (e.g. logistic-regression iterations, convergence).
    pub diagnostics: Vec<(String, String)>,
    /// 2-D projections for the report's PCA figures (metrics.md §2.11, §3.6).
    pub pca: Vec<PcaProjection>,
    /// Per-fold side tables (`bio`: `de_pairs`).
    pub tables: Vec<SideTable>,
}

/// Per-fold memo of real-only quantities, shared by all cells of one (dataset, seed, fold).
#[derive(Default)]
pub struct RealCache {
    /// `distance_to_closest_base` before rounding.
    pub dcr_base: OnceLock<f64>,
    /// Real-only kernel sums and `MMD_base`.
    pub mmd: mmd::RealKernels,
    /// PRDC radii of the train and test folds.
    pub prdc: prdc::RealRadii,
    /// `kl_mean_base`.
    pub kl_base: OnceLock<f64>,
    /// PCA fits and projections of the train fold.
    pub pca: pca::RealPca,
    /// StandardScaler fitted on the train fold (camda2026 utility).
    pub train_scaler: OnceLock<crate::numeric::scaler::StandardScaler>,
    /// TRTR model scores per utility revision (utility.rs).
    pub trtr_camda2025: OnceLock<utility::RealReference>,
    pub trtr_camda2026: OnceLock<utility::RealReference>,
    /// Real-train DE tests and gene-pair correlations (profile `bio`).
    pub bio: bio::RealBio,
}

/// Everything a metric may read. Synthetic columns are already matched to `gene_ids`.
pub struct EvalInput<'a> {
    pub gene_ids: &'a [String],
    pub train: &'a Labelled,
    pub test: &'a Labelled,
    pub synthetic: &'a Labelled,
    pub real: &'a RealCache,
}

/// A metric family.
pub trait Metric: Send + Sync {
    fn name(&self) -> &'static str;

    /// The columns this family writes, in output order. A per-class template (`submmd_<class>`,
    /// see [`ColumnSpec::for_class`]) stands for one column per dataset class.
    fn columns(&self) -> Vec<ColumnSpec>;

    /// Compute the columns, each value made by its declared spec. Data-dependent failures are
    /// NaN scores with a reason, not errors.
    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput>;
}

/// The memoised value of `cell`, computing it with `f` if absent.
///
/// Unlike `OnceLock::get_or_init` this never blocks: metric code runs inside rayon tasks, and a
/// worker blocked on an initialising lock can steal a task that waits on the same lock, which
/// deadlocks. Concurrent first callers may each compute the value; the computations are
/// deterministic, so whichever is stored first is the same value.
pub fn memo<T>(cell: &OnceLock<T>, f: impl FnOnce() -> T) -> &T {
    if let Some(v) = cell.get() {
        return v;
    }
    let _ = cell.set(f());
    cell.get().expect("set above or by a concurrent caller")
}

/// numpy's `round(x, 4)`: `rint(x·1e4)/1e4` with ties to even (metrics.md §2.10).
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round_ties_even() / 1e4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round4_is_half_to_even_like_numpy() {
        assert_eq!(round4(0.12345), 0.1234); // 1234.5 in binary is 1234.4999…: numpy gives 0.1234
        assert_eq!(round4(2.5e-4), 2e-4); // exact half rounds to even
        assert_eq!(round4(3.5e-4), 4e-4);
        assert_eq!(round4(-1.23456), -1.2346);
    }
}
