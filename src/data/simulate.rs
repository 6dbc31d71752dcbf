//! Built-in simulated datasets `sim-brca` and `sim-combined` (simulator.md, `sim.v1`).
//!
//! The generative model (simulator.md §2) in brief: every gene `j` has a location `m_j`, a total
//! SD `s_j`, a communality `h_j`, a loading vector `u_j` on `K = 16` latent factors and a skew
//! parameter `κ_j`. Row `i` of class `c` draws latent factors `g_i = μ_c + f_i`,
//! `f_i ~ N(0, diag(λ))`, and gene values
//! `x_ij = m_j + s_j · (u_j·g_i + √(1 − h_j)·e_ij)` with standardised-lognormal noise `e_ij`,
//! then passes through a VST-like soft floor at 4.5.
//!
//! Randomness (simulator.md §4): one ChaCha20 stream [`Rng::from_seed`]`(seed)` draws, in order,
//! the per-gene parameters, the class centroids and the label shuffle. Row `i` then draws from
//! its own sub-stream [`Rng::derive`]`(["sim.v1", seed, i])`, so rows are generated in parallel
//! and the output is identical for any thread count.

use super::dataset::Dataset;
use super::matrix::Matrix;
use crate::error::{Context, Result};
use crate::numeric::special::std_normal_cdf;
use crate::rng::{beta, Key, Rng};
use crate::{bail, ensure};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

/// Version recorded in every result row of a simulated dataset.
pub const SIM_VERSION: &str = "sim.v1";

/// Number of latent factors `K` (simulator.md §2).
pub const LATENT_DIMS: usize = 16;
/// Number of genes `p` (simulator.md §1).
pub const N_GENES: usize = 978;

/// Copula correlation `r_ms` between the gene-mean and gene-SD normal scores (§2.1).
const MEAN_SD_CORRELATION: f64 = -0.6;
/// `Q_m`: gene-mean quantile function, (probability, value) knots (§2.1).
const GENE_MEAN_KNOTS: [(f64, f64); 7] =
    [(0.0, 5.0), (0.05, 6.7), (0.25, 8.8), (0.5, 9.8), (0.75, 10.7), (0.95, 12.0), (1.0, 15.0)];
/// `Q_ls`: gene-SD quantile function, (probability, SD) knots; interpolation is linear in ln SD
/// (§2.1).
const GENE_SD_KNOTS: [(f64, f64); 7] =
    [(0.0, 0.35), (0.05, 0.55), (0.25, 0.73), (0.5, 0.97), (0.75, 1.43), (0.95, 2.4), (1.0, 4.0)];
/// Skew parameter `κ_j ~ N(mean, sd)` (§2.4; the spec's `N(−0.12, 0.12)` read as mean and SD).
const KAPPA_MEAN: f64 = -0.12;
const KAPPA_SD: f64 = 0.12;
/// `|κ|` below this is replaced by it (§2.4).
const KAPPA_MIN_ABS: f64 = 1e-6;
/// VST-like floor `F` and softness `τ` (§2.7).
pub const VST_FLOOR: f64 = 4.5;
const VST_SOFTNESS: f64 = 0.4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimDataset {
    Brca,
    Combined,
}

/// How the class centroid coordinates `ν_c` are obtained (simulator.md §2 table).
enum CentroidSpec {
    /// Fixed 4-D coordinates, one per class in class order, placed in latent dims
    /// `offset..offset + 4`.
    Fixed { offset: usize, nu: &'static [[f64; 4]] },
    /// `ν_c ~ N(0, I_dim)` in latent dims `offset..offset + dim`, except the listed
    /// `(class, parent, scale)` triples: `ν_class = ν_parent + scale·√dim·n/‖n‖` with a fresh
    /// `n ~ N(0, I_dim)` drawn in place of the class's own `ν`.
    Random { offset: usize, dim: usize, near: &'static [(&'static str, &'static str, f64)] },
}

/// The per-dataset constants of simulator.md §1–§2.
struct Constants {
    /// Classes and exact counts, in emission order (§1).
    classes: &'static [(&'static str, usize)],
    label_column: &'static str,
    sample_prefix: &'static str,
    /// Decay `γ` of the within-class factor variances.
    gamma: f64,
    /// Centroid scale `sep`.
    sep: f64,
    /// Communality prior `Beta(a_h, b_h)`.
    communality: (f64, f64),
    centroids: CentroidSpec,
}

