//! Tree-structured pairwise Markov random fields and exact belief propagation
//! (generators.md §3.5).
//!
//! The model has one clique per edge of a spanning tree over the attributes (for label-star the
//! tree is the star around the label; for MST it is the selected tree). The junction tree of
//! such a model has the edges as cliques and single attributes as separators, so one upward and
//! one downward pass over the attribute tree, rooted at `root`, give exact clique marginals.
//!
//! Internally every clique table is stored parent-major, `[x_parent][x_child]`, so that the inner
//! loops run over contiguous rows; [`TreeModel::to_canonical`] converts to the C order of the
//! clique's ascending attribute indices used by measurements.

use crate::error::Result;
use crate::generators::discrete::sample::SamplingPlan;
use crate::{bail, ensure};

/// One clique `(a, b)`, `a < b`, oriented away from the root (`parent → child`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub parent: usize,
    pub child: usize,
}

/// The structure of a tree model: domain sizes, cliques in canonical order (ascending `(a, b)`),
/// and the breadth-first schedule from the root.
#[derive(Clone, Debug)]
pub struct TreeModel {
    sizes: Vec<usize>,
    root: usize,
    edges: Vec<Edge>,
    /// Edge indices in breadth-first order from the root (every parent before its children).
    bfs: Vec<usize>,
    /// Offset of each clique table in the flat cell arrays (`edges.len() + 1` entries).
    cell_offsets: Vec<usize>,
    /// Offset of each attribute in the flat per-value arrays (`sizes.len() + 1` entries).
    node_offsets: Vec<usize>,
}

impl TreeModel {
    /// A model on the spanning tree `pairs` over attributes `0..sizes.len()`, rooted at `root`.
    pub fn new(sizes: Vec<usize>, pairs: &[(usize, usize)], root: usize) -> Result<TreeModel> {
        let d = sizes.len();
        ensure!(d >= 2, "a tree model needs at least 2 attributes, got {d}");
        ensure!(root < d, "root {root} is not an attribute (d = {d})");
        ensure!(sizes.iter().all(|&s| s > 0), "every attribute needs a non-empty domain");
        ensure!(pairs.len() == d - 1, "a spanning tree over {d} attributes has {} edges, got {}", d - 1, pairs.len());
        let mut canon: Vec<(usize, usize)> = pairs.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        canon.sort_unstable();
        let mut neighbours: Vec<Vec<(usize, usize)>> = vec![vec![]; d];
        for (e, &(a, b)) in canon.iter().enumerate() {
            ensure!(a != b && b < d, "invalid clique ({a}, {b}) for {d} attributes");
            neighbours[a].push((b, e));
            neighbours[b].push((a, e));
        }
        let mut edges: Vec<Edge> = canon.iter().map(|&(a, b)| Edge { a, b, parent: a, child: b }).collect();
        let mut seen = vec![false; d];
        seen[root] = true;
        let mut queue = vec![root];
        let mut bfs = Vec::with_capacity(d - 1);
        let mut head = 0;
        while head < queue.len() {
            let u = queue[head];
            head += 1;
            for &(v, e) in &neighbours[u] {
                if !seen[v] {
                    seen[v] = true;
                    edges[e].parent = u;
                    edges[e].child = v;
                    bfs.push(e);
                    queue.push(v);
                }
            }
        }
        if let Some(v) = seen.iter().position(|s| !s) {
            bail!("the cliques do not form a spanning tree: attribute {v} is not connected to the root {root}");
        }
        let cell_offsets = prefix_sums(edges.iter().map(|e| sizes[e.a] * sizes[e.b]));
        let node_offsets = prefix_sums(sizes.iter().copied());
        Ok(TreeModel { sizes, root, edges, bfs, cell_offsets, node_offsets })
    }

    /// The label-star model: cliques `(j, center)` for every other attribute, rooted at `center`.
    pub fn star(sizes: Vec<usize>, center: usize) -> Result<TreeModel> {
        let pairs: Vec<(usize, usize)> = (0..sizes.len()).filter(|&j| j != center).map(|j| (j, center)).collect();
        TreeModel::new(sizes, &pairs, center)
    }

    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    pub fn root(&self) -> usize {
        self.root
    }

