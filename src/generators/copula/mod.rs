//! The `dp-copula` generator (docs/generators.md §7.3): an end-to-end DP low-rank Gaussian
//! model of standardised rows, aimed at keeping gene–gene co-expression and class differences.
//!
//! Fit (every step reads the train rows only through a charged Gaussian mechanism, [`release`]):
//! 1. `count`: DP class counts (Δ = 1) → class weights and `n̂ = Σ_c max(ñ_c, 0)` (floored at 1);
//! 2. `mean`: DP per-class (default) or pooled per-gene sums of range-clamped rows centred at the
//!    public `c₀` and clipped to L2 norm `mean_bound·√p` (Δ = that bound; a row touches one class);
//! 3. `scale`: DP per-gene standard deviation from clipped squared deviations
//!    (`|x_j − m̂_j| ≤ scale_clip`, Δ = `scale_clip²·√p`);
//! 4. `eigen`: top-`k` (default: those above the noise edge `2σ√p`) eigenvectors of the DP second moment of the standardised rows, each
//!    clipped to L2 norm `R = row_bound·√p` (Δ = R²);
//! 5. `latent_mean`, `latent_cov`: per-class DP sum (Δ = R) and second moment (Δ = R²) of the
//!    latent rows `u = Vᵀz` (k dimensions).
//!
//! The class law (post-processing, [`law`]) is `x = m̂ + ŝ ⊙ (V u + √r ⊙ η)`, `u ~ N(μ_c, Σ_c)`
//! (with `class_means = "gene"` the class mean is `m̂_c` instead of `m̂ + ŝ ⊙ V μ_c`),
//! with residual variances `r_j = max(1 − explained_j, residual_floor)`; sampled values are
//! clamped to the public range. Public: gene names, the class set, the value range.

pub mod law;
pub mod release;

use super::multivariate::{ClassGaussianModel, ClassLaw};
use super::{Generator, Model, Params};
use crate::data::dataset::TrainFold;
use crate::error::Result;
use crate::privacy::accountant::{check_noise_scale, Accountant, Budget};
use crate::privacy::mechanisms::Noise;
use crate::rng::Rng;
use crate::{bail, ensure};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parameters of `kind = "dp-copula"` as written; [`Params::check`] turns them into a
/// [`DpCopula`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpCopulaParams {
    /// Public value range `[lo, hi]` (default: the dataset's public range).
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// Latent dimension `k` (top eigenvectors kept); default 16.
    #[serde(default = "default_k")]
    pub k: usize,
    /// Row L2 bound of the `mean` release per √p (RMS distance of a gene from `c₀`); default 2.
    #[serde(default = "default_mean_bound")]
    pub mean_bound: f64,
    /// Per-gene deviation clip of the `scale` release (value units); default 2.
    #[serde(default = "default_scale_clip")]
    pub scale_clip: f64,
    /// Smallest per-gene standard deviation; default 0.5.
    #[serde(default = "default_scale_floor")]
    pub scale_floor: f64,
    /// Row L2 bound `R` of the standardised rows per √p; default 0.8.
    #[serde(default = "default_row_bound")]
    pub row_bound: f64,
    /// Smallest residual variance of a standardised gene; default 0.05.
    #[serde(default = "default_residual_floor")]
    pub residual_floor: f64,
    /// Keep only eigenvectors above the noise edge `2σ√p` (at most `k`); default true.
    #[serde(default = "default_noise_floor")]
    pub noise_floor: bool,
    /// Where the class means come from; default `centred`.
    #[serde(default)]
    pub class_means: ClassMeans,
    /// Row L2 bound per √p of the `class_mean` release (`class_means = "centred"`); default 1.
    #[serde(default = "default_class_mean_bound")]
    pub class_mean_bound: f64,
    /// Per class or one pooled within-class latent covariance; default `pooled`.
    #[serde(default)]
    pub class_cov: ClassCov,
    /// Bound of the latent rows per √p: `u = clip_L2(Vᵀ(x − m̂)/ŝ, latent_bound·√p)` (Δ of the
    /// latent releases); default 1. `"rows"`: `u = Vᵀz` of the rows clipped to `R` (Δ = `R`).
    #[serde(default)]
    pub latent_bound: LatentBound,
    /// Audit only (docs/audit.md §5): multiplies every noise draw; any value but 1 voids the
    /// DP claim (`dp: false` and a warning in every output).
    #[serde(default)]
    pub noise_scale: Option<f64>,
    /// Default: [`Split::centred`] with `class_means = "centred"`, [`Split::default`] otherwise.
    #[serde(default)]
    pub split: Option<Split>,
}

