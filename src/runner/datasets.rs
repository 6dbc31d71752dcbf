//! Load the datasets a grid names and build their splits.

use super::grid::{DatasetSource, DatasetSpec, Protocol};
use crate::data::dataset::Dataset;
use crate::data::load::{self, ChallengeOptions, TidyOptions};
use crate::data::simulate::{self, SimDataset};
use crate::data::split::{stratified_kfold, Split};
use crate::data::split_yaml;
use crate::error::Result;

/// Load (or simulate) one dataset and validate it.
pub fn load_dataset(spec: &DatasetSpec) -> Result<Dataset> {
    let dataset = match &spec.source {
        DatasetSource::Simulator { simulator, seed, gene_names } => {
            let which = SimDataset::from_name(simulator).expect("validated when the grid was parsed");
            let mut d = simulate::simulate(which, *seed)?;
            d.name = spec.name.clone();
            if let Some(path) = gene_names {
                simulate::rename_genes(&mut d, path)?;
            }
            d
        }
        DatasetSource::Challenge { matrix, meta, sample_column, label_column } => load::load_challenge(
            &spec.name,
            matrix,
            meta,
            &ChallengeOptions {
                sample_column: sample_column.clone(),
                label_column: label_column.clone(),
                drop_unlabelled: spec.drop_unlabelled,
                na_label: spec.na_label.clone(),
            },
        )?,
        DatasetSource::Tidy { path, id_column, label_column } => load::load_tidy(
            &spec.name,
            path,
            &TidyOptions {
                id_column: id_column.clone(),
                label_column: label_column.clone(),
                drop_unlabelled: spec.drop_unlabelled,
                na_label: spec.na_label.clone(),
            },
        )?,
    };
    dataset.validate(&format!("dataset '{}'", spec.name))?;
    let classes = dataset.classes();
    crate::ensure!(
        classes.len() >= 2,
        "dataset '{}': every sample has label '{}' (column '{}'); the metrics compare classes, so at least 2 are needed",
        spec.name,
        classes[0],
        dataset.label_column
    );
    Ok(dataset)
}

/// The splits of a dataset for one seed: from the split YAML when the grid names one,
/// otherwise stratified k-fold with that seed.
pub fn splits_for(spec: &DatasetSpec, dataset: &Dataset, protocol: &Protocol, seed: u64) -> Result<Vec<Split>> {
    match &spec.splits {
        Some(path) => {
            let splits = split_yaml::read_splits(path, dataset)?;
            check_train_classes(&splits, dataset, path)?;
            Ok(splits)
        }
        None => stratified_kfold(&dataset.labels, protocol.folds, seed, protocol.split_rng)
            .map_err(|e| e.context(format!("dataset '{}'", spec.name))),
    }
}

/// Every split's train part must hold every class of the dataset: generators learn per class and
/// the classifiers of metrics.md §2 are trained on it.
fn check_train_classes(splits: &[Split], dataset: &Dataset, path: &std::path::Path) -> Result<()> {
    for s in splits {
        let present: std::collections::HashSet<&str> = s.train.iter().map(|&i| dataset.labels[i].as_str()).collect();
        let absent: Vec<String> = dataset.classes().into_iter().filter(|c| !present.contains(c.as_str())).collect();
        crate::ensure!(
            absent.is_empty(),
            "{}: split_{}: train_index has no sample of class(es) {}; every train part needs every class",
            path.display(),
            s.number,
            crate::data::load::list_ids(&absent)
        );
    }
    Ok(())
}
