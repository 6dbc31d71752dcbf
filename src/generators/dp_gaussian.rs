//! The `dp-gaussian` baseline (generators.md §7.2): per-class noisy count, sum and second
//! moment of clipped rows under zCDP, turned into a mean and a PSD covariance per class and
//! sampled like `multivariate` (§7.1).
//!
//! Clipping (`clip`):
//! * `range` (default): `y = clamp(x, lo, hi) − c₀`, `c₀ = (lo + hi)/2`, so `|y_j| ≤ h = (hi − lo)/2`
//!   and `‖y‖₂ ≤ B₂ = h√p`;
//! * `l2`: `y = x − c₀` (public `centre`, default 10), scaled down to `‖y‖₂ ≤ B₂` (`l2_bound`,
//!   default `h√p` of the public range).
//!
//! Releases (one row touches one class, so the classes compose in parallel and each phase is one
//! ledger entry over all `C` classes):
//! * `count`: `ñ_c = n_c + N(0, σ_n²)`, `Δ = 1`;
//! * `sum`: `s̃_c = Σ y + N(0, σ_s² I)`, `Δ = B₂`;
//! * `moments`: `S̃_c = Σ y yᵀ` plus `N(0, σ_S²)` on the upper triangle (diagonal included),
//!   mirrored, `Δ = B₂²`; with `cov = diagonal` only `Σ y_j²`, `Δ = h²√p` (range) or `B₂²` (l2).
//!
//! Each `σ = Δ/√(2ρ_phase)` with `ρ_phase = split.phase · ρ`, so `ρ = 1/(2σ_n²) + B₂²/(2σ_s²) +
//! Δ_S²/(2σ_S²)`. Post-processing: `n̂_c = max(ñ_c, 2)`, `μ̂_c = s̃_c/n̂_c + c₀`,
//! `Σ̂_c = (S̃_c − s̃_c s̃_cᵀ/n̂_c)/(n̂_c − 1)` projected to PSD by clipping its eigenvalues at 0
//! ([`psd_project`]; diagonal: variances clipped at 0), and sampling as in §7.1, each sampled
//! value then clamped to the public `[lo, hi]` (post-processing, free).
//!
//! The defaults are end-to-end DP (`rows = "nhat"`, `labels = "model"`). When the moment noise
//! swamps the signal the privacy report carries [`WARN_NOISE_DOMINATED`] once per fit.

use super::multivariate::{fork, noise_scale, ClassGaussianModel, ClassLaw};
use super::{Generator, Model, Params};
use crate::data::dataset::TrainFold;
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::linalg::{matmul_into, psd_project};
use crate::privacy::accountant::{gaussian_sigma, Accountant, Budget};
use crate::rng::{Key, Rng};
use crate::{bail, ensure};
use faer::Mat;
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parameters of `kind = "dp-gaussian"` as written; [`Params::check`] turns them into a
/// [`DpGaussian`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpGaussianParams {
    #[serde(default)]
    pub clip: Clip,
    /// Public value range `[lo, hi]` (default: the dataset's public range, `[0, 20]`).
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// `clip = "l2"` only: the public centre `c₀` (every gene), default 10.
    #[serde(default)]
    pub centre: Option<f64>,
    /// `clip = "l2"` only: the L2 bound `B₂`, default `h√p`.
    #[serde(default)]
    pub l2_bound: Option<f64>,
    #[serde(default)]
    pub cov: Cov,
    #[serde(default)]
    pub split: Split,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub rows: Rows,
    /// Extra sampling noise as in §7.1; default 0.
    #[serde(default)]
    pub noise_level: f64,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Clip {
    #[default]
    Range,
    L2,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Cov {
    #[default]
    Full,
    Diagonal,
}

/// Where the sampled class proportions come from.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Labels {
    /// The noisy counts `ñ_c` (clamped at 0).
    #[default]
    Model,
    /// The train class counts (non-private: `label_counts:train`).
    Train,
}

