//! MST domain compression (generators.md §4): in each attribute, values whose noisy 1-way
//! count is below a threshold merge into one extra value. It is post-processing of the 1-way
//! measurements; the model samples over the compressed domain and [`DomainCompression::decompress`]
//! maps a merged code back to a uniformly drawn original member.

use super::discretise::DiscreteData;
use super::measure::Measurement;
use crate::error::Result;
use crate::rng::{Key, Rng};
use rayon::prelude::*;

/// How one attribute's values map to its compressed domain.
#[derive(Clone, Debug, PartialEq)]
struct AttrMap {
    /// Original value → compressed value.
    forward: Vec<u32>,
    /// Compressed value → its original values (one for a kept value, the merged set last).
    members: Vec<Vec<u32>>,
}

impl AttrMap {
    fn identity(size: usize) -> AttrMap {
        AttrMap { forward: (0..size as u32).collect(), members: (0..size as u32).map(|v| vec![v]).collect() }
    }
}

/// Per-attribute domain compression (§4): values whose noisy 1-way count is below the threshold
/// merge into one extra value (post-processing of the 1-way measurements).
#[derive(Clone, Debug, PartialEq)]
pub struct DomainCompression {
    maps: Vec<AttrMap>,
    merged_any: Vec<bool>,
}

impl DomainCompression {
    /// No compression.
    pub fn identity(sizes: &[usize]) -> DomainCompression {
        DomainCompression {
            maps: sizes.iter().map(|&s| AttrMap::identity(s)).collect(),
            merged_any: vec![false; sizes.len()],
        }
    }

    /// Keep the values with `y ≥ threshold` in each 1-way measurement (attribute order) and
    /// merge the rest; attributes in `exempt` are never compressed.
    pub fn from_one_way(one_way: &[Measurement], threshold: f64, exempt: &[usize]) -> DomainCompression {
        let mut maps = Vec::with_capacity(one_way.len());
        let mut merged_any = Vec::with_capacity(one_way.len());
        for (a, m) in one_way.iter().enumerate() {
            let size = m.y.len();
            let keep: Vec<bool> = m.y.iter().map(|&y| y >= threshold || exempt.contains(&a)).collect();
            if keep.iter().all(|&k| k) {
                maps.push(AttrMap::identity(size));
                merged_any.push(false);
                continue;
            }
            let kept: Vec<u32> = (0..size as u32).filter(|&v| keep[v as usize]).collect();
            let merged: Vec<u32> = (0..size as u32).filter(|&v| !keep[v as usize]).collect();
            let mut forward = vec![kept.len() as u32; size];
            for (c, &v) in kept.iter().enumerate() {
                forward[v as usize] = c as u32;
            }
            let mut members: Vec<Vec<u32>> = kept.iter().map(|&v| vec![v]).collect();
            members.push(merged);
            maps.push(AttrMap { forward, members });
            merged_any.push(true);
        }
        DomainCompression { maps, merged_any }
    }

    /// Compressed domain sizes.
    pub fn sizes(&self) -> Vec<usize> {
        self.maps.iter().map(|m| m.members.len()).collect()
    }

    /// Attributes left with a single value although they had more.
    pub fn collapsed(&self) -> usize {
        self.maps.iter().filter(|m| m.members.len() == 1 && m.forward.len() > 1).count()
    }

    /// Re-express the data over the compressed domain.
    pub fn compress_data(&self, data: &DiscreteData) -> Result<DiscreteData> {
        let n = data.rows();
        let mut codes = Vec::with_capacity(n * data.attrs());
        for (a, map) in self.maps.iter().enumerate() {
            codes.extend(data.column(a).iter().map(|&c| map.forward[c as usize]));
        }
        DiscreteData::new(n, self.sizes(), codes)
    }

