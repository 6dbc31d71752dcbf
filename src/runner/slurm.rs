//! `bench slurm`: run a grid on a Slurm cluster as a plain job array plus a merge job.
//!
//! Task I of the array (`--array=1-N`, at most K at once with `%K`) runs
//! `bench run GRID --shard I/N --jobs <the task's CPUs>`; the merge job depends on the whole
//! array (`--dependency=afterok:<array job>`) and runs `bench merge`. Finished cells are cached in
//! the shared results directory, so submitting the same grid again after a partial failure reruns
//! only the unfinished cells.

use crate::error::{Context, Error, Result};
use crate::{bail, ensure};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the job scripts need; every path is absolute (jobs start in another directory).
#[derive(Clone, Debug)]
pub struct SlurmPlan {
    /// The bench binary the jobs run (must be reachable from the compute nodes).
    pub bench: PathBuf,
    pub grid: PathBuf,
    pub grid_name: String,
    /// Results root: the grid writes to `<out_root>/<grid_name>/`.
    pub out_root: PathBuf,
    /// Working directory of the jobs (where the command was given).
    pub workdir: PathBuf,
    pub shards: usize,
    pub cpus: usize,
    pub partition: Option<String>,
    pub time: Option<String>,
    pub mem: Option<String>,
    pub max_running: Option<usize>,
}

/// The two job scripts written under `<results dir>/slurm/`.
#[derive(Clone, Debug)]
pub struct JobScripts {
    pub array: PathBuf,
    pub merge: PathBuf,
}

impl SlurmPlan {
    /// Results directory of the grid.
    pub fn results_dir(&self) -> PathBuf {
        self.out_root.join(&self.grid_name)
    }

    fn slurm_dir(&self) -> PathBuf {
        self.results_dir().join("slurm")
    }

    /// Reject option values that are empty or would break a `#SBATCH` line.
    pub fn validate(&self) -> Result<()> {
        ensure!(self.shards >= 1, "--shards must be at least 1");
        ensure!(self.cpus >= 1, "--cpus must be at least 1");
        ensure!(self.max_running != Some(0), "--max-running must be at least 1");
        for (flag, value) in [("--partition", &self.partition), ("--time", &self.time), ("--mem", &self.mem)] {
            if let Some(v) = value {
                ensure!(
                    !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.,".contains(c)),
                    "{flag}: '{v}' is not a Slurm value (letters, digits and - _ : . , only)"
                );
            }
        }
        Ok(())
    }

    /// `#SBATCH` lines shared by both jobs.
    fn common_directives(&self, job_name: &str, log_name: &str) -> String {
        let mut s = format!("#SBATCH --job-name={job_name}\n");
        s.push_str(&format!("#SBATCH --output={}\n", shell_quote(&self.slurm_dir().join("logs").join(log_name))));
        for (flag, value) in [("partition", &self.partition), ("time", &self.time), ("mem", &self.mem)] {
            if let Some(v) = value {
                s.push_str(&format!("#SBATCH --{flag}={v}\n"));
            }
        }
        s
    }

    /// The job-array script: task I runs shard I/N with as many threads as it has CPUs.
    pub fn array_script(&self) -> String {
        let throttle = self.max_running.map(|k| format!("%{k}")).unwrap_or_default();
        let mut s = String::from("#!/bin/bash\n");
        s.push_str(&self.common_directives(&format!("bench-{}", self.grid_name), "shard-%A_%a.out"));
        s.push_str(&format!("#SBATCH --array=1-{}{throttle}\n", self.shards));
        s.push_str(&format!("#SBATCH --cpus-per-task={}\n", self.cpus));
        s.push_str("set -euo pipefail\n");
        s.push_str(&format!("cd {}\n", shell_quote(&self.workdir)));
        s.push_str(&format!(
            "exec {} run {} --out {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{}\" --jobs \"${{SLURM_CPUS_PER_TASK:-{}}}\"\n",
            shell_quote(&self.bench),
            shell_quote(&self.grid),
            shell_quote(&self.out_root),
            self.shards,
            self.cpus
        ));
        s
    }

