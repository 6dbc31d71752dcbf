//! `bench perf`: time each stage of the pipeline on BRCA- and COMBINED-shaped simulated data
//! (docs/performance.md "How to measure"), release mode, median of repeated runs, and the peak
//! memory of each stage.
//!
//! Each stage runs in its own child process (`bench perf --stage …`), so the child's peak
//! resident set size (`VmHWM`) is the stage's own peak memory, not the whole session's.
//!
//! A metric stage times the whole profile as `bench run` scores a cell (families in parallel)
//! with a cold per-fold cache, then (`…/warm`) again with the cache filled, and (`…/FAMILY`)
//! each family alone from a cold cache.

use crate::data::dataset::{Dataset, Labelled};
use crate::data::simulate::{simulate, SimDataset};
use crate::data::split::{stratified_kfold, Fold, SplitRng};
use crate::error::{Context, Error, Result};
use crate::generators;
use crate::metrics::{self, EvalInput, RealCache};
use crate::privacy::accountant::Budget;
use crate::rng::Rng;
use crate::runner::results::peak_rss_mb;
use std::time::Instant;

/// One measured stage: name, median seconds, all run times, peak RSS of its process.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StageTiming {
    pub stage: String,
    pub median_seconds: f64,
    pub runs: Vec<f64>,
    pub peak_rss_mb: f64,
}

/// The stages `bench perf` measures, in order.
pub fn stage_names(shapes: &[SimDataset], generator_kinds: &[String], profiles: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for s in shapes {
        out.push(format!("simulate:{}", s.name()));
        for k in generator_kinds {
            out.push(format!("generator:{k}:{}", s.name()));
        }
        for p in profiles {
            out.push(format!("metrics:{p}:{}", s.name()));
        }
    }
    out
}

/// The median of a non-empty sample (mean of the two middle values for even counts).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Fold 1 of a 5-fold split of a simulated dataset (seed 1): 871/218 rows for sim-brca,
/// 3458/865 for sim-combined.
fn first_fold(which: SimDataset) -> Result<(Dataset, Fold)> {
    let d = simulate(which, 1)?;
    let splits = stratified_kfold(&d.labels, 5, 1, SplitRng::Numpy)?;
    let fold = Fold::new(&d, &splits[0], (0.0, 20.0));
    Ok((d, fold))
}

/// Default budget for timing a DP generator (ε = 1, δ = 1e-5) or none for non-DP ones.
fn timing_budget(dp: bool) -> Budget {
    if dp {
        Budget::Dp { epsilon: 1.0, delta: 1e-5 }
    } else {
        Budget::NonPrivate
    }
}