/// How many rows the protocol's default request (`n_train`) turns into.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Rows {
    /// `N_train` rows, which reveals N (`row_count:n_train`).
    NTrain,
    /// `max(1, round(Σ_c max(ñ_c, 0)))` rows: fully DP (the default).
    #[default]
    Nhat,
}

/// Warning when the second-moment noise swamps the signal: for some class the noise standard
/// deviation of a covariance entry, `σ_S/(n̂_c − 1)`, exceeds the largest mean per-gene second
/// moment a clipped row can have, `B₂²/p` (= `h²` with range clipping). One fixed string per
/// fit, so a report lists it once per generator × ε; the ratios are in the diagnostics.
pub const WARN_NOISE_DOMINATED: &str = "dp_gaussian_noise_dominated";

/// Budget fractions of the three phases (must sum to 1 ± 1e-9).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Split {
    pub count: f64,
    pub sum: f64,
    pub moments: f64,
}

impl Default for Split {
    fn default() -> Self {
        Split { count: 0.05, sum: 0.25, moments: 0.70 }
    }
}

/// A checked `dp-gaussian` generator: the options of [`DpGaussianParams`] with the split
/// normalised into phase fractions and `noise_level` turned into the sampling scale.
#[derive(Debug)]
pub struct DpGaussian {
    clip: Clip,
    range: Option<[f64; 2]>,
    centre: Option<f64>,
    l2_bound: Option<f64>,
    cov: Cov,
    /// `count`, `sum`, `moments` fractions, normalised by their sum so that the charges add up
    /// to the budget to rounding (the configured sum is within 1e-9 of 1).
    fractions: [(&'static str, f64); 3],
    labels: Labels,
    rows: Rows,
    /// `√(1 + noise_level)`.
    scale: f64,
}

impl Params for DpGaussianParams {
    type Checked = DpGaussian;
    const KIND: &'static str = "dp-gaussian";

    fn check(self) -> Result<DpGaussian> {
        let scale = noise_scale(self.noise_level)?;
        for (key, v) in
            [("split.count", self.split.count), ("split.sum", self.split.sum), ("split.moments", self.split.moments)]
        {
            ensure!(v.is_finite() && v > 0.0, "{key} must be a finite fraction > 0, got {v}");
        }
        let total = self.split.count + self.split.sum + self.split.moments;
        if (total - 1.0).abs() > 1e-9 {
            bail!("split fractions count + sum + moments must sum to 1 (± 1e-9), got {total}");
        }
        if let Some([lo, hi]) = self.range {
            ensure!(
                lo.is_finite() && hi.is_finite() && lo < hi,
                "range must be [lo, hi] with finite lo < hi, got [{lo}, {hi}]"
            );
        }
        if self.clip == Clip::Range {
            ensure!(
                self.centre.is_none(),
                "centre applies only to clip = \"l2\" (range clipping centres at (lo + hi)/2)"
            );
            ensure!(self.l2_bound.is_none(), "l2_bound applies only to clip = \"l2\"");
        }
        if let Some(c) = self.centre {
            ensure!(c.is_finite(), "centre must be finite, got {c}");
        }
        if let Some(b) = self.l2_bound {
            ensure!(b.is_finite() && b > 0.0, "l2_bound must be a finite number > 0, got {b}");
        }
        let s = self.split;
        Ok(DpGaussian {
            clip: self.clip,
            range: self.range,
            centre: self.centre,
            l2_bound: self.l2_bound,
            cov: self.cov,
            fractions: [("count", s.count / total), ("sum", s.sum / total), ("moments", s.moments / total)],
            labels: self.labels,
            rows: self.rows,
            scale,
        })
    }
}

impl DpGaussian {
    /// Parse and check the grid parameters; errors name the key.
    pub fn from_params(params: &toml::Table) -> Result<Self> {
        super::checked::<DpGaussianParams>(params)
    }

    pub fn labels(&self) -> Labels {
        self.labels
    }

    pub fn rows(&self) -> Rows {
        self.rows
    }
}

/// The public clipping geometry and the sensitivities it implies (§7.2).
#[derive(Clone, Debug, PartialEq)]
pub struct Clipping {
    pub mode: Clip,
    pub lo: f64,
    pub hi: f64,
    /// `c₀` (the same for every gene).
    pub centre: f64,
    /// `B₂`, the L2 bound of a clipped, centred row.
    pub l2_bound: f64,
    /// L2 sensitivity of the released moment statistic.
    pub moments_sensitivity: f64,
}

impl Clipping {
    /// `range`: `h = (hi − lo)/2`, `B₂ = h√p`; `Δ_S = B₂²` (full) or `h²√p` (diagonal).
    /// `l2`: `B₂` as configured (default `h√p`); `Δ_S = B₂²` in both covariance modes.
    pub fn new(g: &DpGaussian, public_range: (f64, f64), p: usize) -> Clipping {
        let (lo, hi) = g.range.map_or(public_range, |[lo, hi]| (lo, hi));
        let h = 0.5 * (hi - lo);
        let root_p = (p as f64).sqrt();
        let (centre, l2_bound) = match g.clip {
            Clip::Range => (0.5 * (lo + hi), h * root_p),
            Clip::L2 => (g.centre.unwrap_or(10.0), g.l2_bound.unwrap_or(h * root_p)),
        };
        let moments_sensitivity = match (g.clip, g.cov) {
            (Clip::Range, Cov::Diagonal) => h * h * root_p,
            _ => l2_bound * l2_bound,
        };
        Clipping { mode: g.clip, lo, hi, centre, l2_bound, moments_sensitivity }
    }

    /// The clipped, centred copy of `x` (rows independently).
    pub fn apply(&self, x: &Matrix) -> Matrix {
        let mut y = x.clone();
        let p = x.cols().max(1);
        y.as_mut_slice().par_chunks_mut(p).for_each(|row| match self.mode {
            Clip::Range => row.iter_mut().for_each(|v| *v = v.clamp(self.lo, self.hi) - self.centre),
            Clip::L2 => {
                row.iter_mut().for_each(|v| *v -= self.centre);
                let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
                if norm > self.l2_bound {
                    let f = self.l2_bound / norm;
                    row.iter_mut().for_each(|v| *v *= f);
                }
            }
        });
        y
    }
}

/// The noisy statistics of one class (moments: full `p × p`, or the `p` diagonal entries).
#[derive(Clone, Debug)]
pub struct NoisyStats {
    pub count: f64,
    pub sum: Vec<f64>,
    pub moments: Moments,
}

#[derive(Clone, Debug)]
pub enum Moments {
    Full(Mat<f64>),
    Diagonal(Vec<f64>),
}

/// The noise standard deviations of the three releases.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sigmas {
    pub count: f64,
    pub sum: f64,
    pub moments: f64,
}

impl Generator for DpGaussian {
    fn kind(&self) -> &'static str {
        "dp-gaussian"
    }

