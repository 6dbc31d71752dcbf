//! Noise mechanisms (generators.md §1.3): the Gaussian mechanism on count marginals and the
//! exponential mechanism by Gumbel-max. Every release here is charged to an [`Accountant`]
//! before its noise is drawn.

use super::accountant::{exponential_rho, gaussian_sigma, Accountant};
use crate::ensure;
use crate::error::Result;
use crate::rng::{Key, Rng};

/// Where mechanism noise comes from.
///
/// `Gaussian` is the only variant a generator built from the grid ever uses. `Off` adds no
/// noise (the Gaussian draws are 0 and the exponential mechanism becomes an exact argmax) while
/// σ, the ledger and the budget stay exactly as planned: it is the test-only "infinite budget"
/// path used to check that estimation reproduces exact marginals. No grid key reaches it.
///
/// `Gaussian` carries a `scale` multiplying every draw: 1 except for the audit-only grid key
/// `noise_scale` (docs/audit.md §5), which deliberately breaks the mechanism and voids the claim.
#[derive(Clone, Debug)]
pub enum Noise {
    Gaussian { rng: Box<Rng>, scale: f64 },
    Off,
}

impl Noise {
    /// Noise drawn from a stream keyed by `rng` (the fit stream).
    pub fn from_rng(rng: &Rng) -> Noise {
        Noise::Gaussian { rng: Box::new(rng.clone()), scale: 1.0 }
    }

    /// The same stream with every draw multiplied by `factor` (the audit-only `noise_scale`).
    pub fn scaled(self, factor: f64) -> Noise {
        match self {
            Noise::Gaussian { rng, scale } => Noise::Gaussian { rng, scale: scale * factor },
            Noise::Off => Noise::Off,
        }
    }

    /// An independent sub-stream for one named phase, so that the noise of a phase does not
    /// depend on which phases ran before it (e.g. on the edge mode).
    pub fn phase(&self, phase: &str) -> Noise {
        match self {
            Noise::Gaussian { rng, scale } => {
                Noise::Gaussian { rng: Box::new(rng.child(&[Key::Str("noise"), Key::Str(phase)])), scale: *scale }
            }
            Noise::Off => Noise::Off,
        }
    }

    /// One standard normal variate (0 when noise is off).
    pub fn normal(&mut self) -> f64 {
        match self {
            Noise::Gaussian { rng, scale } => *scale * rng.normal(),
            Noise::Off => 0.0,
        }
    }

    /// One standard Gumbel variate `−ln(−ln U)`, U uniform on (0, 1) (0 when noise is off).
    pub fn gumbel(&mut self) -> f64 {
        match self {
            Noise::Gaussian { rng, scale } => -*scale * (-rng.uniform_open().ln()).ln(),
            Noise::Off => 0.0,
        }
    }

    pub fn is_off(&self) -> bool {
        matches!(self, Noise::Off)
    }
}

/// σ of a round of `k` count marginals sharing `rho` equally (§1.3): each marginal has L2
/// sensitivity 1, so the round has sensitivity √k and σ = √k/√(2ρ) = √(k/(2ρ)).
pub fn count_round_sigma(k: usize, rho: f64) -> f64 {
    gaussian_sigma(rho, (k as f64).sqrt())
}

/// The Gaussian mechanism `q(D) + N(0, σ²I)` with σ = Δ/√(2ρ) (§1.3). Charges `rho` to
/// `phase` as one ledger entry (`sigma`, `sensitivity` and the caller's `params`), then adds
/// noise to every value in order. Returns σ.
pub fn gaussian_mechanism(
    acct: &mut Accountant,
    phase: &str,
    rho: f64,
    sensitivity: f64,
    params: &[(&str, f64)],
    values: &mut [f64],
    noise: &mut Noise,
) -> Result<f64> {
    ensure!(rho > 0.0 && rho.is_finite(), "phase '{phase}': the Gaussian mechanism needs a share rho > 0, got {rho}");
    ensure!(sensitivity >= 0.0 && sensitivity.is_finite(), "phase '{phase}': invalid sensitivity {sensitivity}");
    let sigma = gaussian_sigma(rho, sensitivity);
    let mut recorded: Vec<(&str, f64)> = params.to_vec();
    recorded.push(("sigma", sigma));
    recorded.push(("sensitivity", sensitivity));
    acct.charge(phase, "gaussian", rho, &recorded)?;
    for v in values.iter_mut() {
        *v += sigma * noise.normal();
    }
    Ok(sigma)
}

/// A round of `k` count marginals (tables concatenated in `cells`) sharing `rho` equally:
/// one ledger entry with `k` and σ = √(k/(2ρ)) (§1.3). Returns σ.
pub fn count_round(
    acct: &mut Accountant,
    phase: &str,
    rho: f64,
    k: usize,
    cells: &mut [f64],
    noise: &mut Noise,
) -> Result<f64> {
    ensure!(k > 0, "phase '{phase}': a round needs at least one marginal");
    gaussian_mechanism(acct, phase, rho, (k as f64).sqrt(), &[("k", k as f64)], cells, noise)
}

