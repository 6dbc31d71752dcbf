//! Times the fidelity metric families on BRCA- and COMBINED-shaped random data:
//! `cargo run --release --example fidelity_perf [runs]` (default 5 runs; prints medians).
//!
//! "cold" = a fresh per-fold `RealCache` each run (includes the real-only work such as
//! `distance_to_closest_base`, `MMD_base`, PRDC radii); "warm" = the cache already filled, i.e.
//! the cost of every further generator cell of the same fold.

use bench::data::dataset::Labelled;
use bench::data::matrix::Matrix;
use bench::metrics::dcr::DistanceToClosest;
use bench::metrics::kl::KlDivergence;
use bench::metrics::mmd::Mmd;
use bench::metrics::pca::PcaPlot;
use bench::metrics::prdc::Prdc;
use bench::metrics::{EvalInput, Metric, RealCache, Revision};
use bench::rng::Rng;
use std::time::Instant;

/// VST-like values: per-class gene means in [4, 14] plus unit-variance noise, 5 classes.
fn random(rows: usize, cols: usize, seed: u64, means: &[Vec<f64>]) -> Labelled {
    let mut rng = Rng::from_seed(seed);
    let labels: Vec<String> = (0..rows).map(|i| format!("class{}", i % means.len())).collect();
    let data = (0..rows * cols).map(|i| means[(i / cols) % means.len()][i % cols] + rng.normal()).collect();
    Labelled { x: Matrix::from_row_major(rows, cols, data).unwrap(), labels }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let p = 978;
    let mut rng = Rng::from_seed(7);
    let means: Vec<Vec<f64>> = (0..5).map(|_| (0..p).map(|_| 4.0 + 10.0 * rng.uniform()).collect()).collect();
    let families: Vec<(&str, Box<dyn Metric>)> = vec![
        ("MMD (camda2025)", Box::new(Mmd(Revision::Camda2025))),
        ("MMD (camda2026)", Box::new(Mmd(Revision::Camda2026))),
        ("DCR + base", Box::new(DistanceToClosest(Revision::Camda2025))),
        ("PRDC", Box::new(Prdc)),
        ("KL", Box::new(KlDivergence)),
        ("PCA (camda2025)", Box::new(PcaPlot(Revision::Camda2025))),
        ("PCA (camda2026)", Box::new(PcaPlot(Revision::Camda2026))),
    ];
    for (shape, ntr, nte) in [("BRCA", 871, 218), ("COMBINED", 3458, 865)] {
        let (train, test, syn) = (random(ntr, p, 1, &means), random(nte, p, 2, &means), random(ntr, p, 3, &means));
        let genes: Vec<String> = (0..p).map(|j| format!("g{j}")).collect();
        println!("{shape} shape ({ntr}/{nte}/{ntr} x {p}), median of {runs} runs:");
        let mut cold_total = 0.0;
        for (name, metric) in &families {
            let time = |real: &RealCache| {
                let input = EvalInput { gene_ids: &genes, train: &train, test: &test, synthetic: &syn, real };
                let t = Instant::now();
                std::hint::black_box(metric.score(&input).unwrap());
                t.elapsed().as_secs_f64()
            };
            let cold = median((0..runs).map(|_| time(&RealCache::default())).collect());
            let warm_cache = RealCache::default();
            time(&warm_cache);
            let warm = median((0..runs).map(|_| time(&warm_cache)).collect());
            cold_total += cold;
            println!("  {name:<16} cold {cold:>7.3} s   warm {warm:>7.3} s");
        }
        println!("  (sum of cold medians {cold_total:.3} s)");
    }
}