    fn is_dp(&self) -> bool {
        true
    }

    fn fit(&self, train: &TrainFold<'_>, budget: &Budget, rng: &mut Rng) -> Result<Box<dyn Model>> {
        let mut acct = Accountant::new(budget)?;
        let (stats, sigmas) = self.measure(train, &mut acct, rng)?;
        super::context::check_deadline()?;
        let clipping = Clipping::new(self, train.schema().public_range, train.x().cols());
        let scale = self.scale;
        let classes = train.classes();
        let laws: Vec<ClassLaw> = stats
            .par_iter()
            .zip(classes.par_iter())
            .map(|(s, label)| class_law(s, clipping.centre, scale, label))
            .collect::<Result<_>>()?;

        let mut diagnostics = BTreeMap::new();
        let signal = clipping.l2_bound * clipping.l2_bound / train.x().cols() as f64;
        let mut worst_noise_to_signal = 0.0_f64;
        for (s, label) in stats.iter().zip(classes) {
            let nhat = s.count.max(2.0);
            let rel = [sigmas.count / nhat, sigmas.sum / nhat, sigmas.moments / nhat];
            for (phase, r) in ["count", "sum", "moments"].iter().zip(rel) {
                diagnostics.insert(format!("sigma_over_nhat.{phase}.{label}"), r.to_string());
            }
            diagnostics.insert(format!("nhat.{label}"), nhat.to_string());
            worst_noise_to_signal = worst_noise_to_signal.max(sigmas.moments / (nhat - 1.0) / signal);
        }
        diagnostics.insert("moments_noise_to_signal".into(), worst_noise_to_signal.to_string());
        let mut warnings = Vec::new();
        if worst_noise_to_signal > 1.0 {
            warnings.push(WARN_NOISE_DOMINATED.to_string());
        }
        let mut non_private = Vec::new();
        let weights = match self.labels {
            Labels::Model => stats.iter().map(|s| s.count.max(0.0)).collect(),
            Labels::Train => {
                non_private.push("label_counts:train".to_string());
                train.class_counts().iter().map(|&n| n as f64).collect()
            }
        };
        let rows = match self.rows {
            Rows::NTrain => {
                non_private.push("row_count:n_train".to_string());
                None
            }
            Rows::Nhat => Some(stats.iter().map(|s| s.count.max(0.0)).sum::<f64>().round().max(1.0) as usize),
        };
        let split: Vec<(&str, f64)> = self.fractions.to_vec();
        Ok(Box::new(ClassGaussianModel {
            laws,
            weights,
            rows,
            clamp: Some((clipping.lo, clipping.hi)),
            privacy: acct.report(&split, non_private, warnings),
            diagnostics,
        }))
    }
}

