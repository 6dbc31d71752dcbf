//! The attack space (metrics.md §4.1, `mia.scaling`): the matrices every attack sees.
//!
//! * `synthetic` (default): every matrix z-scored with the mean and population sd of `Xs`
//!   (sd = 0 → 1), statistics the attacker can compute.
//! * `none`: raw values.
//! * `per_set`: each matrix by its own statistics, as the upstream 2026 attack code. The
//!   candidates (train ∪ test) form one matrix; the reference set is the test part of it, so a
//!   reference row and the same candidate stay identical (the LOO of §4.1 relies on that).

use crate::data::matrix::Matrix;
use crate::numeric::scaler::StandardScaler;

/// `mia.scaling`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scaling {
    Synthetic,
    None,
    PerSet,
}

impl Scaling {
    /// Parse a `mia.scaling` value.
    pub fn from_name(name: &str) -> Option<Scaling> {
        match name {
            "synthetic" => Some(Scaling::Synthetic),
            "none" => Some(Scaling::None),
            "per_set" => Some(Scaling::PerSet),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scaling::Synthetic => "synthetic",
            Scaling::None => "none",
            Scaling::PerSet => "per_set",
        }
    }
}

/// `(candidates, synthetic)` in attack space.
pub fn attack_space(candidates: &Matrix, synthetic: &Matrix, scaling: Scaling) -> (Matrix, Matrix) {
    match scaling {
        Scaling::None => (candidates.clone(), synthetic.clone()),
        Scaling::Synthetic => {
            let s = StandardScaler::fit(synthetic);
            (s.transform(candidates), s.transform(synthetic))
        }
        Scaling::PerSet => {
            (StandardScaler::fit(candidates).transform(candidates), StandardScaler::fit(synthetic).transform(synthetic))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_scaling_uses_the_synthetic_mean_and_population_sd() {
        // Synthetic column: {1, 3} → mean 2, population sd 1; constant column → sd 1.
        let s = Matrix::from_rows(&[vec![1.0, 7.0], vec![3.0, 7.0]]).unwrap();
        let c = Matrix::from_rows(&[vec![4.0, 9.0]]).unwrap();
        let (cs, ss) = attack_space(&c, &s, Scaling::Synthetic);
        assert_eq!(cs.row(0), &[2.0, 2.0]);
        assert_eq!(ss.row(0), &[-1.0, 0.0]);
        let (cp, _) = attack_space(&c, &s, Scaling::PerSet);
        assert_eq!(cp.row(0), &[0.0, 0.0]);
        assert_eq!(attack_space(&c, &s, Scaling::None).0, c);
        assert_eq!(Scaling::from_name("per_set"), Some(Scaling::PerSet));
        assert_eq!(Scaling::from_name("zscore"), None);
    }
}
