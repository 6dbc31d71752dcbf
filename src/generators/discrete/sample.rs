//! Sampling discrete records from a fitted model (generators.md §3.6): the root attribute (the
//! label) by randomised rounding, then every other attribute given its parent by stratified
//! sampling inside each parent group, parents before children.

use super::discretise::DiscreteData;
use crate::ensure;
use crate::error::Result;
use crate::rng::{Key, Rng};
use rayon::prelude::*;

/// One conditional of the sampling order: `child` given `parent` (or given nothing).
#[derive(Clone, Debug, PartialEq)]
struct Step {
    child: usize,
    parent: Option<usize>,
    /// Offset of the `rows × |child|` table (`rows = |parent|`, or 1 without a parent).
    offset: usize,
    /// Steps with the same level can run in parallel: every parent has a lower level.
    level: usize,
}

/// A directed factorisation `P(root)·Π P(child | parent)` ready for sampling.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplingPlan {
    sizes: Vec<usize>,
    root: usize,
    root_probs: Vec<f64>,
    steps: Vec<Step>,
    tables: Vec<f64>,
}

impl SamplingPlan {
    /// A plan with only the root distribution; add conditionals with [`SamplingPlan::push`].
    pub fn new(sizes: Vec<usize>, root: usize, root_probs: Vec<f64>) -> Result<SamplingPlan> {
        ensure!(root < sizes.len(), "root {root} outside {} attributes", sizes.len());
        ensure!(
            root_probs.len() == sizes[root],
            "root distribution has {} values, expected {}",
            root_probs.len(),
            sizes[root]
        );
        Ok(SamplingPlan { sizes, root, root_probs, steps: vec![], tables: vec![] })
    }

    /// Add `P(child | parent)` as a row-major `|parent| × |child|` table (one row without a
    /// parent). The parent must be the root or an already added child.
    pub fn push(&mut self, child: usize, parent: Option<usize>, table: &[f64]) -> Result<()> {
        ensure!(child < self.sizes.len() && child != self.root, "attribute {child} cannot be a sampled child");
        ensure!(self.steps.iter().all(|s| s.child != child), "attribute {child} is already in the plan");
        ensure!(parent.is_none_or(|u| u < self.sizes.len()), "parent of attribute {child} is out of range");
        let rows = parent.map_or(1, |u| self.sizes[u]);
        ensure!(table.len() == rows * self.sizes[child], "conditional of attribute {child} has {} cells", table.len());
        let level = match parent {
            None => 1,
            Some(u) if u == self.root => 1,
            Some(u) => match self.steps.iter().find(|s| s.child == u) {
                Some(s) => s.level + 1,
                None => crate::bail!("attribute {u} is sampled after its child {child}"),
            },
        };
        self.steps.push(Step { child, parent, offset: self.tables.len(), level });
        self.tables.extend_from_slice(table);
        Ok(())
    }

    pub fn root(&self) -> usize {
        self.root
    }

    pub fn root_probs(&self) -> &[f64] {
        &self.root_probs
    }

    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The conditionals in sampling order: `(child, parent, table)` with one table row per
    /// parent value (a single row without a parent).
    pub fn conditionals(&self) -> impl Iterator<Item = (usize, Option<usize>, &[f64])> + '_ {
        self.steps.iter().map(|s| {
            let rows = s.parent.map_or(1, |u| self.sizes[u]);
            (s.child, s.parent, &self.tables[s.offset..s.offset + rows * self.sizes[s.child]])
        })
    }

    /// The conditional table of `child` (rows per parent value).
    pub fn conditional(&self, child: usize) -> Option<&[f64]> {
        self.conditionals().find(|(c, _, _)| *c == child).map(|(_, _, t)| t)
    }

    /// `P(x_a)` of every attribute, propagated from the root through the conditionals.
    pub fn attribute_marginals(&self) -> Vec<Vec<f64>> {
        let mut out: Vec<Vec<f64>> = self.sizes.iter().map(|&s| vec![0.0; s]).collect();
        out[self.root] = normalised(&self.root_probs);
        for (child, parent, table) in self.conditionals() {
            let nc = self.sizes[child];
            let weights = parent.map_or_else(|| vec![1.0], |u| out[u].clone());
            let mut p = vec![0.0; nc];
            for (w, row) in weights.iter().zip(table.chunks_exact(nc)) {
                for (acc, q) in p.iter_mut().zip(normalised(row)) {
                    *acc += w * q;
                }
            }
            out[child] = p;
        }
        out
    }

    /// `n` records: the root gets `root_counts[v]` copies of each value `v` in random order,
    /// then each step samples its child by [`stratified_column`] with its own sub-stream of
    /// `rng`, so the output is the same for any thread count.
    pub fn sample(&self, root_counts: &[usize], rng: &Rng) -> Result<DiscreteData> {
        ensure!(root_counts.len() == self.sizes[self.root], "root counts have the wrong length");
        let n: usize = root_counts.iter().sum();
        let d = self.sizes.len();
        let mut codes = vec![0u32; n * d];
        let mut root_col = Vec::with_capacity(n);
        for (v, &k) in root_counts.iter().enumerate() {
            root_col.extend(std::iter::repeat_n(v as u32, k));
        }
        rng.child(&[Key::Str("attribute"), Key::Num(self.root as u64)]).shuffle(&mut root_col);
        codes[self.root * n..(self.root + 1) * n].copy_from_slice(&root_col);
        let max_level = self.steps.iter().map(|s| s.level).max().unwrap_or(0);
        for level in 1..=max_level {
            let columns: Vec<(usize, Vec<u32>)> = self
                .steps
                .par_iter()
                .filter(|s| s.level == level)
                .map(|s| {
                    let mut sub = rng.child(&[Key::Str("attribute"), Key::Num(s.child as u64)]);
                    let nc = self.sizes[s.child];
                    let (parent, rows) = match s.parent {
                        Some(u) => (Some(&codes[u * n..(u + 1) * n]), self.sizes[u]),
                        None => (None, 1),
                    };
                    let table = &self.tables[s.offset..s.offset + rows * nc];
                    (s.child, stratified_column(n, parent, rows, table, nc, &mut sub))
                })
                .collect();
            for (child, col) in columns {
                codes[child * n..(child + 1) * n].copy_from_slice(&col);
            }
        }
        DiscreteData::new(n, self.sizes.clone(), codes)
    }
}