impl DpGaussian {
    /// Charge the three phases to `acct` and release the noisy per-class statistics (schema
    /// class order; a class without train rows is measured like any other). Class `c`'s noise
    /// comes from the streams `(phase, c)` of a fork of `rng`.
    pub fn measure(
        &self,
        train: &TrainFold<'_>,
        acct: &mut Accountant,
        rng: &mut Rng,
    ) -> Result<(Vec<NoisyStats>, Sigmas)> {
        let p = train.x().cols();
        ensure!(p > 0, "dp-gaussian: the train fold has no genes");
        ensure!(!train.classes().is_empty(), "dp-gaussian: the schema has no classes");
        let clipping = Clipping::new(self, train.schema().public_range, p);
        let rho = acct.rho_total();
        let [(_, f_count), (_, f_sum), (_, f_moments)] = self.fractions;
        let sigmas = Sigmas {
            count: gaussian_sigma(f_count * rho, 1.0),
            sum: gaussian_sigma(f_sum * rho, clipping.l2_bound),
            moments: gaussian_sigma(f_moments * rho, clipping.moments_sensitivity),
        };
        let k = train.classes().len() as f64;
        let phases = [
            ("count", f_count, sigmas.count, 1.0),
            ("sum", f_sum, sigmas.sum, clipping.l2_bound),
            ("moments", f_moments, sigmas.moments, clipping.moments_sensitivity),
        ];
        for (phase, fraction, sigma, sensitivity) in phases {
            acct.charge(
                phase,
                "gaussian",
                fraction * rho,
                &[("k", k), ("sigma", sigma), ("sensitivity", sensitivity)],
            )?;
        }

        let y = clipping.apply(train.x());
        let base = fork(rng, "dp-gaussian-noise");
        let stats = train
            .classes()
            .par_iter()
            .enumerate()
            .map(|(c, label)| {
                let rows: Vec<usize> = (0..train.n_rows()).filter(|&i| &train.labels()[i] == label).collect();
                let yc = y.select_rows(&rows);
                let stream = |phase: &str| base.child(&[Key::Str(phase), Key::Num(c as u64)]);
                noisy_class_stats(&yc, self.cov, sigmas, stream)
            })
            .collect();
        Ok((stats, sigmas))
    }
}