    /// Cliques in canonical order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Edge indices, parents before children.
    pub fn bfs(&self) -> &[usize] {
        &self.bfs
    }

    /// Total number of clique cells.
    pub fn cells(&self) -> usize {
        self.cell_offsets[self.edges.len()]
    }

    /// Cell range of clique `e` in the flat arrays.
    pub fn cell_range(&self, e: usize) -> std::ops::Range<usize> {
        self.cell_offsets[e]..self.cell_offsets[e + 1]
    }

    /// Value range of attribute `a` in the flat per-value arrays.
    pub fn node_range(&self, a: usize) -> std::ops::Range<usize> {
        self.node_offsets[a]..self.node_offsets[a + 1]
    }

    /// Total number of attribute values.
    pub fn values(&self) -> usize {
        self.node_offsets[self.sizes.len()]
    }

    /// Index of the first clique in canonical order containing all of `attrs` (§3.3 routing).
    pub fn route(&self, attrs: &[usize]) -> Option<usize> {
        self.edges.iter().position(|e| attrs.iter().all(|&x| x == e.a || x == e.b))
    }

    /// Clique `e`'s table (internal parent-major layout) in C order over `(a, b)`.
    pub fn to_canonical(&self, e: usize, internal: &[f64]) -> Vec<f64> {
        let edge = self.edges[e];
        let (na, nb) = (self.sizes[edge.a], self.sizes[edge.b]);
        let mut out = vec![0.0; na * nb];
        for xa in 0..na {
            for xb in 0..nb {
                out[xa * nb + xb] = internal[self.internal_index(e, xa, xb)];
            }
        }
        out
    }

    /// Position inside clique `e`'s internal table of the cell `(x_a, x_b)`.
    pub fn internal_index(&self, e: usize, xa: usize, xb: usize) -> usize {
        let edge = self.edges[e];
        if edge.parent == edge.a {
            xa * self.sizes[edge.b] + xb
        } else {
            xb * self.sizes[edge.a] + xa
        }
    }

    /// Exact marginals of the model with log-potentials `theta` (one table per clique, internal
    /// layout), scaled to total `nhat` (§3.5). Upward pass, children first: for the edge
    /// `u → v`, `cond(x_v | x_u) = softmax_{x_v}(θ(x_u, x_v) + in_v(x_v))` and the message
    /// `m(x_u) = logsumexp_{x_v}(θ(x_u, x_v) + in_v(x_v))` is added to `in_u`. The root marginal
    /// is `softmax(in_root)`; downward, parents first, `P(x_v) = Σ_{x_u} P(x_u)·cond(x_v | x_u)`
    /// and `μ(x_u, x_v) = N̂·P(x_u)·cond(x_v | x_u)`. Every exponent is ≤ 0 after subtracting the
    /// row maximum, so very negative potentials underflow to 0 instead of producing NaN.
    ///
    /// For the star this is exactly `m_j(c) = logsumexp_b θ_j(b, c)`, `log P(c) ∝ Σ_j m_j(c)`,
    /// `μ_j(b, c) = N̂·P(c)·exp(θ_j(b, c) − m_j(c))`.
    pub fn infer(&self, theta: &[f64], nhat: f64, out: &mut Beliefs) {
        debug_assert_eq!(theta.len(), self.cells());
        out.log_in.fill(0.0);
        for &e in self.bfs.iter().rev() {
            let Edge { parent, child, .. } = self.edges[e];
            let (np, nc) = (self.sizes[parent], self.sizes[child]);
            let cells = self.cell_range(e);
            let th = &theta[cells.clone()];
            let cond = &mut out.cond[cells];
            let child_in = &out.log_in[self.node_range(child)];
            for xp in 0..np {
                let row = &mut cond[xp * nc..(xp + 1) * nc];
                out.message[xp] = softmax_into(&th[xp * nc..(xp + 1) * nc], child_in, row);
            }
            let parent_range = self.node_range(parent);
            for (acc, &m) in out.log_in[parent_range].iter_mut().zip(&out.message[..np]) {
                *acc += m;
            }
        }
        let root = self.node_range(self.root);
        softmax_into(&out.log_in[root.clone()], &out.zeros[..root.len()], &mut out.node[root]);
        for &e in &self.bfs {
            let Edge { parent, child, .. } = self.edges[e];
            let (np, nc) = (self.sizes[parent], self.sizes[child]);
            let cells = self.cell_range(e);
            let parent_p = &out.node[self.node_range(parent)];
            let cond = &out.cond[cells.clone()];
            let mu = &mut out.mu[cells];
            let child_p = &mut out.scratch[..nc];
            child_p.fill(0.0);
            for xp in 0..np {
                let p = parent_p[xp];
                let row = &cond[xp * nc..(xp + 1) * nc];
                for xc in 0..nc {
                    let q = p * row[xc];
                    child_p[xc] += q;
                    mu[xp * nc + xc] = nhat * q;
                }
            }
            out.node[self.node_range(child)].copy_from_slice(child_p);
        }
    }
}

