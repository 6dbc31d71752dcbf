//! Marginal set `mst` (McKenna, Miklau, Sheldon 2021; generators.md §4): noisy 1-way
//! marginals, domain compression, a tree chosen by the exponential mechanism (Kruskal style)
//! from all pair scores of one one-hot Gram matrix, then noisy 2-way marginals on its edges.

use crate::ensure;
use crate::error::Result;
use crate::generators::discrete::discretise::DiscreteData;
use crate::generators::discrete::measure::Measurement;
use crate::privacy::mechanisms::{gumbel_perturb, Noise};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rayon::prelude::*;

/// Warning prefix when compression leaves attributes with a single value (§4).
pub const WARN_COLLAPSED: &str = "mst_compression_collapsed";

/// The minimiser of `½‖(Q μ − y)‖²` over `{μ ≥ 0, Σ μ = total}` for a diagonal query `Q = diag(q)`:
/// `μ_i = max(0, z_i − λ/q_i²)` with `z_i = y_i/q_i` and λ chosen so the sum is `total`. With
/// `q = 1` this is the Euclidean projection onto the scaled simplex — the 1-way-only model's
/// marginal of §4 step 1.
pub fn project_to_simplex(m: &Measurement, total: f64) -> Vec<f64> {
    let n = m.y.len();
    let z: Vec<f64> = (0..n).map(|i| m.y[i] / m.weight(i)).collect();
    let inv_q2: Vec<f64> = (0..n).map(|i| 1.0 / (m.weight(i) * m.weight(i))).collect();
    // Breakpoints λ_i = z_i·q_i², above which value i is 0; add values in decreasing order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| (z[j] / inv_q2[j]).total_cmp(&(z[i] / inv_q2[i])));
    let (mut sz, mut sw) = (0.0, 0.0);
    let mut lambda = 0.0;
    for (k, &i) in order.iter().enumerate() {
        sz += z[i];
        sw += inv_q2[i];
        lambda = (sz - total) / sw;
        let next = order.get(k + 1).map_or(f64::NEG_INFINITY, |&j| z[j] / inv_q2[j]);
        if lambda >= next {
            break;
        }
    }
    (0..n).map(|i| (z[i] - lambda * inv_q2[i]).max(0.0)).collect()
}

/// Position of the pair `(a, b)`, `a < b`, in the lexicographic list of all pairs of `d`.
pub fn pair_index(a: usize, b: usize, d: usize) -> usize {
    a * d - a * (a + 1) / 2 + (b - a - 1)
}

/// Gram tile sizes: attribute-block rows (≤ this many indicator columns) × sample chunks, which
/// bounds the memory to two (512 × Σ|a|) f32 tiles whatever N is.
const GRAM_BLOCK_CELLS: usize = 512;
const GRAM_ROW_CHUNK: usize = 512;

/// Selection scores of every pair (§4 step 2): `w_ab = ‖x_ab − μ_a μ_bᵀ/N̂‖₁`, with the true 2-way
/// tables `x_ab` read off the one-hot Gram matrix `XᵀX` (X: N × Σ|a| indicators). The Gram
/// matrix is computed by faer in tiles — a block of attribute rows against all later columns,
/// summed over chunks of samples — and never per pair. Indicator products are exact in f32 for
/// N < 2²⁴, so the result does not depend on the thread count. Pairs are in lexicographic order
/// ([`pair_index`]).
pub fn pair_scores(data: &DiscreteData, marginals: &[Vec<f64>], nhat: f64) -> Result<Vec<f64>> {
    let (n, d) = (data.rows(), data.attrs());
    ensure!(n < (1 << 24), "{n} rows are too many for exact f32 pair counts");
    let mut offsets = vec![0];
    for &s in data.sizes() {
        offsets.push(offsets.last().unwrap() + s);
    }
    let mut scores = vec![0.0; d * (d - 1) / 2];
    let mut a0 = 0;
    while a0 < d {
        let mut a1 = a0 + 1;
        while a1 < d && offsets[a1 + 1] - offsets[a0] <= GRAM_BLOCK_CELLS {
            a1 += 1;
        }
        let gram = gram_block(data, &offsets, a0, a1);
        let c0 = offsets[a0];
        let first = pair_index(a0, a0 + 1, d).min(scores.len());
        let last = if a1 < d { pair_index(a1, a1 + 1, d) } else { scores.len() };
        let mut chunks: Vec<(usize, &mut [f64])> = Vec::with_capacity(a1 - a0);
        let mut rest = &mut scores[first..last];
        for a in a0..a1 {
            let (head, tail) = rest.split_at_mut(d - a - 1);
            chunks.push((a, head));
            rest = tail;
        }
        chunks.into_par_iter().for_each(|(a, out)| {
            let (na, ra) = (data.sizes()[a], offsets[a] - c0);
            for (k, b) in (a + 1..d).enumerate() {
                let (nb, cb) = (data.sizes()[b], offsets[b] - c0);
                let mut w = 0.0;
                for i in 0..na {
                    for j in 0..nb {
                        let count = gram[(ra + i, cb + j)] as f64;
                        w += (count - marginals[a][i] * marginals[b][j] / nhat).abs();
                    }
                }
                out[k] = w;
            }
        });
        a0 = a1;
    }
    Ok(scores)
}