const BRCA: Constants = Constants {
    classes: &[("BRCA.LumA", 564), ("BRCA.LumB", 210), ("BRCA.Basal", 193), ("BRCA.Her2", 82), ("BRCA.Normal", 40)],
    label_column: "Subtype",
    sample_prefix: "SIMB-",
    gamma: 0.8,
    sep: 1.15,
    communality: (4.0, 4.0),
    centroids: CentroidSpec::Fixed {
        offset: 4,
        nu: &[
            [0.0, 0.0, 0.0, 0.0],
            [1.8, 0.0, 0.0, 0.0],
            [2.5, 4.0, 0.0, 0.0],
            [2.0, 2.0, 2.5, 0.0],
            [-1.0, 0.5, 0.0, 2.5],
        ],
    },
};

const COMBINED: Constants = Constants {
    classes: &[
        ("TCGA-BRCA", 907),
        ("TCGA-COAD", 398),
        ("TCGA-ESCA", 153),
        ("TCGA-KIRC", 448),
        ("TCGA-KIRP", 241),
        ("TCGA-LIHC", 309),
        ("TCGA-LUAD", 449),
        ("TCGA-LUSC", 418),
        ("TCGA-OV", 351),
        ("TCGA-PAAD", 148),
        ("TCGA-PRAD", 415),
        ("TCGA-SKCM", 86),
    ],
    label_column: "cancer_type",
    sample_prefix: "SIMC-",
    gamma: 0.75,
    sep: 2.6,
    communality: (6.0, 3.0),
    centroids: CentroidSpec::Random {
        offset: 2,
        dim: 11,
        near: &[("TCGA-KIRP", "TCGA-KIRC", 0.45), ("TCGA-LUSC", "TCGA-LUAD", 0.45), ("TCGA-ESCA", "TCGA-COAD", 0.8)],
    },
};

impl SimDataset {
    pub const ALL: [SimDataset; 2] = [SimDataset::Brca, SimDataset::Combined];

    pub fn from_name(name: &str) -> Option<SimDataset> {
        match name {
            "sim-brca" => Some(SimDataset::Brca),
            "sim-combined" => Some(SimDataset::Combined),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SimDataset::Brca => "sim-brca",
            SimDataset::Combined => "sim-combined",
        }
    }

    /// The classes and their exact counts, in emission order (simulator.md §1).
    pub fn class_counts(self) -> &'static [(&'static str, usize)] {
        self.constants().classes
    }

    /// Header of the label column (`Subtype` or `cancer_type`).
    pub fn label_column(self) -> &'static str {
        self.constants().label_column
    }

    /// Number of rows: the sum of the class counts.
    pub fn n_samples(self) -> usize {
        self.class_counts().iter().map(|&(_, n)| n).sum()
    }

    fn constants(self) -> &'static Constants {
        match self {
            SimDataset::Brca => &BRCA,
            SimDataset::Combined => &COMBINED,
        }
    }
}

/// Generate a simulated dataset, deterministic from `seed` (simulator.md §1–§4).
///
/// Rows are generated in parallel on per-row sub-streams; the result is bit-identical for any
/// number of threads.
pub fn simulate(which: SimDataset, seed: u64) -> Result<Dataset> {
    let constants = which.constants();
    let model = Model::draw(constants, seed)?;
    let n = model.row_class.len();
    let mut data = vec![0.0; n * N_GENES];
    data.par_chunks_mut(N_GENES).enumerate().for_each(|(i, row)| model.fill_row(seed, i, row));
    Ok(Dataset {
        name: which.name().to_string(),
        source: format!("{SIM_VERSION} seed={seed}"),
        sample_ids: (1..=n).map(|i| format!("{}{i:06}", constants.sample_prefix)).collect(),
        gene_ids: (1..=N_GENES).map(|j| format!("SIMG{j:06}")).collect(),
        x: Matrix::from_row_major(n, N_GENES, data)?,
        labels: model.row_class.iter().map(|&c| constants.classes[c].0.to_string()).collect(),
        label_column: constants.label_column.to_string(),
    })
}

