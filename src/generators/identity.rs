//! The `identity` reference generator: returns the train fold itself. It is the upper bound of
//! utility and the lower bound of privacy (distance_to_closest = 0), and makes no DP claim.

use super::{Generator, Model, Params, Synthetic};
use crate::data::dataset::TrainFold;
use crate::ensure;
use crate::error::Result;
use crate::privacy::accountant::{Budget, PrivacyReport};
use crate::rng::Rng;
use serde::Deserialize;

/// Grid parameters of `identity`: none (any key is an error).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityParams {}

/// The checked `identity` generator.
#[derive(Debug, Default)]
pub struct Identity;

impl Params for IdentityParams {
    type Checked = Identity;
    const KIND: &'static str = "identity";

    fn check(self) -> Result<Identity> {
        Ok(Identity)
    }
}

struct IdentityModel {
    data: Synthetic,
    privacy: PrivacyReport,
}

impl Generator for Identity {
    fn kind(&self) -> &'static str {
        "identity"
    }

    fn is_dp(&self) -> bool {
        false
    }

    fn fit(&self, train: &TrainFold<'_>, _budget: &Budget, _rng: &mut Rng) -> Result<Box<dyn Model>> {
        Ok(Box::new(IdentityModel {
            data: Synthetic { x: train.x().clone(), labels: train.labels().to_vec() },
            privacy: PrivacyReport::non_private(vec!["release:train_rows".into()]),
        }))
    }
}

impl Model for IdentityModel {
    /// The train rows in order; `n` must equal the train size.
    fn sample(&self, n: usize, _rng: &mut Rng) -> Result<Synthetic> {
        ensure!(
            n == self.data.x.rows(),
            "identity generator returns the {} train rows; cannot sample {n}",
            self.data.x.rows()
        );
        Ok(self.data.clone())
    }

    fn privacy(&self) -> &PrivacyReport {
        &self.privacy
    }
}