    /// Re-express attribute `a`'s 1-way measurement: kept cells unchanged, the merged cell as
    /// `Σ y_merged/√m` with query weight `1/√m` (m = number merged), so its noise stays N(0, σ²).
    pub fn compress_measurement(&self, a: usize, m: &Measurement) -> Measurement {
        if !self.merged_any[a] {
            return m.clone();
        }
        let map = &self.maps[a];
        let merged = map.members.last().expect("a compressed attribute has a merged value");
        let scale = 1.0 / (merged.len() as f64).sqrt();
        let mut y: Vec<f64> = map.members[..map.members.len() - 1].iter().map(|v| m.y[v[0] as usize]).collect();
        let mut weights = vec![1.0; y.len()];
        y.push(merged.iter().map(|&v| m.y[v as usize]).sum::<f64>() * scale);
        weights.push(scale);
        Measurement { clique: m.clique.clone(), y, sigma: m.sigma, weights: Some(weights) }
    }

    /// Counts over attribute `a`'s original values summed into its compressed values.
    pub fn compress_counts(&self, a: usize, counts: &[usize]) -> Vec<usize> {
        let map = &self.maps[a];
        let mut out = vec![0; map.members.len()];
        for (v, &k) in counts.iter().enumerate() {
            out[map.forward[v] as usize] += k;
        }
        out
    }

    /// Back to the original domain: a merged code becomes a uniformly drawn member (§4), with
    /// one sub-stream of `rng` per attribute.
    pub fn decompress(&self, data: &DiscreteData, rng: &Rng) -> Result<DiscreteData> {
        let n = data.rows();
        let mut codes = vec![0u32; n * data.attrs()];
        codes.par_chunks_mut(n.max(1)).enumerate().for_each(|(a, out)| {
            let map = &self.maps[a];
            let mut sub = rng.child(&[Key::Str("decompress"), Key::Num(a as u64)]);
            for (o, &c) in out.iter_mut().zip(data.column(a)) {
                let members = &map.members[c as usize];
                *o = if members.len() == 1 { members[0] } else { members[sub.below(members.len() as u64) as usize] };
            }
        });
        let sizes = self.maps.iter().map(|m| m.forward.len()).collect();
        DiscreteData::new(n, sizes, codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: Vec<f64>, weights: Option<Vec<f64>>) -> Measurement {
        Measurement { clique: vec![0], y, sigma: 1.0, weights }
    }

    #[test]
    fn compression_merges_small_values_and_reexpresses_the_measurement() {
        let ms = vec![m(vec![10.0, 1.0, 12.0, 2.0], None), m(vec![1.0, 2.0], None), m(vec![9.0, 9.0], None)];
        let c = DomainCompression::from_one_way(&ms, 5.0, &[]);
        assert_eq!(c.sizes(), vec![3, 1, 2]);
        assert_eq!(c.collapsed(), 1);
        let r = c.compress_measurement(0, &ms[0]);
        let s = 1.0 / 2f64.sqrt();
        assert_eq!(r.y, vec![10.0, 12.0, 3.0 * s]);
        assert_eq!(r.weights, Some(vec![1.0, 1.0, s]));
        assert_eq!(c.compress_measurement(2, &ms[2]), ms[2]);
        assert_eq!(c.compress_counts(0, &[1, 2, 3, 4]), vec![1, 3, 6]);
        let exempt = DomainCompression::from_one_way(&ms, 5.0, &[1]);
        assert_eq!(exempt.sizes(), vec![3, 2, 2]);
        let data = DiscreteData::new(2, vec![4, 2, 2], vec![1, 2, 0, 1, 1, 0]).unwrap();
        let small = c.compress_data(&data).unwrap();
        assert_eq!(small.column(0), &[2, 1]);
        assert_eq!(small.column(1), &[0, 0]);
        let back = c.decompress(&small, &Rng::from_seed(1)).unwrap();
        assert!([1, 3].contains(&back.column(0)[0]) && back.column(0)[1] == 2);
        assert_eq!(back.column(2), data.column(2));
    }
}
