//! `bench perf`: time each stage of the pipeline on BRCA- and COMBINED-shaped simulated data
//! (README.md "Performance"), release mode, median of repeated runs, and the peak
//! memory of each stage.
//!
//! Each stage runs in its own child process (`bench perf --stage …`), so the child's peak
//! resident set size (`VmHWM`) is the stage's own peak memory, not the whole session's.
//!
//! A load stage (`load:SHAPE`) times reading the simulated dataset back from the challenge layout
//! (genes × samples TSV plus meta CSV, data-formats.md §1) and (`…/tidy`) from one tidy CSV (§2).
//!
//! A generator stage times fit + sample of `n_train` rows, with `…/fit` and `…/sample` apart;
//! `--generator-params` passes the same TOML parameters to every generator (e.g. `marginals =
//! "mst"` for private-pgm).
//!
//! A metric stage times the whole profile as `bench run` scores a cell (families in parallel)
//! with a cold per-fold cache, then (`…/warm`) again with the cache filled, and (`…/FAMILY`)
//! each family alone from a cold cache, then (`…/FAMILY/warm`) with that cache filled.

use crate::data::dataset::{Dataset, Labelled};
use crate::data::export::{export_challenge, export_tidy, META_SAMPLE_COLUMN};
use crate::data::load::{load_challenge, load_tidy, ChallengeOptions, TidyOptions};
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
        out.push(format!("load:{}", s.name()));
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

/// Run one stage `repeats` times in this process; returns its timing and its parts as extra
/// stages named `stage/part` (see the module doc). `generator_params` go to every generator.
pub fn run_stage(stage: &str, repeats: usize, generator_params: &toml::Table) -> Result<Vec<StageTiming>> {
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
        ["load", s] => {
            let (dataset, _) = first_fold(shape(s)?)?;
            family_runs = time_loading(&dataset, repeats, &mut runs)?;
        }
        ["generator", kind, s] => {
            let (_, fold) = first_fold(shape(s)?)?;
            let g = generators::build(kind, generator_params)?;
            let train = fold.train_fold();
            let (mut fits, mut samples) = (Vec::new(), Vec::new());
            for r in 0..repeats {
                let t = Instant::now();
                let model = g.fit(&train, &timing_budget(g.is_dp()), &mut Rng::derive(&["perf".into(), r.into()]))?;
                fits.push(t.elapsed().as_secs_f64());
                let ts = Instant::now();
                model.sample(train.n_rows(), &mut Rng::derive(&["perf-sample".into(), r.into()]))?;
                samples.push(ts.elapsed().as_secs_f64());
                runs.push(t.elapsed().as_secs_f64());
            }
            family_runs = vec![("fit".to_string(), fits), ("sample".to_string(), samples)];
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
            // Each family twice: cold (`FAMILY`), then with its cache filled (`FAMILY/warm`).
            family_runs = profile
                .metrics
                .iter()
                .flat_map(|m| [(m.name().to_string(), Vec::new()), (format!("{}/warm", m.name()), Vec::new())])
                .collect();
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
                // Each family alone, from a cold cache, then again with it filled.
                for (m, pair) in profile.metrics.iter().zip(family_runs.chunks_exact_mut(2)) {
                    let real = RealCache::default();
                    let input = EvalInput { real: &real, ..input };
                    for (_, times) in pair {
                        let tm = Instant::now();
                        m.score(&input)?;
                        times.push(tm.elapsed().as_secs_f64());
                    }
                }
            }
            family_runs.insert(0, ("warm".to_string(), warm_runs));
        }
        _ => crate::bail!(
            "unknown perf stage '{stage}' (expected simulate:SHAPE, load:SHAPE, generator:KIND:SHAPE or \
             metrics:PROFILE:SHAPE)"
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

/// Write `dataset` in the challenge layout and as tidy CSV into a scratch directory, then time
/// reading each back `repeats` times: challenge-layout times go to `runs`, tidy ones are
/// returned as the part `tidy`.
fn time_loading(dataset: &Dataset, repeats: usize, runs: &mut Vec<f64>) -> Result<Vec<(String, Vec<f64>)>> {
    let dir = std::env::temp_dir().join(format!("bench-perf-load-{}", std::process::id()));
    let result = (|| {
        let files = export_challenge(dataset, &dir, "PERF")?;
        let tidy = dir.join("tidy.csv");
        export_tidy(dataset, &tidy)?;
        let challenge = ChallengeOptions {
            sample_column: META_SAMPLE_COLUMN.into(),
            label_column: dataset.label_column.clone(),
            drop_unlabelled: false,
            na_label: None,
        };
        let tidy_opts = TidyOptions {
            id_column: "sample_id".into(),
            label_column: dataset.label_column.clone(),
            drop_unlabelled: false,
            na_label: None,
        };
        let mut tidy_runs = Vec::new();
        for _ in 0..repeats {
            let t = Instant::now();
            load_challenge(&dataset.name, &files.matrix, &files.meta, &challenge)?;
            runs.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            load_tidy(&dataset.name, &tidy, &tidy_opts)?;
            tidy_runs.push(t.elapsed().as_secs_f64());
        }
        Ok(vec![("tidy".to_string(), tidy_runs)])
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Run every stage in a child process and collect the results; `generator_params` is the TOML
/// text handed to every generator.
pub fn run_all(stages: &[String], repeats: usize, generator_params: &str) -> Result<Vec<StageTiming>> {
    let exe = std::env::current_exe().context("cannot locate the bench executable")?;
    let mut all = Vec::new();
    for stage in stages {
        let out = std::process::Command::new(&exe)
            .args(["perf", "--stage", stage, "--repeats", &repeats.to_string()])
            .args(["--generator-params", generator_params])
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
