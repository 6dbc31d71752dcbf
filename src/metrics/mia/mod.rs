//! Profile `mia` (metrics.md §4): membership-inference attacks on the synthetic set of a cell.
//!
//! Candidates are the real train fold (members) followed by the real test fold (non-members);
//! every output is a rank statistic over tie groups (`roc`), so the order of the candidates
//! does not matter. The reference set `Ref` is the test fold under leave-one-out (§4.1); an
//! external reference file (`mia.reference = <file>`) and therefore `mahalanobis_cal` are not
//! supported yet. All computation lives in pure functions; [`metric`] adapts them to the
//! `Metric` trait.

pub mod distance;
pub mod kde;
pub mod lr;
pub mod mahalanobis;
pub mod marginal;
pub mod metric;
pub mod roc;
pub mod roc_table;
pub mod scaling;
pub mod summary;

use crate::data::matrix::Matrix;
use crate::numeric::logistic::LrParams;
use scaling::Scaling;

/// The attacks of §4.2 that bench computes, in column order.
pub const ATTACKS: &[&str] = &[
    "gan_leaks",
    "gan_leaks_cal",
    "mc",
    "domias_kde",
    "mahalanobis",
    "mahalanobis_cc",
    "lr_loss",
    "lr_conf",
    "marginal_ratio",
];

/// Parameters of the profile (metrics.md §6).
#[derive(Clone, Debug, PartialEq)]
pub struct MiaParams {
    pub scaling: Scaling,
    /// `mia.mc_percentile` (0–100).
    pub mc_percentile: f64,
    /// `mia.kde_q`: PCA components of `domias_kde` (capped at `|Ref| − 2`).
    pub kde_q: usize,
    /// `mia.ridge_alpha` of the Mahalanobis attacks.
    pub ridge_alpha: f64,
    /// `mia.marginal_bins`.
    pub marginal_bins: usize,
    /// `lr.C`, `lr.max_iter`, `lr.tol`.
    pub lr: LrParams,
}

impl Default for MiaParams {
    fn default() -> Self {
        MiaParams {
            scaling: Scaling::Synthetic,
            mc_percentile: 10.0,
            kde_q: 100,
            ridge_alpha: 1e-6,
            marginal_bins: 4,
            lr: LrParams::default(),
        }
    }
}

/// The attacker's view in attack space: candidates (members first), their labels, the
/// synthetic set; `Ref` = the non-member candidates.
pub struct AttackData {
    pub candidates: Matrix,
    pub labels: Vec<String>,
    pub n_members: usize,
    pub synthetic: Matrix,
    pub synthetic_labels: Vec<String>,
    members: Matrix,
    reference: Matrix,
}

impl AttackData {
    /// `candidates` hold the `n_members` members first, then the reference (non-member) rows.
    pub fn new(
        candidates: Matrix,
        labels: Vec<String>,
        n_members: usize,
        synthetic: Matrix,
        synthetic_labels: Vec<String>,
    ) -> AttackData {
        let members = candidates.select_rows(&(0..n_members).collect::<Vec<_>>());
        let reference = candidates.select_rows(&(n_members..candidates.rows()).collect::<Vec<_>>());
        AttackData { candidates, labels, n_members, synthetic, synthetic_labels, members, reference }
    }

    pub fn members(&self) -> &Matrix {
        &self.members
    }

    /// `Ref`: the non-member candidates, in candidate order.
    pub fn reference(&self) -> &Matrix {
        &self.reference
    }

    /// Membership flag of each candidate.
    pub fn is_member(&self) -> Vec<bool> {
        (0..self.candidates.rows()).map(|i| i < self.n_members).collect()
    }
}

/// One attack's scores (higher = more likely member), or why it could not run.
pub struct AttackScores {
    pub attack: &'static str,
    pub scores: Result<Vec<f64>, String>,
}

/// Run every attack of [`ATTACKS`] (independent groups in parallel). Returns the scores in
/// [`ATTACKS`] order and diagnostics (`name`, `value`).
pub fn run_attacks(data: &AttackData, params: &MiaParams) -> (Vec<AttackScores>, Vec<(String, String)>) {
    let ((dist, kde), (maha, (lr, marginal))) = rayon::join(
        || {
            rayon::join(
                || distance::distance_attacks(data, params.mc_percentile),
                || kde::domias_kde(data, params.kde_q),
            )
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || mahalanobis::mahalanobis(data, params.ridge_alpha),
                        || mahalanobis::mahalanobis_cc(data, params.ridge_alpha),
                    )
                },
                || {
                    rayon::join(
                        || lr::lr_attacks(data, &params.lr),
                        || marginal::marginal_ratio(data, params.marginal_bins),
                    )
                },
            )
        },
    );
    let mut diagnostics = Vec::new();
    let kde = kde.map(|(scores, q)| {
        if q < params.kde_q {
            diagnostics.push(("domias_kde_q".to_string(), format!("{q} (capped at |Ref| - 2)")));
        }
        scores
    });
    let (lr_loss, lr_conf) = match lr {
        Ok((loss, conf, info)) => {
            diagnostics.push(("lr_fit".to_string(), info));
            (Ok(loss), Ok(conf))
        }
        Err(e) => (Err(e.clone()), Err(e)),
    };
    let all =
        vec![Ok(dist.gan_leaks), Ok(dist.gan_leaks_cal), Ok(dist.mc), kde, maha.0, maha.1, lr_loss, lr_conf, marginal];
    let scores = ATTACKS.iter().zip(all).map(|(&attack, scores)| AttackScores { attack, scores }).collect();
    (scores, diagnostics)
}