/// The sampling plan of a fitted tree model: the root's marginal, then `cond(x_child | x_parent)`
/// of every clique in breadth-first order (`cond = μ(x_parent, ·)/μ(x_parent)`).
pub fn sampling_plan(tree: &TreeModel, beliefs: &Beliefs) -> Result<SamplingPlan> {
    let root = tree.root();
    let mut plan = SamplingPlan::new(tree.sizes().to_vec(), root, beliefs.node_marginal(tree, root).to_vec())?;
    for &e in tree.bfs() {
        let edge = tree.edges()[e];
        plan.push(edge.child, Some(edge.parent), &beliefs.cond[tree.cell_range(e)])?;
    }
    Ok(plan)
}

/// `out = softmax(a + b)`; returns `logsumexp(a + b)`.
fn softmax_into(a: &[f64], b: &[f64], out: &mut [f64]) -> f64 {
    let mut max = f64::NEG_INFINITY;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
        max = max.max(*o);
    }
    let mut z = 0.0;
    for o in out.iter_mut() {
        *o = (*o - max).exp();
        z += *o;
    }
    let inv = 1.0 / z;
    for o in out.iter_mut() {
        *o *= inv;
    }
    max + z.ln()
}

fn prefix_sums(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut out = vec![0];
    for s in items {
        out.push(out.last().unwrap() + s);
    }
    out
}

/// The output of [`TreeModel::infer`] plus its scratch space, allocated once per model.
#[derive(Clone, Debug)]
pub struct Beliefs {
    /// Clique marginals scaled to N̂ (internal layout).
    pub mu: Vec<f64>,
    /// `cond(x_child | x_parent)` per clique (internal layout; rows sum to 1).
    pub cond: Vec<f64>,
    /// Attribute marginals `P(x_a)` (probabilities).
    pub node: Vec<f64>,
    log_in: Vec<f64>,
    message: Vec<f64>,
    scratch: Vec<f64>,
    zeros: Vec<f64>,
}

impl Beliefs {
    pub fn new(tree: &TreeModel) -> Beliefs {
        let max = tree.sizes.iter().copied().max().unwrap_or(1);
        Beliefs {
            mu: vec![0.0; tree.cells()],
            cond: vec![0.0; tree.cells()],
            node: vec![0.0; tree.values()],
            log_in: vec![0.0; tree.values()],
            message: vec![0.0; max],
            scratch: vec![0.0; max],
            zeros: vec![0.0; max],
        }
    }

    /// Clique `e`'s marginal in canonical C order.
    pub fn clique_marginal(&self, tree: &TreeModel, e: usize) -> Vec<f64> {
        tree.to_canonical(e, &self.mu[tree.cell_range(e)])
    }

