//! PCA scatter of real-train vs synthetic rows (metrics.md §2.11, §3.6). The family writes no
//! result column; it returns the 2-D coordinates in [`MetricOutput::pca`] for the report.
//!
//! * `camda2025` (§2.11): a **separate** 2-component PCA (centred, unscaled) is fitted on `Xtr`
//!   and on `Xs`; each set is projected onto its own components (axes not comparable).
//! * `camda2026` (§3.6): a StandardScaler (ddof 0) and a 2-component PCA are fitted on `Xtr`
//!   (memoised per fold); `Xtr` and `Xs` are both projected with that transform.

use super::{EvalInput, Metric, MetricOutput, PcaProjection};
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::pca::Pca;
use std::sync::OnceLock;

/// Which projection the family produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcaDefinition {
    /// Separate unscaled PCA per set.
    Camda2025,
    /// Shared standardised PCA fitted on the real train fold.
    Camda2026,
}

impl PcaDefinition {
    fn name(self) -> &'static str {
        match self {
            PcaDefinition::Camda2025 => "camda2025",
            PcaDefinition::Camda2026 => "camda2026",
        }
    }
}

/// The PCA-plot family.
pub struct PcaPlot(pub PcaDefinition);

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
            PcaDefinition::Camda2025 => {
                let real = cache.own_train.get_or_init(|| own_projection(xtr)).clone()?;
                Ok((real, own_projection(xs)?))
            }
            PcaDefinition::Camda2026 => {
                let shared = cache.shared.get_or_init(|| {
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

    fn columns(&self, _classes: &[String]) -> Vec<String> {
        Vec::new()
    }

    /// A failed fit (e.g. fewer than 2 genes) skips the plot with a diagnostic; it is not an error.
    fn score(&self, input: &EvalInput<'_>) -> Result<MetricOutput> {
        let (real, synthetic) = match self.project(input) {
            Ok(points) => points,
            Err(e) => {
                return Ok(MetricOutput {
                    diagnostics: vec![("pca_skipped".into(), e.to_string())],
                    ..Default::default()
                })
            }
        };
        Ok(MetricOutput {
            pca: Some(PcaProjection {
                definition: self.0.name().into(),
                real,
                real_labels: input.train.labels.clone(),
                synthetic,
                synthetic_labels: input.synthetic.labels.clone(),
            }),
            ..Default::default()
        })
    }
}