/// Exact statistics of one class's clipped rows plus Gaussian noise: count, sum (one normal
/// per gene), and the second moment (full: upper triangle row by row, diagonal included,
/// mirrored; diagonal: one normal per gene).
fn noisy_class_stats(y: &Matrix, cov: Cov, sigmas: Sigmas, stream: impl Fn(&str) -> Rng) -> NoisyStats {
    let p = y.cols();
    let count = y.rows() as f64 + sigmas.count * stream("count").normal();
    let mut sum = vec![0.0; p];
    for row in y.row_iter() {
        sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
    }
    let mut noise = stream("sum");
    sum.iter_mut().for_each(|s| *s += sigmas.sum * noise.normal());
    let mut noise = stream("moments");
    let moments = match cov {
        Cov::Full => {
            let mut m = Mat::<f64>::zeros(p, p);
            let yf = y.as_faer();
            matmul_into(m.as_mut(), yf.transpose(), yf, 1.0);
            for i in 0..p {
                for j in i..p {
                    let v = m[(i, j)] + sigmas.moments * noise.normal();
                    m[(i, j)] = v;
                    m[(j, i)] = v;
                }
            }
            Moments::Full(m)
        }
        Cov::Diagonal => {
            let mut d = vec![0.0; p];
            for row in y.row_iter() {
                d.iter_mut().zip(row).for_each(|(s, v)| *s += v * v);
            }
            d.iter_mut().for_each(|s| *s += sigmas.moments * noise.normal());
            Moments::Diagonal(d)
        }
    };
    NoisyStats { count, sum, moments }
}

