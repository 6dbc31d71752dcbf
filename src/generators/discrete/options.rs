//! The options every discrete generator shares (generators.md §2, §3.6, §3.7) and its budget
//! split (§1.4), checked once: [`DiscreteOptions`] as written in the grid →
//! [`DiscreteOptions::check`] → [`DiscreteConfig`], the only form the pipeline accepts.

use super::discretise::{self, Dediscretise, EdgeMode};
use crate::error::Result;
use crate::{bail, ensure};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Non-private steps of §1.5 / §3.6.
pub const STEP_ROW_COUNT: &str = "row_count:n_train";
pub const STEP_LABEL_COUNTS: &str = "label_counts:train";

/// How many rows `sample` is asked for when the protocol says `n_train` (§3.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Rows {
    /// The train-fold size (reveals N; recorded as `row_count:n_train`).
    #[serde(rename = "n_train")]
    NTrain,
    /// `⌊N̂⌋` (fully DP; the default).
    #[default]
    #[serde(rename = "nhat")]
    Nhat,
}

/// Where the label counts of a sample come from (§3.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Labels {
    /// Randomised rounding of the model's label marginal.
    #[default]
    Model,
    /// The train class counts (non-private, `label_counts:train`).
    Train,
}

/// Default bin count (quartiles, §2.1) and default budget shares (§2.2, §2.3).
pub const DEFAULT_BINS: usize = 4;
pub const DEFAULT_DISCRETISATION_SHARE: f64 = 0.1;
pub const DEFAULT_DEDISCRETISE_SHARE: f64 = 0.05;

/// The discretisation and sampling options every discrete generator has (§3.7), unchecked
/// ([`DiscreteOptions::check`] turns them into a [`DiscreteConfig`]).
///
/// The default is end-to-end DP: quartile edges from a DP histogram on the public grid
/// (`edges = "dp"`), DP bin means (`bin-mean-dp`), `⌊N̂⌋` rows and model label counts, so no
/// step reads the train fold outside the accountant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiscreteOptions {
    pub bins: usize,
    pub edges: EdgeMode,
    pub dediscretise: Dediscretise,
    pub rows: Rows,
    pub labels: Labels,
}

impl Default for DiscreteOptions {
    fn default() -> Self {
        DiscreteOptions {
            bins: DEFAULT_BINS,
            edges: EdgeMode::default(),
            dediscretise: Dediscretise::default(),
            rows: Rows::default(),
            labels: Labels::default(),
        }
    }
}

/// A named starting configuration (`preset = "…"`); keys given explicitly override it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Preset {
    /// The CAMDA 2025 challenge entry's configuration: public train-quantile edges, train bin
    /// means and the exact train row count. Not end-to-end DP: the privacy report lists
    /// `bin_edges:public(train)`, `dediscretise:bin_mean(train)` and `row_count:n_train`.
    #[serde(rename = "camda2025-entry")]
    Camda2025Entry,
}

impl Preset {
    pub fn options(self) -> DiscreteOptions {
        match self {
            Preset::Camda2025Entry => DiscreteOptions {
                bins: DEFAULT_BINS,
                edges: EdgeMode::Public,
                dediscretise: Dediscretise::BinMean,
                rows: Rows::NTrain,
                labels: Labels::Model,
            },
        }
    }
}

/// The discrete keys as written in a grid entry: a key left out takes the preset's value, or
/// the private default ([`DiscreteOptions::default`]) without a preset.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DiscreteKeys {
    pub preset: Option<Preset>,
    pub bins: Option<usize>,
    pub edges: Option<EdgeMode>,
    pub dediscretise: Option<Dediscretise>,
    pub rows: Option<Rows>,
    pub labels: Option<Labels>,
}

impl DiscreteKeys {
    pub fn resolve(self) -> DiscreteOptions {
        let base = self.preset.map_or_else(DiscreteOptions::default, Preset::options);
        DiscreteOptions {
            bins: self.bins.unwrap_or(base.bins),
            edges: self.edges.unwrap_or(base.edges),
            dediscretise: self.dediscretise.unwrap_or(base.dediscretise),
            rows: self.rows.unwrap_or(base.rows),
            labels: self.labels.unwrap_or(base.labels),
        }
    }
}