/// Randomised rounding of `n·probs` (§3.6): `e_c = n·P(c)`, `k_c = ⌊e_c⌋`, and the
/// `n − Σ k_c` leftover units go to distinct values drawn without replacement with probability
/// ∝ `e_c − k_c`. Negative or non-finite probabilities count as 0; an all-zero vector is
/// uniform. The counts sum to exactly `n` and each is within 1 of `e_c`.
pub fn randomised_rounding(n: usize, probs: &[f64], rng: &mut Rng) -> Vec<usize> {
    let expected: Vec<f64> = normalised(probs).iter().map(|&q| n as f64 * q).collect();
    let mut counts: Vec<usize> = expected.iter().map(|&e| e.floor() as usize).collect();
    let mut residual: Vec<f64> = expected.iter().zip(&counts).map(|(&e, &k)| (e - k as f64).max(0.0)).collect();
    let mut assigned: usize = counts.iter().sum();
    while assigned < n {
        let total: f64 = residual.iter().sum();
        // Floating-point rounding can leave a unit with no residual mass: it then goes to the
        // value furthest below its expectation.
        let pick =
            if total > 0.0 { draw_proportional(&residual, total, rng) } else { most_extreme(&counts, &expected, -1.0) };
        counts[pick] += 1;
        residual[pick] = 0.0;
        assigned += 1;
    }
    while assigned > n {
        let pick = most_extreme(&counts, &expected, 1.0);
        counts[pick] -= 1;
        assigned -= 1;
    }
    counts
}

/// An index drawn with probability `weights[i]/total` (only positive weights can be drawn).
fn draw_proportional(weights: &[f64], total: f64, rng: &mut Rng) -> usize {
    let u = rng.uniform() * total;
    let mut acc = 0.0;
    let mut last = 0;
    for (i, &w) in weights.iter().enumerate().filter(|(_, &w)| w > 0.0) {
        acc += w;
        last = i;
        if u < acc {
            return i;
        }
    }
    last
}

/// The index maximising `sign·(counts − expected)` (first on ties), among non-zero counts when
/// `sign > 0`.
fn most_extreme(counts: &[usize], expected: &[f64], sign: f64) -> usize {
    let gap = |c: usize| sign * (counts[c] as f64 - expected[c]);
    (0..counts.len())
        .filter(|&c| sign < 0.0 || counts[c] > 0)
        .fold(None, |best: Option<usize>, c| match best {
            Some(b) if gap(b) >= gap(c) => Some(b),
            _ => Some(c),
        })
        .unwrap_or(0)
}

/// Clamp to non-negative finite values and normalise; all-zero becomes uniform.
pub fn normalised(probs: &[f64]) -> Vec<f64> {
    let clamped: Vec<f64> = probs.iter().map(|&q| if q.is_finite() && q > 0.0 { q } else { 0.0 }).collect();
    let total: f64 = clamped.iter().sum();
    if total > 0.0 {
        clamped.iter().map(|q| q / total).collect()
    } else {
        vec![1.0 / probs.len() as f64; probs.len()]
    }
}

