//! Estimation of a tree model from noisy marginals (generators.md §3.3–3.4): the weighted L2
//! loss, its gradient and Lipschitz constant, and entropic mirror descent with the Armijo rule.

use super::tree::{Beliefs, TreeModel};
use crate::error::Result;
use crate::generators::discrete::measure::{minimum_variance_total, Measurement};
use crate::{bail, ensure};
use std::ops::Range;

/// Which part of a clique table a measurement sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Projection {
    /// The whole clique.
    Full,
    /// The clique summed down to its parent attribute.
    Parent,
    /// The clique summed down to its child attribute.
    Child,
}

/// A measurement routed to its clique, with `y` (and the query weights) in the clique's
/// internal layout.
#[derive(Clone, Debug)]
struct Routed {
    clique: usize,
    projection: Projection,
    y: Range<usize>,
    weighted: bool,
    inv_var: f64,
}

/// `L(μ) = ½ Σ_M ‖(Q_M μ_M − y_M)/σ_M‖²` over the measurements (§3.3), compiled into flat arrays.
#[derive(Clone, Debug)]
pub struct Objective {
    items: Vec<Routed>,
    y: Vec<f64>,
    /// Query weights, aligned with `y` (1 for identity queries).
    w: Vec<f64>,
    lipschitz: f64,
    scratch_len: usize,
}

impl Objective {
    /// Route every measurement to the first clique (canonical order) containing it and compute
    /// the Lipschitz constant `L = max_C Σ_{M→C} (|C|/|c_M|)·max_i q_i²/σ_M²` (§3.3).
    pub fn new(tree: &TreeModel, measurements: &[Measurement]) -> Result<Objective> {
        let sizes = tree.sizes();
        let mut items = Vec::with_capacity(measurements.len());
        let (mut y, mut w) = (Vec::new(), Vec::new());
        let mut per_clique = vec![0.0; tree.edges().len()];
        for (i, m) in measurements.iter().enumerate() {
            ensure!(m.sigma > 0.0 && m.sigma.is_finite(), "measurement {i}: sigma must be > 0, got {}", m.sigma);
            let Some(clique) = tree.route(&m.clique) else {
                bail!("measurement {i} on attributes {:?} is not inside any clique of the model", m.clique);
            };
            let edge = tree.edges()[clique];
            let projection = match m.clique.as_slice() {
                [a, b] if (*a, *b) == (edge.a, edge.b) => Projection::Full,
                [a] if *a == edge.parent => Projection::Parent,
                [a] if *a == edge.child => Projection::Child,
                other => bail!("measurement {i}: clique {other:?} must be one or two ascending attributes"),
            };
            let cells: usize = m.clique.iter().map(|&a| sizes[a]).product();
            ensure!(m.y.len() == cells, "measurement {i} on {:?} has {} cells, expected {cells}", m.clique, m.y.len());
            let start = y.len();
            if projection == Projection::Full {
                let mut internal = vec![0.0; cells];
                let mut weights = vec![0.0; cells];
                let nb = sizes[edge.b];
                for (k, &v) in m.y.iter().enumerate() {
                    let at = tree.internal_index(clique, k / nb, k % nb);
                    internal[at] = v;
                    weights[at] = m.weight(k);
                }
                y.extend(internal);
                w.extend(weights);
            } else {
                y.extend_from_slice(&m.y);
                w.extend((0..cells).map(|k| m.weight(k)));
            }
            let max_q2 = w[start..].iter().fold(0.0_f64, |acc, q| acc.max(q * q));
            let inv_var = 1.0 / (m.sigma * m.sigma);
            let clique_cells = tree.cell_range(clique).len();
            per_clique[clique] += clique_cells as f64 / cells as f64 * max_q2 * inv_var;
            items.push(Routed { clique, projection, y: start..y.len(), weighted: m.weights.is_some(), inv_var });
        }
        ensure!(!items.is_empty(), "no measurements to estimate from");
        let lipschitz = per_clique.iter().copied().fold(0.0, f64::max);
        let scratch_len = tree.sizes().iter().copied().max().unwrap_or(1);
        Ok(Objective { items, y, w, lipschitz, scratch_len })
    }

