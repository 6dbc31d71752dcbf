//! `independent`: the trivial DP baseline (generators.md §6). Noisy histograms, clamped and
//! normalised, sampled without any graphical-model estimation.
//!
//! * `mode = per-class` (default): exactly label-star's measurements (§3.1, same split, same σ,
//!   the same noise given the same stream — it calls the same measurement code), then
//!   `P(c)` from the label histogram and `P(b | c)` from each (gene, label) table: a naive-Bayes
//!   model, i.e. Private-PGM label-star minus the consistent estimation.
//! * `mode = per-gene`: only the 1-way round; every gene is drawn independently of the label.

use super::discrete::discretise::{Dediscretise, EdgeMode};
use super::discrete::measure::{label_star_measurements, minimum_variance_total, one_way_round, Measurement};
use super::discrete::options::{DiscreteConfig, DiscreteKeys, Labels, Preset, Rows};
use super::discrete::pipeline::{gene_counts, Fitted, Prepared};
use super::discrete::sample::{normalised, SamplingPlan};
use super::discrete::DiscreteGenerator;
use super::Params;
use crate::error::{Error, Result};
use crate::privacy::mechanisms::Noise;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which histograms the baseline measures (§6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    #[default]
    PerClass,
    PerGene,
}

/// Grid parameters of `independent` as written; [`Params::check`] turns them into an
/// [`Independent`].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndependentParams {
    #[serde(default)]
    pub mode: Mode,
    /// A named starting configuration (`"camda2025-entry"`); explicit keys override it.
    #[serde(default)]
    pub preset: Option<Preset>,
    #[serde(default)]
    pub bins: Option<usize>,
    #[serde(default)]
    pub edges: Option<EdgeMode>,
    #[serde(default)]
    pub dediscretise: Option<Dediscretise>,
    #[serde(default)]
    pub split: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    pub rows: Option<Rows>,
    #[serde(default)]
    pub labels: Option<Labels>,
}

/// A checked `independent` generator.
#[derive(Clone, Debug)]
pub struct Independent {
    mode: Mode,
    config: DiscreteConfig,
}

impl Params for IndependentParams {
    type Checked = Independent;
    const KIND: &'static str = "independent";

    fn check(self) -> Result<Independent> {
        let options = DiscreteKeys {
            preset: self.preset,
            bins: self.bins,
            edges: self.edges,
            dediscretise: self.dediscretise,
            rows: self.rows,
            labels: self.labels,
        }
        .resolve();
        let main: &'static [&'static str] = match self.mode {
            Mode::PerClass => &["one_way", "two_way"],
            Mode::PerGene => &["one_way"],
        };
        Ok(Independent { mode: self.mode, config: options.check(main, self.split.as_ref())? })
    }
}

impl Independent {
    /// Parse and check the grid parameters; errors name the key.
    pub fn from_params(params: &toml::Table) -> Result<Independent> {
        super::checked::<IndependentParams>(params)
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }
}

impl DiscreteGenerator for Independent {
    const KIND: &'static str = "independent";

    fn config(&self) -> &DiscreteConfig {
        &self.config
    }

    fn measure_and_model(&self, prep: &mut Prepared, noise: &Noise) -> Result<Fitted> {
        let (p, rho1, rho2) = (prep.genes(), prep.rho("one_way"), prep.rho("two_way"));
        let ms = match self.mode {
            Mode::PerClass => label_star_measurements(&prep.data, rho1, rho2, &mut prep.acct, noise)?,
            Mode::PerGene => one_way_round(&prep.data, rho1, &mut prep.acct, noise)?,
        };
        Ok(Fitted {
            plan: independent_plan(prep, &ms)?,
            compression: None,
            nhat: minimum_variance_total(&ms),
            gene_counts: gene_counts(&ms, p),
            diagnostics: BTreeMap::new(),
            measurements: ms,
        })
    }
}

/// The sampling plan of §6: the label from its clamped, normalised histogram; each gene from its
/// clamped, row-normalised (gene, label) table when measured (per-class), else from its own
/// clamped, normalised histogram (per-gene). Zero-mass rows become uniform.
fn independent_plan(prep: &Prepared, ms: &[Measurement]) -> Result<SamplingPlan> {
    let sizes = prep.data.sizes().to_vec();
    let label = prep.genes();
    let classes = sizes[label];
    let label_hist =
        ms.iter().find(|m| m.clique == [label]).ok_or_else(|| Error::new("the label histogram is missing"))?;
    let mut plan = SamplingPlan::new(sizes.clone(), label, normalised(&label_hist.y))?;
    for (j, &bins) in sizes[..label].iter().enumerate() {
        match ms.iter().find(|m| m.clique == [j, label]) {
            Some(pair) => {
                // y is (b, c) in C order; the plan wants rows per class: [c][b].
                let mut table = Vec::with_capacity(classes * bins);
                for c in 0..classes {
                    let column: Vec<f64> = (0..bins).map(|b| pair.y[b * classes + c]).collect();
                    table.extend(normalised(&column));
                }
                plan.push(j, Some(label), &table)?;
            }
            None => {
                let hist = ms
                    .iter()
                    .find(|m| m.clique == [j])
                    .ok_or_else(|| Error::new(format!("gene {j}: histogram missing")))?;
                plan.push(j, None, &normalised(&hist.y))?;
            }
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_parse_and_validate() {
        let g = Independent::from_params(&toml::Table::new()).unwrap();
        assert_eq!(g.mode(), Mode::PerClass);
        let g = Independent::from_params(
            &"mode = \"per-gene\"\nedges = \"public\"\ndediscretise = \"uniform\"\nsplit = { one_way = 1.0 }"
                .parse()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(g.mode(), Mode::PerGene);
        let err = |t: &str| Independent::from_params(&t.parse().unwrap()).unwrap_err().to_string();
        assert!(err("mode = \"per-gene\"\nsplit = { one_way = 0.5, two_way = 0.5 }").contains("split.two_way"));
        assert!(err("mode = \"joint\"").contains("joint"));
        assert!(err("iterations = 10").contains("iterations"));
    }
}