/// Stratified sampling of one attribute given its parent column (§3.6). Rows are grouped by
/// parent value (one group without a parent). Inside a group of size `m` with CDF `F` (the
/// normalised table row), the rows are put in random order and the r-th gets
/// `u = (r + U(0,1))/m` and the value `min(|child| − 1, #{b : F_b ≤ u})`, so every group's
/// cumulative counts are within 1 of `m·F`.
pub fn stratified_column(
    n: usize,
    parent: Option<&[u32]>,
    rows: usize,
    table: &[f64],
    nc: usize,
    rng: &mut Rng,
) -> Vec<u32> {
    let groups = group_rows(parent, rows, n);
    let mut out = vec![0u32; n];
    let mut cdf = vec![0.0; nc];
    for (v, members) in groups.into_iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let p = normalised(&table[v * nc..(v + 1) * nc]);
        let mut acc = 0.0;
        for (f, q) in cdf.iter_mut().zip(&p) {
            acc += q;
            *f = acc;
        }
        let mut order = members;
        rng.shuffle(&mut order);
        let m = order.len() as f64;
        for (r, &row) in order.iter().enumerate() {
            let u = (r as f64 + rng.uniform()) / m;
            let bin = cdf.iter().take_while(|&&f| f <= u).count();
            out[row] = bin.min(nc - 1) as u32;
        }
    }
    out
}

/// Row indices per parent value, in row order.
fn group_rows(parent: Option<&[u32]>, rows: usize, n: usize) -> Vec<Vec<usize>> {
    match parent {
        None => vec![(0..n).collect()],
        Some(col) => {
            let mut groups = vec![Vec::new(); rows];
            for (i, &v) in col.iter().enumerate() {
                groups[v as usize].push(i);
            }
            groups
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_floors_and_sums_to_n() {
        let mut rng = Rng::from_seed(1);
        for n in [0, 1, 7, 100, 871] {
            let probs = [0.1, 0.25, 0.3, 0.35, 0.0];
            let k = randomised_rounding(n, &probs, &mut rng);
            assert_eq!(k.iter().sum::<usize>(), n);
            for (c, &q) in probs.iter().enumerate() {
                let e = n as f64 * q;
                assert!((k[c] as f64 - e).abs() < 1.0, "n {n} class {c}: {} vs {e}", k[c]);
            }
            assert_eq!(k[4], 0);
        }
        // Exact expectations leave nothing to chance.
        assert_eq!(randomised_rounding(10, &[0.3, 0.7], &mut rng), vec![3, 7]);
        assert_eq!(randomised_rounding(4, &[0.0, 0.0], &mut rng).iter().sum::<usize>(), 4);
    }

    #[test]
    fn rounding_leftovers_follow_the_fractions() {
        // n = 1, P = (0.2, 0.8): the single unit goes to class 1 with probability 0.8.
        let mut rng = Rng::from_seed(2);
        let trials = 20_000;
        let ones = (0..trials).filter(|_| randomised_rounding(1, &[0.2, 0.8], &mut rng)[1] == 1).count();
        let f = ones as f64 / trials as f64;
        assert!((f - 0.8).abs() < 5.0 * (0.16 / trials as f64).sqrt(), "{f}");
    }

    #[test]
    fn stratified_counts_are_within_one_of_the_cdf() {
        let mut rng = Rng::from_seed(3);
        let parent: Vec<u32> = (0..97).map(|i| (i % 3) as u32).collect();
        let table = [0.1, 0.2, 0.7, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0];
        let col = stratified_column(97, Some(&parent), 3, &table, 3, &mut rng);
        for v in 0..3u32 {
            let m = parent.iter().filter(|&&p| p == v).count() as f64;
            let p = normalised(&table[v as usize * 3..v as usize * 3 + 3]);
            let mut cum = 0.0;
            for (b, q) in p.iter().enumerate() {
                cum += q;
                let got = col.iter().zip(&parent).filter(|(&c, &q)| q == v && c as usize <= b).count() as f64;
                assert!((got - m * cum).abs() < 1.0 + 1e-9, "group {v} bin {b}: {got} vs {}", m * cum);
            }
        }
        // Group 1 never draws a zero-probability bin.
        assert!(col.iter().zip(&parent).all(|(&c, &q)| q != 1 || c < 2));
    }

    #[test]
    fn plans_sample_parents_first_and_are_thread_independent() {
        let mut plan = SamplingPlan::new(vec![2, 3, 2], 2, vec![0.5, 0.5]).unwrap();
        plan.push(1, Some(2), &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0]).unwrap();
        plan.push(0, Some(1), &[1.0, 0.0, 0.5, 0.5, 0.0, 1.0]).unwrap();
        assert!(plan.clone().push(0, Some(1), &[0.5; 6]).is_err(), "a child twice");
        assert!(plan.clone().push(2, None, &[0.5; 2]).is_err(), "the root as a child");
        let rng = Rng::from_seed(4);
        let a = plan.sample(&[3, 5], &rng).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| plan.sample(&[3, 5], &rng).unwrap());
        assert_eq!(a, b);
        for i in 0..8 {
            let (x0, x1, x2) = (a.column(0)[i], a.column(1)[i], a.column(2)[i]);
            assert_eq!(x1, if x2 == 0 { 0 } else { 2 });
            assert_eq!(x0, if x1 == 0 { 0 } else { 1 });
        }
        assert_eq!(a.histogram(2), vec![3.0, 5.0]);
    }
}
