//! The pipeline the discrete generators (`private-pgm`, `independent`) share (generators.md
//! §2–§6): discretise the train fold → measure noisy marginals → fit a model → sample and
//! de-discretise.
//!
//! A generator supplies the middle ([`DiscreteGenerator::measure_and_model`]) and its checked
//! options ([`DiscreteConfig`]); the blanket [`Generator`] impl runs the rest:
//! [`pipeline::prepare`] (bin edges, encoding, the accountant), then the generator's
//! measurements and sampling plan, then [`pipeline::finish`] (de-discretiser, row-count and
//! label options, privacy report).
//!
//! Submodules: [`options`] (the shared options and budget split, checked once),
//! [`discretise`] (bin edges, the encoded table, de-discretisation), [`measure`] (noisy
//! marginals, N̂), [`compress`] (MST domain compression), [`sample`] (sampling plans),
//! [`model`] (the fitted model), [`pipeline`] (the two ends of the fit).

pub mod compress;
pub mod discretise;
pub mod measure;
pub mod model;
pub mod options;
pub mod pipeline;
pub mod sample;

pub use self::model::DiscreteModel;
pub use self::options::{DiscreteConfig, DiscreteOptions};
pub use self::pipeline::{Fitted, Prepared};

use super::{Generator, Model};
use crate::data::dataset::TrainFold;
use crate::error::Result;
use crate::privacy::accountant::Budget;
use crate::privacy::mechanisms::Noise;
use crate::rng::Rng;

/// A DP generator on the discretised domain. Implementors hold checked parameters, so the fit
/// validates nothing.
pub trait DiscreteGenerator: Send + Sync {
    /// The `kind` key of the grid.
    const KIND: &'static str;

    /// The checked discretisation, sampling and budget-split options.
    fn config(&self) -> &DiscreteConfig;

    /// The middle of the pipeline: charge and take the noisy measurements of the prepared
    /// (discretised) train fold to `prep.acct`, and turn them into a sampling plan.
    fn measure_and_model(&self, prep: &mut Prepared, noise: &Noise) -> Result<Fitted>;

    /// Fit with noise from `noise`. The grid path is [`Generator::fit`], which always passes
    /// Gaussian noise; tests pass [`Noise::Off`] to check exact recovery at a real budget's σ.
    fn fit_model(&self, train: &TrainFold<'_>, budget: &Budget, noise: Noise) -> Result<DiscreteModel> {
        let mut prep = pipeline::prepare(train, self.config(), budget, &noise)?;
        let fitted = self.measure_and_model(&mut prep, &noise)?;
        pipeline::finish(prep, train, self.config(), fitted, &noise)
    }
}

impl<G: DiscreteGenerator> Generator for G {
    fn kind(&self) -> &'static str {
        G::KIND
    }

    fn is_dp(&self) -> bool {
        true
    }

    fn fit(&self, train: &TrainFold<'_>, budget: &Budget, rng: &mut Rng) -> Result<Box<dyn Model>> {
        Ok(Box::new(self.fit_model(train, budget, Noise::from_rng(rng))?))
    }
}
