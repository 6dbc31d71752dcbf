//! The `multivariate` baseline (generators.md §7.1): the challenge's non-private per-class
//! multivariate normal, and the per-class Gaussian sampler that `dp-gaussian` (§7.2) reuses.
//!
//! Fit, for each class with train rows, in sorted label order: column means `μ_c`, sample
//! covariance `Σ_c` (divisor `n_c − 1`; `n_c = 1` is an error), PSD repair and the factor
//! `F_c = √(1 + noise_level) · V diag(√λ)` (`class_factor`). A schema class without train rows
//! has no law and gets no rows, as upstream (which groups the train rows by label).
//! Sampling draws `x = μ_c + F_c z`, `z ~ N(0, I)`, i.e. `N(μ_c, (1 + noise_level)·Σ_c)`: the
//! single scaled draw that §7.1 step 3 permits in place of a draw plus independent
//! `N(0, noise_level·Σ_c)` noise. Class counts are the train counts when `n = N_train`, and
//! their randomised rounding to `n` otherwise (`randomised_rounding`); the concatenated rows
//! are shuffled.

use super::{Generator, Model, Params, Synthetic};
use crate::data::dataset::TrainFold;
use crate::data::matrix::Matrix;
use crate::error::Result;
use crate::numeric::linalg::{centred_scaled, gram_of_columns, gram_sqrt_factor, matmul_into, psd_repair};
use crate::privacy::accountant::{Budget, PrivacyReport};
use crate::rng::{Key, Rng};
use crate::{bail, ensure};
use faer::{Mat, MatMut};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parameters of `kind = "multivariate"` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultivariateParams {
    /// Extra noise as a fraction of each class covariance (§7.1 step 3); default 0.5.
    #[serde(default = "default_noise_level")]
    pub noise_level: f64,
}

fn default_noise_level() -> f64 {
    0.5
}

/// The checked `multivariate` generator: the sampling scale `√(1 + noise_level)`.
#[derive(Debug)]
pub struct Multivariate {
    scale: f64,
}

impl Params for MultivariateParams {
    type Checked = Multivariate;
    const KIND: &'static str = "multivariate";

    fn check(self) -> Result<Multivariate> {
        Ok(Multivariate { scale: noise_scale(self.noise_level)? })
    }
}

impl Multivariate {
    /// Parse and check the grid parameters; errors name the key.
    pub fn from_params(params: &toml::Table) -> Result<Multivariate> {
        super::checked::<MultivariateParams>(params)
    }
}

/// The sampling scale `√(1 + noise_level)` of §7.1 step 3; `noise_level` must be a finite
/// number ≥ 0.
pub(crate) fn noise_scale(noise_level: f64) -> Result<f64> {
    ensure!(
        noise_level.is_finite() && noise_level >= 0.0,
        "key 'noise_level' must be a finite number >= 0, got {noise_level}"
    );
    Ok((1.0 + noise_level).sqrt())
}

impl Generator for Multivariate {
    fn kind(&self) -> &'static str {
        "multivariate"
    }

    fn is_dp(&self) -> bool {
        false
    }

    fn fit(&self, train: &TrainFold<'_>, _budget: &Budget, _rng: &mut Rng) -> Result<Box<dyn Model>> {
        let counts = train.class_counts();
        let present: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] > 0).collect();
        ensure!(!present.is_empty(), "multivariate: the train fold has no rows");
        if let Some(&c) = present.iter().find(|&&c| counts[c] < 2) {
            bail!(
                "multivariate: class '{}' has {} train row; a class covariance needs at least 2 rows",
                train.classes()[c],
                counts[c]
            );
        }
        let scale = self.scale;
        let fitted: Vec<(ClassLaw, usize, f64)> = present
            .par_iter()
            .map(|&c| {
                let rows: Vec<usize> =
                    (0..train.n_rows()).filter(|&i| train.labels()[i] == train.classes()[c]).collect();
                let (mean, factor, clipped, shift) = class_factor(&train.x().select_rows(&rows), scale)?;
                Ok((ClassLaw { label: train.classes()[c].clone(), mean, factor }, clipped, shift))
            })
            .collect::<Result<_>>()?;
        super::context::check_deadline()?;
        let mut diagnostics = BTreeMap::new();
        for (law, clipped, shift) in &fitted {
            diagnostics.insert(format!("psd_clipped_eigenvalues.{}", law.label), clipped.to_string());
            diagnostics.insert(format!("psd_shift.{}", law.label), shift.to_string());
        }
        Ok(Box::new(ClassGaussianModel {
            laws: fitted.into_iter().map(|(law, _, _)| law).collect(),
            weights: present.iter().map(|&c| counts[c] as f64).collect(),
            rows: None,
            clamp: None,
            privacy: PrivacyReport::non_private(vec![
                "class_means:train".into(),
                "class_covariances:train".into(),
                "label_counts:train".into(),
            ]),
            diagnostics,
        }))
    }
}

