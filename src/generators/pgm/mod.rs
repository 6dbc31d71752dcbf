//! `private-pgm`: Private-PGM on a discretised domain (generators.md §3–4). Noisy marginals
//! (label-star or MST), a tree-structured graphical model fitted by entropic mirror descent,
//! exact belief propagation, stratified sampling, de-discretisation.
//!
//! Submodules: [`measure`] (noisy marginals, N̂), [`tree`] (model structure and belief
//! propagation), [`estimate`] (loss and mirror descent), [`sample`] (sampling plans),
//! [`mst`] (tree selection). Discretisation, measurements, sampling and the fitted model are the
//! pipeline shared with `independent` ([`crate::generators::discrete`]).
//!
//! Parameters are checked once: [`PrivatePgmParams`] (the grid table) →
//! [`Params::check`] → [`PrivatePgm`], which the fit takes as is.

pub mod estimate;
pub mod mst;
pub mod tree;

use self::estimate::{estimate, DescentOptions, Estimate};
use self::mst::{pair_scores, project_to_simplex, select_tree, WARN_COLLAPSED};
use self::tree::{sampling_plan, TreeModel};
use super::discrete::compress::DomainCompression;
use super::discrete::discretise::{Dediscretise, EdgeMode};
use super::discrete::measure::{label_star_measurements, minimum_variance_total, one_way_round, pair_round};
use super::discrete::options::{DiscreteConfig, DiscreteKeys, Labels, Preset, Rows};
use super::discrete::pipeline::{gene_counts, Fitted, Prepared};
use super::discrete::DiscreteGenerator;
use super::Params;
use crate::bail;
use crate::ensure;
use crate::error::Result;
use crate::privacy::accountant::check_noise_scale;
use crate::privacy::mechanisms::{charge_exponential, count_round_sigma, Noise};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The marginal set (§3.7 `marginals`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Marginals {
    /// All 1-way and all (gene, label) marginals (§3).
    #[default]
    LabelStar,
    /// MST (§4).
    Mst,
    /// AIM (§5, informative; not implemented).
    Aim,
}

/// MST domain compression switch (§4 `compress`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compress {
    #[default]
    On,
    Off,
}

fn default_iterations() -> usize {
    DescentOptions::default().iterations
}

/// Grid parameters of `private-pgm` as written (§3.7); [`Params::check`] turns them into a
/// [`PrivatePgm`].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivatePgmParams {
    /// A named starting configuration (`"camda2025-entry"`); explicit keys override it.
    #[serde(default)]
    pub preset: Option<Preset>,
    #[serde(default)]
    pub bins: Option<usize>,
    #[serde(default)]
    pub edges: Option<EdgeMode>,
    #[serde(default)]
    pub dediscretise: Option<Dediscretise>,
    #[serde(default = "default_iterations")]
    pub iterations: usize,
    #[serde(default)]
    pub tol: f64,
    #[serde(default)]
    pub marginals: Marginals,
    /// `split.<phase> = fraction` (a TOML sub-table).
    #[serde(default)]
    pub split: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    pub rows: Option<Rows>,
    #[serde(default)]
    pub labels: Option<Labels>,
    /// Audit only (docs/audit.md §5): multiplies every noise draw; any value but 1 voids the
    /// DP claim (`dp: false` and a warning in every output).
    #[serde(default)]
    pub noise_scale: Option<f64>,
    /// MST only.
    #[serde(default)]
    pub compress: Option<Compress>,
}

/// Largest iteration count a grid may ask for.
pub const MAX_ITERATIONS: usize = 10_000_000;

/// A checked `private-pgm` generator: options, budget split and descent settings validated by
/// [`PrivatePgmParams::check`]; `marginals` is label-star or MST.
#[derive(Clone, Debug)]
pub struct PrivatePgm {
    config: DiscreteConfig,
    marginals: Marginals,
    compress: Compress,
    descent: DescentOptions,
}

impl Params for PrivatePgmParams {
    type Checked = PrivatePgm;
    const KIND: &'static str = "private-pgm";

