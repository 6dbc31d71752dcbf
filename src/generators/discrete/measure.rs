//! Noisy marginal measurements (generators.md §3.1), the minimum-variance total N̂ (§3.2), and
//! their JSON-lines dump for the cross-checks of §9.

use super::discretise::DiscreteData;
use crate::error::{Context, Result};
use crate::io::write_atomic;
use crate::privacy::accountant::Accountant;
use crate::privacy::mechanisms::{count_round, Noise};
use crate::{bail, ensure};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One noisy marginal `(clique, y, σ)`: `y` is the table of the attributes in `clique`
/// (ascending indices) flattened in C order, measured with noise `N(0, σ²)` per cell.
///
/// `weights` is the diagonal query `Q` of a re-expressed measurement (MST domain compression,
/// §4): the measurement is then `Q·x + noise`. `None` is the identity query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub clique: Vec<usize>,
    pub y: Vec<f64>,
    pub sigma: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
}

impl Measurement {
    /// Query weight of cell `i` (1 for the identity query).
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.as_ref().map_or(1.0, |w| w[i])
    }
}

/// Round `one_way` (§3.1): the histogram of every attribute of `data` (genes, then the label),
/// `k = d` marginals sharing `rho`. Returns the measurements in attribute order.
pub fn one_way_round(data: &DiscreteData, rho: f64, acct: &mut Accountant, noise: &Noise) -> Result<Vec<Measurement>> {
    let attrs: Vec<Vec<usize>> = (0..data.attrs()).map(|a| vec![a]).collect();
    let tables: Vec<Vec<f64>> = (0..data.attrs()).map(|a| data.histogram(a)).collect();
    noisy_round(attrs, tables, "one_way", rho, acct, noise)
}

/// Round `two_way` of label-star (§3.1): every (gene, label) table, `k = p` marginals sharing
/// `rho`. The label is the last attribute of `data`.
pub fn gene_label_round(
    data: &DiscreteData,
    rho: f64,
    acct: &mut Accountant,
    noise: &Noise,
) -> Result<Vec<Measurement>> {
    let label = data.attrs() - 1;
    pair_round(data, &(0..label).map(|j| (j, label)).collect::<Vec<_>>(), "two_way", rho, acct, noise)
}

/// A round of 2-way count marginals on `pairs` (each `a < b`), sharing `rho` in phase `phase`.
pub fn pair_round(
    data: &DiscreteData,
    pairs: &[(usize, usize)],
    phase: &str,
    rho: f64,
    acct: &mut Accountant,
    noise: &Noise,
) -> Result<Vec<Measurement>> {
    let cliques: Vec<Vec<usize>> = pairs.iter().map(|&(a, b)| vec![a, b]).collect();
    let tables: Vec<Vec<f64>> = pairs.iter().map(|&(a, b)| data.pair_histogram(a, b)).collect();
    noisy_round(cliques, tables, phase, rho, acct, noise)
}

/// The label-star measurement set (§3.1): [`one_way_round`] then [`gene_label_round`], with
/// the noise of each round from its own phase stream of `noise`.
pub fn label_star_measurements(
    data: &DiscreteData,
    rho_one_way: f64,
    rho_two_way: f64,
    acct: &mut Accountant,
    noise: &Noise,
) -> Result<Vec<Measurement>> {
    let mut all = one_way_round(data, rho_one_way, acct, noise)?;
    all.extend(gene_label_round(data, rho_two_way, acct, noise)?);
    Ok(all)
}

/// Charge one round of `k = tables.len()` count marginals and add its noise, cells in table
/// order, from the phase's noise stream.
fn noisy_round(
    cliques: Vec<Vec<usize>>,
    tables: Vec<Vec<f64>>,
    phase: &str,
    rho: f64,
    acct: &mut Accountant,
    noise: &Noise,
) -> Result<Vec<Measurement>> {
    let mut cells: Vec<f64> = tables.iter().flatten().copied().collect();
    let sigma = count_round(acct, phase, rho, tables.len(), &mut cells, &mut noise.phase(phase))?;
    let mut rest = cells.as_slice();
    let mut out = Vec::with_capacity(tables.len());
    for (clique, table) in cliques.into_iter().zip(&tables) {
        let (y, tail) = rest.split_at(table.len());
        rest = tail;
        out.push(Measurement { clique, y: y.to_vec(), sigma, weights: None });
    }
    Ok(out)
}

/// Minimum-variance unbiased total (§3.2): each measurement estimates the total by
/// `ŝ_M = Σ_i y_i/q_i` with variance `v_M = σ_M²·Σ_i 1/q_i²` (for the identity query `Σ y` and
/// `σ²·|y|`); `N̂ = max(1, Σ (ŝ_M/v_M) / Σ (1/v_M))`. The true N is never used.
pub fn minimum_variance_total(measurements: &[Measurement]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for m in measurements {
        let (mut s, mut v) = (0.0, 0.0);
        for (i, &y) in m.y.iter().enumerate() {
            let q = m.weight(i);
            s += y / q;
            v += 1.0 / (q * q);
        }
        let var = m.sigma * m.sigma * v;
        num += s / var;
        den += 1.0 / var;
    }
    if den > 0.0 {
        (num / den).max(1.0)
    } else {
        1.0
    }
}