    /// The merge job: assembles cells.csv and the report once every array task succeeded; Slurm
    /// cancels it when a task failed (the dependency can no longer be satisfied).
    pub fn merge_script(&self) -> String {
        let mut s = String::from("#!/bin/bash\n");
        s.push_str(&self.common_directives(&format!("bench-{}-merge", self.grid_name), "merge-%j.out"));
        s.push_str("#SBATCH --cpus-per-task=1\n#SBATCH --kill-on-invalid-dep=yes\n");
        s.push_str("set -euo pipefail\n");
        s.push_str(&format!("cd {}\n", shell_quote(&self.workdir)));
        s.push_str(&format!("exec {} merge {}\n", shell_quote(&self.bench), shell_quote(&self.results_dir())));
        s
    }

    /// Write both scripts (and the log directory Slurm writes into) atomically.
    pub fn write_scripts(&self) -> Result<JobScripts> {
        let dir = self.slurm_dir();
        let logs = dir.join("logs");
        std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
        let scripts = JobScripts { array: dir.join("array.sbatch"), merge: dir.join("merge.sbatch") };
        crate::io::write_atomic(&scripts.array, self.array_script().as_bytes())?;
        crate::io::write_atomic(&scripts.merge, self.merge_script().as_bytes())?;
        Ok(scripts)
    }
}

/// The shell commands that submit the scripts by hand.
pub fn sbatch_commands(scripts: &JobScripts) -> Vec<String> {
    vec![
        format!("array=$(sbatch --parsable {})", shell_quote(&scripts.array)),
        format!("sbatch --dependency=afterok:${{array%%;*}} {}", shell_quote(&scripts.merge)),
    ]
}

/// Submit the array, then the merge job depending on it; returns (array job id, merge job id).
pub fn submit(scripts: &JobScripts) -> Result<(String, String)> {
    let array = sbatch(&[], &scripts.array)?;
    let merge = sbatch(&[format!("--dependency=afterok:{array}")], &scripts.merge)?;
    Ok((array, merge))
}

/// Run `sbatch --parsable [extra] script` and return the job id (`id` or `id;cluster`).
fn sbatch(extra: &[String], script: &Path) -> Result<String> {
    let out = Command::new("sbatch")
        .arg("--parsable")
        .args(extra)
        .arg(script)
        .output()
        .map_err(|e| Error::new(format!("cannot run sbatch (is Slurm installed and on PATH?): {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "sbatch {} failed ({}): {}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim().replace('\n', " ")
        );
    }
    let id = stdout.trim().split(';').next().unwrap_or_default().to_string();
    ensure!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
        "sbatch {}: unexpected output '{}' (expected a job id)",
        script.display(),
        stdout.trim()
    );
    Ok(id)
}

/// Quote a path for bash (single quotes; embedded single quotes escaped).
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SlurmPlan {
        SlurmPlan {
            bench: "/opt/bench".into(),
            grid: "/w/experiments/smoke.toml".into(),
            grid_name: "smoke".into(),
            out_root: "/w/results".into(),
            workdir: "/w".into(),
            shards: 3,
            cpus: 2,
            partition: Some("short".into()),
            time: Some("01:00:00".into()),
            mem: None,
            max_running: Some(60),
        }
    }

    #[test]
    fn array_script_runs_one_shard_per_task() {
        let s = plan().array_script();
        assert!(s.contains("#SBATCH --array=1-3%60\n"), "{s}");
        assert!(s.contains("#SBATCH --cpus-per-task=2\n"), "{s}");
        assert!(s.contains("#SBATCH --partition=short\n#SBATCH --time=01:00:00\n"), "{s}");
        assert!(!s.contains("--mem"), "{s}");
        assert!(s.ends_with(
            "exec '/opt/bench' run '/w/experiments/smoke.toml' --out '/w/results' --shard \"${SLURM_ARRAY_TASK_ID}/3\" --jobs \"${SLURM_CPUS_PER_TASK:-2}\"\n"
        ));
    }

    #[test]
    fn merge_script_merges_the_results_dir() {
        let s = plan().merge_script();
        assert!(s.contains("--kill-on-invalid-dep=yes"), "{s}");
        assert!(s.ends_with("exec '/opt/bench' merge '/w/results/smoke'\n"), "{s}");
    }

    #[test]
    fn rejects_values_that_break_directives() {
        let mut p = plan();
        p.time = Some("1:00 --x".into());
        assert!(p.validate().unwrap_err().to_string().contains("--time"));
        p.time = None;
        p.max_running = Some(0);
        assert!(p.validate().unwrap_err().to_string().contains("--max-running"));
    }

    #[test]
    fn quotes_single_quotes() {
        assert_eq!(shell_quote(Path::new("/a b/it's")), "'/a b/it'\\''s'");
    }
}