    fn check(self) -> Result<PrivatePgm> {
        ensure!(
            (1..=MAX_ITERATIONS).contains(&self.iterations),
            "key 'iterations' must be between 1 and {MAX_ITERATIONS}, got {}",
            self.iterations
        );
        ensure!(self.tol.is_finite() && self.tol >= 0.0, "key 'tol' must be a finite number >= 0, got {}", self.tol);
        if self.marginals == Marginals::Aim {
            bail!("key 'marginals' = \"aim\" is not implemented (generators.md §5 is informative); use \"label-star\" or \"mst\"");
        }
        ensure!(
            self.compress.is_none() || self.marginals == Marginals::Mst,
            "key 'compress' applies only to marginals = \"mst\""
        );
        let options = DiscreteKeys {
            preset: self.preset,
            bins: self.bins,
            edges: self.edges,
            dediscretise: self.dediscretise,
            rows: self.rows,
            labels: self.labels,
        }
        .resolve();
        let main: &'static [&'static str] = match self.marginals {
            Marginals::Mst => &["one_way", "selection", "two_way"],
            _ => &["one_way", "two_way"],
        };
        let noise_scale = check_noise_scale(self.noise_scale)?;
        Ok(PrivatePgm {
            config: options.check(main, self.split.as_ref())?.with_noise_scale(noise_scale),
            marginals: self.marginals,
            compress: self.compress.unwrap_or_default(),
            descent: DescentOptions { iterations: self.iterations, tol: self.tol },
        })
    }
}

impl PrivatePgm {
    /// Parse and check the grid parameters; errors name the key.
    pub fn from_params(params: &toml::Table) -> Result<PrivatePgm> {
        super::checked::<PrivatePgmParams>(params)
    }

    pub fn marginals(&self) -> Marginals {
        self.marginals
    }

    pub fn descent(&self) -> DescentOptions {
        self.descent
    }

    /// Label-star (§3): both rounds of [`label_star_measurements`], the star around the label.
    fn fit_label_star(&self, prep: &mut Prepared, noise: &Noise) -> Result<Fitted> {
        let (rho1, rho2, p) = (prep.rho("one_way"), prep.rho("two_way"), prep.genes());
        let ms = label_star_measurements(&prep.data, rho1, rho2, &mut prep.acct, noise)?;
        let tree = TreeModel::star(prep.data.sizes().to_vec(), p)?;
        let est = estimate(tree, &ms, self.descent)?;
        Ok(Fitted {
            plan: sampling_plan(&est.tree, &est.beliefs)?,
            compression: None,
            nhat: est.nhat,
            gene_counts: gene_counts(&ms, p),
            diagnostics: descent_diagnostics(&est),
            measurements: ms,
        })
    }

    /// MST (§4): one_way round (σ√d), compression, exponential-mechanism tree selection,
    /// two_way round on the tree's edges (σ√(d − 1)), estimation on the tree rooted at the label.
    fn fit_mst(&self, prep: &mut Prepared, noise: &Noise) -> Result<Fitted> {
        let (rho1, rho_sel, rho2) = (prep.rho("one_way"), prep.rho("selection"), prep.rho("two_way"));
        let (d, label) = (prep.data.attrs(), prep.genes());
        let one_way = one_way_round(&prep.data, rho1, &mut prep.acct, noise)?;
        let compression = match self.compress {
            Compress::On => {
                let exempt: &[usize] = if self.config.options().labels == Labels::Train { &[label] } else { &[] };
                DomainCompression::from_one_way(&one_way, 3.0 * one_way[0].sigma, exempt)
            }
            Compress::Off => DomainCompression::identity(prep.data.sizes()),
        };
        let collapsed = compression.collapsed();
        if collapsed > 0 {
            // Recorded in the cell's privacy report and cells.csv; `bench run` names it once
            // (report notes), `bench audit` once per case.
            prep.warnings.push(format!("{WARN_COLLAPSED}: {collapsed} of {d} attributes"));
        }
        let small = compression.compress_data(&prep.data)?;
        let one_way_c: Vec<_> =
            one_way.iter().enumerate().map(|(a, m)| compression.compress_measurement(a, m)).collect();
        let nhat1 = minimum_variance_total(&one_way_c);
        let marginals: Vec<Vec<f64>> = one_way_c.iter().map(|m| project_to_simplex(m, nhat1)).collect();
        let scores = pair_scores(&small, &marginals, nhat1)?;
        let eps_em = (8.0 * rho_sel / (d - 1) as f64).sqrt();
        charge_exponential(&mut prep.acct, "selection", eps_em, d - 1)?;
        let pairs = select_tree(&scores, d, eps_em, &mut noise.phase("selection"));
        let mut ms = one_way_c;
        ms.extend(pair_round(&small, &pairs, "two_way", rho2, &mut prep.acct, noise)?);
        let tree = TreeModel::new(small.sizes().to_vec(), &pairs, label)?;
        let est = estimate(tree, &ms, self.descent)?;
        let mut diagnostics = descent_diagnostics(&est);
        diagnostics.insert("mst_collapsed_attributes".into(), collapsed.to_string());
        diagnostics.insert("mst_eps_selection".into(), eps_em.to_string());
        Ok(Fitted {
            plan: sampling_plan(&est.tree, &est.beliefs)?,
            compression: Some(compression),
            nhat: est.nhat,
            gene_counts: gene_counts(&one_way, label),
            diagnostics,
            measurements: ms,
        })
    }
}

