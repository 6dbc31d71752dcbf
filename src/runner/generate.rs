//! `bench generate`: run one built-in generator outside a grid.
//!
//! - On a kit folder (`--real-dir`): every split `k` with an `X_train_real_split_{k}.csv` is fitted
//!   and sampled, and `--out` receives the submission (`synthetic_data_split_{k}.csv`,
//!   `synthetic_labels_split_{k}.csv`, data-formats.md §4) plus the privacy report of each split
//!   (`privacy/split_{k}.json`, the report `bench run` writes per cell).
//! - On a request of the external-generator protocol (`--request`, README "External
//!   generators"): the one split the request names, written where the request says, plus
//!   `privacy.json` (the claim: ε spent and δ). This makes `bench generate` usable as the
//!   `command` of a `kind = "command"` grid entry.
//!
//! Random streams: split `k` is fitted with `Rng::derive([seed, dataset, k, "fit"])` and sampled
//! with `… "sample"` ([`StreamId`]), exactly as the cell (seed, dataset, fold k) of `bench run`;
//! a request carries `seed`, `dataset` and `split`, so the output equals the built-in's.

use super::output_check::check_synthetic;
use crate::data::dataset::{classes, Schema, TrainFold};
use crate::data::export::{read_real_train, write_synthetic_split};
use crate::error::{Context, Error, Result};
use crate::generators::command::Request;
use crate::generators::context::StreamId;
use crate::generators::{self, Generator, Synthetic};
use crate::io::write_atomic;
use crate::privacy::accountant::{Budget, PrivacyReport};
use crate::{bail, ensure};
use std::path::{Path, PathBuf};

/// Options of `bench generate` on a kit folder.
#[derive(Clone, Debug)]
pub struct KitOptions {
    pub real_dir: PathBuf,
    pub out: PathBuf,
    /// `None` for a non-DP kind.
    pub epsilon: Option<f64>,
    pub delta: f64,
    pub seed: u64,
    /// The stream key of the dataset (a run's manifest.json `content_hash` reproduces its cells).
    pub dataset: String,
    pub public_range: (f64, f64),
}

/// Build a built-in generator from `kind` and `--param key=value` pairs (values parsed as TOML,
/// bare words as strings).
pub fn build_generator(kind: &str, params: &[String]) -> Result<Box<dyn Generator>> {
    ensure!(kind != "command", "--generator command: bench generate runs built-in kinds only");
    let mut table = toml::Table::new();
    for p in params {
        let (key, value) = p.split_once('=').ok_or_else(|| Error::new(format!("--param '{p}': expected KEY=VALUE")))?;
        let value = match format!("v = {value}").parse::<toml::Table>() {
            Ok(mut t) => t.remove("v").expect("the parsed table has key v"),
            Err(_) => toml::Value::String(value.to_string()),
        };
        ensure!(table.insert(key.trim().to_string(), value).is_none(), "--param '{key}' given twice");
    }
    generators::build(kind, &table).map_err(|e| e.context("--param"))
}

/// The split numbers of a kit folder: every `k` of `X_train_real_split_{k}.csv[.gz]`, ascending.
pub fn kit_splits(dir: &Path) -> Result<Vec<usize>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read directory {}", dir.display()))?;
    let mut splits: Vec<usize> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let rest = name.strip_prefix("X_train_real_split_")?;
            let digits = rest.strip_suffix(".csv.gz").or_else(|| rest.strip_suffix(".csv"))?;
            digits.parse().ok().filter(|&k: &usize| k > 0 && digits.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    splits.sort_unstable();
    splits.dedup();
    ensure!(!splits.is_empty(), "{}: no X_train_real_split_<k>.csv found (expected a kit folder)", dir.display());
    Ok(splits)
}

/// The budget of a run: `--epsilon` is required for DP kinds and refused for the others.
fn budget(generator: &dyn Generator, epsilon: Option<f64>, delta: f64) -> Result<Budget> {
    match (generator.is_dp(), epsilon) {
        (true, Some(e)) => Budget::dp(e, delta).map_err(|e| e.context("--epsilon/--delta")),
        (true, None) => bail!("--epsilon is required: kind '{}' is differentially private", generator.kind()),
        (false, Some(_)) => bail!("--epsilon: kind '{}' is not differentially private", generator.kind()),
        (false, None) => Ok(Budget::NonPrivate),
    }
}

