//! Generators: the `Generator`/`Model` contract (generators.md §8) and the one registry that
//! turns a grid entry (`kind = "…"` plus parameters) into a generator.
//!
//! Every kind's parameters are checked once, as linfa's `ParamGuard` does: the grid table
//! deserialises into the kind's [`Params`] type, [`Params::check`] validates it into the
//! generator itself, and `fit` takes that checked value without validating again.

pub mod command;
pub mod context;
pub mod discrete;
pub mod dp_gaussian;
pub mod identity;
pub mod independent;
pub mod multivariate;
pub mod pgm;
pub mod scratch;

use crate::data::dataset::TrainFold;
use crate::data::matrix::Matrix;
use crate::error::{Context, Result};
use crate::privacy::accountant::{Budget, PrivacyReport};
use crate::rng::Rng;
use std::collections::BTreeMap;

/// Synthetic rows (genes in the train fold's gene order) and their labels.
#[derive(Clone, Debug)]
pub struct Synthetic {
    pub x: Matrix,
    pub labels: Vec<String>,
}

/// A generator: fits a model on the train fold within a privacy budget.
pub trait Generator: Send + Sync {
    /// The `kind` key of the grid (e.g. `private-pgm`).
    fn kind(&self) -> &'static str;

    /// Whether the generator makes a DP claim. Non-DP generators run once per seed × fold with
    /// ε reported as `inf`; DP generators run once per ε of the grid.
    fn is_dp(&self) -> bool;

    /// Fit on the train fold. DP generators charge every release to an accountant built from
    /// `budget` and report it through [`Model::privacy`].
    fn fit(&self, train: &TrainFold<'_>, budget: &Budget, rng: &mut Rng) -> Result<Box<dyn Model>>;
}

/// A fitted model: sampling is post-processing and costs no budget.
pub trait Model: Send + Sync {
    /// Exactly `n` rows with finite values and labels from the schema's class set.
    fn sample(&self, n: usize, rng: &mut Rng) -> Result<Synthetic>;

    /// What the fit spent and which steps read the data outside the accountant.
    fn privacy(&self) -> &PrivacyReport;

    /// How many rows to sample when the protocol asks for `n_train` (default: `n_train`;
    /// a model configured with `rows = "nhat"` returns its DP estimate instead).
    fn sample_size(&self, n_train: usize) -> usize {
        n_train
    }

    /// Fit diagnostics for the run log (iterations, final loss, …).
    fn diagnostics(&self) -> BTreeMap<String, String> {
        BTreeMap::new()
    }
}

/// Every generator kind the grid accepts, in documentation order.
pub const KINDS: &[&str] = &["identity", "private-pgm", "independent", "multivariate", "dp-gaussian", "command"];

/// Build a generator of `kind` from its grid parameters (the entry minus `name`, `kind`,
/// `epsilons`, `delta`). Unknown kinds and unknown or mistyped parameters are errors.
pub fn build(kind: &str, params: &toml::Table) -> Result<Box<dyn Generator>> {
    match kind {
        "identity" => Ok(Box::new(checked::<identity::IdentityParams>(params)?)),
        "private-pgm" => Ok(Box::new(checked::<pgm::PrivatePgmParams>(params)?)),
        "independent" => Ok(Box::new(checked::<independent::IndependentParams>(params)?)),
        "multivariate" => Ok(Box::new(checked::<multivariate::MultivariateParams>(params)?)),
        "dp-gaussian" => Ok(Box::new(checked::<dp_gaussian::DpGaussianParams>(params)?)),
        "command" => Ok(Box::new(checked::<command::CommandParams>(params)?)),
        other => crate::bail!("unknown generator kind '{other}' (expected one of: {})", KINDS.join(", ")),
    }
}

/// A kind's grid parameters as written, and their one validation into the checked generator.
pub trait Params: serde::de::DeserializeOwned {
    /// The checked generator that `fit` runs with.
    type Checked;
    /// The `kind` key of the grid (names the kind in errors).
    const KIND: &'static str;

    /// Validate every key and cross-key rule; errors name the key.
    fn check(self) -> Result<Self::Checked>;
}

/// Parse and check a kind's parameter table; errors start with `generator kind '<kind>'`.
pub fn checked<P: Params>(params: &toml::Table) -> Result<P::Checked> {
    let raw: P = parse_params(P::KIND, params)?;
    raw.check().context(format!("generator kind '{}'", P::KIND))
}

/// Deserialize a kind's parameter table into its typed parameters (`deny_unknown_fields` in the
/// target type turns a misspelt key into an error naming it).
pub fn parse_params<T: serde::de::DeserializeOwned>(kind: &str, params: &toml::Table) -> Result<T> {
    toml::Value::Table(params.clone()).try_into().context(format!("generator kind '{kind}'"))
}
