//! PCA scatter of real-train vs synthetic rows (metrics.md §2.11, §3.6). The family writes no
//! result column; it returns the 2-D coordinates in [`MetricOutput::pca`] for the report.
//!
//! * `camda2025` (§2.11): a **separate** 2-component PCA (centred, unscaled) is fitted on `Xtr`
//!   and on `Xs`; each set is projected onto its own components (axes not comparable).
//! * `camda2026` (§3.6): a StandardScaler (ddof 0) and a 2-component PCA are fitted on `Xtr`
//!   (memoised per fold); `Xtr` and `Xs` are both projected with that transform.
//!
//! The `camda2025` family also returns the `camda2026` projection: §2.11 says reports should
//! show the comparable shared projection beside the per-set one.

use super::revision::Revision;
use super::spec::ColumnSpec;
use super::{EvalInput, Metric, MetricOutput, PcaProjection};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::pca::Pca;
use std::sync::OnceLock;

/// The PCA-plot family of one revision: `camda2025` a separate unscaled PCA per set,
/// `camda2026` a shared standardised PCA fitted on the real train fold.
pub struct PcaPlot(pub Revision);

/// Real-only PCA results of one fold, computed at most once.
#[derive(Default)]
pub struct RealPca {
    /// `camda2025`: `Xtr` projected on its own unscaled PCA.
    own_train: OnceLock<Result<Points>>,
    /// `camda2026`: the standardised PCA fitted on `Xtr`, and `Xtr` projected on it.
    shared: OnceLock<Result<(Pca, Points)>>,
}

/// 2-D coordinates, one per row.
type Points = Vec<[f64; 2]>;

/// Number of plotted components.
const COMPONENTS: usize = 2;

fn points(m: &Matrix) -> Points {
    m.row_iter().map(|r| [r[0], r[1]]).collect()
}

/// `x` projected onto its own unscaled 2-component PCA.
fn own_projection(x: &Matrix) -> Result<Points> {
    Ok(points(&Pca::fit(x, COMPONENTS, false)?.transform(x)?))
}

impl PcaPlot {
    /// Coordinates of `Xtr` and `Xs` under this definition.
    fn project(&self, input: &EvalInput<'_>) -> Result<(Points, Points)> {
        let (xtr, xs) = (&input.train.x, &input.synthetic.x);
        let cache = &input.real.pca;
        match self.0 {
            Revision::Camda2025 => {
                let real = super::memo(&cache.own_train, || own_projection(xtr)).clone()?;
                Ok((real, own_projection(xs)?))
            }
            Revision::Camda2026 => {
                let shared = super::memo(&cache.shared, || {
                    let pca = Pca::fit(xtr, COMPONENTS, true)?;
                    let real = points(&pca.transform(xtr)?);
                    Ok((pca, real))
                });
                let (pca, real) = shared.as_ref().map_err(Clone::clone)?;
                Ok((real.clone(), points(&pca.transform(xs)?)))
            }
        }
    }
}

impl Metric for PcaPlot {
    fn name(&self) -> &'static str {
        "pca"
    }

    fn columns(&self) -> Vec<ColumnSpec> {
        Vec::new()
    }

    /// A failed fit (e.g. fewer than 2 genes) skips the plot with a diagnostic; it is not an error.
    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let definitions: &[Revision] = match self.0 {
            Revision::Camda2025 => &[Revision::Camda2025, Revision::Camda2026],
            Revision::Camda2026 => &[Revision::Camda2026],
        };
        let mut out = MetricOutput::default();
        for &definition in definitions {
            match PcaPlot(definition).project(input) {
                Ok((real, synthetic)) => out.pca.push(PcaProjection {
                    definition: definition.name().into(),
                    real,
                    real_labels: input.train.labels.clone(),
                    synthetic,
                    synthetic_labels: input.synthetic.labels.clone(),
                }),
                Err(e) => {
                    out.pca.clear();
                    out.diagnostics = vec![("pca_skipped".into(), e.to_string())];
                    break;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::Labelled;
    use crate::metrics::RealCache;

    fn labelled(rows: &[&[f64]]) -> Labelled {
        let x = Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap();
        Labelled { labels: (0..x.rows()).map(|i| format!("c{}", i % 2)).collect(), x }
    }

    #[test]
    fn shared_projection_uses_the_train_scaler_and_own_projection_does_not() {
        // Train points on the line y = 2x; synthetic points on y = −2x.
        let train = labelled(&[&[-1.0, -2.0], &[0.0, 0.0], &[1.0, 2.0]]);
        let synthetic = labelled(&[&[-1.0, 2.0], &[1.0, -2.0]]);
        let genes = vec!["g1".to_string(), "g2".to_string()];
        let real = RealCache::default();
        let input = EvalInput { gene_ids: &genes, train: &train, test: &train, synthetic: &synthetic, real: &real };
        let both = PcaPlot(Revision::Camda2025).score(&input).unwrap().pca;
        assert_eq!(both.iter().map(|p| p.definition.as_str()).collect::<Vec<_>>(), ["camda2025", "camda2026"]);
        let own = both[0].clone();
        // Each set on its own first axis: ±√5 for the synthetic ends, ±√5 and 0 for train.
        let s5 = 5f64.sqrt();
        assert!((own.synthetic[0][0].abs() - s5).abs() < 1e-12 && own.synthetic[0][1].abs() < 1e-12);
        assert!((own.real[2][0].abs() - s5).abs() < 1e-12);
        let shared = PcaPlot(Revision::Camda2026).score(&input).unwrap().pca.remove(0);
        assert_eq!(both[1], shared, "camda2025 draws the same shared projection beside its own");
        // Standardised train (sds √(2/3) and 2√(2/3)) is ±(√1.5, √1.5): first axis (1, 1)/√2,
        // coordinates ±√3. The synthetic points, standardised with the train scaler, are
        // orthogonal to that axis.
        assert!((shared.real[2][0] - 3f64.sqrt()).abs() < 1e-12 && (shared.real[0][0] + 3f64.sqrt()).abs() < 1e-12);
        assert!(shared.synthetic.iter().all(|p| p[0].abs() < 1e-12));
        assert_eq!(shared.definition, "camda2026");
        assert_eq!(shared.synthetic_labels, synthetic.labels);
    }

    #[test]
    fn a_failed_fit_skips_the_plot_with_a_diagnostic() {
        let one_gene = labelled(&[&[1.0], &[2.0], &[3.0]]);
        let genes = vec!["g1".to_string()];
        let real = RealCache::default();
        let input =
            EvalInput { gene_ids: &genes, train: &one_gene, test: &one_gene, synthetic: &one_gene, real: &real };
        let out = PcaPlot(Revision::Camda2025).score(&input).unwrap();
        assert!(out.pca.is_empty() && out.scores.is_empty());
        assert_eq!(out.diagnostics[0].0, "pca_skipped");
    }
}