/// Post-processing of one class (§7.2): `n̂ = max(ñ, 2)`, `μ̂ = s̃/n̂ + c₀`,
/// `Σ̂ = (S̃ − s̃ s̃ᵀ/n̂)/(n̂ − 1)` made PSD, and the sampling factor `scale · V diag(√λ)`.
fn class_law(s: &NoisyStats, centre: f64, scale: f64, label: &str) -> Result<ClassLaw> {
    let p = s.sum.len();
    let nhat = s.count.max(2.0);
    let mean: Vec<f64> = s.sum.iter().map(|v| v / nhat + centre).collect();
    let factor = match &s.moments {
        Moments::Full(m) => {
            let cov = Mat::<f64>::from_fn(p, p, |i, j| (m[(i, j)] - s.sum[i] * s.sum[j] / nhat) / (nhat - 1.0));
            psd_project(cov.as_ref())?.sqrt_factor(scale)
        }
        Moments::Diagonal(d) => {
            let sd: Vec<f64> = d
                .iter()
                .zip(&s.sum)
                .map(|(q, v)| scale * ((q - v * v / nhat) / (nhat - 1.0)).max(0.0).sqrt())
                .collect();
            Mat::<f64>::from_fn(p, p, |i, j| if i == j { sd[i] } else { 0.0 })
        }
    };
    if mean.iter().any(|v| !v.is_finite()) {
        bail!("dp-gaussian: class '{label}' has a non-finite noisy mean");
    }
    Ok(ClassLaw { label: label.to_string(), mean, factor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::{Labelled, Schema};

    fn params(s: &str) -> Result<DpGaussian> {
        DpGaussian::from_params(&toml::from_str(s).unwrap())
    }

    #[test]
    fn clipping_geometry_and_sensitivities() {
        // p = 4, range [0, 20]: h = 10, B₂ = 10·√4 = 20, Δ_S = B₂² = 400 (full) or h²√p = 200.
        let full = Clipping::new(&params("").unwrap(), (0.0, 20.0), 4);
        assert_eq!((full.centre, full.l2_bound, full.moments_sensitivity), (10.0, 20.0, 400.0));
        let diag = Clipping::new(&params("cov = \"diagonal\"").unwrap(), (0.0, 20.0), 4);
        assert_eq!(diag.moments_sensitivity, 200.0);
        let l2 = Clipping::new(&params("clip = \"l2\"\ncentre = 5.0\nl2_bound = 3.0").unwrap(), (0.0, 20.0), 4);
        assert_eq!((l2.centre, l2.l2_bound, l2.moments_sensitivity), (5.0, 3.0, 9.0));
        let ranged = Clipping::new(&params("range = [2.0, 6.0]").unwrap(), (0.0, 20.0), 9);
        assert_eq!((ranged.centre, ranged.l2_bound), (4.0, 6.0));
    }

    #[test]
    fn clipping_clamps_or_rescales_rows() {
        let x = Matrix::from_rows(&[vec![-3.0, 25.0], vec![12.0, 9.0]]).unwrap();
        let range = Clipping::new(&params("").unwrap(), (0.0, 20.0), 2);
        assert_eq!(range.apply(&x).as_slice(), &[-10.0, 10.0, 2.0, -1.0]);
        // l2 around 10 with B₂ = 5: (−13, 15) has norm √394 > 5 → scaled to norm 5;
        // (2, −1) has norm √5 ≤ 5 → unchanged.
        let l2 = Clipping::new(&params("clip = \"l2\"\nl2_bound = 5.0").unwrap(), (0.0, 20.0), 2);
        let y = l2.apply(&x);
        let norm0 = (y.get(0, 0).powi(2) + y.get(0, 1).powi(2)).sqrt();
        assert!((norm0 - 5.0).abs() < 1e-12 && (y.get(0, 0) / y.get(0, 1) + 13.0 / 15.0).abs() < 1e-12);
        assert_eq!(y.row(1), &[2.0, -1.0]);
    }

    #[test]
    fn post_processing_without_noise_recovers_mean_and_sample_covariance() {
        // Centred rows y = (1, 2), (3, 6), (5, 7) around c₀ = 10: s = (9, 15), S = [[35, 55], [55, 89]],
        // n = 3 → μ̂ = (13, 15), Σ̂ = (S − s sᵀ/3)/2 = [[4, 5], [5, 7]] (the ddof-1 covariance).
        let m = faer::mat![[35.0, 55.0], [55.0, 89.0]];
        let stats = NoisyStats { count: 3.0, sum: vec![9.0, 15.0], moments: Moments::Full(m) };
        let law = class_law(&stats, 10.0, 1.0, "a").unwrap();
        assert_eq!(law.mean, vec![13.0, 15.0]);
        let mut cov = Mat::<f64>::zeros(2, 2);
        matmul_into(cov.as_mut(), law.factor.as_ref(), law.factor.transpose(), 1.0);
        for (i, j, want) in [(0, 0, 4.0), (0, 1, 5.0), (1, 0, 5.0), (1, 1, 7.0)] {
            assert!((cov[(i, j)] - want).abs() < 1e-12, "({i},{j}) {}", cov[(i, j)]);
        }
        // Diagonal mode: variances 4 and 7, noise_level 1 doubles them (factor scale √2).
        let stats = NoisyStats { count: 3.0, sum: vec![9.0, 15.0], moments: Moments::Diagonal(vec![35.0, 89.0]) };
        let law = class_law(&stats, 10.0, 2.0_f64.sqrt(), "a").unwrap();
        assert!((law.factor[(0, 0)].powi(2) - 8.0).abs() < 1e-12 && (law.factor[(1, 1)].powi(2) - 14.0).abs() < 1e-12);
        assert_eq!(law.factor[(0, 1)], 0.0);
    }

    #[test]
    fn noisy_count_is_floored_at_two() {
        // ñ = −5 → n̂ = 2: μ̂ = s/2 + c₀, Σ̂ = S − s sᵀ/2 (divisor n̂ − 1 = 1), negative variance → 0.
        let stats = NoisyStats { count: -5.0, sum: vec![4.0], moments: Moments::Diagonal(vec![2.0]) };
        let law = class_law(&stats, 10.0, 1.0, "a").unwrap();
        assert_eq!(law.mean, vec![12.0]);
        assert_eq!(law.factor[(0, 0)], 0.0);
    }

    #[test]
    fn invalid_parameters_name_the_key() {
        let err = |s: &str| params(s).err().unwrap().to_string();
        assert!(err("split = { count = 0.1, sum = 0.25, moments = 0.70 }").contains("split"));
        assert!(err("split = { count = 0.0, sum = 0.3, moments = 0.70 }").contains("split.count"));
        assert!(err("split = { count = 0.05, sum = 0.25 }").contains("moments"));
        assert!(err("split = { count = 0.05, sum = 0.25, moments = 0.7, extra = 0.0 }").contains("extra"));
        assert!(err("noise_level = -0.5").contains("noise_level"));
        assert!(err("range = [5.0, 1.0]").contains("range"));
        assert!(err("centre = 3.0").contains("centre"));
        assert!(err("clip = \"l2\"\nl2_bound = 0.0").contains("l2_bound"));
        assert!(err("cov = \"sparse\"").contains("sparse"));
        assert!(err("epsilon_typo = 1").contains("epsilon_typo"));
        let ok =
            params("split = { count = 0.1, sum = 0.2, moments = 0.7 }\nlabels = \"train\"\nrows = \"nhat\"").unwrap();
        assert_eq!((ok.labels(), ok.rows()), (Labels::Train, Rows::Nhat));
    }

    #[test]
    fn fit_reports_budget_steps_and_relative_noise() {
        let x = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0], vec![7.0, 8.0]]).unwrap();
        let data = Labelled { x, labels: ["a", "b", "a", "b"].iter().map(|s| s.to_string()).collect() };
        let schema = Schema {
            gene_ids: vec!["g0".into(), "g1".into()],
            classes: vec!["a".into(), "b".into(), "c".into()],
            public_range: (0.0, 20.0),
        };
        let train = TrainFold::from_parts(&data, &schema);
        let budget = Budget::dp(1.0, 1e-5).unwrap();
        let model = params("").unwrap().fit(&train, &budget, &mut Rng::from_seed(1)).unwrap();
        let report = model.privacy();
        assert!(report.dp);
        assert!(report.non_private_steps.is_empty(), "the defaults are end-to-end DP");
        // Two rows per class at ε = 1: the moment noise dwarfs the clipped variance bound.
        assert_eq!(report.warnings, vec![WARN_NOISE_DOMINATED.to_string()], "one warning, not one per class");
        assert!(model.diagnostics()["moments_noise_to_signal"].parse::<f64>().unwrap() > 1.0);
        assert!(model.diagnostics().contains_key("sigma_over_nhat.moments.b"));
        let s = model.sample(10, &mut Rng::from_seed(2)).unwrap();
        assert_eq!(s.x.rows(), 10);
        assert!(s.x.first_non_finite().is_none());
        assert!(s.x.as_slice().iter().all(|v| (0.0..=20.0).contains(v)), "samples clamped to the public range");
        let n_train = params("rows = \"n_train\"").unwrap().fit(&train, &budget, &mut Rng::from_seed(1)).unwrap();
        assert_eq!(n_train.privacy().non_private_steps, vec!["row_count:n_train".to_string()]);
        assert!(params("").unwrap().fit(&train, &Budget::NonPrivate, &mut Rng::from_seed(1)).is_err());
        let nhat = params("rows = \"nhat\"\nlabels = \"train\"")
            .unwrap()
            .fit(&train, &budget, &mut Rng::from_seed(1))
            .unwrap();
        assert_eq!(nhat.privacy().non_private_steps, vec!["label_counts:train".to_string()]);
        assert!(nhat.sample_size(4) >= 1);
    }
}