/// §7.1 steps 1–2 for one class's rows: the mean `μ`, and the factor `F = scale · V diag(√λ)`
/// of the PSD-repaired sample covariance, with the number of clipped eigenvalues and the
/// rounding shift. With `A` the centred rows over `√(n − 1)` (so `Σ = AᵀA`):
/// * `n ≤ p` (fewer rows than genes, the usual case): the thin factor of [`gram_sqrt_factor`],
///   from an `n × n` eigendecomposition instead of a `p × p` one. It clips exactly like the
///   `p × p` route, but the rebuilt matrix is never formed, so its rounding check is not run
///   and the shift is 0. In the `p × p` route that shift is `10·|λ_min|` with `λ_min` a rounding
///   residue (≈ 1e-13 relative); dropping it changes the sampled law only at that level;
/// * `n > p`: [`psd_repair`] of `Σ` (symmetrise, clip, rebuild, shift) and
///   `scale · V diag(√λ)`.
fn class_factor(x: &Matrix, scale: f64) -> Result<(Vec<f64>, Mat<f64>, usize, f64)> {
    let (mean, a) = centred_scaled(x)?;
    if a.rows() <= a.cols() {
        let (factor, clipped) = gram_sqrt_factor(&a, scale)?;
        Ok((mean, factor, clipped, 0.0))
    } else {
        let repaired = psd_repair(gram_of_columns(&a).as_ref())?;
        Ok((mean, repaired.sqrt_factor(scale), repaired.clipped, repaired.shift))
    }
}

/// One class's sampling law: `x = mean + factor · z`, `z ~ N(0, I_r)`.
pub(crate) struct ClassLaw {
    pub label: String,
    pub mean: Vec<f64>,
    /// `p × r` square-root factor (e.g. `√(1 + noise_level) · V diag(√λ)` without its zero
    /// columns), so that `x` has covariance `factor · factorᵀ`.
    pub factor: Mat<f64>,
}

/// A fitted per-class Gaussian model (shared by `multivariate` and `dp-gaussian`).
pub(crate) struct ClassGaussianModel {
    pub laws: Vec<ClassLaw>,
    /// Relative class sizes (train counts, or clamped noisy counts); the class counts of a
    /// sample of `n` rows are the randomised rounding of `n · w_c / Σ w` ([`randomised_rounding`]).
    /// With `n = Σ w` and integer weights (the protocol's `n = N_train` with train counts) the
    /// counts are exactly the weights.
    pub weights: Vec<f64>,
    /// The row count to use when the protocol asks for `n_train` (`None`: `n_train`).
    pub rows: Option<usize>,
    /// Public `[lo, hi]` every sampled value is clamped to (post-processing; `None`: no clamp).
    pub clamp: Option<(f64, f64)>,
    pub privacy: PrivacyReport,
    pub diagnostics: BTreeMap<String, String>,
}

impl Model for ClassGaussianModel {
    /// Class counts by randomised rounding (stream `counts`), class `c`'s row `r` from its own
    /// stream `(class, c, r)`, then one shuffle of the concatenated rows (stream `shuffle`).
    /// All streams are children of a fork of `rng`, so output does not depend on thread count.
    fn sample(&self, n: usize, rng: &mut Rng) -> Result<Synthetic> {
        let base = fork(rng, "class-gaussian-sample");
        let counts = randomised_rounding(&self.weights, n, &mut base.child(&["counts".into()]))?;
        let mut x = draw_classes(&self.laws, &counts, &base)?;
        if let Some((lo, hi)) = self.clamp {
            x.as_mut_slice().iter_mut().for_each(|v| *v = v.clamp(lo, hi));
        }
        let labels: Vec<&str> =
            self.laws.iter().zip(&counts).flat_map(|(law, &m)| std::iter::repeat_n(law.label.as_str(), m)).collect();
        let order = base.child(&["shuffle".into()]).permutation(n);
        Ok(Synthetic { x: x.select_rows(&order), labels: order.iter().map(|&i| labels[i].to_string()).collect() })
    }

