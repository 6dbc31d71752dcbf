//! `bench datasets …`: the simulator's challenge-layout export loads back bit-identically with
//! the same labels and splits (simulator.md §5), and describe/list work.

mod common;
use bench::data::load::{load_challenge, ChallengeOptions};
use bench::data::simulate::{simulate, SimDataset};
use bench::data::split::{stratified_kfold, SplitRng};
use bench::data::split_yaml::read_splits;
use common::*;

#[test]
fn challenge_export_round_trips_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        bench(&["datasets", "export", "sim-brca", "--layout", "challenge", "--seed", "2", "--out", "ex"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let ex = dir.path().join("ex");
    let opts = ChallengeOptions {
        sample_column: "samplesID".into(),
        label_column: "Subtype".into(),
        drop_unlabelled: false,
        na_label: None,
    };
    let loaded = load_challenge(
        "sim-brca",
        &ex.join("SIM-BRCA_primary_tumor_star_deseq_VST_lmgenes.tsv"),
        &ex.join("SIM-BRCA_primary_tumor_subtypes.csv"),
        &opts,
    )
    .unwrap();
    let original = simulate(SimDataset::Brca, 2).unwrap();
    assert_eq!(loaded.sample_ids, original.sample_ids);
    assert_eq!(loaded.gene_ids, original.gene_ids);
    assert_eq!(loaded.labels, original.labels);
    let bits = |d: &bench::data::dataset::Dataset| d.x.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&loaded), bits(&original));
    let splits = read_splits(&ex.join("SIM-BRCA_splits.yaml"), &loaded).unwrap();
    assert_eq!(splits, stratified_kfold(&original.labels, 5, 2, SplitRng::Numpy).unwrap());
}

#[test]
fn list_and_describe() {
    let dir = tempfile::tempdir().unwrap();
    let out = bench(&["datasets", "list"], dir.path());
    assert!(stdout(&out).contains("sim-brca") && stdout(&out).contains("sim-combined"));
    let out = bench(&["datasets", "describe", "sim-brca"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("BRCA.LumA      564"), "{}", stdout(&out));
    assert!(stdout(&out).contains("eta^2 median"));
    let out = bench(&["datasets", "describe", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown dataset 'nope'"));
}