/// How the latent rows are bounded (`latent_bound`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum LatentBound {
    /// `clip_L2(Vᵀ(x − m̂)/ŝ, b·√p)`.
    PerRootP(f64),
    /// `"rows"`: `Vᵀz` of the standardised rows already clipped to `R`.
    Named(String),
}

impl Default for LatentBound {
    fn default() -> Self {
        LatentBound::PerRootP(1.0)
    }
}

impl LatentBound {
    /// `Some(b)` for a bound per √p, `None` for `"rows"`; any other value is an error.
    fn check(&self) -> Result<Option<f64>> {
        match self {
            LatentBound::PerRootP(b) => {
                ensure!(b.is_finite() && *b > 0.0, "latent_bound must be a finite number > 0 or \"rows\", got {b}");
                Ok(Some(*b))
            }
            LatentBound::Named(name) if name == "rows" => Ok(None),
            LatentBound::Named(name) => bail!("latent_bound must be a number > 0 or \"rows\", got \"{name}\""),
        }
    }
}

/// Where each class law's mean comes from.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum ClassMeans {
    /// `m̂ + ŝ ⊙ V μ_c`: the pooled DP gene mean plus the DP latent class mean (cheap, k values
    /// per class, but only what the eigenspace captures).
    Latent,
    /// The `mean` release made per class (`m̂_c`, the same Δ by parallel composition; the pooled
    /// `m̂` is their `ñ`-weighted average): every gene's class difference, C× noisier per value.
    Gene,
    /// The pooled `mean` release `m̂`, then release `class_mean`: per class the sums of the rows
    /// centred at `m̂` (`m̂_c`, Δ = `class_mean_bound·√p`): deviations from `m̂` are much
    /// shorter than from `c₀`, so the bound, and the noise, can be smaller.
    #[default]
    Centred,
}

/// The latent covariance of each class law.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum ClassCov {
    /// Each class its own `Σ_c` from its own second moment (C·k(k+1)/2 released values).
    Class,
    /// One within-class `Σ_w` from the pooled second moment of all rows minus the classes'
    /// mean outer products (k(k+1)/2 values, ~C× less noise per entry), shared by the classes.
    #[default]
    Pooled,
}

fn default_noise_floor() -> bool {
    true
}

fn default_class_mean_bound() -> f64 {
    1.0
}

fn default_k() -> usize {
    16
}
fn default_mean_bound() -> f64 {
    2.0
}
fn default_scale_clip() -> f64 {
    2.0
}
fn default_scale_floor() -> f64 {
    0.5
}
fn default_row_bound() -> f64 {
    0.8
}
fn default_residual_floor() -> f64 {
    0.05
}

/// Budget fractions of the releases (must sum to 1 ± 1e-9; each > 0; `class_mean` only with
/// `class_means = "centred"`, absent otherwise).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Split {
    pub count: f64,
    pub mean: f64,
    pub scale: f64,
    pub eigen: f64,
    pub latent_mean: f64,
    pub latent_cov: f64,
    #[serde(default)]
    pub class_mean: Option<f64>,
}

/// The split of `class_means = "gene"` and `"latent"` (the first design's defaults).
impl Default for Split {
    fn default() -> Self {
        Split {
            count: 0.02,
            mean: 0.40,
            scale: 0.08,
            eigen: 0.35,
            latent_mean: 0.05,
            latent_cov: 0.10,
            class_mean: None,
        }
    }
}

impl Split {
    /// The default split of `class_means = "centred"` (tuned on sim-brca, seed 1, ε ∈ {1, 10}).
    pub fn centred() -> Self {
        Split {
            count: 0.02,
            mean: 0.10,
            class_mean: Some(0.25),
            scale: 0.08,
            eigen: 0.45,
            latent_mean: 0.02,
            latent_cov: 0.08,
        }
    }

