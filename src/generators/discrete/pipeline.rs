//! The two ends of the discrete pipeline (generators.md §2, §3.6, §1.5): discretise the train
//! fold with the accountant that pays for it ([`prepare`]), and wrap a sampling plan into a model
//! with its de-discretiser and privacy report ([`finish`]). The middle — measure and model — is
//! each generator's [`super::DiscreteGenerator::measure_and_model`].

use super::compress::DomainCompression;
use super::discretise::{
    dp_edges, dp_edges_noise_to_signal, encode, public_edges, BinEdges, Dediscretise, Dediscretiser, DiscreteData,
    EdgeMode, STEP_BIN_MEAN, STEP_PUBLIC_EDGES, WARN_DP_EDGES_NOISE,
};
use super::measure::Measurement;
use super::model::{DiscreteModel, LabelSource};
use super::options::{BudgetSplit, DiscreteConfig, Labels, Rows, STEP_LABEL_COUNTS, STEP_ROW_COUNT};
use super::sample::SamplingPlan;
use crate::bail;
use crate::data::dataset::TrainFold;
use crate::ensure;
use crate::error::Result;
use crate::privacy::accountant::{Accountant, Budget};
use crate::privacy::mechanisms::Noise;
use std::collections::BTreeMap;

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
pub fn prepare(train: &TrainFold<'_>, config: &DiscreteConfig, budget: &Budget, noise: &Noise) -> Result<Prepared> {
    let (opts, split) = (config.options(), config.split().clone());
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
    pub measurements: Vec<Measurement>,
    pub diagnostics: BTreeMap<String, String>,
}

/// Build the model: de-discretiser (§2.3), row-count and label options (§3.6), the DP-edge
/// noise-to-signal check (§2.2, with N̂ for N), and the privacy report (§1.5).
pub fn finish(
    mut prep: Prepared,
    train: &TrainFold<'_>,
    config: &DiscreteConfig,
    fitted: Fitted,
    noise: &Noise,
) -> Result<DiscreteModel> {
    let opts = config.options();
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
pub fn gene_counts(one_way: &[Measurement], genes: usize) -> Vec<f64> {
    one_way.iter().filter(|m| m.clique.len() == 1 && m.clique[0] < genes).flat_map(|m| m.y.iter().copied()).collect()
}