/// Everything drawn from the sequential stream (simulator.md §4 steps 1–3), ready for the rows.
struct Model {
    /// Gene location `m_j`.
    mean: Vec<f64>,
    /// Gene total SD `s_j`.
    sd: Vec<f64>,
    /// `√(1 − h_j)`, the weight of the idiosyncratic noise.
    noise_weight: Vec<f64>,
    /// Rescaled loadings `u_j`, row-major `p × K`.
    loadings: Vec<f64>,
    noise: Vec<SkewNoise>,
    /// `√λ_k`, the within-class factor SDs.
    factor_sd: [f64; LATENT_DIMS],
    /// Class centroids `μ_c`.
    centroids: Vec<[f64; LATENT_DIMS]>,
    /// Class index of each row, after the shuffle.
    row_class: Vec<usize>,
}

impl Model {
    /// Draw the gene parameters, centroids and labels in the order of simulator.md §4.
    fn draw(constants: &Constants, seed: u64) -> Result<Model> {
        let mut rng = Rng::from_seed(seed);
        let genes = RawGenes::draw(&mut rng, constants.communality);
        let lambda = factor_variances(constants.gamma);
        let proportions = class_proportions(constants.classes);
        let nu = draw_centroid_coordinates(&mut rng, constants)?;
        let centroids = place_centroids(&nu, &proportions, &lambda, constants);
        let row_class = shuffled_labels(&mut rng, constants.classes);

        let total = total_latent_covariance(&centroids, &proportions, &lambda);
        let mut loadings = genes.directions;
        for (u, &h) in loadings.chunks_exact_mut(LATENT_DIMS).zip(&genes.communality) {
            let scale = (h / quadratic_form(&total, u)).sqrt();
            u.iter_mut().for_each(|v| *v *= scale);
        }
        Ok(Model {
            mean: genes.mean,
            sd: genes.sd,
            noise_weight: genes.communality.iter().map(|h| (1.0 - h).sqrt()).collect(),
            loadings,
            noise: genes.noise,
            factor_sd: lambda.map(f64::sqrt),
            centroids,
            row_class,
        })
    }

    /// Row `i` (simulator.md §2.6–§2.7) from its own sub-stream: `K` factor draws
    /// `f_ik = √λ_k·z`, then one noise draw per gene in gene order.
    fn fill_row(&self, seed: u64, i: usize, row: &mut [f64]) {
        let mut rng = Rng::derive(&[Key::Str(SIM_VERSION), Key::Num(seed), Key::Num(i as u64)]);
        let centroid = &self.centroids[self.row_class[i]];
        let mut g = [0.0; LATENT_DIMS];
        for k in 0..LATENT_DIMS {
            g[k] = centroid[k] + self.factor_sd[k] * rng.normal();
        }
        for (j, x) in row.iter_mut().enumerate() {
            let u = &self.loadings[j * LATENT_DIMS..(j + 1) * LATENT_DIMS];
            let signal: f64 = u.iter().zip(&g).map(|(a, b)| a * b).sum();
            let e = self.noise[j].transform(rng.normal());
            *x = vst_floor(self.mean[j] + self.sd[j] * (signal + self.noise_weight[j] * e));
        }
    }
}

/// Per-gene draws of simulator.md §4 step 1, before the loadings are rescaled.
struct RawGenes {
    mean: Vec<f64>,
    sd: Vec<f64>,
    communality: Vec<f64>,
    /// Unscaled directions `u_j ~ N(0, I_K)`, row-major `p × K`.
    directions: Vec<f64>,
    noise: Vec<SkewNoise>,
}