    /// The phases in release order, `class_mean` (after `mean`) only when it is set.
    fn named(&self) -> Vec<(&'static str, f64)> {
        let mut named = vec![("count", self.count), ("mean", self.mean)];
        named.extend(self.class_mean.map(|v| ("class_mean", v)));
        named.extend([
            ("scale", self.scale),
            ("eigen", self.eigen),
            ("latent_mean", self.latent_mean),
            ("latent_cov", self.latent_cov),
        ]);
        named
    }
}

/// A checked `dp-copula` generator.
#[derive(Debug)]
pub struct DpCopula {
    range: Option<[f64; 2]>,
    k: usize,
    mean_bound: f64,
    scale_clip: f64,
    scale_floor: f64,
    row_bound: f64,
    residual_floor: f64,
    noise_floor: bool,
    class_means: ClassMeans,
    class_cov: ClassCov,
    class_mean_bound: f64,
    latent_bound: Option<f64>,
    noise_scale: f64,
    /// The split fractions normalised by their sum (within 1e-9 of 1), so the charges add up to
    /// the budget to rounding.
    fractions: Vec<(&'static str, f64)>,
}

impl Params for DpCopulaParams {
    type Checked = DpCopula;
    const KIND: &'static str = "dp-copula";

    fn check(self) -> Result<DpCopula> {
        let split = self.split.unwrap_or(match self.class_means {
            ClassMeans::Centred => Split::centred(),
            ClassMeans::Gene | ClassMeans::Latent => Split::default(),
        });
        let named = split.named();
        ensure!(
            split.class_mean.is_some() == (self.class_means == ClassMeans::Centred),
            "split.class_mean must be set exactly when class_means = \"centred\""
        );
        for &(phase, v) in &named {
            ensure!(v.is_finite() && v > 0.0, "split.{phase} must be a finite fraction > 0, got {v}");
        }
        let total: f64 = named.iter().map(|(_, v)| v).sum();
        if (total - 1.0).abs() > 1e-9 {
            bail!("split fractions count + mean (+ class_mean) + scale + eigen + latent_mean + latent_cov must sum to 1 (± 1e-9), got {total}");
        }
        ensure!(self.k >= 1, "k must be >= 1, got {}", self.k);
        for (key, v) in [
            ("mean_bound", self.mean_bound),
            ("scale_clip", self.scale_clip),
            ("scale_floor", self.scale_floor),
            ("row_bound", self.row_bound),
            ("class_mean_bound", self.class_mean_bound),
        ] {
            ensure!(v.is_finite() && v > 0.0, "{key} must be a finite number > 0, got {v}");
        }
        ensure!(
            self.residual_floor.is_finite() && (0.0..=1.0).contains(&self.residual_floor),
            "residual_floor must lie in [0, 1], got {}",
            self.residual_floor
        );
        ensure!(
            self.scale_floor.total_cmp(&self.scale_clip).is_le(),
            "scale_floor ({}) must be <= scale_clip ({})",
            self.scale_floor,
            self.scale_clip
        );
        let latent_bound = self.latent_bound.check()?;
        let noise_scale = check_noise_scale(self.noise_scale)?;
        if let Some([lo, hi]) = self.range {
            ensure!(
                lo.is_finite() && hi.is_finite() && lo < hi,
                "range must be [lo, hi] with finite lo < hi, got [{lo}, {hi}]"
            );
        }
        Ok(DpCopula {
            range: self.range,
            k: self.k,
            mean_bound: self.mean_bound,
            scale_clip: self.scale_clip,
            scale_floor: self.scale_floor,
            row_bound: self.row_bound,
            residual_floor: self.residual_floor,
            noise_floor: self.noise_floor,
            class_means: self.class_means,
            class_cov: self.class_cov,
            class_mean_bound: self.class_mean_bound,
            latent_bound,
            noise_scale,
            fractions: named.into_iter().map(|(phase, v)| (phase, v / total)).collect(),
        })
    }
}

impl DpCopula {
    /// Parse and check the grid parameters; errors name the key.
    pub fn from_params(params: &toml::Table) -> Result<Self> {
        super::checked::<DpCopulaParams>(params)
    }

    fn rho(&self, phase: &str, rho_total: f64) -> f64 {
        self.fractions.iter().find(|(p, _)| *p == phase).map_or(0.0, |(_, f)| f * rho_total)
    }

