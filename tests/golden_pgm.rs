//! Cross-check of label-star estimation against the reference implementation (generators.md §9):
//! mbi 2.0.0 (`ryan112358/mbi`, JAX with `jax_enable_x64`) ran its mirror descent for 1000
//! iterations on the measurements in `tests/golden/pgm_measurements.jsonl`, and
//! `scripts/golden_pgm.py` stored its N̂, final loss and clique marginals in
//! `tests/golden/pgm_marginals.json`. This test runs bench's estimator on the same
//! measurements; it needs no Python.
//!
//! A second pair of files does the same for an MST model: a data-chosen tree with compressed
//! 1-way measurements (weighted queries), where mbi runs 3000 iterations from bench's N̂.
//!
//! `committed_measurements_are_reproduced` checks that bench still measures exactly the committed
//! inputs. Regenerate them on purpose with
//! `BENCH_REGENERATE_GOLDEN=1 cargo test --release --test golden_pgm committed_measurements`, then
//! run `python scripts/golden_pgm.py` (needs `pip install mbi==2.0.0`).

use bench::data::dataset::{Labelled, Schema, TrainFold};
use bench::data::matrix::Matrix;
use bench::generators::discrete::measure::{read_measurements_jsonl, write_measurements_jsonl, Measurement};
use bench::generators::discrete::DiscreteGenerator;
use bench::generators::pgm::estimate::{estimate, DescentOptions};
use bench::generators::pgm::tree::TreeModel;
use bench::generators::pgm::PrivatePgm;
use bench::privacy::accountant::Budget;
use bench::privacy::mechanisms::Noise;
use bench::rng::Rng;
use serde::Deserialize;
use std::path::PathBuf;

/// The golden input: 300 rows × 20 genes × 4 bins × 3 classes, ε = 1.
const ROWS: usize = 300;
const GENES: usize = 20;
const CLASSES: usize = 3;
const BINS: usize = 4;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

#[derive(Deserialize)]
struct MbiResult {
    mbi_version: String,
    iterations: usize,
    nhat: f64,
    final_loss: f64,
    cliques: Vec<Vec<usize>>,
    marginals: Vec<Vec<f64>>,
}

/// Largest total variation between bench's and mbi's normalised clique marginals.
fn worst_tv(est: &bench::generators::pgm::estimate::Estimate, mbi: &MbiResult) -> f64 {
    assert_eq!(mbi.cliques.len(), est.tree.edges().len());
    let mut worst: f64 = 0.0;
    for (clique, theirs) in mbi.cliques.iter().zip(&mbi.marginals) {
        let e = est.tree.edges().iter().position(|e| clique == &[e.a, e.b]).expect("mbi clique is a model clique");
        let ours = est.clique_marginal(e);
        let (so, st): (f64, f64) = (ours.iter().sum(), theirs.iter().sum());
        let tv = 0.5 * ours.iter().zip(theirs).map(|(a, b)| (a / so - b / st).abs()).sum::<f64>();
        worst = worst.max(tv);
    }
    worst
}

fn load(measurements: &str, marginals: &str) -> (Vec<Measurement>, MbiResult) {
    let ms = read_measurements_jsonl(&golden(measurements)).unwrap();
    let mbi: MbiResult = serde_json::from_str(&std::fs::read_to_string(golden(marginals)).unwrap()).unwrap();
    assert_eq!(mbi.mbi_version, "2.0.0");
    (ms, mbi)
}

#[test]
fn label_star_estimation_matches_mbi() {
    let (ms, mbi) = load("pgm_measurements.jsonl", "pgm_marginals.json");
    let mut sizes = vec![BINS; GENES];
    sizes.push(CLASSES);
    let tree = TreeModel::star(sizes, GENES).unwrap();
    let est = estimate(tree, &ms, DescentOptions { iterations: mbi.iterations, tol: 0.0 }).unwrap();
    assert!((est.nhat - mbi.nhat).abs() <= 1e-9 * mbi.nhat, "N̂ {} vs mbi {}", est.nhat, mbi.nhat);
    assert!(est.loss <= mbi.final_loss * 1.01, "final loss {} vs mbi {}", est.loss, mbi.final_loss);
    let worst = worst_tv(&est, &mbi);
    assert!(worst <= 1e-3, "largest clique total variation {worst}");
}