    fn privacy(&self) -> &PrivacyReport {
        &self.privacy
    }

    fn sample_size(&self, n_train: usize) -> usize {
        self.rows.unwrap_or(n_train)
    }

    fn diagnostics(&self) -> BTreeMap<String, String> {
        self.diagnostics.clone()
    }
}

/// A fresh stream derived from `rng` (advancing it), so repeated calls with the same `rng`
/// draw different samples while every sub-stream stays addressable by index.
pub(crate) fn fork(rng: &mut Rng, name: &str) -> Rng {
    let salt = rng.next_u64();
    rng.child(&[Key::Str(name), Key::Num(salt)])
}

/// Rows of every class, concatenated in class order: class `c` gets `counts[c]` rows
/// `μ_c + F_c z` as one matrix product `Z F_cᵀ` (Z filled row by row from per-row streams).
fn draw_classes(laws: &[ClassLaw], counts: &[usize], base: &Rng) -> Result<Matrix> {
    let p = laws.first().map_or(0, |l| l.mean.len());
    let n: usize = counts.iter().sum();
    let mut out = vec![0.0; n * p];
    let mut blocks: Vec<&mut [f64]> = Vec::with_capacity(laws.len());
    let mut rest = out.as_mut_slice();
    for &m in counts {
        let (block, tail) = rest.split_at_mut(m * p);
        blocks.push(block);
        rest = tail;
    }
    blocks.into_par_iter().zip(laws.par_iter()).enumerate().for_each(|(c, (block, law))| {
        draw_class(law, block, &base.child(&[Key::Str("class"), Key::Num(c as u64)]));
    });
    Matrix::from_row_major(n, p, out)
}

/// Fill the row-major `m × p` `block` with `μ + F z` (`z ∈ ℝʳ`); row `i`'s `z` comes from
/// `stream.child(i)`.
fn draw_class(law: &ClassLaw, block: &mut [f64], stream: &Rng) {
    let (p, r) = (law.mean.len(), law.factor.ncols());
    if p == 0 || block.is_empty() {
        return;
    }
    let m = block.len() / p;
    let mut z = vec![0.0; m * r];
    z.par_chunks_mut(r.max(1)).enumerate().for_each(|(i, row)| {
        let mut s = stream.child(&[Key::Num(i as u64)]);
        row.iter_mut().for_each(|v| *v = s.normal());
    });
    let zref = faer::MatRef::from_row_major_slice(&z, m, r);
    matmul_into(MatMut::from_row_major_slice_mut(block, m, p), zref, law.factor.transpose(), 1.0);
    for row in block.chunks_exact_mut(p) {
        row.iter_mut().zip(&law.mean).for_each(|(v, mu)| *v += mu);
    }
}

