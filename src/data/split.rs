//! Train/test splits (metrics.md §1.1): stratified k-fold by seed, validation of externally
//! supplied splits, and the [`Fold`] type that hands generators the train rows only.

use super::dataset::{Dataset, Labelled, Schema, TrainFold};
use crate::error::Result;
use crate::rng::{NumpyMt19937, Rng};
use crate::{bail, ensure};
use serde::{Deserialize, Serialize};

/// Which random stream shuffles the per-class fold assignments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SplitRng {
    /// numpy's legacy MT19937: reproduces scikit-learn
    /// `StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)` exactly (Appendix A).
    #[default]
    Numpy,
    /// bench's ChaCha20 stream.
    Chacha,
}

impl SplitRng {
    pub fn as_str(self) -> &'static str {
        match self {
            SplitRng::Numpy => "numpy",
            SplitRng::Chacha => "chacha",
        }
    }
}

/// One split: sample indices (dataset order) of its train and test parts. `number` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub number: usize,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Stratified k-fold assignment: `fold[i]` is the test fold (0-based) of sample `i`.
///
/// Follows metrics.md §1.1 (scikit-learn's algorithm): labels are coded by first appearance,
/// the sorted codes are dealt round-robin to folds to get per-class fold sizes, and each
/// class's fold list is shuffled with one stream, in code order.
pub fn stratified_fold_assignment(labels: &[String], k: usize, seed: u64, rng: SplitRng) -> Result<Vec<usize>> {
    ensure!(k >= 2, "folds must be at least 2, got {k}");
    let mut codes_by_first_appearance: Vec<&str> = Vec::new();
    let enc: Vec<usize> = labels
        .iter()
        .map(|l| match codes_by_first_appearance.iter().position(|c| *c == l) {
            Some(i) => i,
            None => {
                codes_by_first_appearance.push(l);
                codes_by_first_appearance.len() - 1
            }
        })
        .collect();
    let n_classes = codes_by_first_appearance.len();
    let mut counts = vec![0usize; n_classes];
    for &c in &enc {
        counts[c] += 1;
    }
    for (c, &n) in counts.iter().enumerate() {
        ensure!(
            n >= k,
            "class '{}' has {n} samples, fewer than the {k} folds (every test fold needs every class)",
            codes_by_first_appearance[c]
        );
    }
    let mut order = enc.clone();
    order.sort_unstable();
    let mut alloc = vec![vec![0usize; n_classes]; k];
    for (j, &c) in order.iter().enumerate() {
        alloc[j % k][c] += 1;
    }
    let mut numpy = NumpyMt19937::new(seed as u32);
    let mut chacha = Rng::derive(&["stratified-kfold".into(), seed.into()]);
    ensure!(
        rng != SplitRng::Numpy || seed <= u32::MAX as u64,
        "split seed {seed} does not fit numpy's 32-bit seed (use a seed below 2^32 or split_rng = \"chacha\")"
    );
    let mut fold = vec![0usize; labels.len()];
    for c in 0..n_classes {
        let mut folds_c: Vec<usize> =
            alloc.iter().enumerate().flat_map(|(f, a)| std::iter::repeat_n(f, a[c])).collect();
        match rng {
            SplitRng::Numpy => numpy.shuffle(&mut folds_c),
            SplitRng::Chacha => chacha.shuffle(&mut folds_c),
        }
        let mut next = folds_c.into_iter();
        for (i, &e) in enc.iter().enumerate() {
            if e == c {
                fold[i] = next.next().expect("fold list has one entry per class member");
            }
        }
    }
    Ok(fold)
}

/// The k splits of a stratified k-fold: split `s` (1-based) tests on fold `s − 1`.
pub fn stratified_kfold(labels: &[String], k: usize, seed: u64, rng: SplitRng) -> Result<Vec<Split>> {
    let fold = stratified_fold_assignment(labels, k, seed, rng)?;
    Ok((0..k)
        .map(|f| Split {
            number: f + 1,
            train: (0..labels.len()).filter(|&i| fold[i] != f).collect(),
            test: (0..labels.len()).filter(|&i| fold[i] == f).collect(),
        })
        .collect())
}

