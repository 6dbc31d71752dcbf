//! The `identity` reference generator: returns the train fold itself. It is the upper bound of
//! utility and the lower bound of privacy (distance_to_closest = 0), and makes no DP claim.

use super::{Generator, Model, Synthetic};
use crate::data::dataset::TrainFold;
use crate::ensure;
use crate::error::Result;
use crate::privacy::accountant::{Budget, PrivacyReport};
use crate::rng::Rng;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {}

impl Identity {
    pub fn from_params(params: &toml::Table) -> Result<Self> {
        super::parse_params("identity", params)
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
