//! The sane ranges of a grid's privacy parameters (docs/generators.md §1.1), checked when the
//! grid is loaded so that a typo such as `1e300` is an error naming the key, not a cell that
//! runs for hours or a file name 300 digits long.

use crate::ensure;
use crate::error::Result;

/// Smallest and largest ε a grid accepts. Below 1e-3 every generator's noise exceeds the
/// public range by orders of magnitude (the synthetic data is noise); above 1e3 the (ε, δ) → ρ
/// conversion of generators.md §1.2 spends ρ > 1e5, i.e. no protection at all — use a
/// non-private kind instead.
pub const EPSILON_RANGE: (f64, f64) = (1e-3, 1e3);

/// Smallest and largest δ a grid accepts. δ must stay well below 1/n (n = rows, ~1,000 for the
/// challenge sets), so 1e-2 is a generous ceiling; below 1e-12 the ρ gained is negligible and
/// the bisections of §1.2 lose precision.
pub const DELTA_RANGE: (f64, f64) = (1e-12, 1e-2);

/// Error unless `eps` lies in [`EPSILON_RANGE`]; `key` names it (`epsilons[1]`).
pub fn check_epsilon(key: &str, eps: f64) -> Result<()> {
    let (lo, hi) = EPSILON_RANGE;
    ensure!(
        eps.is_finite() && (lo..=hi).contains(&eps),
        "key '{key}': epsilon must be a number in [{lo}, {hi}] (docs/generators.md §1.1), got {}",
        short(eps)
    );
    Ok(())
}

/// Error unless `delta` lies in [`DELTA_RANGE`].
pub fn check_delta(key: &str, delta: f64) -> Result<()> {
    let (lo, hi) = DELTA_RANGE;
    ensure!(
        delta.is_finite() && (lo..=hi).contains(&delta),
        "key '{key}': delta must be a number in [{lo:e}, {hi}] (docs/generators.md §1.1), got {}",
        short(delta)
    );
    Ok(())
}

/// A number as written in messages: plain when short, scientific when its digits would run on.
fn short(v: f64) -> String {
    let plain = format!("{v}");
    if plain.len() > 16 {
        format!("{v:e}")
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_named() {
        assert!(check_epsilon("epsilons[0]", 1e-3).is_ok() && check_epsilon("epsilons[0]", 1e3).is_ok());
        let e = check_epsilon("epsilons[1]", 1e300).unwrap_err().to_string();
        assert_eq!(
            e,
            "key 'epsilons[1]': epsilon must be a number in [0.001, 1000] (docs/generators.md §1.1), got 1e300"
        );
        assert!(check_epsilon("e", 0.0).is_err() && check_epsilon("e", f64::NAN).is_err());
        assert!(check_delta("delta", 1e-5).is_ok() && check_delta("delta", 1e-2).is_ok());
        assert!(check_delta("delta", 0.5).unwrap_err().to_string().contains("[1e-12, 0.01]"));
    }
}
