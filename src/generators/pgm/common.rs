//! What the discrete generators (`private-pgm`, `independent`) share: the options of §2 and
//! §3.6, the budget split of §1.4, and the two ends of the pipeline — discretise the train fold
//! (`prepare`) and wrap a sampling plan into a model with its privacy report (`finish`).

use super::model::{DiscreteModel, LabelSource};
use super::mst::DomainCompression;
use super::sample::SamplingPlan;
use crate::data::dataset::TrainFold;
use crate::data::discretise::{
    self, dp_edges, dp_edges_noise_to_signal, encode, public_edges, BinEdges, Dediscretise, Dediscretiser,
    DiscreteData, EdgeMode, STEP_BIN_MEAN, STEP_PUBLIC_EDGES, WARN_DP_EDGES_NOISE,
};
use crate::error::Result;
use crate::privacy::accountant::{Accountant, Budget};
use crate::privacy::mechanisms::Noise;
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
    #[default]
    #[serde(rename = "n_train")]
    NTrain,
    /// `⌊N̂⌋` (fully DP).
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

/// The discretisation and sampling options every discrete generator has (§3.7).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiscreteOptions {
    pub bins: usize,
    pub edges: EdgeMode,
    pub dediscretise: Dediscretise,
    pub rows: Rows,
    pub labels: Labels,
}

impl DiscreteOptions {
    pub fn validate(&self) -> Result<()> {
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

/// The train fold after discretisation, with the accountant that has paid for it.
#[derive(Debug)]
pub struct Prepared {
    pub data: DiscreteData,
    pub edges: BinEdges,
    pub acct: Accountant,
    pub split: BudgetSplit,
    pub non_private: Vec<String>,
    pub warnings: Vec<String>,
    /// σ of the DP edge histograms (`edges = dp`).
    pub edge_sigma: Option<f64>,
    /// Train count per schema class (used only with `labels = train`).
    pub train_counts: Vec<usize>,
}

impl Prepared {
    pub fn genes(&self) -> usize {
        self.data.attrs() - 1
    }

    pub fn rho(&self, phase: &str) -> f64 {
        self.split.rho(phase, self.acct.rho_total())
    }
}

/// Map labels to indices of the schema's class set.
pub fn label_codes(train: &TrainFold<'_>) -> Result<Vec<u32>> {
    let classes = train.classes();
    train
        .labels()
        .iter()
        .map(|l| match classes.iter().position(|c| c == l) {
            Some(i) => Ok(i as u32),
            None => bail!("train label '{l}' is not in the dataset's class set {classes:?}"),
        })
        .collect()
}

/// Discretise the train fold (§2.1–2.2): bin edges (public quantiles, recorded; or DP
/// histograms charged to `discretisation`), then the encoded table (genes, then the label).
pub fn prepare(
    train: &TrainFold<'_>,
    opts: &DiscreteOptions,
    split: BudgetSplit,
    budget: &Budget,
    noise: &Noise,
) -> Result<Prepared> {
    opts.validate()?;
    ensure!(train.n_rows() > 0, "the train fold is empty");
    ensure!(!train.classes().is_empty(), "the dataset has no classes");
    let mut acct = Accountant::new(budget)?;
    let range = train.schema().public_range;
    let mut non_private = Vec::new();
    let (edges, edge_sigma) = match opts.edges {
        EdgeMode::Public => {
            non_private.push(STEP_PUBLIC_EDGES.to_string());
            (public_edges(train.x(), opts.bins, range)?, None)
        }
        EdgeMode::Dp => {
            let rho = split.rho("discretisation", acct.rho_total());
            let (edges, sigma) =
                dp_edges(train.x(), opts.bins, range, rho, &mut acct, &mut noise.phase("discretisation"))?;
            (edges, Some(sigma))
        }
    };
    let data = encode(train.x(), &edges, &label_codes(train)?, train.classes().len())?;
    Ok(Prepared {
        data,
        edges,
        acct,
        split,
        non_private,
        warnings: vec![],
        edge_sigma,
        train_counts: train.class_counts(),
    })
}

/// What a fit hands to [`finish`] besides the prepared data.
#[derive(Debug)]
pub struct Fitted {
    pub plan: SamplingPlan,
    pub compression: Option<DomainCompression>,
    pub nhat: f64,
    /// Noisy 1-way gene counts, gene-major `p × B` (for `bin-mean-dp`).
    pub gene_counts: Vec<f64>,
    pub measurements: Vec<super::measure::Measurement>,
    pub diagnostics: BTreeMap<String, String>,
}

/// Build the model: de-discretiser (§2.3), row-count and label options (§3.6), the DP-edge
/// noise-to-signal check (§2.2, with N̂ for N), and the privacy report (§1.5).
pub fn finish(
    mut prep: Prepared,
    train: &TrainFold<'_>,
    opts: &DiscreteOptions,
    fitted: Fitted,
    noise: &Noise,
) -> Result<DiscreteModel> {
    let Fitted { plan, compression, nhat, gene_counts, measurements, mut diagnostics } = fitted;
    let dediscretiser = match opts.dediscretise {
        Dediscretise::BinMean => {
            prep.non_private.push(STEP_BIN_MEAN.to_string());
            Dediscretiser::bin_mean(train.x(), &prep.data, &prep.edges)
        }
        Dediscretise::Uniform => Dediscretiser::uniform(&prep.edges),
        Dediscretise::BinMeanDp => {
            let rho = prep.rho("dediscretise");
            let mut phase_noise = noise.phase("dediscretise");
            Dediscretiser::bin_mean_dp(
                train.x(),
                &prep.data,
                &prep.edges,
                &gene_counts,
                rho,
                &mut prep.acct,
                &mut phase_noise,
            )?
        }
    };
    if let Some(sigma) = prep.edge_sigma {
        let ratio = dp_edges_noise_to_signal(sigma, nhat, opts.bins);
        diagnostics.insert("dp_edges_noise_to_signal".into(), ratio.to_string());
        if ratio > 1.0 {
            prep.warnings.push(WARN_DP_EDGES_NOISE.to_string());
        }
    }
    if opts.rows == Rows::NTrain {
        prep.non_private.push(STEP_ROW_COUNT.to_string());
    }
    let labels = match opts.labels {
        Labels::Model => LabelSource::Model,
        Labels::Train => {
            prep.non_private.push(STEP_LABEL_COUNTS.to_string());
            LabelSource::Train(prep.train_counts.clone())
        }
    };
    diagnostics.insert("nhat".into(), nhat.to_string());
    let privacy = prep.acct.report(prep.split.fractions(), prep.non_private, prep.warnings);
    Ok(DiscreteModel {
        plan,
        compression,
        dediscretiser,
        classes: train.classes().to_vec(),
        labels,
        rows: opts.rows,
        nhat,
        measurements,
        privacy,
        diagnostics,
    })
}

/// Gene-major `p × B` noisy counts from the 1-way gene measurements (attributes `0..p`).
pub fn gene_counts(one_way: &[super::measure::Measurement], genes: usize) -> Vec<f64> {
    one_way.iter().filter(|m| m.clique.len() == 1 && m.clique[0] < genes).flat_map(|m| m.y.iter().copied()).collect()
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
