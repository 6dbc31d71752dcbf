//! The audited generators and their test statistics (docs/audit.md §4).
//!
//! Black box, from the synthetic output only (every generator):
//! * `bb_projection`: `Σ_i ⟨x_i − c₀, u⟩`, `u` the unit vector from the public centre `c₀` to the
//!   canary (rows pulled towards the canary, and the row count, raise it);
//! * `bb_max`: `Σ_j max_i x_ij` (an extreme value that moves the top bin's value or the mean);
//! * `bb_rows`: the number of synthetic rows (reveals `n_train` when it is used).
//!
//! White box (`white_box`), from the noisy measurements — the mechanism alone:
//! * discretised generators: `Σ_M Σ_cells q·(y − q·c_D)/σ_M²` over the canary's cell in every
//!   measured marginal `M`, where `c_D` is D's exact count in that cell under the fit's released
//!   edges and compression and `q` the cell's query weight (1, or `1/√m` for a merged MST value).
//!   Under D the term is pure noise, under D′ it is shifted by `q`: the likelihood-ratio
//!   statistic of the measurement rounds;
//! * `dp-gaussian`: the same for its three releases of the canary's class:
//!   `(ñ − n_D)/σ_n² + ⟨s̃ − s_D, y*⟩/σ_s² + Σ_{i≤j} (S̃ − S_D)_ij·y*_i·y*_j/σ_S²` (diagonal
//!   covariance: `Σ_j (d̃_j − d_D,j)·y*_j²/σ_S²`), `y*` the clipped, centred canary.
//! * `dp-copula`: none yet — its `white_box` score is NaN (no test, ε̂ = 0); only the black-box
//!   statistics audit it.

use super::canary::AuditData;
use super::game::Trial;
use crate::data::dataset::TrainFold;
use crate::error::Result;
use crate::generators::copula::DpCopula;
use crate::generators::discrete::{DiscreteGenerator, DiscreteModel};
use crate::generators::dp_gaussian::{Clipping, DpGaussian, Moments, NoisyStats, Sigmas};
use crate::generators::independent::Independent;
use crate::generators::pgm::PrivatePgm;
use crate::generators::{Generator, Model, Synthetic};
use crate::privacy::accountant::{Accountant, Budget};
use crate::privacy::mechanisms::Noise;
use crate::rng::{Key, Rng};
use crate::{bail, ensure};

/// Statistic names, in score order.
pub const STATISTICS: [&str; 4] = ["white_box", "bb_projection", "bb_max", "bb_rows"];

/// A DP generator the audit can run, with its white-box hook.
pub enum Target {
    Pgm(PrivatePgm),
    Independent(Independent),
    DpGaussian(DpGaussian),
    DpCopula(DpCopula),
}

impl Target {
    /// The target for a grid generator, or `None` for a kind without a DP claim.
    pub fn from_spec(kind: &str, params: &toml::Table) -> Result<Option<Target>> {
        Ok(match kind {
            "private-pgm" => Some(Target::Pgm(PrivatePgm::from_params(params)?)),
            "independent" => Some(Target::Independent(Independent::from_params(params)?)),
            "dp-gaussian" => Some(Target::DpGaussian(DpGaussian::from_params(params)?)),
            "dp-copula" => Some(Target::DpCopula(DpCopula::from_params(params)?)),
            _ => None,
        })
    }

    /// One trial: fit on D or D′ with `rng`, score the measurements and the sample.
    pub fn trial(&self, data: &AuditData, with_canary: bool, budget: &Budget, rng: Rng) -> Result<Trial> {
        let labelled = if with_canary { &data.with } else { &data.without };
        let train = TrainFold::from_parts(labelled, &data.schema);
        let fit_rng = rng.child(&[Key::Str("fit")]);
        let mut sample_rng = rng.child(&[Key::Str("sample")]);
        let (white, model): (f64, Box<dyn Model>) = match self {
            Target::Pgm(g) => discrete_fit(g, &train, data, budget, &fit_rng)?,
            Target::Independent(g) => discrete_fit(g, &train, data, budget, &fit_rng)?,
            Target::DpGaussian(g) => {
                let mut acct = Accountant::new(budget)?;
                let (stats, sigmas) = g.measure(&train, &mut acct, &mut fit_rng.clone())?;
                let white = gaussian_white_box(g, &stats, sigmas, data)?;
                (white, g.fit(&train, budget, &mut fit_rng.clone())?)
            }
            Target::DpCopula(g) => (f64::NAN, g.fit(&train, budget, &mut fit_rng.clone())?),
        };
        let synthetic = model.sample(model.sample_size(train.n_rows()), &mut sample_rng)?;
        let mut scores = vec![white];
        scores.extend(black_box(&synthetic, data));
        Ok(Trial { scores, privacy: Some(model.privacy().clone()) })
    }
}

