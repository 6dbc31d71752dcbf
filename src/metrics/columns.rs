//! What each result column means for comparisons: its direction (metrics.md §2.1, §3.2–3.3)
//! and how exactly it can be reproduced (used by the regression gate, `bench check`).

/// Which way is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Higher is better (utility, privacy distance, PRDC).
    Higher,
    /// Lower is better (MMD, KL, discriminative score).
    Lower,
    /// Real-only reference or a ratio with target 1: any change is notable, neither way better.
    Reference,
}

/// How a column's value is produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exactness {
    /// A closed-form computation: reproducible up to floating-point rounding.
    Deterministic,
    /// Deterministic but rounded to 4 dp: may move by one rounding unit.
    Rounded4,
    /// Depends on an iterative solver's stopping point (logistic regression).
    Iterative,
}

/// Direction and exactness of a metric column (unknown columns: reference, deterministic).
pub fn column_info(column: &str) -> (Direction, Exactness) {
    use Direction::*;
    use Exactness::*;
    let lr_metric =
        ["accuracy_", "avg_pr_macro_", "avg_pr_weight_", "f1_", "auroc_"].iter().any(|p| column.starts_with(p));
    if column.ends_with("_relative") {
        let exactness = if column.starts_with("distance_to_closest") { Deterministic } else { Iterative };
        return (Reference, exactness);
    }
    if lr_metric {
        let direction = if column.ends_with("_synthetic") { Higher } else { Reference };
        return (direction, Iterative);
    }
    match column {
        "feature_overlap_count" | "feature_overlap_proportion" => (Higher, Iterative),
        "discriminative_score" => (Lower, Iterative),
        "distance_to_closest" => (Higher, Rounded4),
        "distance_to_closest_base" => (Reference, Rounded4),
        "MMD_base" | "kl_mean_base" => (Reference, Deterministic),
        c if c.starts_with("MMD_") || c.starts_with("submmd_") || c.starts_with("kl_mean_") => (Lower, Deterministic),
        c if c.starts_with("prdc_") => (Higher, Deterministic),
        _ => (Reference, Deterministic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_follow_the_spec_tables() {
        assert_eq!(column_info("accuracy_synthetic"), (Direction::Higher, Exactness::Iterative));
        assert_eq!(column_info("accuracy_real").0, Direction::Reference);
        assert_eq!(column_info("MMD_score"), (Direction::Lower, Exactness::Deterministic));
        assert_eq!(column_info("submmd_BRCA.LumA").0, Direction::Lower);
        assert_eq!(column_info("distance_to_closest"), (Direction::Higher, Exactness::Rounded4));
        assert_eq!(column_info("discriminative_score").0, Direction::Lower);
        assert_eq!(column_info("prdc_coverage").0, Direction::Higher);
        assert_eq!(column_info("accuracy_relative").0, Direction::Reference);
    }
}