#[test]
fn mst_tree_estimation_with_compressed_measurements_matches_mbi() {
    let (ms, mbi) = load("pgm_mst_measurements.jsonl", "pgm_mst_marginals.json");
    assert!(ms.iter().any(|m| m.weights.is_some()), "the MST golden input should contain compressed measurements");
    let sizes: Vec<usize> = ms.iter().filter(|m| m.clique.len() == 1).map(|m| m.y.len()).collect();
    let pairs: Vec<(usize, usize)> =
        ms.iter().filter(|m| m.clique.len() == 2).map(|m| (m.clique[0], m.clique[1])).collect();
    let root = sizes.len() - 1;
    let tree = TreeModel::new(sizes, &pairs, root).unwrap();
    let est = estimate(tree, &ms, DescentOptions { iterations: mbi.iterations, tol: 0.0 }).unwrap();
    // mbi's own total skips weighted queries, so the script passed it this N̂ (§3.2 with weights,
    // recomputed in numpy): agreement checks the weighted N̂ formula.
    assert!((est.nhat - mbi.nhat).abs() <= 1e-9 * mbi.nhat, "N̂ {} vs {}", est.nhat, mbi.nhat);
    assert!(est.loss <= mbi.final_loss * 1.01, "final loss {} vs mbi {}", est.loss, mbi.final_loss);
    let worst = worst_tv(&est, &mbi);
    assert!(worst <= 1e-3, "largest clique total variation {worst}");
}

/// The committed measurements (the input of `scripts/golden_pgm.py`) are byte for byte what
/// bench measures on the deterministic data below; with `BENCH_REGENERATE_GOLDEN` set, the files
/// are rewritten instead.
fn check_or_regenerate(name: &str, measurements: &[Measurement]) {
    let path = golden(name);
    if std::env::var_os("BENCH_REGENERATE_GOLDEN").is_some() {
        write_measurements_jsonl(&path, measurements).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join(name);
    write_measurements_jsonl(&fresh, measurements).unwrap();
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        std::fs::read_to_string(&fresh).unwrap() == committed,
        "{name} differs from what bench measures now: regenerate it (module doc) if the change is intended"
    );
}

/// Measures deterministic synthetic data and checks the result against
/// `tests/golden/pgm_measurements.jsonl` and `pgm_mst_measurements.jsonl`.
#[test]
fn committed_measurements_are_reproduced() {
    let mut rng = Rng::from_seed(2025);
    let names: Vec<String> = (0..CLASSES).map(|c| format!("class{c}")).collect();
    let mut x = Matrix::zeros(ROWS, GENES);
    let mut labels = Vec::with_capacity(ROWS);
    for i in 0..ROWS {
        let c = i % CLASSES;
        labels.push(names[c].clone());
        for j in 0..GENES {
            let shift = 0.5 * (((j * 7 + c * 3) % 5) as f64 - 2.0);
            x.set(i, j, 8.0 + shift + rng.normal());
        }
    }
    let data = Labelled { x, labels };
    let schema =
        Schema { gene_ids: (0..GENES).map(|j| format!("g{j}")).collect(), classes: names, public_range: (0.0, 20.0) };
    let train = TrainFold::from_parts(&data, &schema);
    let g = PrivatePgm::from_params(&"preset = \"camda2025-entry\"\niterations = 1".parse().unwrap()).unwrap();
    let model = g.fit_model(&train, &Budget::dp(1.0, 1e-5).unwrap(), Noise::from_rng(&Rng::from_seed(7))).unwrap();
    check_or_regenerate("pgm_measurements.jsonl", model.measurements());

    // MST on the first 8 genes: at ε = 1 the threshold 3σ√d ≈ 63 merges some of the noisy
    // quartile cells (≈ 75 rows each).
    let small = Labelled { x: data.x.select_cols(&(0..8).collect::<Vec<_>>()), labels: data.labels.clone() };
    let schema8 = Schema { gene_ids: schema.gene_ids[..8].to_vec(), ..schema.clone() };
    let train8 = TrainFold::from_parts(&small, &schema8);
    let mst =
        PrivatePgm::from_params(&"preset = \"camda2025-entry\"\nmarginals = \"mst\"\niterations = 1".parse().unwrap())
            .unwrap();
    let model = mst.fit_model(&train8, &Budget::dp(1.0, 1e-5).unwrap(), Noise::from_rng(&Rng::from_seed(8))).unwrap();
    assert!(model.measurements().iter().any(|m| m.weights.is_some()), "choose a budget that compresses some values");
    check_or_regenerate("pgm_mst_measurements.jsonl", model.measurements());
}