/// Fit on `train` and sample the model's row count for `train`'s size (as `bench run` does)
/// with the streams of `stream`; the rows are checked as `bench run` checks a cell's.
fn fit_and_sample(
    generator: &dyn Generator,
    train: &TrainFold<'_>,
    budget: &Budget,
    stream: &StreamId,
) -> Result<(Synthetic, PrivacyReport)> {
    let model = generator.fit(train, budget, &mut stream.rng("fit")).context("fit")?;
    let n = model.sample_size(train.n_rows());
    let synthetic = model.sample(n, &mut stream.rng("sample")).context("sample")?;
    let synthetic = check_synthetic(&synthetic, train.schema(), n)?;
    Ok((synthetic, model.privacy().clone()))
}

/// Run `generator` on every split of a kit folder; returns the split numbers.
pub fn generate_kit(generator: &dyn Generator, opts: &KitOptions) -> Result<Vec<usize>> {
    let budget = budget(generator, opts.epsilon, opts.delta)?;
    let splits = kit_splits(&opts.real_dir)?;
    for &k in &splits {
        let real = read_real_train(&opts.real_dir, k)?;
        let all_labels = [real.train.labels.as_slice(), real.test_labels.as_slice()].concat();
        let schema =
            Schema { gene_ids: real.gene_ids.clone(), classes: classes(&all_labels), public_range: opts.public_range };
        let train = TrainFold::from_parts(&real.train, &schema);
        let stream = StreamId { seed: opts.seed, dataset: opts.dataset.clone(), fold: k };
        let (synthetic, privacy) =
            fit_and_sample(generator, &train, &budget, &stream).map_err(|e| e.context(format!("split {k}")))?;
        write_synthetic_split(
            &opts.out,
            k,
            &synthetic.x,
            &synthetic.labels,
            &real.gene_ids,
            &real.label_column,
            false,
        )?;
        let json = serde_json::to_string_pretty(&privacy).expect("privacy report serialises") + "\n";
        write_atomic(&opts.out.join("privacy").join(format!("split_{k}.json")), json.as_bytes())?;
    }
    Ok(splits)
}

/// Answer one request of the external-generator protocol with a built-in generator.
pub fn generate_request(generator: &dyn Generator, path: &Path) -> Result<()> {
    let request = Request::load(path)?;
    let budget = request.budget().map_err(|e| e.context(path.display()))?;
    ensure!(
        generator.is_dp() == matches!(budget, Budget::Dp { .. }),
        "{}: kind '{}' is {}differentially private but the request has epsilon {} (set dp = {} in the grid entry)",
        path.display(),
        generator.kind(),
        if generator.is_dp() { "" } else { "not " },
        request.epsilon.map_or("null".to_string(), crate::io::fmt_f64),
        generator.is_dp()
    );
    let k = request.split;
    let parent = |p: &Path| p.parent().map(Path::to_path_buf).unwrap_or_default();
    let real = read_real_train(&parent(&request.train_data), k)?;
    let schema = Schema {
        gene_ids: real.gene_ids.clone(),
        classes: request.classes.clone(),
        public_range: (request.public_range[0], request.public_range[1]),
    };
    let train = TrainFold::from_parts(&real.train, &schema);
    let stream = StreamId { seed: request.seed, dataset: request.dataset.clone(), fold: k };
    ensure!(
        train.n_rows() == request.rows,
        "{}: {} train rows but the request says rows = {}",
        request.train_data.display(),
        train.n_rows(),
        request.rows
    );
    let (synthetic, privacy) = fit_and_sample(generator, &train, &budget, &stream)?;
    let out = parent(&request.synthetic_data);
    write_synthetic_split(&out, k, &synthetic.x, &synthetic.labels, &real.gene_ids, &request.label_column, false)?;
    if let Budget::Dp { epsilon, delta } = budget {
        let claim = serde_json::json!({ "epsilon": privacy.epsilon_spent.unwrap_or(epsilon), "delta": delta });
        write_atomic(&request.privacy, (claim.to_string() + "\n").as_bytes())?;
    }
    Ok(())
}
