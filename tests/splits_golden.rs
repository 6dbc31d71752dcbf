//! bench's stratified k-fold with `SplitRng::Numpy` and `NumpyMt19937` against scikit-learn /
//! numpy. Golden values: tests/golden/splits.json, written by scripts/golden_splits.py
//! (scikit-learn 1.5.2 `StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)`,
//! numpy 1.26.4 `RandomState(seed).permutation(n)`).

use bench::data::split::{stratified_fold_assignment, stratified_kfold, SplitRng};
use bench::rng::NumpyMt19937;
use serde::Deserialize;

#[derive(Deserialize)]
struct Golden {
    numpy_permutations: Vec<Permutation>,
    stratified_kfold: Vec<KFoldCase>,
}

#[derive(Deserialize)]
struct Permutation {
    seed: u32,
    n: usize,
    permutation: Vec<usize>,
}

#[derive(Deserialize)]
struct KFoldCase {
    name: String,
    k: usize,
    seed: u64,
    labels: Vec<String>,
    test_fold: Vec<usize>,
}

fn golden() -> Golden {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/splits.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("golden file")).expect("golden JSON")
}

#[test]
fn numpy_mt19937_permutation_matches_numpy() {
    let g = golden();
    assert_eq!(g.numpy_permutations.len(), 2);
    for p in &g.numpy_permutations {
        let ours = NumpyMt19937::new(p.seed).permutation(p.n);
        assert_eq!(ours, p.permutation, "RandomState({}).permutation({})", p.seed, p.n);
    }
}

#[test]
fn stratified_fold_assignment_matches_sklearn() {
    let g = golden();
    assert!(g.stratified_kfold.len() >= 6);
    for case in &g.stratified_kfold {
        let ours = stratified_fold_assignment(&case.labels, case.k, case.seed, SplitRng::Numpy).unwrap();
        assert_eq!(ours.len(), case.test_fold.len(), "{}", case.name);
        let first_diff = ours.iter().zip(&case.test_fold).position(|(a, b)| a != b);
        assert_eq!(first_diff, None, "{}: first differing sample", case.name);
    }
}

#[test]
fn stratified_kfold_test_parts_follow_the_assignment() {
    let g = golden();
    let case = &g.stratified_kfold[0];
    let splits = stratified_kfold(&case.labels, case.k, case.seed, SplitRng::Numpy).unwrap();
    for s in &splits {
        let expected: Vec<usize> = (0..case.labels.len()).filter(|&i| case.test_fold[i] == s.number - 1).collect();
        assert_eq!(s.test, expected, "split_{}", s.number);
        assert_eq!(s.train.len() + s.test.len(), case.labels.len());
    }
}
