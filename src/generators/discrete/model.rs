//! The fitted model of every discrete generator: a sampling plan over the (possibly compressed)
//! discrete domain, the de-discretiser, and the privacy report.

use super::compress::DomainCompression;
use super::discretise::{Dediscretiser, DiscreteData};
use super::measure::Measurement;
use super::options::Rows;
use super::sample::{randomised_rounding, SamplingPlan};
use crate::error::Result;
use crate::generators::{Model, Synthetic};
use crate::privacy::accountant::PrivacyReport;
use crate::rng::{Key, Rng};
use std::collections::BTreeMap;

/// Where a sample's label counts come from (§3.6 `labels`).
#[derive(Clone, Debug, PartialEq)]
pub enum LabelSource {
    /// Randomised rounding of the model's label marginal.
    Model,
    /// The train class counts (rescaled by randomised rounding when `n ≠ N_train`).
    Train(Vec<usize>),
}

/// A fitted discrete model (`private-pgm` or `independent`).
#[derive(Clone, Debug)]
pub struct DiscreteModel {
    pub(crate) plan: SamplingPlan,
    pub(crate) compression: Option<DomainCompression>,
    pub(crate) dediscretiser: Dediscretiser,
    pub(crate) classes: Vec<String>,
    pub(crate) labels: LabelSource,
    pub(crate) rows: Rows,
    pub(crate) nhat: f64,
    pub(crate) measurements: Vec<Measurement>,
    pub(crate) privacy: PrivacyReport,
    pub(crate) diagnostics: BTreeMap<String, String>,
}

impl DiscreteModel {
    /// The factorisation the model samples from (over the compressed domain for MST).
    pub fn plan(&self) -> &SamplingPlan {
        &self.plan
    }

    /// The DP estimate of the train size (§3.2).
    pub fn nhat(&self) -> f64 {
        self.nhat
    }

    /// The noisy measurements the model was fitted from (for `--dump-measurements`, §3.1).
    pub fn measurements(&self) -> &[Measurement] {
        &self.measurements
    }

    pub fn compression(&self) -> Option<&DomainCompression> {
        self.compression.as_ref()
    }

    /// `n` discrete records over the original domain (genes' bins, then the label):
    /// label counts first (§3.6), then the plan's stratified sampling, then decompression of
    /// merged values (MST). Advances `rng` by one draw; everything else uses sub-streams.
    pub fn sample_codes(&self, n: usize, rng: &mut Rng) -> Result<DiscreteData> {
        self.codes_from(n, &sample_stream(rng))
    }

    fn codes_from(&self, n: usize, base: &Rng) -> Result<DiscreteData> {
        let mut count_rng = base.child(&[Key::Str("root-counts")]);
        let root_counts = match &self.labels {
            LabelSource::Model => randomised_rounding(n, self.plan.root_probs(), &mut count_rng),
            LabelSource::Train(counts) => {
                let probs: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
                let counts = randomised_rounding(n, &probs, &mut count_rng);
                match &self.compression {
                    Some(c) => c.compress_counts(self.plan.root(), &counts),
                    None => counts,
                }
            }
        };
        let codes = self.plan.sample(&root_counts, base)?;
        match &self.compression {
            Some(c) => c.decompress(&codes, &base.child(&[Key::Str("decompress")])),
            None => Ok(codes),
        }
    }
}

/// The base stream of one `sample` call: advances `rng` by one draw, so repeated calls differ.
fn sample_stream(rng: &mut Rng) -> Rng {
    let nonce = rng.next_u64();
    rng.child(&[Key::Str("sample"), Key::Num(nonce)])
}

impl Model for DiscreteModel {
    fn sample(&self, n: usize, rng: &mut Rng) -> Result<Synthetic> {
        let base = sample_stream(rng);
        let codes = self.codes_from(n, &base)?;
        let genes = codes.attrs() - 1;
        let x = self.dediscretiser.decode(codes.columns(0..genes), n, &base.child(&[Key::Str("values")]))?;
        let labels = codes.column(genes).iter().map(|&c| self.classes[c as usize].clone()).collect();
        Ok(Synthetic { x, labels })
    }

    fn privacy(&self) -> &PrivacyReport {
        &self.privacy
    }

    fn sample_size(&self, n_train: usize) -> usize {
        match self.rows {
            Rows::NTrain => n_train,
            Rows::Nhat => self.nhat.floor() as usize,
        }
    }

    fn diagnostics(&self) -> BTreeMap<String, String> {
        self.diagnostics.clone()
    }
}