impl RawGenes {
    /// For each gene in order: `z₁, z₂` (copula, §2.1), `h ~ Beta(a_h, b_h)`, `u` (K normals),
    /// `κ ~ N(−0.12, 0.12)`.
    fn draw(rng: &mut Rng, (a_h, b_h): (f64, f64)) -> RawGenes {
        let mut genes = RawGenes {
            mean: Vec::with_capacity(N_GENES),
            sd: Vec::with_capacity(N_GENES),
            communality: Vec::with_capacity(N_GENES),
            directions: Vec::with_capacity(N_GENES * LATENT_DIMS),
            noise: Vec::with_capacity(N_GENES),
        };
        let r = MEAN_SD_CORRELATION;
        for _ in 0..N_GENES {
            let z1 = rng.normal();
            let z2 = r * z1 + (1.0 - r * r).sqrt() * rng.normal();
            genes.mean.push(interpolate(&GENE_MEAN_KNOTS, std_normal_cdf(z1)));
            genes.sd.push(log_interpolate(&GENE_SD_KNOTS, std_normal_cdf(z2)));
            genes.communality.push(beta(rng, a_h, b_h));
            genes.directions.extend((0..LATENT_DIMS).map(|_| rng.normal()));
            genes.noise.push(SkewNoise::new(KAPPA_MEAN + KAPPA_SD * rng.normal()));
        }
        genes
    }
}

/// The idiosyncratic noise of simulator.md §2.4: a lognormal with log-SD `σ = |κ|`, standardised
/// to mean 0 and variance 1 and reflected when `κ < 0`:
/// `e = sgn(κ)·(exp(σz) − E)/SD` with `E = exp(σ²/2)`, `SD = E·√(exp(σ²) − 1)`.
///
/// It is evaluated as the algebraically equal `sgn(κ)·expm1(σz − σ²/2) / √expm1(σ²)`, which
/// keeps full relative precision when `σ` is small.
#[derive(Clone, Copy, Debug)]
struct SkewNoise {
    /// `sgn(κ) / √expm1(σ²)`.
    scale: f64,
    sigma: f64,
}

impl SkewNoise {
    fn new(kappa: f64) -> SkewNoise {
        let sigma = kappa.abs().max(KAPPA_MIN_ABS);
        let sign = if kappa < 0.0 { -1.0 } else { 1.0 };
        SkewNoise { scale: sign / (sigma * sigma).exp_m1().sqrt(), sigma }
    }

    fn transform(&self, z: f64) -> f64 {
        self.scale * (self.sigma * (z - 0.5 * self.sigma)).exp_m1()
    }
}

/// The VST-like floor of simulator.md §2.7: `F + τ·ln(1 + exp((x − F)/τ))`, `F = 4.5`, `τ = 0.4`.
///
/// With `t = (x − F)/τ` it is computed as `x + τ·ln1p(exp(−t))` for `t > 0` and
/// `F + τ·ln1p(exp(t))` otherwise, so neither branch overflows or cancels.
pub fn vst_floor(x: f64) -> f64 {
    let t = (x - VST_FLOOR) / VST_SOFTNESS;
    if t > 0.0 {
        x + VST_SOFTNESS * (-t).exp().ln_1p()
    } else {
        VST_FLOOR + VST_SOFTNESS * t.exp().ln_1p()
    }
}

/// Within-class factor variances `λ_k = γ^k`, rescaled to mean 1 (simulator.md §2.2).
fn factor_variances(gamma: f64) -> [f64; LATENT_DIMS] {
    let mut lambda = [0.0; LATENT_DIMS];
    let mut power = 1.0;
    for l in lambda.iter_mut() {
        *l = power;
        power *= gamma;
    }
    let mean = lambda.iter().sum::<f64>() / LATENT_DIMS as f64;
    lambda.map(|l| l / mean)
}

/// Class proportions `π_c = n_c / n`.
fn class_proportions(classes: &[(&str, usize)]) -> Vec<f64> {
    let n: usize = classes.iter().map(|&(_, c)| c).sum();
    classes.iter().map(|&(_, c)| c as f64 / n as f64).collect()
}