    /// Make the six releases (charging `acct`) and post-process them into class laws, the class
    /// weights and `n̂`. With `noise = Off` (tests) the releases are exact.
    fn fit_laws(&self, train: &TrainFold<'_>, acct: &mut Accountant, noise: &Noise) -> Result<Fitted> {
        let x = train.x();
        let p = x.cols();
        ensure!(p > 0, "dp-copula: the train fold has no genes");
        let classes = train.classes();
        ensure!(!classes.is_empty(), "dp-copula: the schema has no classes");
        let class_of_row: Vec<usize> =
            train.labels().iter().map(|l| classes.iter().position(|c| c == l).unwrap_or(0)).collect();
        let (lo, hi) = self.range.map_or(train.schema().public_range, |[lo, hi]| (lo, hi));
        let rho = acct.rho_total();
        let root_p = (p as f64).sqrt();

        let counts = release::class_counts(
            &class_of_row,
            classes.len(),
            acct,
            self.rho("count", rho),
            &mut noise.phase("count"),
        )?;
        let weights: Vec<f64> = counts.iter().map(|c| c.max(0.0)).collect();
        let n_hat = weights.iter().sum::<f64>().max(1.0);
        let mean_bound = self.mean_bound * root_p;
        let (rho_mean, mut mean_noise) = (self.rho("mean", rho), noise.phase("mean"));
        let per_class = |centre: &[f64], bound: f64, phase: &'static str, acct: &mut Accountant| {
            let mut phase_noise = noise.phase(phase);
            let rho_phase = self.rho(phase, rho);
            release::class_gene_means(
                x,
                &class_of_row,
                &counts,
                (lo, hi),
                centre,
                bound,
                (phase, rho_phase),
                acct,
                &mut phase_noise,
            )
        };
        let (means, class_gene_means) = match self.class_means {
            ClassMeans::Latent => {
                (release::gene_means(x, (lo, hi), mean_bound, n_hat, acct, rho_mean, &mut mean_noise)?, None)
            }
            ClassMeans::Gene => {
                let m = per_class(&vec![0.5 * (lo + hi); p], mean_bound, "mean", acct)?;
                (pooled_mean(&m, &weights), Some(m))
            }
            ClassMeans::Centred => {
                let pooled = release::gene_means(x, (lo, hi), mean_bound, n_hat, acct, rho_mean, &mut mean_noise)?;
                let m = per_class(&pooled, self.class_mean_bound * root_p, "class_mean", acct)?;
                (pooled, Some(m))
            }
        };
        let scales = release::gene_scales(
            x,
            &means,
            self.scale_clip,
            self.scale_floor,
            n_hat,
            acct,
            self.rho("scale", rho),
            &mut noise.phase("scale"),
        )?;
        let bound = self.row_bound * root_p;
        let z = release::standardise(x, &means, &scales, bound);
        let (vectors, eigenvalues) = release::eigenspace(
            &z,
            self.k,
            self.noise_floor,
            bound,
            acct,
            self.rho("eigen", rho),
            &mut noise.phase("eigen"),
        )?;
        let (u, latent_bound) = match self.latent_bound {
            None => (release::latent_rows(&z, &vectors, None), bound),
            Some(b) => {
                let unclipped = release::standardise(x, &means, &scales, f64::INFINITY);
                (release::latent_rows(&unclipped, &vectors, Some(b * root_p)), b * root_p)
            }
        };
        let pooled = self.class_cov == ClassCov::Pooled;
        let release::LatentRelease { sums, seconds } = release::latent_stats(
            &u,
            &class_of_row,
            classes.len(),
            pooled,
            latent_bound,
            acct,
            (self.rho("latent_mean", rho), self.rho("latent_cov", rho)),
            (&mut noise.phase("latent_mean"), &mut noise.phase("latent_cov")),
        )?;
        let latent: Vec<law::LatentClass> = if pooled {
            law::pooled_latent_classes(&sums, &seconds[0], &counts)?
        } else {
            sums.into_iter()
                .zip(seconds)
                .zip(&counts)
                .map(|((sum, second), &n)| law::latent_class(&release::LatentStats { sum, second }, n))
                .collect::<Result<_>>()?
        };
        let residual = law::residual_variances(&vectors, &latent, &weights, self.residual_floor);
        let laws: Vec<ClassLaw> = latent
            .par_iter()
            .zip(classes.par_iter())
            .map(|(l, label)| law::gene_law(label, &means, &scales, &vectors, l, &residual, 1.0))
            .collect::<Result<_>>()?;
        let laws = match class_gene_means {
            None => laws,
            Some(per_class) => laws.into_iter().zip(per_class).map(|(l, m)| ClassLaw { mean: m, ..l }).collect(),
        };
        if laws.iter().any(|l| l.mean.iter().any(|v| !v.is_finite())) {
            bail!("dp-copula: a class law has a non-finite mean");
        }
        let mut diagnostics = BTreeMap::new();
        diagnostics.insert("n_hat".into(), n_hat.to_string());
        diagnostics.insert("k_kept".into(), vectors.ncols().to_string());
        let top: Vec<String> = eigenvalues.iter().map(|v| format!("{:.1}", v / n_hat)).collect();
        diagnostics.insert("eigenvalues_over_nhat".into(), top.join(" "));
        diagnostics.insert("mean_residual_variance".into(), (residual.iter().sum::<f64>() / p as f64).to_string());
        Ok(Fitted { laws, weights, n_hat, diagnostics })
    }
}

