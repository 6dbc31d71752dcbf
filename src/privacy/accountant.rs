//! The zCDP accountant (generators.md §1): (ε, δ) → ρ conversion, a ledger of charges, and the
//! privacy report every generator writes.

use crate::error::Result;
use crate::{bail, ensure};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Smallest δ implied by ρ-zCDP at this ε (Canonne, Kamath, Steinke 2020), by bisection on the
/// Rényi order α as in generators.md §1.2.
pub fn cdp_delta(rho: f64, eps: f64) -> f64 {
    if rho == 0.0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (1.01_f64, (eps + 1.0) / (2.0 * rho) + 2.0);
    for _ in 0..1000 {
        let alpha = 0.5 * (lo + hi);
        if (2.0 * alpha - 1.0) * rho - eps + (-1.0 / alpha).ln_1p() < 0.0 {
            lo = alpha;
        } else {
            hi = alpha;
        }
        if hi - lo < 1e-15 * hi.max(1.0) {
            break;
        }
    }
    let alpha = 0.5 * (lo + hi);
    let delta = ((alpha - 1.0) * (alpha * rho - eps) + alpha * (-1.0 / alpha).ln_1p()).exp() / (alpha - 1.0);
    delta.min(1.0)
}

/// Largest ρ with `cdp_delta(ρ, ε) ≤ δ` (the lower end of the bisection: conservative).
pub fn cdp_rho(eps: f64, delta: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, eps + 1.0);
    for _ in 0..1000 {
        let rho = 0.5 * (lo + hi);
        if cdp_delta(rho, eps) <= delta {
            lo = rho;
        } else {
            hi = rho;
        }
        if hi - lo < 1e-15 * hi.max(1.0) {
            break;
        }
    }
    lo
}

/// Smallest ε with `cdp_delta(ρ, ε) ≤ δ` (the upper end of the bisection).
pub fn cdp_eps(rho: f64, delta: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, rho + 2.0 * (rho * (1.0 / delta).ln()).sqrt() + 1.0);
    for _ in 0..1000 {
        let eps = 0.5 * (lo + hi);
        if cdp_delta(rho, eps) <= delta {
            hi = eps;
        } else {
            lo = eps;
        }
        if hi - lo < 1e-15 * hi.max(1.0) {
            break;
        }
    }
    hi
}

/// Standard deviation of the Gaussian mechanism with L2 sensitivity `sensitivity` at cost ρ:
/// ρ = Δ²/(2σ²) ⇒ σ = Δ/√(2ρ).
pub fn gaussian_sigma(rho: f64, sensitivity: f64) -> f64 {
    sensitivity / (2.0 * rho).sqrt()
}

/// zCDP cost of the Gaussian mechanism: ρ = Δ²/(2σ²).
pub fn gaussian_rho(sigma: f64, sensitivity: f64) -> f64 {
    sensitivity * sensitivity / (2.0 * sigma * sigma)
}

/// zCDP cost of an ε-DP exponential mechanism: ρ = ε²/8.
pub fn exponential_rho(eps_em: f64) -> f64 {
    eps_em * eps_em / 8.0
}

/// What a generator is asked to spend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Budget {
    /// (ε, δ)-DP, converted to ρ-zCDP.
    Dp { epsilon: f64, delta: f64 },
    /// No privacy claim (ε = ∞); only non-private generators accept it.
    NonPrivate,
}

impl Budget {
    /// Validated (ε, δ) budget: ε > 0 finite, δ ∈ (0, 1).
    pub fn dp(epsilon: f64, delta: f64) -> Result<Budget> {
        ensure!(epsilon.is_finite() && epsilon > 0.0, "epsilon must be a finite number > 0, got {epsilon}");
        ensure!(delta > 0.0 && delta < 1.0, "delta must lie in (0, 1), got {delta}");
        Ok(Budget::Dp { epsilon, delta })
    }

    pub fn epsilon(&self) -> f64 {
        match self {
            Budget::Dp { epsilon, .. } => *epsilon,
            Budget::NonPrivate => f64::INFINITY,
        }
    }

    pub fn delta(&self) -> Option<f64> {
        match self {
            Budget::Dp { delta, .. } => Some(*delta),
            Budget::NonPrivate => None,
        }
    }
}