/// The raw centroid coordinates `ν_c` of simulator.md §2 (before centring), one vector per
/// class in class order. Random coordinates are drawn class by class (§4 step 2).
fn draw_centroid_coordinates(rng: &mut Rng, constants: &Constants) -> Result<Vec<Vec<f64>>> {
    match &constants.centroids {
        CentroidSpec::Fixed { nu, .. } => Ok(nu.iter().map(|v| v.to_vec()).collect()),
        CentroidSpec::Random { dim, near, .. } => {
            let index = |name: &str| constants.classes.iter().position(|&(c, _)| c == name);
            let mut nu: Vec<Vec<f64>> = Vec::with_capacity(constants.classes.len());
            for &(class, _) in constants.classes {
                let draw: Vec<f64> = (0..*dim).map(|_| rng.normal()).collect();
                let Some(&(_, parent, scale)) = near.iter().find(|&&(c, _, _)| c == class) else {
                    nu.push(draw);
                    continue;
                };
                let Some(p) = index(parent).filter(|&p| p < nu.len()) else {
                    bail!("sim.v1 constants: centroid parent '{parent}' of '{class}' must come earlier");
                };
                let norm = draw.iter().map(|v| v * v).sum::<f64>().sqrt();
                let step = scale * (*dim as f64).sqrt() / norm;
                let child = nu[p].iter().zip(&draw).map(|(a, w)| a + step * w).collect();
                nu.push(child);
            }
            Ok(nu)
        }
    }
}

/// Centre `ν` so that `Σ_c π_c ν_c = 0` and place it: `μ_c = sep·diag(√λ)·ν_c` on the dataset's
/// latent dims, zero elsewhere (simulator.md §2.2).
fn place_centroids(
    nu: &[Vec<f64>],
    proportions: &[f64],
    lambda: &[f64; LATENT_DIMS],
    constants: &Constants,
) -> Vec<[f64; LATENT_DIMS]> {
    let offset = match constants.centroids {
        CentroidSpec::Fixed { offset, .. } | CentroidSpec::Random { offset, .. } => offset,
    };
    let dim = nu.first().map_or(0, Vec::len);
    let mut centre = vec![0.0; dim];
    for (v, &p) in nu.iter().zip(proportions) {
        centre.iter_mut().zip(v).for_each(|(c, x)| *c += p * x);
    }
    nu.iter()
        .map(|v| {
            let mut mu = [0.0; LATENT_DIMS];
            for (d, (x, c)) in v.iter().zip(&centre).enumerate() {
                let k = offset + d;
                mu[k] = constants.sep * lambda[k].sqrt() * (x - c);
            }
            mu
        })
        .collect()
}

/// `Σ_b = Σ_c π_c μ_c μ_cᵀ` (simulator.md §2.2).
fn between_class_covariance(
    centroids: &[[f64; LATENT_DIMS]],
    proportions: &[f64],
) -> [[f64; LATENT_DIMS]; LATENT_DIMS] {
    let mut sigma = [[0.0; LATENT_DIMS]; LATENT_DIMS];
    for (mu, &p) in centroids.iter().zip(proportions) {
        for (row, &a) in sigma.iter_mut().zip(mu) {
            row.iter_mut().zip(mu).for_each(|(s, &b)| *s += p * a * b);
        }
    }
    sigma
}

/// `Σ_g = Σ_b + diag(λ)` (simulator.md §2.2).
fn total_latent_covariance(
    centroids: &[[f64; LATENT_DIMS]],
    proportions: &[f64],
    lambda: &[f64; LATENT_DIMS],
) -> [[f64; LATENT_DIMS]; LATENT_DIMS] {
    let mut total = between_class_covariance(centroids, proportions);
    for (k, l) in lambda.iter().enumerate() {
        total[k][k] += l;
    }
    total
}

/// `uᵀ A u`.
fn quadratic_form(a: &[[f64; LATENT_DIMS]; LATENT_DIMS], u: &[f64]) -> f64 {
    a.iter().zip(u).map(|(row, &ui)| ui * row.iter().zip(u).map(|(x, y)| x * y).sum::<f64>()).sum()
}