/// Rows `offsets[a0]..offsets[a1]` of `XᵀX` restricted to the columns from `offsets[a0]` on,
/// accumulated over chunks of samples (each chunk's one-hot block built on the fly).
fn gram_block(data: &DiscreteData, offsets: &[usize], a0: usize, a1: usize) -> Mat<f32> {
    let (n, d) = (data.rows(), data.attrs());
    let (c0, c1, width) = (offsets[a0], offsets[a1], offsets[d]);
    let mut gram = Mat::<f32>::zeros(c1 - c0, width - c0);
    let mut start = 0;
    while start < n {
        let rows = GRAM_ROW_CHUNK.min(n - start);
        let mut x = Mat::<f32>::zeros(rows, width - c0);
        for a in a0..d {
            for (i, &c) in data.column(a)[start..start + rows].iter().enumerate() {
                x[(i, offsets[a] - c0 + c as usize)] = 1.0;
            }
        }
        let lhs = x.as_ref().subcols(0, c1 - c0).transpose();
        let accum = if start == 0 { Accum::Replace } else { Accum::Add };
        matmul(gram.as_mut(), accum, lhs, x.as_ref(), 1.0f32, Par::rayon(0));
        start += rows;
    }
    gram
}

/// Kruskal-style selection with the exponential mechanism (§4 step 3): `d − 1` rounds, each
/// drawing one pair that joins two components with `P ∝ exp(ε·w/2)` (L1 sensitivity 1).
///
/// Implemented as Kruskal's algorithm on Gumbel-perturbed scores `ε·w/2 + G` (one Gumbel per
/// pair), which has exactly the law of the round-by-round mechanism: given everything seen so
/// far, the unexamined perturbed scores are independent Gumbels truncated at the last examined
/// value, and the argmax of independent Gumbels is independent of their maximum, so the next
/// accepted pair is the Gumbel-max draw over the current candidates, `∝ exp(ε·w/2)`. With noise
/// off this is the maximum spanning tree. Returns the tree's pairs in selection order.
pub fn select_tree(scores: &[f64], d: usize, eps: f64, noise: &mut Noise) -> Vec<(usize, usize)> {
    let perturbed = gumbel_perturb(scores, eps, 1.0, noise);
    let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(scores.len());
    for a in 0..d {
        for b in a + 1..d {
            pairs.push((a, b));
        }
    }
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by(|&i, &j| perturbed[j].total_cmp(&perturbed[i]).then(i.cmp(&j)));
    let mut parent: Vec<usize> = (0..d).collect();
    let mut tree = Vec::with_capacity(d.saturating_sub(1));
    for k in order {
        let (a, b) = pairs[k];
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra] = rb;
            tree.push((a, b));
            if tree.len() + 1 == d {
                break;
            }
        }
    }
    tree
}