    pub fn lipschitz(&self) -> f64 {
        self.lipschitz
    }

    /// The loss at `mu` (internal layout); writes `∇L = Σ_{M→C} expand(Q_Mᵀ(Q_M μ_M − y_M)/σ_M²)`
    /// into `grad` (§3.3).
    pub fn loss_grad(&self, tree: &TreeModel, mu: &[f64], grad: &mut [f64], scratch: &mut Vec<f64>) -> f64 {
        grad.fill(0.0);
        scratch.resize(self.scratch_len, 0.0);
        let mut loss = 0.0;
        for it in &self.items {
            let cells = tree.cell_range(it.clique);
            let edge = tree.edges()[it.clique];
            let nc = tree.sizes()[edge.child];
            let (m, g) = (&mu[cells.clone()], &mut grad[cells]);
            let (y, w) = (&self.y[it.y.clone()], &self.w[it.y.clone()]);
            match it.projection {
                Projection::Full => {
                    for k in 0..y.len() {
                        let q = if it.weighted { w[k] } else { 1.0 };
                        let r = q * m[k] - y[k];
                        loss += r * r * it.inv_var;
                        g[k] += q * r * it.inv_var;
                    }
                }
                Projection::Parent => {
                    for (xp, row) in m.chunks_exact(nc).enumerate() {
                        let r = w[xp] * row.iter().sum::<f64>() - y[xp];
                        loss += r * r * it.inv_var;
                        let c = w[xp] * r * it.inv_var;
                        g[xp * nc..(xp + 1) * nc].iter_mut().for_each(|v| *v += c);
                    }
                }
                Projection::Child => {
                    let col = &mut scratch[..nc];
                    col.fill(0.0);
                    for row in m.chunks_exact(nc) {
                        col.iter_mut().zip(row).for_each(|(s, v)| *s += v);
                    }
                    for xc in 0..nc {
                        let r = w[xc] * col[xc] - y[xc];
                        loss += r * r * it.inv_var;
                        col[xc] = w[xc] * r * it.inv_var;
                    }
                    for row in g.chunks_exact_mut(nc) {
                        row.iter_mut().zip(col.iter()).for_each(|(v, c)| *v += c);
                    }
                }
            }
        }
        0.5 * loss
    }
}

/// Options of the mirror-descent loop (§3.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DescentOptions {
    pub iterations: usize,
    /// Early-stop tolerance on the relative loss decrease per block of 50 (0 = off).
    pub tol: f64,
}

impl Default for DescentOptions {
    fn default() -> Self {
        DescentOptions { iterations: 1000, tol: 0.0 }
    }
}

/// Iterations per early-stop block, and how many consecutive flat blocks stop the loop (§3.4).
const BLOCK: usize = 50;
const PATIENCE: usize = 2;

/// A fitted tree model.
#[derive(Clone, Debug)]
pub struct Estimate {
    pub tree: TreeModel,
    pub nhat: f64,
    pub theta: Vec<f64>,
    /// Marginals of `theta` (the last accepted iterate).
    pub beliefs: Beliefs,
    pub initial_loss: f64,
    pub loss: f64,
    pub lipschitz: f64,
    /// Iterations run (fewer than asked when the early stop fired).
    pub iterations: usize,
    pub accepted: usize,
    /// Step size after the last iteration.
    pub step: f64,
}

impl Estimate {
    /// Clique `e`'s marginal (scaled to N̂) in canonical C order.
    pub fn clique_marginal(&self, e: usize) -> Vec<f64> {
        self.beliefs.clique_marginal(&self.tree, e)
    }
}