/// The class index of every row: the exact counts concatenated in class order, then a
/// Fisher–Yates shuffle (simulator.md §2.5).
fn shuffled_labels(rng: &mut Rng, classes: &[(&str, usize)]) -> Vec<usize> {
    let mut labels: Vec<usize> =
        classes.iter().enumerate().flat_map(|(c, &(_, n))| std::iter::repeat_n(c, n)).collect();
    rng.shuffle(&mut labels);
    labels
}

/// Piecewise-linear interpolation through `(probability, value)` knots sorted by probability;
/// `u` is clamped to the knot range.
fn interpolate(knots: &[(f64, f64)], u: f64) -> f64 {
    let last = knots.len() - 1;
    let seg = knots.windows(2).position(|w| u <= w[1].0).unwrap_or(last - 1);
    let ((u0, v0), (u1, v1)) = (knots[seg], knots[seg + 1]);
    let t = ((u - u0) / (u1 - u0)).clamp(0.0, 1.0);
    v0 + t * (v1 - v0)
}

/// `exp` of the piecewise-linear interpolation of `ln value` (the `Q_ls` of simulator.md §2.1).
fn log_interpolate(knots: &[(f64, f64); 7], u: f64) -> f64 {
    interpolate(&knots.map(|(p, v)| (p, v.ln())), u).exp()
}