/// Run-log entries of a mirror-descent fit (§3.4: iterations used and final loss).
fn descent_diagnostics(est: &Estimate) -> BTreeMap<String, String> {
    [
        ("pgm_iterations", est.iterations.to_string()),
        ("pgm_accepted", est.accepted.to_string()),
        ("pgm_initial_loss", est.initial_loss.to_string()),
        ("pgm_final_loss", est.loss.to_string()),
        ("pgm_lipschitz", est.lipschitz.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// σ₁ and σ₂ of label-star for `p` genes at total ρ with the default ½/½ split (§3.1).
pub fn label_star_sigmas(p: usize, rho: f64) -> (f64, f64) {
    (count_round_sigma(p + 1, rho / 2.0), count_round_sigma(p, rho / 2.0))
}

impl DiscreteGenerator for PrivatePgm {
    const KIND: &'static str = "private-pgm";

    fn config(&self) -> &DiscreteConfig {
        &self.config
    }

    fn measure_and_model(&self, prep: &mut Prepared, noise: &Noise) -> Result<Fitted> {
        match self.marginals {
            Marginals::LabelStar => self.fit_label_star(prep, noise),
            Marginals::Mst => self.fit_mst(prep, noise),
            Marginals::Aim => bail!("marginals = \"aim\" is not implemented"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::accountant::cdp_rho;

    fn params(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn brca_sigmas_match_the_spec_table() {
        // generators.md §3.1, p = 978, δ = 1e-5.
        for (eps, s1, s2) in [(1.0, 178.99, 178.90), (8.0, 28.22, 28.20)] {
            let (a, b) = label_star_sigmas(978, cdp_rho(eps, 1e-5));
            assert!((a - s1).abs() < 0.005 && (b - s2).abs() < 0.005, "eps {eps}: {a} {b}");
        }
    }

    #[test]
    fn parameters_parse_with_defaults() {
        let g = PrivatePgm::from_params(&params("")).unwrap();
        let o = g.config().options();
        assert_eq!((o.bins, g.descent().iterations, g.descent().tol), (4, 1000, 0.0));
        assert_eq!(
            (o.edges, o.dediscretise, g.marginals()),
            (EdgeMode::Dp, Dediscretise::BinMeanDp, Marginals::LabelStar)
        );
        let g = PrivatePgm::from_params(&params(
            "bins = 8\nedges = \"dp\"\ndediscretise = \"bin-mean-dp\"\nrows = \"nhat\"\nlabels = \"train\"\nsplit = { one_way = 0.4, two_way = 0.4, discretisation = 0.15, dediscretise = 0.05 }",
        ))
        .unwrap();
        let o = g.config().options();
        assert_eq!((o.bins, o.rows, o.labels), (8, Rows::Nhat, Labels::Train));
        let g = PrivatePgm::from_params(&params("preset = \"camda2025-entry\"\nmarginals = \"mst\"\ncompress = \"off\"\nsplit.one_way = 0.5\nsplit.selection = 0.25\nsplit.two_way = 0.25")).unwrap();
        assert_eq!(g.compress, Compress::Off);
    }

    #[test]
    fn invalid_parameters_name_the_key() {
        let err = |t: &str| PrivatePgm::from_params(&params(t)).unwrap_err().to_string();
        assert!(err("bins = 1").contains("'bins'"));
        assert!(err("iterations = 0").contains("'iterations'"));
        assert!(err("tol = -1.0").contains("'tol'"));
        assert!(err("edge = \"dp\"").contains("edge"));
        assert!(err("edges = \"private\"").contains("private"));
        assert!(err("marginals = \"aim\"").contains("not implemented"));
        assert!(err("compress = \"off\"").contains("'compress'"));
        assert!(err("split = { one_way = 0.5, two_way = 0.6 }").contains("sum to 1"));
        assert!(err("edges = \"public\"\ndediscretise = \"bin-mean-dp\"").contains("edges = \"dp\""));
        assert!(err("preset = \"camda2024\"").contains("camda2024"));
        assert!(err("rows = \"all\"").contains("all"));
    }
}
