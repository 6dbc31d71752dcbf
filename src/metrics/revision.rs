//! The evaluator revisions a metric family can reproduce (metrics.md §2 and §3), and the step
//! the 2026 revision adds to every family that fits a model on synthetic rows: the synthetic
//! shuffle of §3.1.1.

use crate::data::dataset::Labelled;
use crate::rng::NumpyMt19937;

/// Which evaluator revision a metric family reproduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revision {
    /// The 2025 evaluator (§2): raw values, no shuffle, separate PCA per set.
    Camda2025,
    /// The 2026 revision (§3): synthetic shuffle, real-train scaling, extra columns, shared PCA.
    Camda2026,
}

impl Revision {
    /// The profile name of the revision (`camda2025`, `camda2026`).
    pub fn name(self) -> &'static str {
        match self {
            Revision::Camda2025 => "camda2025",
            Revision::Camda2026 => "camda2026",
        }
    }
}

/// The seed of the camda2026 synthetic shuffle (§3.1.1), the evaluator's `random_state`.
pub const SHUFFLE_SEED: u32 = 42;

/// The camda2026 synthetic shuffle (§3.1.1, Appendix A): rows and labels reordered jointly by
/// `permutation(n)` of a fresh numpy generator, `new[i] = old[perm[i]]`.
pub fn shuffle_synthetic(synthetic: &Labelled, seed: u32) -> Labelled {
    let perm = NumpyMt19937::new(seed).permutation(synthetic.x.rows());
    Labelled { x: synthetic.x.select_rows(&perm), labels: perm.iter().map(|&i| synthetic.labels[i].clone()).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::matrix::Matrix;

    #[test]
    fn shuffle_matches_numpy_permutation() {
        // numpy: np.random.RandomState(42).permutation(5) == [1, 4, 2, 0, 3].
        let s = Labelled {
            x: Matrix::from_rows(&(0..5).map(|i| vec![i as f64]).collect::<Vec<_>>()).unwrap(),
            labels: (0..5).map(|i| format!("c{i}")).collect(),
        };
        let out = shuffle_synthetic(&s, SHUFFLE_SEED);
        assert_eq!(out.x.column(0), vec![1.0, 4.0, 2.0, 0.0, 3.0]);
        assert_eq!(out.labels, vec!["c1", "c4", "c2", "c0", "c3"]);
    }
}