/// Run one stage `repeats` times in this process; returns its timing (and, for metric stages,
/// per-family medians as extra stages named `…/family`).
pub fn run_stage(stage: &str, repeats: usize) -> Result<Vec<StageTiming>> {
    let parts: Vec<&str> = stage.split(':').collect();
    let shape = |name: &str| SimDataset::from_name(name).ok_or_else(|| Error::new(format!("unknown shape '{name}'")));
    let mut runs = Vec::new();
    let mut family_runs: Vec<(String, Vec<f64>)> = Vec::new();
    match parts.as_slice() {
        ["simulate", s] => {
            let which = shape(s)?;
            for _ in 0..repeats {
                let t = Instant::now();
                simulate(which, 1)?;
                runs.push(t.elapsed().as_secs_f64());
            }
        }
        ["generator", kind, s] => {
            let (_, fold) = first_fold(shape(s)?)?;
            let g = generators::build(kind, &toml::Table::new())?;
            let train = fold.train_fold();
            for r in 0..repeats {
                let t = Instant::now();
                let model = g.fit(&train, &timing_budget(g.is_dp()), &mut Rng::derive(&["perf".into(), r.into()]))?;
                model.sample(train.n_rows(), &mut Rng::derive(&["perf-sample".into(), r.into()]))?;
                runs.push(t.elapsed().as_secs_f64());
            }
        }
        ["metrics", profile, s] => {
            let (_, fold) = first_fold(shape(s)?)?;
            let profile = metrics::profile(profile)?;
            let g = generators::build("multivariate", &toml::Table::new())
                .or_else(|_| generators::build("identity", &toml::Table::new()))?;
            let train = fold.train_fold();
            let model = g.fit(&train, &Budget::NonPrivate, &mut Rng::from_seed(1))?;
            let synth = model.sample(train.n_rows(), &mut Rng::from_seed(2))?;
            let synthetic = Labelled { x: synth.x, labels: synth.labels };
            family_runs = profile.metrics.iter().map(|m| (m.name().to_string(), Vec::new())).collect();
            let classes = fold.schema.classes.clone();
            let mut warm_runs = Vec::new();
            for _ in 0..repeats {
                // The whole profile as `bench run` scores a cell (families in parallel), with a
                // cold per-fold cache: the real-only parts (TRTR model, …) are computed too.
                let real = RealCache::default();
                let input = EvalInput {
                    gene_ids: &fold.schema.gene_ids,
                    train: fold.train(),
                    test: fold.test(),
                    synthetic: &synthetic,
                    real: &real,
                };
                let t = Instant::now();
                profile.score(&input, &classes)?;
                runs.push(t.elapsed().as_secs_f64());
                // Again with the per-fold cache filled: the cost of each further cell of the
                // same fold in a grid.
                let t = Instant::now();
                profile.score(&input, &classes)?;
                warm_runs.push(t.elapsed().as_secs_f64());
                // Each family alone, again from a cold cache.
                for (m, (_, times)) in profile.metrics.iter().zip(family_runs.iter_mut()) {
                    let real = RealCache::default();
                    let input = EvalInput { real: &real, ..input };
                    let tm = Instant::now();
                    m.score(&input)?;
                    times.push(tm.elapsed().as_secs_f64());
                }
            }
            family_runs.insert(0, ("warm".to_string(), warm_runs));
        }
        _ => crate::bail!(
            "unknown perf stage '{stage}' (expected simulate:SHAPE, generator:KIND:SHAPE or metrics:PROFILE:SHAPE)"
        ),
    }
    let peak = peak_rss_mb();
    let mut out =
        vec![StageTiming { stage: stage.to_string(), median_seconds: median(&runs), runs, peak_rss_mb: peak }];
    for (family, times) in family_runs {
        out.push(StageTiming {
            stage: format!("{stage}/{family}"),
            median_seconds: median(&times),
            runs: times,
            peak_rss_mb: peak,
        });
    }
    Ok(out)
}

/// Run every stage in a child process and collect the results.
pub fn run_all(stages: &[String], repeats: usize) -> Result<Vec<StageTiming>> {
    let exe = std::env::current_exe().context("cannot locate the bench executable")?;
    let mut all = Vec::new();
    for stage in stages {
        let out = std::process::Command::new(&exe)
            .args(["perf", "--stage", stage, "--repeats", &repeats.to_string()])
            .output()
            .with_context(|| format!("cannot run perf stage {stage}"))?;
        if !out.status.success() {
            crate::bail!("perf stage {stage} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        let timings: Vec<StageTiming> =
            serde_json::from_slice(&out.stdout).context(format!("perf stage {stage} output"))?;
        all.extend(timings);
    }
    Ok(all)
}

/// A plain-text table of timings.
pub fn render(timings: &[StageTiming]) -> String {
    let mut s = format!("{:<52} {:>12} {:>10} {:>12}\n", "stage", "median (s)", "runs", "peak RSS MiB");
    for t in timings {
        s.push_str(&format!(
            "{:<52} {:>12.4} {:>10} {:>12.1}\n",
            t.stage,
            t.median_seconds,
            t.runs.len(),
            t.peak_rss_mb
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