/// Check externally supplied splits (metrics.md §1.1): parts disjoint, covering the dataset,
/// indices in range and unique, and — for k-fold files — test parts partitioning the dataset.
/// Errors name samples by their ID in `sample_ids` (dataset order). Sorts each part into
/// dataset order.
pub fn validate_splits(splits: &mut [Split], sample_ids: &[String], what: &str) -> Result<()> {
    let n_samples = sample_ids.len();
    ensure!(!splits.is_empty(), "{what}: no splits");
    let mut tested = vec![0usize; n_samples];
    for s in splits.iter_mut() {
        s.train.sort_unstable();
        s.test.sort_unstable();
        let mut seen = vec![false; n_samples];
        for &i in s.train.iter().chain(&s.test) {
            ensure!(i < n_samples, "{what}: split_{} refers to sample index {i} of {n_samples}", s.number);
            if seen[i] {
                bail!("{what}: split_{} lists sample '{}' twice (or in both train and test)", s.number, sample_ids[i]);
            }
            seen[i] = true;
        }
        if let Some(i) = seen.iter().position(|b| !b) {
            let left_out = seen.iter().filter(|b| !**b).count();
            bail!(
                "{what}: split_{} leaves {left_out} sample(s) out of both train and test, first '{}'",
                s.number,
                sample_ids[i]
            );
        }
        ensure!(!s.train.is_empty() && !s.test.is_empty(), "{what}: split_{} has an empty part", s.number);
        for &i in &s.test {
            tested[i] += 1;
        }
    }
    if splits.len() > 1 {
        if let Some(i) = tested.iter().position(|&t| t != 1) {
            bail!(
                "{what}: test parts do not partition the dataset (sample '{}' is in {} test parts, expected 1)",
                sample_ids[i],
                tested[i]
            );
        }
    }
    Ok(())
}

/// One split of one dataset, ready for a cell. The test part is private: generators receive
/// only [`Fold::train_fold`]; metrics receive both through [`Fold::train`] and [`Fold::test`].
#[derive(Debug)]
pub struct Fold {
    pub number: usize,
    pub schema: Schema,
    train: Labelled,
    test: Labelled,
}

impl Fold {
    pub fn new(dataset: &Dataset, split: &Split, public_range: (f64, f64)) -> Fold {
        let part = |idx: &[usize]| Labelled {
            x: dataset.x.select_rows(idx),
            labels: idx.iter().map(|&i| dataset.labels[i].clone()).collect(),
        };
        Fold {
            number: split.number,
            schema: Schema { gene_ids: dataset.gene_ids.clone(), classes: dataset.classes(), public_range },
            train: part(&split.train),
            test: part(&split.test),
        }
    }

    /// What a generator may see.
    pub fn train_fold(&self) -> TrainFold<'_> {
        TrainFold::new(&self.train, &self.schema)
    }

    /// Real train rows (for metrics).
    pub fn train(&self) -> &Labelled {
        &self.train
    }

    /// Real test rows (for metrics only).
    pub fn test(&self) -> &Labelled {
        &self.test
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(spec: &[(&str, usize)]) -> Vec<String> {
        spec.iter().flat_map(|(l, n)| std::iter::repeat_n(l.to_string(), *n)).collect()
    }

    #[test]
    fn every_sample_tested_once_and_classes_balanced() {
        let y = labels(&[("b", 7), ("a", 11), ("c", 5)]);
        for rng in [SplitRng::Numpy, SplitRng::Chacha] {
            let mut splits = stratified_kfold(&y, 5, 42, rng).unwrap();
            validate_splits(&mut splits, &y, "test").unwrap();
            for s in &splits {
                for class in ["a", "b", "c"] {
                    let n = s.test.iter().filter(|&&i| y[i] == class).count();
                    let total = y.iter().filter(|l| *l == class).count();
                    assert!(n == total / 5 || n == total / 5 + 1, "class {class} has {n} in fold");
                }
            }
        }
    }

    #[test]
    fn too_small_class_is_an_error() {
        let y = labels(&[("a", 10), ("rare", 3)]);
        let e = stratified_kfold(&y, 5, 1, SplitRng::Numpy).unwrap_err().to_string();
        assert!(e.contains("'rare' has 3 samples"), "{e}");
    }

    #[test]
    fn validation_rejects_overlap_and_gaps() {
        let ids = labels(&[("s0", 1), ("s1", 1), ("s2", 1)]);
        let mut s = vec![Split { number: 1, train: vec![0, 1], test: vec![1, 2] }];
        assert!(validate_splits(&mut s, &ids, "f").unwrap_err().to_string().contains("lists sample 's1' twice"));
        let mut s = vec![Split { number: 1, train: vec![0], test: vec![2] }];
        let e = validate_splits(&mut s, &ids, "f").unwrap_err().to_string();
        assert!(e.contains("leaves 1 sample(s) out of both train and test, first 's1'"), "{e}");
    }
}