impl DiscreteOptions {
    /// Check the options and plan the budget split over the generator's own phases `main` and
    /// the user's `split.*` table (see [`BudgetSplit::plan`]): the one validation a discrete
    /// generator's parameters get.
    pub fn check(self, main: &[&'static str], user: Option<&BTreeMap<String, f64>>) -> Result<DiscreteConfig> {
        self.validate()?;
        let split = BudgetSplit::plan(main, user, &self)?;
        Ok(DiscreteConfig { options: self, split })
    }

    fn validate(&self) -> Result<()> {
        ensure!(
            (discretise::MIN_BINS..=discretise::MAX_BINS).contains(&self.bins),
            "key 'bins' must be between {} and {}, got {}",
            discretise::MIN_BINS,
            discretise::MAX_BINS,
            self.bins
        );
        ensure!(
            self.dediscretise != Dediscretise::BinMeanDp || self.edges == EdgeMode::Dp,
            "key 'dediscretise' = \"bin-mean-dp\" requires edges = \"dp\""
        );
        Ok(())
    }
}

/// Budget fractions per phase (§1.4), in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetSplit {
    phases: Vec<(&'static str, f64)>,
}

impl BudgetSplit {
    /// The split for a generator whose own phases are `main` (e.g. `one_way`, `two_way`).
    ///
    /// Default: `discretisation` 0.1 with DP edges (else 0), `dediscretise` 0.05 with
    /// `bin-mean-dp` (else 0), the rest shared equally by `main`. A user split (`split.<phase>`)
    /// may name only these phases (a missing phase is 0); the fractions must lie in [0, 1] and sum
    /// to 1 ± 1e-9, every `main` phase needs a positive share, and `discretisation` /
    /// `dediscretise` must be positive exactly when the options use them.
    pub fn plan(
        main: &[&'static str],
        user: Option<&BTreeMap<String, f64>>,
        opts: &DiscreteOptions,
    ) -> Result<BudgetSplit> {
        let disc_used = opts.edges == EdgeMode::Dp;
        let dedisc_used = opts.dediscretise == Dediscretise::BinMeanDp;
        let mut names: Vec<&'static str> = vec!["discretisation"];
        if dedisc_used {
            names.push("dediscretise");
        }
        names.extend_from_slice(main);
        let phases: Vec<(&'static str, f64)> = match user {
            None => {
                let disc = if disc_used { DEFAULT_DISCRETISATION_SHARE } else { 0.0 };
                let dedisc = if dedisc_used { DEFAULT_DEDISCRETISE_SHARE } else { 0.0 };
                let each = (1.0 - disc - dedisc) / main.len() as f64;
                names
                    .iter()
                    .map(|&n| match n {
                        "discretisation" => (n, disc),
                        "dediscretise" => (n, dedisc),
                        _ => (n, each),
                    })
                    .collect()
            }
            Some(table) => {
                for (key, &v) in table {
                    if !names.contains(&key.as_str()) {
                        bail!("unknown key 'split.{key}' (expected phases: {})", names.join(", "));
                    }
                    ensure!(v.is_finite() && (0.0..=1.0).contains(&v), "key 'split.{key}' must lie in [0, 1], got {v}");
                }
                let sum: f64 = table.values().sum();
                if (sum - 1.0).abs() > 1e-9 {
                    bail!("the 'split' fractions must sum to 1 (±1e-9), got {sum}");
                }
                names.iter().map(|&n| (n, table.get(n).copied().unwrap_or(0.0))).collect()
            }
        };
        let split = BudgetSplit { phases };
        for &phase in main {
            if split.fraction(phase) <= 0.0 {
                bail!("key 'split.{phase}' must be > 0");
            }
        }
        ensure!(
            (split.fraction("discretisation") > 0.0) == disc_used,
            "key 'split.discretisation' must be > 0 exactly when edges = \"dp\" (got {})",
            split.fraction("discretisation")
        );
        if dedisc_used && split.fraction("dediscretise") <= 0.0 {
            bail!("key 'split.dediscretise' must be > 0 with bin-mean-dp");
        }
        Ok(split)
    }

    /// The fraction of `phase` (0 if it has none).
    pub fn fraction(&self, phase: &str) -> f64 {
        self.phases.iter().find(|(n, _)| *n == phase).map_or(0.0, |(_, f)| *f)
    }

    /// ρ of `phase` out of `rho_total`.
    pub fn rho(&self, phase: &str, rho_total: f64) -> f64 {
        self.fraction(phase) * rho_total
    }

    /// The phase fractions, for the privacy report.
    pub fn fractions(&self) -> &[(&'static str, f64)] {
        &self.phases
    }
}

/// Checked discrete options with their planned budget split: built only by
/// [`DiscreteOptions::check`], so nothing downstream re-validates.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscreteConfig {
    options: DiscreteOptions,
    split: BudgetSplit,
}

impl DiscreteConfig {
    pub fn options(&self) -> &DiscreteOptions {
        &self.options
    }