/// One ledger entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Charge {
    pub phase: String,
    pub mechanism: String,
    pub rho: f64,
    /// Mechanism parameters (e.g. `k`, `sigma`), recorded as given.
    pub params: BTreeMap<String, f64>,
}

/// Tracks ρ spent against a total, refusing any overspend (generators.md §1.1).
#[derive(Clone, Debug)]
pub struct Accountant {
    epsilon: f64,
    delta: f64,
    rho_total: f64,
    rho_spent: f64,
    ledger: Vec<Charge>,
}

impl Accountant {
    /// An accountant for an (ε, δ) budget; errors on a non-private budget.
    pub fn new(budget: &Budget) -> Result<Accountant> {
        match *budget {
            Budget::Dp { epsilon, delta } => {
                Budget::dp(epsilon, delta)?;
                Ok(Accountant { epsilon, delta, rho_total: cdp_rho(epsilon, delta), rho_spent: 0.0, ledger: vec![] })
            }
            Budget::NonPrivate => bail!("a DP generator needs a finite epsilon (got epsilon = inf)"),
        }
    }

    pub fn rho_total(&self) -> f64 {
        self.rho_total
    }

    pub fn rho_spent(&self) -> f64 {
        self.rho_spent
    }

    pub fn remaining(&self) -> f64 {
        (self.rho_total - self.rho_spent).max(0.0)
    }

    /// Record a charge of `rho`; refuses (without recording) if it would overspend.
    pub fn charge(&mut self, phase: &str, mechanism: &str, rho: f64, params: &[(&str, f64)]) -> Result<()> {
        ensure!(rho.is_finite() && rho >= 0.0, "phase '{phase}': invalid privacy charge rho = {rho}");
        let after = self.rho_spent + rho;
        if after > self.rho_total * (1.0 + 1e-12) {
            bail!(
                "phase '{phase}': charging rho = {rho} would spend {after} of a total budget rho = {}",
                self.rho_total
            );
        }
        self.rho_spent = after;
        self.ledger.push(Charge {
            phase: phase.to_string(),
            mechanism: mechanism.to_string(),
            rho,
            params: params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        });
        Ok(())
    }

    /// The report for a DP generator: `split_fractions` are the declared phase fractions of
    /// the budget (generators.md §1.4; reported as ρ per phase, as in §1.5), plus the
    /// non-private steps and warnings.
    pub fn report(
        &self,
        split_fractions: &[(&str, f64)],
        non_private_steps: Vec<String>,
        warnings: Vec<String>,
    ) -> PrivacyReport {
        PrivacyReport {
            dp: true,
            epsilon: Some(self.epsilon),
            delta: Some(self.delta),
            rho_budget: Some(self.rho_total),
            rho_spent: Some(self.rho_spent),
            epsilon_spent: Some(cdp_eps(self.rho_spent, self.delta)),
            neighbouring: "add-remove".into(),
            split: split_fractions.iter().map(|(k, f)| (k.to_string(), f * self.rho_total)).collect(),
            ledger: self.ledger.clone(),
            non_private_steps,
            warnings,
            fp_caveat: true,
        }
    }
}

/// `privacy.json` (generators.md §1.5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivacyReport {
    pub dp: bool,
    pub epsilon: Option<f64>,
    pub delta: Option<f64>,
    pub rho_budget: Option<f64>,
    pub rho_spent: Option<f64>,
    pub epsilon_spent: Option<f64>,
    pub neighbouring: String,
    /// ρ allotted to each phase (its fraction of the budget × ρ budget), as in §1.5.
    pub split: BTreeMap<String, f64>,
    pub ledger: Vec<Charge>,
    /// Every step that reads the data outside the accountant.
    pub non_private_steps: Vec<String>,
    pub warnings: Vec<String>,
    /// Floating-point side channels are out of scope (generators.md §1.3).
    pub fp_caveat: bool,
}

impl PrivacyReport {
    /// The report of a generator that makes no privacy claim.
    pub fn non_private(non_private_steps: Vec<String>) -> PrivacyReport {
        PrivacyReport {
            dp: false,
            epsilon: None,
            delta: None,
            rho_budget: None,
            rho_spent: None,
            epsilon_spent: None,
            neighbouring: "add-remove".into(),
            split: BTreeMap::new(),
            ledger: vec![],
            non_private_steps,
            warnings: vec![],
            fp_caveat: false,
        }
    }