/// Relabel the simulated genes with the IDs of a gene-list file (one ID per line, exactly as
/// many lines as genes; simulator.md §1). Surrounding whitespace (and a `\r`) is stripped from
/// each line; empty or duplicate IDs are errors naming the line.
pub fn rename_genes(dataset: &mut Dataset, path: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read gene_names file {}", path.display()))?;
    let ids: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
    ensure!(
        ids.len() == dataset.n_genes(),
        "{}: {} lines, expected exactly {} gene IDs (one per line) for dataset '{}'",
        path.display(),
        ids.len(),
        dataset.n_genes(),
        dataset.name
    );
    let mut seen = HashSet::with_capacity(ids.len());
    for (line, id) in ids.iter().enumerate() {
        ensure!(!id.is_empty(), "{}:{}: empty gene ID", path.display(), line + 1);
        ensure!(seen.insert(id.as_str()), "{}:{}: duplicate gene ID '{id}'", path.display(), line + 1);
    }
    dataset.gene_ids = ids;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_functions_interpolate_the_knots() {
        assert_eq!(interpolate(&GENE_MEAN_KNOTS, 0.5), 9.8);
        assert_eq!(interpolate(&GENE_MEAN_KNOTS, 0.0), 5.0);
        assert_eq!(interpolate(&GENE_MEAN_KNOTS, 1.0), 15.0);
        // Halfway between (.05, 6.7) and (.25, 8.8).
        assert!((interpolate(&GENE_MEAN_KNOTS, 0.15) - 7.75).abs() < 1e-12);
        // Linear in ln SD: halfway between .97 and 1.43 is their geometric mean.
        assert!((log_interpolate(&GENE_SD_KNOTS, 0.625) - (0.97f64 * 1.43).sqrt()).abs() < 1e-12);
        assert!((log_interpolate(&GENE_SD_KNOTS, 0.05) - 0.55).abs() < 1e-12);
    }

    #[test]
    fn vst_floor_is_a_soft_floor() {
        // At x = F: F + τ ln 2.
        assert_eq!(vst_floor(4.5), 4.5 + 0.4 * 2f64.ln());
        // Far above the floor the value is unchanged: τ·ln1p(e^−t) < 1e-12 when t > 30.
        assert!((vst_floor(20.0) - 20.0).abs() < 1e-12);
        // Far below, F + τ·softplus rounds to F exactly (simulator.md §2).
        assert_eq!(vst_floor(-20.0), 4.5);
        assert_eq!(vst_floor(f64::NEG_INFINITY), 4.5);
        let xs: Vec<f64> = (-100..=100).map(|i| 4.5 + 0.05 * i as f64).collect();
        for w in xs.windows(2) {
            assert!(vst_floor(w[0]) <= vst_floor(w[1]));
            assert!(vst_floor(w[0]) >= 4.5 && vst_floor(w[0]) >= w[0]);
        }
    }

    #[test]
    fn skew_noise_is_standardised_with_the_sign_of_kappa() {
        // Exact moments of the standardised lognormal: mean 0, variance 1,
        // skew = (exp(σ²) + 2)·√(exp(σ²) − 1).
        for kappa in [-0.3, 0.2, 0.0] {
            let noise = SkewNoise::new(kappa);
            let mut rng = Rng::from_seed(11);
            let n = 400_000;
            let e: Vec<f64> = (0..n).map(|_| noise.transform(rng.normal())).collect();
            let mean = e.iter().sum::<f64>() / n as f64;
            let var = e.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            let skew = e.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / n as f64 / var.powf(1.5);
            let s2 = kappa * kappa;
            let want_skew = kappa.signum() * (s2.exp() + 2.0) * s2.exp_m1().sqrt();
            assert!(mean.abs() < 0.01, "kappa {kappa}: mean {mean}");
            assert!((var - 1.0).abs() < 0.02, "kappa {kappa}: var {var}");
            assert!((skew - want_skew).abs() < 0.05, "kappa {kappa}: skew {skew} want {want_skew}");
        }
        // κ = 0 is replaced by 1e-6: the noise is then a standard normal to ~1e-6.
        let tiny = SkewNoise::new(0.0);
        assert!((tiny.transform(1.5) - 1.5).abs() < 1e-5);
    }

    #[test]
    fn factor_variances_have_mean_one() {
        let lambda = factor_variances(0.8);
        assert!((lambda.iter().sum::<f64>() - 16.0).abs() < 1e-12);
        assert!((lambda[1] / lambda[0] - 0.8).abs() < 1e-15);
    }

    #[test]
    fn loadings_reach_the_communality_and_centroids_are_centred() {
        for which in SimDataset::ALL {
            let constants = which.constants();
            let model = Model::draw(constants, 3).unwrap();
            let proportions = class_proportions(constants.classes);
            let mut weighted = [0.0; LATENT_DIMS];
            for (mu, p) in model.centroids.iter().zip(&proportions) {
                weighted.iter_mut().zip(mu).for_each(|(w, m)| *w += p * m);
            }
            assert!(weighted.iter().all(|w| w.abs() < 1e-12), "{which:?}: Σ π μ = {weighted:?}");
            let total = total_latent_covariance(&model.centroids, &proportions, &factor_variances(constants.gamma));
            for (j, u) in model.loadings.chunks_exact(LATENT_DIMS).enumerate() {
                let h = 1.0 - model.noise_weight[j].powi(2);
                assert!((quadratic_form(&total, u) - h).abs() < 1e-12, "{which:?} gene {j}");
            }
            assert!(model.sd.iter().all(|&s| (0.35..=4.0).contains(&s)));
            assert!(model.mean.iter().all(|&m| (5.0..=15.0).contains(&m)));
        }
    }

    #[test]
    fn near_classes_sit_at_the_stated_distance() {
        // ν_KIRP − ν_KIRC has length 0.45·√11 before placement (centring does not move it).
        let mut rng = Rng::from_seed(9);
        let _ = RawGenes::draw(&mut rng, COMBINED.communality);
        let nu = draw_centroid_coordinates(&mut rng, &COMBINED).unwrap();
        let dist = |a: usize, b: usize| nu[a].iter().zip(&nu[b]).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt();
        assert!((dist(4, 3) - 0.45 * 11f64.sqrt()).abs() < 1e-12);
        assert!((dist(7, 6) - 0.45 * 11f64.sqrt()).abs() < 1e-12);
        assert!((dist(2, 1) - 0.8 * 11f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn labels_have_the_exact_counts() {
        let mut rng = Rng::from_seed(1);
        let labels = shuffled_labels(&mut rng, BRCA.classes);
        for (c, &(_, n)) in BRCA.classes.iter().enumerate() {
            assert_eq!(labels.iter().filter(|&&l| l == c).count(), n);
        }
        assert_ne!(labels[..564], vec![0; 564][..], "labels are shuffled");
    }
}