/// Randomised rounding of `n · w_c / Σ w` to integers summing to `n` (generators.md §3.6),
/// through the one implementation in [`crate::generators::discrete::sample::randomised_rounding`].
/// Weights must be finite and ≥ 0; if they are all 0 the classes are weighted equally.
pub(crate) fn randomised_rounding(weights: &[f64], n: usize, rng: &mut Rng) -> Result<Vec<usize>> {
    ensure!(!weights.is_empty(), "cannot split {n} rows among zero classes");
    ensure!(weights.iter().all(|w| w.is_finite() && *w >= 0.0), "class weights must be finite and >= 0: {weights:?}");
    Ok(crate::generators::discrete::sample::randomised_rounding(n, weights, rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset::{Labelled, Schema};

    fn fold_parts(x: Vec<Vec<f64>>, labels: &[&str], classes: &[&str]) -> (Labelled, Schema) {
        let p = x[0].len();
        (
            Labelled { x: Matrix::from_rows(&x).unwrap(), labels: labels.iter().map(|s| s.to_string()).collect() },
            Schema {
                gene_ids: (0..p).map(|j| format!("g{j}")).collect(),
                classes: classes.iter().map(|s| s.to_string()).collect(),
                public_range: (0.0, 20.0),
            },
        )
    }

    #[test]
    fn rounding_is_exact_for_integer_proportions() {
        let mut rng = Rng::from_seed(1);
        assert_eq!(randomised_rounding(&[3.0, 5.0, 2.0], 10, &mut rng).unwrap(), vec![3, 5, 2]);
        assert_eq!(randomised_rounding(&[3.0, 5.0, 2.0], 20, &mut rng).unwrap(), vec![6, 10, 4]);
        assert_eq!(randomised_rounding(&[0.0, 0.0], 4, &mut rng).unwrap(), vec![2, 2]);
        assert!(randomised_rounding(&[1.0, -1.0], 4, &mut rng).is_err());
    }

    #[test]
    fn rounding_gives_leftovers_to_distinct_classes_in_expectation() {
        // e = (1.5, 1.5, 0): floors (1, 1, 0), one leftover unit to class 0 or 1 with prob ½.
        let mut rng = Rng::from_seed(2);
        let mut first = 0;
        for _ in 0..4000 {
            let k = randomised_rounding(&[1.0, 1.0, 0.0], 3, &mut rng).unwrap();
            assert_eq!(k.iter().sum::<usize>(), 3);
            assert_eq!(k[2], 0);
            first += usize::from(k[0] == 2);
        }
        // Binomial(4000, ½): sd ≈ 31.6; 5 sd ≈ 158.
        assert!((first as i64 - 2000).abs() < 158, "{first}");
        // Several leftovers never land twice on one class: e = (2/3)·(1, 1, 1) → (1, 1, 0) in
        // some order.
        let k = randomised_rounding(&[1.0, 1.0, 1.0], 2, &mut rng).unwrap();
        assert_eq!(k.iter().filter(|&&v| v == 1).count(), 2);
    }

    #[test]
    fn fit_and_sample_shapes_labels_and_report() {
        let x = vec![vec![1.0, 2.0], vec![2.0, 1.0], vec![3.0, 5.0], vec![10.0, 0.0], vec![11.0, 1.0], vec![12.0, 3.0]];
        let (data, schema) = fold_parts(x, &["b", "b", "b", "a", "a", "a"], &["a", "b", "z"]);
        let train = TrainFold::from_parts(&data, &schema);
        let g = crate::generators::checked::<MultivariateParams>(&toml::Table::new()).unwrap();
        assert_eq!(g.scale, 1.5f64.sqrt());
        let model = g.fit(&train, &Budget::NonPrivate, &mut Rng::from_seed(3)).unwrap();
        assert!(!model.privacy().dp);
        assert!(model.privacy().non_private_steps.contains(&"label_counts:train".to_string()));
        let s = model.sample(6, &mut Rng::from_seed(4)).unwrap();
        assert_eq!(s.x.rows(), 6);
        assert_eq!(s.labels.iter().filter(|l| *l == "a").count(), 3);
        assert!(s.x.first_non_finite().is_none());
        let s = model.sample(11, &mut Rng::from_seed(4)).unwrap();
        assert_eq!(s.labels.len(), 11);
        assert!(s.labels.iter().all(|l| l == "a" || l == "b"));
    }

    #[test]
    fn a_class_with_one_row_is_an_error_naming_it() {
        let x = vec![vec![1.0], vec![2.0], vec![5.0]];
        let (data, schema) = fold_parts(x, &["a", "a", "b"], &["a", "b"]);
        let train = TrainFold::from_parts(&data, &schema);
        let g = crate::generators::checked::<MultivariateParams>(&toml::Table::new()).unwrap();
        let e = g.fit(&train, &Budget::NonPrivate, &mut Rng::from_seed(1)).err().unwrap().to_string();
        assert!(e.contains("class 'b'") && e.contains("at least 2 rows"), "{e}");
    }

    #[test]
    fn invalid_parameters_name_the_key() {
        let bad: toml::Table = toml::from_str("noise_level = -1.0").unwrap();
        assert!(Multivariate::from_params(&bad).err().unwrap().to_string().contains("noise_level"));
        let typo: toml::Table = toml::from_str("noise = 0.1").unwrap();
        assert!(Multivariate::from_params(&typo).err().unwrap().to_string().contains("noise"));
    }
}