    /// `phase=rho;…` in phase-name order, for the result row.
    pub fn split_string(&self) -> String {
        self.split.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";")
    }

    /// True when the whole pipeline is DP (no non-private step).
    pub fn end_to_end_dp(&self) -> bool {
        self.dp && self.non_private_steps.is_empty()
    }

    /// Apply the audit-only `noise_scale` (docs/audit.md §5): any value other than 1 means the
    /// noise no longer matches the ledger, so the claim is void — `dp: false` (hence
    /// `end_to_end_dp: false`) and the warning [`WARN_NOISE_SCALE`]`=<scale>` in every output.
    pub fn apply_noise_scale(&mut self, scale: f64) {
        if scale != 1.0 {
            self.dp = false;
            self.warnings.push(format!("{WARN_NOISE_SCALE}={scale}"));
        }
    }
}

/// Warning prefix of a fit whose noise was rescaled by `noise_scale` ≠ 1: the ledger no longer
/// describes the noise, and the privacy claim is void (docs/audit.md §5).
pub const WARN_NOISE_SCALE: &str = "dp_claim_void:noise_scale";

/// Check the audit-only grid key `noise_scale` (default 1): a finite number > 0.
pub fn check_noise_scale(scale: Option<f64>) -> Result<f64> {
    let s = scale.unwrap_or(1.0);
    ensure!(s.is_finite() && s > 0.0, "key 'noise_scale' must be a finite number > 0, got {s}");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs()
    }

    #[test]
    fn rho_test_vectors_from_the_spec() {
        // generators.md §1.2 test vectors, δ = 1e-5, relative tolerance 1e-6.
        for (eps, rho) in [(0.1, 0.000432994), (1.0, 0.0305566), (4.0, 0.373144), (7.0, 0.981575), (8.0, 1.229715)] {
            let got = cdp_rho(eps, 1e-5);
            assert!(rel(got, rho) < 1e-6, "eps {eps}: {got} vs {rho}");
        }
    }

    #[test]
    fn conversions_round_trip() {
        for eps in [0.1, 1.0, 7.0] {
            let rho = cdp_rho(eps, 1e-5);
            assert!(cdp_delta(rho, eps) <= 1e-5 * (1.0 + 1e-9));
        }
        assert!(rel(cdp_eps(cdp_rho(1.0, 1e-5), 1e-5), 1.0) < 1e-6);
        let sigma = gaussian_sigma(0.25, 1.0);
        assert!(rel(sigma, 2.0_f64.sqrt()) < 1e-15);
        assert!(rel(gaussian_rho(sigma, 1.0), 0.25) < 1e-15);
    }

    #[test]
    fn refuses_to_overspend() {
        let mut a = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let half = a.rho_total() / 2.0;
        a.charge("one_way", "gaussian", half, &[("k", 979.0)]).unwrap();
        a.charge("two_way", "gaussian", half, &[]).unwrap();
        let e = a.charge("extra", "gaussian", 1e-6, &[]).unwrap_err().to_string();
        assert!(e.contains("phase 'extra'"), "{e}");
        assert_eq!(a.report(&[], vec![], vec![]).ledger.len(), 2);
    }

    #[test]
    fn noise_scale_voids_the_claim() {
        let a = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let mut r = a.report(&[], vec![], vec![]);
        r.apply_noise_scale(1.0);
        assert!(r.dp && r.warnings.is_empty());
        r.apply_noise_scale(0.1);
        assert!(!r.dp && !r.end_to_end_dp());
        assert_eq!(r.warnings, vec![format!("{WARN_NOISE_SCALE}=0.1")]);
        assert_eq!(check_noise_scale(None).unwrap(), 1.0);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(check_noise_scale(Some(bad)).unwrap_err().to_string().contains("'noise_scale'"));
        }
    }

    #[test]
    fn rejects_invalid_budgets() {
        assert!(Budget::dp(0.0, 1e-5).is_err());
        assert!(Budget::dp(-1.0, 1e-5).is_err());
        assert!(Budget::dp(1.0, 1.0).is_err());
        assert!(Budget::dp(1.0, 0.0).is_err());
        assert!(Accountant::new(&Budget::NonPrivate).is_err());
    }
}
