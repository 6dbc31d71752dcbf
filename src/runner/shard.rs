//! Sharding a grid for scale-out (`bench run GRID --shard I/N`): which cells shard I of N runs.
//!
//! Every shard expands the same grid, so every shard computes the same assignment without talking
//! to the others. The assignment depends only on the cells' keys and expected costs: cells are
//! ordered by expected cost (largest first, ties by cell id) and each goes to the shard with the
//! least expected work so far (ties: lowest shard number) — the longest-processing-time rule,
//! whose makespan is at most 4/3 of the optimum. The cost model only balances the shards; which
//! cells exist and what they compute never depend on it.

use crate::error::{Error, Result};
use std::fmt;

/// Shard `index` of `count` (both 1-based in text: `2/3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parse `I/N` with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = || Error::new(format!("--shard: expected I/N with 1 <= I <= N (e.g. 2/3), got '{text}'"));
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Relative wall time of fitting and sampling one cell of a generator kind, in units of scoring
/// the cell (the scoring of a fold dominates the cheap generators; see README "Performance").
/// Coarse by design: it only balances shards.
fn kind_weight(kind: &str) -> f64 {
    match kind {
        "identity" => 0.0,
        "independent" | "multivariate" | "dp-gaussian" => 0.5,
        "private-pgm" => 2.0,
        _ => 1.0,
    }
}

/// Expected cost of one cell: dataset size (samples × genes) × (1 for scoring + the kind's
/// fit-and-sample weight).
pub fn expected_cost(n_samples: usize, n_genes: usize, kind: &str) -> f64 {
    (n_samples * n_genes) as f64 * (1.0 + kind_weight(kind))
}

/// Shard number (1-based) of every cell, given `(cell id, expected cost)` in any order.
/// Deterministic: the same cells give the same assignment whatever their input order.
pub fn assign(cells: &[(String, f64)], count: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by(|&a, &b| cells[b].1.total_cmp(&cells[a].1).then_with(|| cells[a].0.cmp(&cells[b].0)));
    let mut load = vec![0.0f64; count];
    let mut shard_of = vec![0usize; cells.len()];
    for i in order {
        let lightest = (0..count).min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b))).unwrap_or(0);
        load[lightest] += cells[i].1;
        shard_of[i] = lightest + 1;
    }
    shard_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            let e = Shard::parse(bad).unwrap_err().to_string();
            assert!(e.contains("--shard") && e.contains(bad), "{e}");
        }
    }

    #[test]
    fn assignment_is_balanced_complete_and_order_free() {
        let cells: Vec<(String, f64)> = (0..12)
            .map(|i| {
                (format!("c{i:02}"), expected_cost(100, 10, if i % 2 == 0 { "private-pgm" } else { "independent" }))
            })
            .collect();
        let a = assign(&cells, 3);
        assert!(a.iter().all(|&s| (1..=3).contains(&s)));
        let load = |s: usize| -> f64 { cells.iter().zip(&a).filter(|(_, &x)| x == s).map(|(c, _)| c.1).sum() };
        // 6 cells of cost 3000 and 6 of cost 1500: total 27000, each shard gets exactly 9000.
        assert_eq!((load(1), load(2), load(3)), (9000.0, 9000.0, 9000.0));
        let mut reversed = cells.clone();
        reversed.reverse();
        let mut b = assign(&reversed, 3);
        b.reverse();
        assert_eq!(a, b);
    }

    #[test]
    fn more_shards_than_cells_leaves_some_empty() {
        let cells = vec![("a".to_string(), 1.0), ("b".to_string(), 1.0)];
        assert_eq!(assign(&cells, 3), vec![1, 2]);
    }
}