/// Estimate `tree`'s potentials from `measurements` with N̂ from [`minimum_variance_total`].
pub fn estimate(tree: TreeModel, measurements: &[Measurement], options: DescentOptions) -> Result<Estimate> {
    let nhat = minimum_variance_total(measurements);
    let objective = Objective::new(&tree, measurements)?;
    mirror_descent(tree, &objective, nhat, options)
}

/// Entropic mirror descent (§3.4), starting from θ = 0 with step `α = 2/(L·N̂)`:
/// a trial `θ' = θ − α·∇L(μ)` is accepted when `ℓ − ℓ' ≥ ½·α·⟨∇L(μ), μ − μ'⟩` (then
/// `α ← 1.01·α`), otherwise rejected with `α ← α/2`; one trial per iteration. With `tol > 0`
/// the loop stops once the relative loss decrease over a block of 50 iterations,
/// `(ℓ_prev − ℓ)/max(|ℓ|, 1)`, is ≤ tol for 2 consecutive blocks.
/// All buffers are allocated once; an iteration allocates nothing. Each iteration first checks
/// the cell's deadline ([`crate::generators::context::check_deadline`]).
pub fn mirror_descent(tree: TreeModel, objective: &Objective, nhat: f64, options: DescentOptions) -> Result<Estimate> {
    let cells = tree.cells();
    let mut theta = vec![0.0; cells];
    let mut trial = vec![0.0; cells];
    let mut beliefs = Beliefs::new(&tree);
    let mut trial_beliefs = Beliefs::new(&tree);
    let (mut grad, mut trial_grad) = (vec![0.0; cells], vec![0.0; cells]);
    let mut scratch = Vec::new();
    tree.infer(&theta, nhat, &mut beliefs);
    let mut loss = objective.loss_grad(&tree, &beliefs.mu, &mut grad, &mut scratch);
    let initial_loss = loss;
    let mut alpha = 2.0 / (objective.lipschitz() * nhat);
    let (mut accepted, mut done) = (0, 0);
    let (mut block_start_loss, mut flat_blocks) = (loss, 0);
    while done < options.iterations {
        crate::generators::context::check_deadline()?;
        for ((t, &th), &g) in trial.iter_mut().zip(&theta).zip(&grad) {
            *t = th - alpha * g;
        }
        tree.infer(&trial, nhat, &mut trial_beliefs);
        let trial_loss = objective.loss_grad(&tree, &trial_beliefs.mu, &mut trial_grad, &mut scratch);
        let decrease: f64 = grad.iter().zip(&beliefs.mu).zip(&trial_beliefs.mu).map(|((g, m), t)| g * (m - t)).sum();
        if loss - trial_loss >= 0.5 * alpha * decrease {
            std::mem::swap(&mut theta, &mut trial);
            std::mem::swap(&mut beliefs, &mut trial_beliefs);
            std::mem::swap(&mut grad, &mut trial_grad);
            loss = trial_loss;
            alpha *= 1.01;
            accepted += 1;
        } else {
            alpha *= 0.5;
        }
        done += 1;
        if options.tol > 0.0 && done % BLOCK == 0 {
            let relative = (block_start_loss - loss) / loss.abs().max(1.0);
            flat_blocks = if relative <= options.tol { flat_blocks + 1 } else { 0 };
            block_start_loss = loss;
            if flat_blocks >= PATIENCE {
                break;
            }
        }
    }
    Ok(Estimate {
        lipschitz: objective.lipschitz(),
        tree,
        nhat,
        theta,
        beliefs,
        initial_loss,
        loss,
        iterations: done,
        accepted,
        step: alpha,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(clique: Vec<usize>, y: Vec<f64>, sigma: f64) -> Measurement {
        Measurement { clique, y, sigma, weights: None }
    }

    #[test]
    fn label_star_lipschitz_matches_the_spec_formula() {
        // 2 genes × B = 3 bins, C = 2 classes; σ₁ = 2, σ₂ = 3.
        let tree = TreeModel::star(vec![3, 3, 2], 2).unwrap();
        let ms = vec![
            m(vec![0], vec![1.0; 3], 2.0),
            m(vec![1], vec![1.0; 3], 2.0),
            m(vec![2], vec![1.0; 2], 2.0),
            m(vec![0, 2], vec![1.0; 6], 3.0),
            m(vec![1, 2], vec![1.0; 6], 3.0),
        ];
        let obj = Objective::new(&tree, &ms).unwrap();
        // L = 1/σ₂² + (C + B)/σ₁² on the clique receiving the label measurement.
        assert!((obj.lipschitz() - (1.0 / 9.0 + 5.0 / 4.0)).abs() < 1e-15);
    }

    #[test]
    fn loss_and_gradient_by_hand() {
        // One clique (gene 0: 2 bins, label: 2 classes), internal layout [c][b].
        let tree = TreeModel::star(vec![2, 2], 1).unwrap();
        let ms = vec![m(vec![0], vec![1.0, 2.0], 1.0), m(vec![0, 1], vec![1.0, 0.0, 0.0, 2.0], 2.0)];
        let obj = Objective::new(&tree, &ms).unwrap();
        // μ canonical (b, c): [[1, 1], [1, 1]] → internal identical (all ones).
        let mu = [1.0; 4];
        let mut g = [0.0; 4];
        let loss = obj.loss_grad(&tree, &mu, &mut g, &mut Vec::new());
        // 1-way on gene: μ_b = (2, 2), r = (1, 0) → ½·1. 2-way: r = (0, 1, 1, −1)/2 → ½·3/4.
        assert!((loss - (0.5 + 0.375)).abs() < 1e-15);
        // grad canonical (b, c): 1-way adds (1, 1 | 0, 0); 2-way adds (0, .25 | .25, −.25).
        // Internal [c][b]: (c0: b0, b1), (c1: b0, b1).
        assert_eq!(g, [1.0, 0.25, 1.25, -0.25]);
    }

    #[test]
    fn descent_fits_consistent_measurements() {
        let tree = TreeModel::star(vec![2, 3, 2], 2).unwrap();
        // True joint counts over (g0, g1 | label): tables consistent with N = 20.
        let ms = vec![
            m(vec![0], vec![12.0, 8.0], 1.0),
            m(vec![1], vec![5.0, 9.0, 6.0], 1.0),
            m(vec![2], vec![11.0, 9.0], 1.0),
            m(vec![0, 2], vec![8.0, 4.0, 3.0, 5.0], 1.0),
            m(vec![1, 2], vec![4.0, 1.0, 3.0, 6.0, 4.0, 2.0], 1.0),
        ];
        let est = estimate(tree, &ms, DescentOptions { iterations: 3000, tol: 0.0 }).unwrap();
        assert!((est.nhat - 20.0).abs() < 1e-12);
        assert!(est.loss < 1e-16 * est.initial_loss.max(1.0) + 1e-18, "loss {}", est.loss);
        for (g, w) in est.clique_marginal(1).iter().zip(&ms[4].y) {
            assert!((g - w).abs() < 1e-8, "{g} vs {w}");
        }
    }

    #[test]
    fn early_stop_fires_on_a_flat_loss() {
        let tree = TreeModel::star(vec![2, 2], 1).unwrap();
        let ms = vec![m(vec![0, 1], vec![5.0, 5.0, 5.0, 5.0], 1.0)];
        // Uniform measurements: θ = 0 is already optimal, so every block is flat.
        let est = estimate(tree, &ms, DescentOptions { iterations: 1000, tol: 1e-12 }).unwrap();
        assert_eq!(est.iterations, 100);
    }

    #[test]
    fn unroutable_measurements_are_errors() {
        let tree = TreeModel::star(vec![2, 2, 2], 2).unwrap();
        let e = Objective::new(&tree, &[m(vec![0, 1], vec![1.0; 4], 1.0)]).unwrap_err().to_string();
        assert!(e.contains("not inside any clique"), "{e}");
        assert!(Objective::new(&tree, &[m(vec![0], vec![1.0; 3], 1.0)]).is_err());
    }
}