/// Gumbel-perturbed utilities `ε·u(r)/(2Δ) + G_r` (§1.3). The argmax of these is one draw of
/// the ε-DP exponential mechanism `P(r) ∝ exp(ε·u(r)/(2Δ))` (the Gumbel-max trick).
pub fn gumbel_perturb(scores: &[f64], eps: f64, sensitivity: f64, noise: &mut Noise) -> Vec<f64> {
    let scale = eps / (2.0 * sensitivity);
    scores.iter().map(|&u| scale * u + noise.gumbel()).collect()
}

/// One draw of the exponential mechanism by Gumbel-max; ties go to the lowest index.
/// The caller charges it with [`charge_exponential`].
pub fn exponential_mechanism(scores: &[f64], eps: f64, sensitivity: f64, noise: &mut Noise) -> usize {
    argmax(&gumbel_perturb(scores, eps, sensitivity, noise))
}

/// Charge `count` ε-DP exponential-mechanism draws as one ledger entry: ρ = count·ε²/8.
/// Returns the ρ charged.
pub fn charge_exponential(acct: &mut Accountant, phase: &str, eps: f64, count: usize) -> Result<f64> {
    let rho = count as f64 * exponential_rho(eps);
    acct.charge(phase, "exponential", rho, &[("k", count as f64), ("epsilon", eps)])?;
    Ok(rho)
}

/// Index of the largest value (first on ties).
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::accountant::Budget;

    #[test]
    fn count_round_sigma_matches_the_brca_table() {
        // generators.md §3.1: p = 978, ε = 1 → ρ = 0.030557, halves for each round.
        let rho = crate::privacy::accountant::cdp_rho(1.0, 1e-5);
        assert!((count_round_sigma(979, rho / 2.0) - 178.99).abs() < 0.005);
        assert!((count_round_sigma(978, rho / 2.0) - 178.90).abs() < 0.005);
        // Hand case: k = 2, ρ = 1 → σ = 1.
        assert!((count_round_sigma(2, 1.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn a_round_is_one_ledger_entry_with_k_and_sigma() {
        let mut acct = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let rho = acct.rho_total() / 2.0;
        let mut cells = vec![10.0; 12];
        let mut noise = Noise::from_rng(&Rng::from_seed(1));
        let sigma = count_round(&mut acct, "one_way", rho, 3, &mut cells, &mut noise).unwrap();
        let report = acct.report(&[], vec![], vec![]);
        assert_eq!(report.ledger.len(), 1);
        assert_eq!(report.ledger[0].params["k"], 3.0);
        assert_eq!(report.ledger[0].params["sigma"], sigma);
        assert_eq!(report.ledger[0].rho, rho);
        assert!(cells.iter().all(|&c| c != 10.0), "noise was added to every cell");
        let mut off = vec![10.0; 12];
        count_round(&mut acct, "two_way", rho, 3, &mut off, &mut Noise::Off).unwrap();
        assert!(off.iter().all(|&c| c == 10.0));
        assert!((acct.rho_spent() - acct.rho_total()).abs() <= 1e-15 * acct.rho_total());
    }

    #[test]
    fn phases_draw_from_independent_streams() {
        let base = Noise::from_rng(&Rng::from_seed(5));
        let a = base.phase("one_way").normal();
        let a2 = base.phase("one_way").normal();
        let b = base.phase("two_way").normal();
        assert_eq!(a, a2);
        assert_ne!(a, b);
    }

    #[test]
    fn exponential_mechanism_frequencies_follow_the_weights() {
        // Scores 0, 1, 2 at ε = 2, Δ = 1: P(r) ∝ e^r.
        let scores = [0.0, 1.0, 2.0];
        let mut noise = Noise::from_rng(&Rng::from_seed(9));
        let n = 60_000;
        let mut counts = [0usize; 3];
        for _ in 0..n {
            counts[exponential_mechanism(&scores, 2.0, 1.0, &mut noise)] += 1;
        }
        let z: f64 = (0..3).map(|r| (r as f64).exp()).sum();
        for (r, &count) in counts.iter().enumerate() {
            let p = (r as f64).exp() / z;
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            let got = count as f64 / n as f64;
            assert!((got - p).abs() < 5.0 * sd, "r = {r}: {got} vs {p}");
        }
        assert_eq!(exponential_mechanism(&scores, 2.0, 1.0, &mut Noise::Off), 2);
    }

    #[test]
    fn exponential_charge_is_eps_squared_over_eight() {
        let mut acct = Accountant::new(&Budget::dp(8.0, 1e-5).unwrap()).unwrap();
        let rho = charge_exponential(&mut acct, "selection", 0.5, 4).unwrap();
        assert!((rho - 4.0 * 0.25 / 8.0).abs() < 1e-15);
        assert_eq!(acct.report(&[], vec![], vec![]).ledger[0].params["epsilon"], 0.5);
    }
}
