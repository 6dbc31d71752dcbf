//! Logistic-regression attacks (metrics.md §4.2): the project's one-vs-rest L2 logistic
//! regression (§2.2–2.3, `numeric::logistic`) fitted on `(Xs, ys)` in attack space, then
//!
//! ```text
//! log p̂(c ∣ x) = log σ(z_c) − log Σ_c' σ(z_c')          (row-normalised OvR probabilities)
//! lr_loss(x)   = log p̂(y(x) ∣ x)    (−∞ when y(x) is absent from ys)
//! lr_conf(x)   = max_c log p̂(c ∣ x)  (rank-equivalent to max_c p̂(c ∣ x), never exponentiated)
//! ```
//!
//! With two classes the single model gives `(σ(−z), σ(z))`, which sum to one.

use super::AttackData;
use crate::numeric::logistic::{LrParams, OvrLr};

/// `log σ(z) = −log(1 + e^{−z})`, overflow-safe.
fn log_sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        -(-z).exp().ln_1p()
    } else {
        z - z.exp().ln_1p()
    }
}

/// Row-normalised log-probabilities of one row of OvR decision values.
fn log_probabilities(decision: &[f64], binary: bool) -> Vec<f64> {
    let logs: Vec<f64> = if binary {
        vec![log_sigmoid(-decision[0]), log_sigmoid(decision[0])]
    } else {
        decision.iter().map(|&z| log_sigmoid(z)).collect()
    };
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_total = max + logs.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
    logs.iter().map(|l| l - log_total).collect()
}

/// `(lr_loss, lr_conf)` scores and the fit's diagnostics (iterations / convergence per model).
pub fn lr_attacks(data: &AttackData, params: &LrParams) -> Result<(Vec<f64>, Vec<f64>, String), String> {
    let model = OvrLr::fit(&data.synthetic, &data.synthetic_labels, params).ok_or("single_class")?;
    let decision = model.decision_function(&data.candidates);
    let binary = model.classes.len() == 2;
    let mut loss = Vec::with_capacity(decision.rows());
    let mut conf = Vec::with_capacity(decision.rows());
    for (row, label) in decision.row_iter().zip(&data.labels) {
        let lp = log_probabilities(row, binary);
        conf.push(lp.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        loss.push(model.classes.iter().position(|c| c == label).map_or(f64::NEG_INFINITY, |k| lp[k]));
    }
    let converged = model.infos().iter().filter(|i| i.converged()).count();
    let info = format!("{converged}/{} converged", model.models.len());
    Ok((loss, conf, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_probabilities_match_the_normalised_sigmoids() {
        let z: [f64; 3] = [0.3, -1.2, 2.5];
        let s: Vec<f64> = z.iter().map(|&v| 1.0 / (1.0 + (-v).exp())).collect();
        let total: f64 = s.iter().sum();
        for (lp, si) in log_probabilities(&z, false).iter().zip(&s) {
            assert!((lp - (si / total).ln()).abs() < 1e-14);
        }
        let b = log_probabilities(&[0.7], true);
        assert!((b[1] - (1.0 / (1.0 + (-0.7f64).exp())).ln()).abs() < 1e-15);
        assert!((b[0].exp() + b[1].exp() - 1.0).abs() < 1e-15);
        // Far in the tail the log stays finite and ordered where σ would round to 1.
        assert!(log_sigmoid(-800.0).is_finite());
        assert!(log_sigmoid(40.0) < log_sigmoid(41.0));
    }
}
