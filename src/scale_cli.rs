//! Command-line side of scale-out (see README "Running on a Slurm cluster"): `bench merge`,
//! `bench slurm` and the summary of `bench run --shard`. The work lives in
//! [`crate::runner::merge`], [`crate::runner::shard`] and [`crate::runner::slurm`].

use crate::error::{Context, Result};
use crate::runner::execute::RunSummary;
use crate::runner::grid::Grid;
use crate::runner::merge;
use crate::runner::shard::Shard;
use crate::runner::slurm::{self, SlurmPlan};
use clap::Args;
use std::path::{Path, PathBuf};

pub const MERGE_HELP: &str = "Examples:\n  bench merge results/smoke\n  bench merge results/smoke --partial\n\n\
Reads plan.json (written by every `bench run`, sharded or not) and cells/*.json, names every\n\
missing, stale or duplicated cell, then writes cells.csv, timings.csv, table1.csv, plots/ and\n\
the report. Running it again rewrites the same files.\n\n\
Exit status: 0 when every planned cell is present once and succeeded, 1 when cells are missing,\n\
stale or duplicated (nothing is written unless --partial) or failed, 2 on bad input.";

pub const SLURM_HELP: &str =
    "Examples:\n  bench slurm experiments/brca.toml --shards 20 --cpus 4 --time 02:00:00 --mem 8G\n  \
bench slurm experiments/smoke.toml --shards 3 --max-running 2 --submit\n\n\
Writes <out>/<grid name>/slurm/array.sbatch (task I runs `bench run GRID --shard I/N --jobs\n\
<the task's CPUs>`) and merge.sbatch (`bench merge`, after the whole array succeeded), and prints\n\
the sbatch commands; --submit runs them and prints the job ids. Finished cells are kept, so\n\
submitting again after a failure or a cancelled task reruns only the unfinished cells.";

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Results directory shared by the shards (`<out>/<grid name>`).
    results: PathBuf,
    /// Write cells.csv and the report from the cells present even when some are missing.
    #[arg(long)]
    partial: bool,
}

#[derive(Args, Debug)]
pub struct SlurmArgs {
    /// Grid file (TOML).
    grid: PathBuf,
    /// Number of array tasks (shards).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    shards: u32,
    /// Slurm partition (default: the cluster's default partition).
    #[arg(long)]
    partition: Option<String>,
    /// Time limit per task, in Slurm's format (e.g. 02:00:00).
    #[arg(long)]
    time: Option<String>,
    /// Memory per task, in Slurm's format (e.g. 8G).
    #[arg(long)]
    mem: Option<String>,
    /// CPUs per task (also the task's --jobs).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    cpus: u32,
    /// At most K array tasks at once (`--array=1-N%K`).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    max_running: Option<u32>,
    /// Results root directory (must be on a filesystem every node sees).
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Submit both jobs with sbatch and print their ids.
    #[arg(long)]
    submit: bool,
}

/// Print what a shard did; exit code 1 when one of its cells failed.
pub fn report_shard(shard: Shard, summary: &RunSummary) -> i32 {
    eprintln!(
        "shard {shard}: {} cells: {} ran, {} cached, {} failed -> {} (run `bench merge {}` when every shard is done)",
        summary.cells,
        summary.ran,
        summary.cached,
        summary.failures.len(),
        summary.out_dir.join("cells").display(),
        summary.out_dir.display()
    );
    for f in &summary.failures {
        eprintln!("failed: {f}");
    }
    i32::from(!summary.failures.is_empty())
}

/// `bench merge`.
pub fn merge_command(args: &MergeArgs) -> Result<i32> {
    let s = merge::merge(&args.results, args.partial)?;
    for id in &s.missing {
        eprintln!("missing: {id}");
    }
    for id in &s.stale {
        eprintln!("stale: {id} (its file is from another grid or bench version; rerun the grid)");
    }
    for (id, files) in &s.duplicated {
        let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        eprintln!("duplicated: {id} in {}", files.join(", "));
    }
    for u in &s.unreadable {
        eprintln!("unreadable: {u}");
    }
    for p in &s.unplanned {
        eprintln!("note: {} is not a cell of the grid's plan; ignored", p.display());
    }
    eprintln!(
        "merge: {} of {} planned cells ({} missing, {} stale, {} duplicated, {} failed)",
        s.found,
        s.planned,
        s.missing.len(),
        s.stale.len(),
        s.duplicated.len(),
        s.failures.len()
    );
    if !s.wrote {
        eprintln!("merge: nothing written; rerun the missing cells (or pass --partial)");
        return Ok(1);
    }
    eprintln!("wrote {}", args.results.join("cells.csv").display());
    let report = crate::report::generate(&args.results)?;
    report.print();
    for f in &s.failures {
        eprintln!("failed: {f}");
    }
    Ok(i32::from(!s.failures.is_empty() || (!s.complete() && !args.partial)))
}

/// `bench slurm`.
pub fn slurm_command(args: &SlurmArgs) -> Result<i32> {
    let grid = Grid::load(&args.grid)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let plan = SlurmPlan {
        bench: std::env::current_exe().context("cannot locate the bench binary")?,
        grid: absolute(&cwd, &args.grid),
        grid_name: grid.name.clone(),
        out_root: absolute(&cwd, &args.out),
        workdir: cwd,
        shards: args.shards as usize,
        cpus: args.cpus as usize,
        partition: args.partition.clone(),
        time: args.time.clone(),
        mem: args.mem.clone(),
        max_running: args.max_running.map(|k| k as usize),
    };
    plan.validate()?;
    let scripts = plan.write_scripts()?;
    println!("wrote {} and {}", scripts.array.display(), scripts.merge.display());
    if !args.submit {
        println!("submit with:");
        for c in slurm::sbatch_commands(&scripts) {
            println!("  {c}");
        }
        return Ok(0);
    }
    let (array, merge) = slurm::submit(&scripts)?;
    println!("submitted array job {array} ({} tasks)", plan.shards);
    println!("submitted merge job {merge} (afterok:{array})");
    println!("results: {}", plan.results_dir().display());
    Ok(0)
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}