    /// `P(x_a)` of attribute `a`.
    pub fn node_marginal(&self, tree: &TreeModel, a: usize) -> &[f64] {
        &self.node[tree.node_range(a)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Brute-force marginals by enumerating every joint assignment.
    fn brute_force(tree: &TreeModel, theta: &[f64], nhat: f64) -> Vec<Vec<f64>> {
        let sizes = tree.sizes();
        let total: usize = sizes.iter().product();
        let mut weights = Vec::with_capacity(total);
        let mut assignment = vec![0usize; sizes.len()];
        for mut idx in 0..total {
            for (a, &s) in sizes.iter().enumerate().rev() {
                assignment[a] = idx % s;
                idx /= s;
            }
            let logw: f64 = (0..tree.edges().len())
                .map(|e| {
                    let ed = tree.edges()[e];
                    theta[tree.cell_range(e).start + tree.internal_index(e, assignment[ed.a], assignment[ed.b])]
                })
                .sum();
            weights.push((logw, assignment.clone()));
        }
        let z: f64 = weights.iter().map(|(w, _)| w.exp()).sum();
        tree.edges()
            .iter()
            .map(|ed| {
                let nb = sizes[ed.b];
                let mut m = vec![0.0; sizes[ed.a] * nb];
                for (w, x) in &weights {
                    m[x[ed.a] * nb + x[ed.b]] += nhat * w.exp() / z;
                }
                m
            })
            .collect()
    }

    #[test]
    fn bp_is_exact_on_random_trees() {
        let mut rng = Rng::from_seed(11);
        type Case = (Vec<usize>, Vec<(usize, usize)>, usize);
        let cases: Vec<Case> = vec![
            (vec![2, 3, 4], vec![(0, 2), (1, 2)], 2),
            (vec![3, 2, 2, 3, 2], vec![(0, 1), (1, 2), (2, 3), (3, 4)], 4),
            (vec![2, 3, 2, 2, 3], vec![(0, 3), (1, 3), (3, 4), (2, 4)], 0),
        ];
        for (sizes, pairs, root) in cases {
            let tree = TreeModel::new(sizes, &pairs, root).unwrap();
            let theta: Vec<f64> = (0..tree.cells()).map(|_| 2.0 * rng.normal()).collect();
            let mut b = Beliefs::new(&tree);
            tree.infer(&theta, 7.5, &mut b);
            let want = brute_force(&tree, &theta, 7.5);
            for (e, w) in want.iter().enumerate() {
                for (g, w) in b.clique_marginal(&tree, e).iter().zip(w) {
                    assert!((g - w).abs() < 1e-12, "clique {e}: {g} vs {w}");
                }
            }
            for a in 0..tree.sizes().len() {
                assert!((b.node_marginal(&tree, a).iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn star_matches_the_closed_form() {
        // Two genes (2 bins) and a label (2 classes): μ_j(b, c) = N̂·P(c)·exp(θ_j(b,c) − m_j(c)).
        let tree = TreeModel::star(vec![2, 2, 2], 2).unwrap();
        assert_eq!(tree.route(&[2]), Some(0));
        assert_eq!(tree.route(&[1]), Some(1));
        // Internal layout of (j, label) is [c][b]: θ_0 = [[0, ln 3], [0, 0]], θ_1 = 0.
        let theta = [0.0, 3f64.ln(), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let mut b = Beliefs::new(&tree);
        tree.infer(&theta, 10.0, &mut b);
        // m_0 = (ln 4, ln 2), m_1 = (ln 2, ln 2) → P(c) ∝ (8, 4).
        let p0 = 8.0 / 12.0;
        let want = [10.0 * p0 * 0.25, 10.0 * (1.0 - p0) * 0.5, 10.0 * p0 * 0.75, 10.0 * (1.0 - p0) * 0.5];
        let got = b.clique_marginal(&tree, 0);
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn very_negative_potentials_do_not_produce_nan() {
        let tree = TreeModel::star(vec![3, 2], 1).unwrap();
        let theta = [-1e300, -1e300, 0.0, -1e300, -5e299, -1e300];
        let mut b = Beliefs::new(&tree);
        tree.infer(&theta, 4.0, &mut b);
        assert!(b.mu.iter().all(|m| m.is_finite()), "{:?}", b.mu);
        assert!((b.mu.iter().sum::<f64>() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_non_trees() {
        assert!(TreeModel::new(vec![2, 2, 2], &[(0, 1)], 0).is_err());
        assert!(TreeModel::new(vec![2, 2, 2, 2], &[(0, 1), (1, 0), (2, 3)], 0).is_err());
        assert!(TreeModel::new(vec![2, 2, 2], &[(0, 1), (1, 5)], 0).is_err());
    }
}