fn discrete_fit<G: DiscreteGenerator>(
    g: &G,
    train: &TrainFold<'_>,
    data: &AuditData,
    budget: &Budget,
    rng: &Rng,
) -> Result<(f64, Box<dyn Model>)> {
    let model = g.fit_model(train, budget, Noise::from_rng(rng))?;
    Ok((discrete_white_box(&model, data)?, Box::new(model)))
}

/// `[bb_projection, bb_max, bb_rows]` of a synthetic sample.
pub fn black_box(s: &Synthetic, data: &AuditData) -> [f64; 3] {
    let (lo, hi) = data.schema.public_range;
    let centre = 0.5 * (lo + hi);
    let dir: Vec<f64> = data.canary.iter().map(|v| v - centre).collect();
    let norm = dir.iter().map(|v| v * v).sum::<f64>().sqrt().max(f64::MIN_POSITIVE);
    let projection: f64 =
        s.x.row_iter().map(|row| row.iter().zip(&dir).map(|(x, d)| (x - centre) * d).sum::<f64>()).sum::<f64>() / norm;
    let maxima: f64 = if s.x.rows() == 0 {
        0.0
    } else {
        (0..s.x.cols()).map(|j| (0..s.x.rows()).map(|i| s.x.get(i, j)).fold(f64::NEG_INFINITY, f64::max)).sum()
    };
    [projection, maxima, s.x.rows() as f64]
}

/// Codes of a record on the fit's discrete domain: genes binned by the released edges, the label
/// as its class index, both through the MST compression when there is one.
fn record_codes(model: &DiscreteModel, data: &AuditData, x: &[f64], label: &str) -> Result<Vec<u32>> {
    let edges = model.edges();
    let p = x.len();
    let Some(class) = data.schema.classes.iter().position(|c| c == label) else {
        bail!("label '{label}' is not in the class set");
    };
    let raw = (0..=p).map(|a| if a < p { edges.bin(a, x[a]) as u32 } else { class as u32 });
    Ok(raw.enumerate().map(|(a, v)| model.compression().map_or(v, |c| c.code(a, v))).collect())
}

/// The white-box statistic of a discretised fit (module documentation).
pub fn discrete_white_box(model: &DiscreteModel, data: &AuditData) -> Result<f64> {
    let sizes = model.plan().sizes();
    let canary = record_codes(model, data, &data.canary, &data.canary_label)?;
    let rows: Vec<Vec<u32>> = (0..data.without.x.rows())
        .map(|i| record_codes(model, data, data.without.x.row(i), &data.without.labels[i]))
        .collect::<Result<_>>()?;
    let mut stat = 0.0;
    for m in model.measurements() {
        let cells: usize = m.clique.iter().map(|&a| sizes[a]).product();
        ensure!(cells == m.y.len(), "measurement on {:?} has {} cells, expected {cells}", m.clique, m.y.len());
        let cell = m.clique.iter().fold(0, |acc, &a| acc * sizes[a] + canary[a] as usize);
        let count = rows.iter().filter(|r| m.clique.iter().all(|&a| r[a] == canary[a])).count() as f64;
        let q = m.weight(cell);
        stat += q * (m.y[cell] - q * count) / (m.sigma * m.sigma);
    }
    Ok(stat)
}

/// The white-box statistic of `dp-gaussian` (module documentation), with the ledger's σ.
pub fn gaussian_white_box(g: &DpGaussian, stats: &[NoisyStats], sigmas: Sigmas, data: &AuditData) -> Result<f64> {
    let p = data.canary.len();
    let Some(c) = data.schema.classes.iter().position(|l| *l == data.canary_label) else {
        bail!("canary label '{}' is not in the class set", data.canary_label);
    };
    let clipping = Clipping::new(g, data.schema.public_range, p);
    let star = clipping.apply(&crate::data::matrix::Matrix::from_row_major(1, p, data.canary.clone())?);
    let star = star.row(0);
    let rows: Vec<usize> =
        (0..data.without.x.rows()).filter(|&i| data.without.labels[i] == data.canary_label).collect();
    let y = clipping.apply(&data.without.x.select_rows(&rows));
    let s = &stats[c];
    let mut stat = (s.count - rows.len() as f64) / sigmas.count.powi(2);
    for j in 0..p {
        let exact: f64 = y.row_iter().map(|r| r[j]).sum();
        stat += (s.sum[j] - exact) * star[j] / sigmas.sum.powi(2);
    }
    let moment = |i: usize, j: usize| y.row_iter().map(|r| r[i] * r[j]).sum::<f64>();
    let var = sigmas.moments.powi(2);
    match &s.moments {
        Moments::Full(m) => {
            for i in 0..p {
                for j in i..p {
                    stat += (m[(i, j)] - moment(i, j)) * star[i] * star[j] / var;
                }
            }
        }
        Moments::Diagonal(d) => {
            for j in 0..p {
                stat += (d[j] - moment(j, j)) * star[j] * star[j] / var;
            }
        }
    }
    Ok(stat)
}