fn find(parent: &mut [usize], mut v: usize) -> usize {
    while parent[v] != v {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn m(y: Vec<f64>, weights: Option<Vec<f64>>) -> Measurement {
        Measurement { clique: vec![0], y, sigma: 1.0, weights }
    }

    #[test]
    fn simplex_projection_by_hand() {
        // y = (3, 1, −1) onto Σ = 3: λ = 0.5 → (2.5, 0.5, 0).
        assert_eq!(project_to_simplex(&m(vec![3.0, 1.0, -1.0], None), 3.0), vec![2.5, 0.5, 0.0]);
        assert_eq!(project_to_simplex(&m(vec![1.0, 1.0], None), 4.0), vec![2.0, 2.0]);
        // Weighted: q = (1, 1/2), y = (2, 1) → z = (2, 2); onto Σ = 2: μ = (2 − λ, 2 − 4λ), λ = 0.4.
        let w = project_to_simplex(&m(vec![2.0, 1.0], Some(vec![1.0, 0.5])), 2.0);
        assert!((w[0] - 1.6).abs() < 1e-12 && (w[1] - 0.4).abs() < 1e-12, "{w:?}");
    }

    #[test]
    fn gram_scores_equal_per_pair_tables() {
        let mut rng = Rng::from_seed(5);
        // A small case, and one spanning several attribute blocks and sample chunks.
        for (n, sizes) in [(60, vec![2, 3, 4, 2, 5]), (1100, (0..30).map(|a| 30 + a % 15).collect::<Vec<usize>>())] {
            let codes: Vec<u32> =
                sizes.iter().flat_map(|&s| (0..n).map(|_| rng.below(s as u64) as u32).collect::<Vec<_>>()).collect();
            let data = DiscreteData::new(n, sizes.clone(), codes).unwrap();
            let marginals: Vec<Vec<f64>> = (0..sizes.len()).map(|a| data.histogram(a)).collect();
            let got = pair_scores(&data, &marginals, n as f64).unwrap();
            let d = sizes.len();
            for a in 0..d {
                for b in a + 1..d {
                    let x = data.pair_histogram(a, b);
                    let want: f64 = (0..sizes[a])
                        .flat_map(|i| (0..sizes[b]).map(move |j| (i, j)))
                        .map(|(i, j)| (x[i * sizes[b] + j] - marginals[a][i] * marginals[b][j] / n as f64).abs())
                        .sum();
                    assert!((got[pair_index(a, b, d)] - want).abs() < 1e-9 * want.max(1.0), "({a}, {b})");
                }
            }
        }
    }

    #[test]
    fn selection_without_noise_is_the_maximum_spanning_tree() {
        // d = 4; strong chain 0–1–2–3, weak others.
        let d = 4;
        let mut s = vec![0.0; 6];
        s[pair_index(0, 1, d)] = 10.0;
        s[pair_index(1, 2, d)] = 9.0;
        s[pair_index(2, 3, d)] = 8.0;
        s[pair_index(0, 2, d)] = 9.5;
        let tree = select_tree(&s, d, 1.0, &mut Noise::Off);
        assert_eq!(tree, vec![(0, 1), (0, 2), (2, 3)]);
    }

    #[test]
    fn selection_sequence_has_the_sequential_exponential_mechanism_law() {
        // d = 3 (pairs 01, 02, 12), scores (0, 1, 2), ε = 2 → weights e^w. Round 1 draws a pair
        // ∝ e^w; round 2 draws one of the two others (both join the isolated vertex) ∝ e^w:
        // P(i then j) = e^{w_i}/Z · e^{w_j}/(Z − e^{w_i}).
        let scores = [0.0_f64, 1.0, 2.0];
        let pairs = [(0, 1), (0, 2), (1, 2)];
        let mut noise = Noise::from_rng(&Rng::from_seed(8));
        let trials = 60_000;
        let mut seen = [[0usize; 3]; 3];
        for _ in 0..trials {
            let t = select_tree(&scores, 3, 2.0, &mut noise);
            let i = pairs.iter().position(|p| *p == t[0]).unwrap();
            let j = pairs.iter().position(|p| *p == t[1]).unwrap();
            seen[i][j] += 1;
        }
        let e: Vec<f64> = scores.iter().map(|w| w.exp()).collect();
        let z: f64 = e.iter().sum();
        for i in 0..3 {
            for j in (0..3).filter(|&j| j != i) {
                let p = e[i] / z * e[j] / (z - e[i]);
                let f = seen[i][j] as f64 / trials as f64;
                assert!((f - p).abs() < 5.0 * (p * (1.0 - p) / trials as f64).sqrt(), "{i} then {j}: {f} vs {p}");
            }
        }
    }

    #[test]
    fn pair_indices_are_lexicographic() {
        let d = 5;
        let mut k = 0;
        for a in 0..d {
            for b in a + 1..d {
                assert_eq!(pair_index(a, b, d), k);
                k += 1;
            }
        }
    }
}