/// What [`DpCopula::fit_laws`] makes: the class laws, the class weights (clamped noisy counts),
/// `n̂` and the fit diagnostics.
struct Fitted {
    laws: Vec<ClassLaw>,
    weights: Vec<f64>,
    n_hat: f64,
    diagnostics: BTreeMap<String, String>,
}

/// The pooled gene mean `Σ_c w_c m̂_c / Σ_c w_c` (equal weights if all are 0).
fn pooled_mean(per_class: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    let w: Vec<f64> = if total > 0.0 {
        weights.iter().map(|v| v / total).collect()
    } else {
        vec![1.0 / per_class.len() as f64; per_class.len()]
    };
    let p = per_class.first().map_or(0, Vec::len);
    (0..p).map(|j| per_class.iter().zip(&w).map(|(m, wc)| wc * m[j]).sum()).collect()
}

impl Generator for DpCopula {
    fn kind(&self) -> &'static str {
        "dp-copula"
    }

    fn is_dp(&self) -> bool {
        true
    }

    fn fit(&self, train: &TrainFold<'_>, budget: &Budget, rng: &mut Rng) -> Result<Box<dyn Model>> {
        let mut acct = Accountant::new(budget)?;
        let noise = Noise::from_rng(&super::multivariate::fork(rng, "dp-copula-noise")).scaled(self.noise_scale);
        let Fitted { laws, weights, n_hat, diagnostics } = self.fit_laws(train, &mut acct, &noise)?;
        let mut privacy = acct.report(&self.fractions, vec![], vec![]);
        privacy.apply_noise_scale(self.noise_scale);
        let (lo, hi) = self.range.map_or(train.schema().public_range, |[lo, hi]| (lo, hi));
        Ok(Box::new(ClassGaussianModel {
            laws,
            weights,
            rows: Some(n_hat.round().max(1.0) as usize),
            clamp: Some((lo, hi)),
            privacy,
            diagnostics,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::{Labelled, Schema};
    use crate::data::matrix::Matrix;

    fn params(s: &str) -> Result<DpCopula> {
        DpCopula::from_params(&toml::from_str(s).unwrap())
    }

    fn toy() -> (Labelled, Schema) {
        let rows: Vec<Vec<f64>> = (0..12)
            .map(|i| (0..5).map(|j| 8.0 + ((i * 7 + j * 3) % 5) as f64 * 0.5 + (i % 2) as f64).collect())
            .collect();
        let labels = (0..12).map(|i| if i % 2 == 0 { "a" } else { "b" }.to_string()).collect();
        let schema = Schema {
            gene_ids: (0..5).map(|j| format!("g{j}")).collect(),
            classes: vec!["a".into(), "b".into()],
            public_range: (0.0, 20.0),
        };
        (Labelled { x: Matrix::from_rows(&rows).unwrap(), labels }, schema)
    }

    #[test]
    fn ledger_sums_to_the_budget_and_the_fit_is_end_to_end_dp() {
        let (data, schema) = toy();
        let train = TrainFold::from_parts(&data, &schema);
        let pooled = "k = 2\nclass_means = \"latent\"\nclass_cov = \"pooled\"\nlatent_bound = 1.0\nrow_bound = 0.8";
        let centred = "k = 2\nclass_means = \"centred\"\nclass_cov = \"pooled\"\nlatent_bound = 1.0\nsplit = { count = 0.02, mean = 0.2, class_mean = 0.2, scale = 0.08, eigen = 0.35, latent_mean = 0.05, latent_cov = 0.10 }";
        let first = "k = 2\nclass_means = \"gene\"\nclass_cov = \"class\"\nlatent_bound = \"rows\"\nrow_bound = 1.5";
        let configs = [(1.0, "k = 2"), (10.0, "k = 2"), (1.0, pooled), (10.0, pooled), (10.0, centred), (1.0, first)];
        for (eps, config) in configs {
            let budget = Budget::dp(eps, 1e-5).unwrap();
            let g = params(config).unwrap();
            let model = g.fit(&train, &budget, &mut Rng::from_seed(3)).unwrap();
            let report = model.privacy();
            assert!(report.end_to_end_dp() && report.non_private_steps.is_empty());
            let phases: Vec<&str> = report.ledger.iter().map(|c| c.phase.as_str()).collect();
            let want: &[&str] = if config == centred || config == "k = 2" {
                &["count", "mean", "class_mean", "scale", "eigen", "latent_mean", "latent_cov"]
            } else {
                &["count", "mean", "scale", "eigen", "latent_mean", "latent_cov"]
            };
            assert_eq!(phases, want);
            let spent: f64 = report.ledger.iter().map(|c| c.rho).sum();
            let total = report.rho_budget.unwrap();
            assert!((spent - total).abs() <= 1e-12 * total, "{spent} vs {total}");
            let s = model.sample(7, &mut Rng::from_seed(4)).unwrap();
            assert_eq!(s.x.rows(), 7);
            assert!(s.x.as_slice().iter().all(|v| (0.0..=20.0).contains(v)));
            assert!(s.labels.iter().all(|l| l == "a" || l == "b"));
        }
        assert!(params("").unwrap().fit(&train, &Budget::NonPrivate, &mut Rng::from_seed(1)).is_err());
    }

    #[test]
    fn noise_scale_voids_the_claim_and_scales_the_noise() {
        let (data, schema) = toy();
        let train = TrainFold::from_parts(&data, &schema);
        let budget = Budget::dp(1.0, 1e-5).unwrap();
        let fit = |config: &str| params(config).unwrap().fit(&train, &budget, &mut Rng::from_seed(3)).unwrap();
        let (exact, broken) = (fit(""), fit("noise_scale = 0.1"));
        assert!(exact.privacy().end_to_end_dp() && exact.privacy().warnings.is_empty());
        assert!(!broken.privacy().dp && !broken.privacy().end_to_end_dp());
        assert_eq!(broken.privacy().warnings, vec!["dp_claim_void:noise_scale=0.1".to_string()]);
        // The ledger (σ as planned) is the same; only the draws shrink.
        assert_eq!(exact.privacy().ledger, broken.privacy().ledger);
        assert!(params("noise_scale = 0.0").err().unwrap().to_string().contains("noise_scale"));
        assert!(params("latent_bound = -1.0").err().unwrap().to_string().contains("latent_bound"));
    }

    #[test]
    fn pooled_covariance_without_noise_is_the_within_class_covariance() {
        // k = p, unclipped: every class law has the pooled within-class covariance of the rows.
        let (data, schema) = toy();
        let train = TrainFold::from_parts(&data, &schema);
        let g = params("k = 5\nnoise_floor = false\nrow_bound = 100.0\nmean_bound = 100.0\nscale_clip = 100.0\nscale_floor = 0.01\nclass_cov = \"pooled\"\nlatent_bound = 100.0\nresidual_floor = 0.0").unwrap();
        let mut acct = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let laws = g.fit_laws(&train, &mut acct, &Noise::Off).unwrap().laws;
        let mean_of = |c: usize, j: usize| (0..12).filter(|i| i % 2 == c).map(|i| data.x.get(i, j)).sum::<f64>() / 6.0;
        for (a, b) in [(0, 0), (0, 3), (2, 4)] {
            let want: f64 = (0..12)
                .map(|i| (data.x.get(i, a) - mean_of(i % 2, a)) * (data.x.get(i, b) - mean_of(i % 2, b)))
                .sum::<f64>()
                / 10.0;
            for law in &laws {
                let got: f64 = (0..law.factor.ncols()).map(|c| law.factor[(a, c)] * law.factor[(b, c)]).sum();
                assert!((got - want).abs() < 1e-9, "({a},{b}): {got} vs {want}");
            }
        }
    }

    #[test]
    fn without_noise_the_class_means_are_recovered_in_the_latent_space() {
        // With exact releases, unclipped rows and k = p, V spans everything, so each class law's
        // mean is m̂ + ŝ ⊙ V Vᵀ (mean_c − m̂)/ŝ = the class mean of the train rows.
        let (data, schema) = toy();
        let train = TrainFold::from_parts(&data, &schema);
        let g =
            params("k = 5\nnoise_floor = false\nrow_bound = 100.0\nmean_bound = 100.0\nscale_clip = 100.0\nscale_floor = 0.01\nclass_means = \"latent\"\nlatent_bound = 100.0").unwrap();
        let mut acct = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let Fitted { laws, weights, n_hat, .. } = g.fit_laws(&train, &mut acct, &Noise::Off).unwrap();
        assert_eq!((weights.clone(), n_hat), (vec![6.0, 6.0], 12.0));
        for (c, law) in laws.iter().enumerate() {
            let rows: Vec<usize> = (0..12).filter(|i| i % 2 == c).collect();
            for j in 0..5 {
                let want = rows.iter().map(|&i| data.x.get(i, j)).sum::<f64>() / 6.0;
                assert!((law.mean[j] - want).abs() < 1e-9, "class {c} gene {j}: {} vs {want}", law.mean[j]);
            }
        }
    }

    #[test]
    fn gene_class_means_are_the_class_means_without_noise() {
        let (data, schema) = toy();
        let train = TrainFold::from_parts(&data, &schema);
        let centred = "mean_bound = 100.0\nclass_mean_bound = 100.0\nclass_means = \"centred\"\nsplit = { count = 0.02, mean = 0.2, class_mean = 0.2, scale = 0.08, eigen = 0.35, latent_mean = 0.05, latent_cov = 0.10 }";
        for config in ["mean_bound = 100.0\nclass_means = \"gene\"", centred] {
            let g = params(config).unwrap();
            let mut acct = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
            let laws = g.fit_laws(&train, &mut acct, &Noise::Off).unwrap().laws;
            for (c, law) in laws.iter().enumerate() {
                let rows: Vec<usize> = (0..12).filter(|i| i % 2 == c).collect();
                for j in 0..5 {
                    let want = rows.iter().map(|&i| data.x.get(i, j)).sum::<f64>() / 6.0;
                    assert!(
                        (law.mean[j] - want).abs() < 1e-9,
                        "{config}: class {c} gene {j}: {} vs {want}",
                        law.mean[j]
                    );
                }
            }
        }
        assert_eq!(pooled_mean(&[vec![1.0], vec![4.0]], &[2.0, 1.0]), vec![2.0]);
        assert_eq!(pooled_mean(&[vec![1.0], vec![4.0]], &[0.0, 0.0]), vec![2.5]);
    }

    #[test]
    fn invalid_parameters_name_the_key() {
        let err = |s: &str| params(s).err().unwrap().to_string();
        assert!(err("k = 0").contains("k must be"));
        assert!(err("row_bound = -1.0").contains("row_bound"));
        assert!(err("residual_floor = 2.0").contains("residual_floor"));
        assert!(err("range = [3.0, 1.0]").contains("range"));
        let bad = "class_means = \"gene\"\nsplit = { count = 0.1, mean = 0.1, scale = 0.1, eigen = 0.1, latent_mean = 0.1, latent_cov = 0.1 }";
        assert!(err(bad).contains("sum to 1"));
        let zero =
            "class_means = \"gene\"\nsplit = { count = 0.0, mean = 0.2, scale = 0.1, eigen = 0.45, latent_mean = 0.1, latent_cov = 0.15 }";
        assert!(err(zero).contains("split.count"));
        assert!(err("typo = 1").contains("typo"));
        let six =
            "split = { count = 0.02, mean = 0.4, scale = 0.08, eigen = 0.35, latent_mean = 0.05, latent_cov = 0.1 }";
        assert!(err(six).contains("split.class_mean"));
        assert!(err("latent_bound = \"x\"").contains("latent_bound"));
    }
}