    pub fn split(&self) -> &BudgetSplit {
        &self.split
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(edges: EdgeMode, dediscretise: Dediscretise) -> DiscreteOptions {
        DiscreteOptions { bins: 4, edges, dediscretise, rows: Rows::NTrain, labels: Labels::Model }
    }

    #[test]
    fn default_splits() {
        let main = ["one_way", "two_way"];
        let s = BudgetSplit::plan(&main, None, &opts(EdgeMode::Public, Dediscretise::BinMean)).unwrap();
        assert_eq!(s.phases, vec![("discretisation", 0.0), ("one_way", 0.5), ("two_way", 0.5)]);
        let s = BudgetSplit::plan(&main, None, &opts(EdgeMode::Dp, Dediscretise::BinMeanDp)).unwrap();
        assert_eq!(s.fraction("discretisation"), 0.1);
        assert_eq!(s.fraction("dediscretise"), 0.05);
        assert!((s.fraction("one_way") - 0.425).abs() < 1e-15);
        let mst = BudgetSplit::plan(
            &["one_way", "selection", "two_way"],
            None,
            &opts(EdgeMode::Public, Dediscretise::Uniform),
        )
        .unwrap();
        assert!((mst.fraction("selection") - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(s.fractions()[0], ("discretisation", 0.1));
    }

    #[test]
    fn user_splits_are_validated_with_the_key_named() {
        let main = ["one_way", "two_way"];
        let o = opts(EdgeMode::Public, Dediscretise::BinMean);
        let t = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>();
        let ok = BudgetSplit::plan(&main, Some(&t(&[("one_way", 0.3), ("two_way", 0.7)])), &o).unwrap();
        assert_eq!(ok.fraction("two_way"), 0.7);
        let err = |pairs: &[(&str, f64)], o: &DiscreteOptions| {
            BudgetSplit::plan(&main, Some(&t(pairs)), o).unwrap_err().to_string()
        };
        assert!(err(&[("one_way", 0.3), ("two_way", 0.6)], &o).contains("sum to 1"));
        assert!(err(&[("one_way", 0.5), ("three_way", 0.5)], &o).contains("split.three_way"));
        assert!(err(&[("one_way", 1.0)], &o).contains("split.two_way"));
        assert!(
            err(&[("one_way", 0.4), ("two_way", 0.4), ("discretisation", 0.2)], &o).contains("split.discretisation")
        );
        let dp = opts(EdgeMode::Dp, Dediscretise::BinMean);
        assert!(err(&[("one_way", 0.5), ("two_way", 0.5)], &dp).contains("split.discretisation"));
        assert!(err(&[("one_way", 1.5), ("two_way", -0.5)], &o).contains("must lie in [0, 1]"));
    }

    #[test]
    fn defaults_are_private_and_the_preset_is_the_challenge_entry() {
        let d = DiscreteKeys::default().resolve();
        assert_eq!(
            (d.edges, d.dediscretise, d.rows, d.labels),
            (EdgeMode::Dp, Dediscretise::BinMeanDp, Rows::Nhat, Labels::Model)
        );
        let entry = DiscreteKeys { preset: Some(Preset::Camda2025Entry), ..Default::default() }.resolve();
        assert_eq!(
            (entry.edges, entry.dediscretise, entry.rows),
            (EdgeMode::Public, Dediscretise::BinMean, Rows::NTrain)
        );
        let overridden = DiscreteKeys {
            preset: Some(Preset::Camda2025Entry),
            rows: Some(Rows::Nhat),
            bins: Some(8),
            ..Default::default()
        }
        .resolve();
        assert_eq!((overridden.rows, overridden.bins, overridden.edges), (Rows::Nhat, 8, EdgeMode::Public));
    }

    #[test]
    fn options_are_validated() {
        assert!(opts(EdgeMode::Public, Dediscretise::BinMeanDp)
            .validate()
            .unwrap_err()
            .to_string()
            .contains("dediscretise"));
        let mut o = opts(EdgeMode::Public, Dediscretise::BinMean);
        o.bins = 65;
        assert!(o.validate().unwrap_err().to_string().contains("'bins'"));
    }
}
