//! `bench slurm` against a real one-node Slurm on 127.0.0.1 (scripts/slurm-localhost.sh):
//! experiments/smoke.toml as a 3-task array + merge job; one array task is cancelled mid-run, the
//! merge therefore never runs, the grid is submitted again, and the merged cells.csv must equal a
//! single-machine run's byte for byte (table1.csv too), with every cell exactly once.
//!
//! Needs root and apt (to install slurmctld, slurmd, slurm-client, munge) or those packages
//! installed, so it is ignored by a plain `cargo test`; CI runs it explicitly (.ci/run):
//!
//!   cargo test --release --test slurm -- --ignored --nocapture
//!
//! When the cluster cannot be brought up the test fails with the script's one-line reason.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The running cluster; dropping it closes the script's stdin, which stops the daemons.
struct Cluster {
    child: Child,
    stdin: Option<ChildStdin>,
    conf: String,
}

impl Cluster {
    fn start() -> Cluster {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-localhost.sh");
        let mut child = Command::new(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdin = child.stdin.take();
        // Echo the script's messages; keep the last one (the reason when it fails).
        let last_message = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let keep = std::sync::Arc::clone(&last_message);
        let echo = std::thread::spawn(move || {
            for line in stderr.lines().map_while(|l| l.ok()) {
                eprintln!("{line}");
                *keep.lock().unwrap() = line;
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let conf = loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("SLURM_CONF=") => break line["SLURM_CONF=".len()..].to_string(),
                Some(Ok(_)) => continue,
                _ => {
                    let status = child.wait().unwrap();
                    let _ = echo.join();
                    panic!("Slurm did not come up ({status}): {}", last_message.lock().unwrap());
                }
            }
        };
        Cluster { child, stdin, conf }
    }

    /// Run a Slurm client command against this cluster; returns stdout (panics on failure).
    fn client(&self, program: &str, args: &[&str]) -> String {
        let out = Command::new(program).args(args).env("SLURM_CONF", &self.conf).output().unwrap();
        assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn bench(&self, args: &[&str], cwd: &Path) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_bench"))
            .args(args)
            .current_dir(cwd)
            .env("SLURM_CONF", &self.conf)
            .output()
            .unwrap()
    }

    fn squeue_all(&self) -> String {
        self.client("squeue", &["-t", "all", "-o", "%.12i %.22j %.10T %.8M %R"])
    }

    /// Wait until no job is pending or running (at most 10 minutes).
    fn wait_idle(&self) {
        let start = Instant::now();
        while !self.client("squeue", &["-h", "-o", "%i"]).trim().is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(600),
                "jobs still queued after 10 min:\n{}",
                self.squeue_all()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// Submit the grid with `bench slurm --submit`; returns (array job id, merge job id).
fn submit(cluster: &Cluster, dir: &Path) -> (String, String) {
    let out =
        cluster.bench(&["slurm", "smoke.toml", "--shards", "3", "--cpus", "1", "--out", "slurm", "--submit"], dir);
    let text = stdout(&out);
    assert!(out.status.success(), "bench slurm: {}{text}", stderr(&out));
    println!("$ bench slurm smoke.toml --shards 3 --cpus 1 --out slurm --submit\n{text}");
    let id_after = |prefix: &str| {
        let line = text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no '{prefix}' in:\n{text}"));
        line[prefix.len()..].split_whitespace().next().unwrap().to_string()
    };
    (id_after("submitted array job "), id_after("submitted merge job "))
}

fn log_of(dir: &Path, array: &str, task: usize) -> PathBuf {
    dir.join(format!("slurm/smoke/slurm/logs/shard-{array}_{task}.out"))
}

/// Per-cell progress lines (`[k/n] cell status ...`) of a shard's log.
fn done_lines(log: &Path) -> usize {
    std::fs::read_to_string(log).unwrap_or_default().lines().filter(|l| l.starts_with('[')).count()
}

#[test]
#[ignore = "needs a Slurm cluster: scripts/slurm-localhost.sh (root + apt); CI runs it via .ci/run"]
fn smoke_grid_on_slurm_survives_a_cancelled_task_and_equals_a_single_machine_run() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let grid = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/smoke.toml");
    std::fs::copy(&grid, dir.path().join("smoke.toml")).unwrap();

    let t = Instant::now();
    let single = cluster.bench(&["run", "smoke.toml", "--out", "single", "--quiet"], dir.path());
    assert!(single.status.success(), "{}", stderr(&single));
    println!("single-machine run: {:.1} s", t.elapsed().as_secs_f64());
    let shard2 = stdout(&cluster.bench(&["run", "smoke.toml", "--shard", "2/3", "--dry-run"], dir.path()));
    let shard2_cells: usize = shard2.lines().last().unwrap().split_whitespace().next().unwrap().parse().unwrap();

    // Round 1: cancel task 2 once it has finished a cell but not all of them.
    let t = Instant::now();
    let (array, merge) = submit(&cluster, dir.path());
    let log2 = log_of(dir.path(), &array, 2);
    while done_lines(&log2) < 1 {
        assert!(t.elapsed() < Duration::from_secs(600), "task 2 never finished a cell:\n{}", cluster.squeue_all());
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("$ squeue\n{}", cluster.client("squeue", &[]));
    cluster.client("scancel", &[&format!("{array}_2")]);
    println!("$ scancel {array}_2");
    cluster.wait_idle();
    println!(
        "round 1 (task 2 cancelled): {:.1} s\n$ squeue -t all\n{}",
        t.elapsed().as_secs_f64(),
        cluster.squeue_all()
    );
    let killed_at = done_lines(&log2);
    assert!(killed_at < shard2_cells, "task 2 finished all {shard2_cells} cells before it was cancelled");
    assert!(!dir.path().join("slurm/smoke/cells.csv").exists(), "merge job {merge} ran although task 2 was cancelled");
    let partial = cluster.bench(&["merge", "slurm/smoke"], dir.path());
    assert_eq!(partial.status.code(), Some(1), "{}", stderr(&partial));
    println!("$ bench merge slurm/smoke (after round 1)\n{}", stderr(&partial));

    // Round 2: the same submission reruns only the unfinished cells.
    let t = Instant::now();
    let (array2, merge2) = submit(&cluster, dir.path());
    cluster.wait_idle();
    println!("round 2 (resubmitted): {:.1} s\n$ squeue -t all\n{}", t.elapsed().as_secs_f64(), cluster.squeue_all());
    for task in [1, 3] {
        let log = std::fs::read_to_string(log_of(dir.path(), &array2, task)).unwrap();
        assert!(log.contains(" 0 ran, "), "task {task} of the resubmission reran finished cells:\n{log}");
    }
    let merge_log = std::fs::read_to_string(dir.path().join(format!("slurm/smoke/slurm/logs/merge-{merge2}.out")))
        .unwrap_or_else(|e| panic!("merge job {merge2} wrote no log ({e}):\n{}", cluster.squeue_all()));
    println!("merge job log:\n{merge_log}");
    assert!(
        merge_log.contains("merge: 20 of 20 planned cells (0 missing, 0 stale, 0 duplicated, 0 failed)"),
        "{merge_log}"
    );

    let merged = std::fs::read_to_string(dir.path().join("slurm/smoke/cells.csv")).unwrap();
    let reference = std::fs::read_to_string(dir.path().join("single/smoke/cells.csv")).unwrap();
    assert!(merged == reference, "merged cells.csv differs from the single-machine run's");
    let table = |root: &str| std::fs::read_to_string(dir.path().join(root).join("smoke/table1.csv")).unwrap();
    assert!(table("slurm") == table("single"), "merged table1.csv differs from the single-machine run's");
    let mut ids: Vec<String> =
        merged.lines().skip(1).map(|l| l.split(',').take(10).collect::<Vec<_>>().join(",")).collect();
    let rows = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((rows, ids.len()), (40, 40), "20 cells × 2 profiles, each (cell, profile) once");
    println!("merged cells.csv == single-machine cells.csv ({} bytes, {rows} rows)", merged.len());
}