/// Write measurements as JSON lines `{"clique": [...], "y": [...], "sigma": σ}` (the
/// `--dump-measurements` format of §3.1, read by `scripts/golden_pgm.py`).
pub fn write_measurements_jsonl(path: &Path, measurements: &[Measurement]) -> Result<()> {
    let mut text = String::new();
    for m in measurements {
        text.push_str(&serde_json::to_string(m).context("cannot serialise a measurement")?);
        text.push('\n');
    }
    write_atomic(path, text.as_bytes())
}

/// Read measurements written by [`write_measurements_jsonl`].
pub fn read_measurements_jsonl(path: &Path) -> Result<Vec<Measurement>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let m: Measurement = serde_json::from_str(line).with_context(|| format!("{}:{}", path.display(), i + 1))?;
        ensure!(m.sigma > 0.0 && m.sigma.is_finite(), "{}:{}: sigma must be > 0", path.display(), i + 1);
        if let Some(w) = &m.weights {
            if w.len() != m.y.len() {
                bail!("{}:{}: {} weights for {} cells", path.display(), i + 1, w.len(), m.y.len());
            }
        }
        out.push(m);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::accountant::Budget;
    use crate::rng::Rng;

    fn tiny() -> DiscreteData {
        // Two genes with 2 bins, label with 3 classes, 4 rows.
        DiscreteData::new(4, vec![2, 2, 3], vec![0, 1, 1, 1, 0, 0, 1, 0, 0, 2, 2, 1]).unwrap()
    }

    #[test]
    fn label_star_rounds_have_the_spec_shape() {
        let d = tiny();
        let mut acct = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let rho = acct.rho_total() / 2.0;
        let ms = label_star_measurements(&d, rho, rho, &mut acct, &Noise::Off).unwrap();
        let cliques: Vec<Vec<usize>> = ms.iter().map(|m| m.clique.clone()).collect();
        assert_eq!(cliques, vec![vec![0], vec![1], vec![2], vec![0, 2], vec![1, 2]]);
        assert_eq!(ms[2].y, vec![1.0, 1.0, 2.0]);
        // gene 0 codes (0,1,1,1) with labels (0,2,2,1): cells (b·3 + c).
        assert_eq!(ms[3].y, vec![1.0, 0.0, 0.0, 0.0, 1.0, 2.0]);
        assert!((ms[0].sigma - (3.0 / (2.0 * rho)).sqrt()).abs() < 1e-12);
        assert!((ms[3].sigma - (2.0 / (2.0 * rho)).sqrt()).abs() < 1e-12);
        assert_eq!(acct.report(&[], vec![], vec![]).ledger.len(), 2);
        // Without noise every measurement sums to N, so N̂ = N.
        assert!((minimum_variance_total(&ms) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn total_is_the_inverse_variance_weighted_mean() {
        let m = |y: Vec<f64>, sigma: f64| Measurement { clique: vec![0], y, sigma, weights: None };
        // Sums 10 (var 1·2) and 20 (var 4·1) → weights 1/2, 1/4 → (5 + 5)/(0.75).
        let got = minimum_variance_total(&[m(vec![4.0, 6.0], 1.0), m(vec![20.0], 2.0)]);
        assert!((got - 10.0 / 0.75).abs() < 1e-12);
        assert_eq!(minimum_variance_total(&[m(vec![-5.0], 1.0)]), 1.0);
        // A compressed measurement (weights 1, 1/√2) estimates the same total as the original.
        let w = Measurement {
            clique: vec![0],
            y: vec![3.0, 4.0 / 2f64.sqrt()],
            sigma: 1.0,
            weights: Some(vec![1.0, 1.0 / 2f64.sqrt()]),
        };
        assert!((minimum_variance_total(&[w]) - 7.0).abs() < 1e-12);
    }

    #[test]
    fn noise_rounds_use_their_phase_streams() {
        let d = tiny();
        let noise = Noise::from_rng(&Rng::from_seed(4));
        let mut a1 = Accountant::new(&Budget::dp(1.0, 1e-5).unwrap()).unwrap();
        let mut a2 = a1.clone();
        let rho = a1.rho_total() / 2.0;
        let both = label_star_measurements(&d, rho, rho, &mut a1, &noise).unwrap();
        let two = gene_label_round(&d, rho, &mut a2, &noise).unwrap();
        assert_eq!(&both[3..], &two[..], "two_way noise does not depend on the one_way round");
    }

    #[test]
    fn jsonl_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.jsonl");
        let ms = vec![
            Measurement { clique: vec![0, 2], y: vec![1.5, -0.25], sigma: 3.0, weights: None },
            Measurement { clique: vec![1], y: vec![2.0, 1.0], sigma: 1.0, weights: Some(vec![1.0, 0.5]) },
        ];
        write_measurements_jsonl(&path, &ms).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\"clique\":[0,2],\"y\":[1.5,-0.25],\"sigma\":3.0}\n"), "{text}");
        assert_eq!(read_measurements_jsonl(&path).unwrap(), ms);
    }
}
