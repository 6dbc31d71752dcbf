//! Timing of the logistic-regression metric families on BRCA- and COMBINED-shaped data from the
//! built-in simulator (performance.md). Prints medians of 5 runs; asserts nothing about time.
//!
//! Run: `cargo test --release --test perf_metrics -- --ignored --nocapture`
//!
//! Real rows: fold 1 of a 5-fold split of `sim-brca` / `sim-combined` (seed 1). Synthetic rows:
//! the train rows of the same fold of an independent draw (seed 2), i.e. a "perfect" generator.

use bench::data::dataset::Labelled;
use bench::data::simulate::{simulate, SimDataset};
use bench::data::split::{stratified_kfold, Fold, SplitRng};
use bench::metrics::{profile, EvalInput, RealCache};
use std::time::Instant;

fn fold(which: SimDataset, seed: u64) -> Fold {
    let data = simulate(which, seed).unwrap();
    let splits = stratified_kfold(&data.labels, 5, 42, SplitRng::Numpy).unwrap();
    Fold::new(&data, &splits[0], (0.0, 20.0))
}

fn input<'a>(real: &'a Fold, synthetic: &'a Labelled, cache: &'a RealCache) -> EvalInput<'a> {
    EvalInput { gene_ids: &real.schema.gene_ids, train: real.train(), test: real.test(), synthetic, real: cache }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Process CPU seconds (user + system) from /proc/self/stat; NaN where unavailable.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(11) + ticks(12)) / 100.0
}

/// (median wall seconds, mean CPU seconds) over 5 runs of `f`. CPU time includes rayon's idle
/// spinning; with RAYON_NUM_THREADS=1 it is the work done.
fn time(mut f: impl FnMut()) -> (f64, f64) {
    let cpu = cpu_seconds();
    let wall = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    (wall, (cpu_seconds() - cpu) / 5.0)
}

fn report(which: SimDataset) {
    let real = fold(which, 1);
    let synthetic: Labelled = fold(which, 2).train().clone();
    println!(
        "{}: train {} / test {} / synthetic {} x {} genes, {} classes, {} threads",
        which.name(),
        real.train().x.rows(),
        real.test().x.rows(),
        synthetic.x.rows(),
        real.schema.gene_ids.len(),
        real.schema.classes.len(),
        rayon::current_num_threads()
    );
    for name in ["camda2025", "camda2026"] {
        let p = profile(name).unwrap();
        for m in &p.metrics {
            // Cold: a fresh per-fold cache each run (TRTR fitted every time).
            let cold = time(|| {
                m.score(&input(&real, &synthetic, &RealCache::default())).unwrap();
            });
            let warm_cache = RealCache::default();
            m.score(&input(&real, &synthetic, &warm_cache)).unwrap();
            let warm = time(|| {
                m.score(&input(&real, &synthetic, &warm_cache)).unwrap();
            });
            println!(
                "  {name} {:22} cold {:7.3} s (cpu {:6.2})   warm, real cache filled {:7.3} s (cpu {:6.2})",
                m.name(),
                cold.0,
                cold.1,
                warm.0,
                warm.1
            );
        }
        let whole = time(|| {
            let cache = RealCache::default();
            for m in &p.metrics {
                m.score(&input(&real, &synthetic, &cache)).unwrap();
            }
        });
        println!("  {name} whole registered suite, cold cache: {:.3} s (cpu {:.2})", whole.0, whole.1);
        let cache = RealCache::default();
        let out: Vec<(String, String)> =
            p.metrics.iter().flat_map(|m| m.score(&input(&real, &synthetic, &cache)).unwrap().diagnostics).collect();
        for (k, v) in out.iter().filter(|(k, _)| k.ends_with("iterations") || k.ends_with("stop")) {
            println!("    {k} = {v}");
        }
    }
}

#[test]
#[ignore]
fn perf_brca() {
    report(SimDataset::Brca);
}

#[test]
#[ignore]
fn perf_combined() {
    report(SimDataset::Combined);
}
