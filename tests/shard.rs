//! Sharded runs and their merge without a cluster: `bench run --shard I/N` + `bench merge` equal
//! an unsharded run byte for byte; missing, stale and duplicated cells are named.

mod common;
use common::*;
use std::path::Path;

/// Three generator kinds (different shard costs), 2 seeds × 3 folds: 18 cells.
fn grid() -> String {
    toy_grid(
        "",
        "folds = 3\nseeds = [1, 2]",
        r#"
[[generators]]
name = "identity"
kind = "identity"
[[generators]]
name = "multivariate"
kind = "multivariate"
[[generators]]
name = "independent"
kind = "independent"
epsilons = [1]
"#,
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.csv"), tidy_csv(10, 6)).unwrap();
    write_grid(dir.path(), &grid());
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run_ok(args: &[&str], cwd: &Path) -> String {
    let out = bench(args, cwd);
    assert!(out.status.success(), "bench {args:?}: {}", stderr(&out));
    stderr(&out)
}

/// Run the three shards (3/3 twice) into `results`, return the shards' summary lines.
fn run_shards(dir: &Path) -> Vec<String> {
    ["3/3", "1/3", "3/3", "2/3"].iter().map(|s| run_ok(&["run", "grid.toml", "--quiet", "--shard", s], dir)).collect()
}

#[test]
fn merged_shards_equal_an_unsharded_run() {
    let single = setup();
    run_ok(&["run", "grid.toml", "--quiet"], single.path());
    let sharded = setup();
    let logs = run_shards(sharded.path());
    let out = sharded.path().join("results/t");
    assert!(!out.join("cells.csv").exists(), "a shard must not write cells.csv");
    assert!(!out.join("table1.csv").exists(), "a shard must not write the report");
    // The second run of 3/3 found all its cells finished.
    assert!(logs[2].contains("0 ran"), "{}", logs[2]);
    let counts: usize = [&logs[0], &logs[1], &logs[3]]
        .iter()
        .map(|l| l.split("shard ").nth(1).unwrap().split_whitespace().nth(1).unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(counts, 18, "every cell in exactly one shard: {logs:?}");

    let merged = run_ok(&["merge", "results/t"], sharded.path());
    assert!(merged.contains("merge: 18 of 18 planned cells (0 missing, 0 stale, 0 duplicated, 0 failed)"), "{merged}");
    let single_out = single.path().join("results/t");
    for file in ["cells.csv", "table1.csv"] {
        assert_eq!(read(&out.join(file)), read(&single_out.join(file)), "{file}");
    }
    // Idempotent: merging again rewrites the same bytes.
    run_ok(&["merge", "results/t"], sharded.path());
    assert_eq!(read(&out.join("cells.csv")), read(&single_out.join("cells.csv")));
    // An unsharded results directory merges to its own cells.csv.
    run_ok(&["merge", "results/t"], single.path());
    assert_eq!(read(&single_out.join("cells.csv")), read(&out.join("cells.csv")));
}

#[test]
fn merge_names_missing_stale_and_duplicated_cells() {
    let dir = setup();
    run_shards(dir.path());
    let cells = dir.path().join("results/t/cells");
    let gone = "toy__multivariate__eps-inf__seed-2__fold-3";
    std::fs::remove_file(cells.join(format!("{gone}.json"))).unwrap();
    let out = bench(&["merge", "results/t"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("missing: {gone}\n")), "{}", stderr(&out));
    assert!(!dir.path().join("results/t/cells.csv").exists(), "nothing written without --partial");

    let partial = bench(&["merge", "results/t", "--partial"], dir.path());
    assert!(partial.status.success(), "{}", stderr(&partial));
    let csv = read(&dir.path().join("results/t/cells.csv"));
    assert_eq!(csv.lines().count(), 1 + 17, "header + 17 cells × 1 profile:\n{csv}");

    // Stale: a file holding the cell's key with another content hash.
    let victim = "toy__identity__eps-inf__seed-1__fold-1";
    let path = cells.join(format!("{victim}.json"));
    let text = read(&path);
    let hash_start = text.find("\"hash\":\"").unwrap() + 8;
    let mut stale = text.clone();
    stale.replace_range(hash_start..hash_start + 4, "0000");
    std::fs::write(&path, stale).unwrap();
    let out = bench(&["merge", "results/t"], dir.path());
    assert!(stderr(&out).contains(&format!("stale: {victim} ")), "{}", stderr(&out));
    std::fs::write(&path, &text).unwrap();

    // Duplicated: the same cell in a second file.
    let dup = "toy__independent__eps-1__seed-1__fold-2";
    std::fs::copy(cells.join(format!("{dup}.json")), cells.join("copy.json")).unwrap();
    let out = bench(&["merge", "results/t"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&format!("duplicated: {dup} in ")), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 missing, 0 stale, 1 duplicated"), "{}", stderr(&out));

    // Rerunning the shards restores the missing cell; removing the copy completes the merge.
    std::fs::remove_file(cells.join("copy.json")).unwrap();
    run_shards(dir.path());
    let done = run_ok(&["merge", "results/t"], dir.path());
    assert!(done.contains("18 of 18 planned cells (0 missing"), "{done}");
}

#[test]
fn merge_without_a_plan_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = bench(&["merge", "nowhere"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("plan.json") && stderr(&out).contains("run a shard first"), "{}", stderr(&out));
}

#[test]
fn bad_shard_is_a_one_line_error() {
    let dir = setup();
    let out = bench(&["run", "grid.toml", "--shard", "4/3"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--shard") && stderr(&out).contains("4/3"), "{}", stderr(&out));
}

#[test]
fn slurm_writes_scripts_and_prints_the_sbatch_commands() {
    let dir = setup();
    let out = bench(
        &["slurm", "grid.toml", "--shards", "4", "--cpus", "2", "--time", "00:30:00", "--max-running", "2"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("array=$(sbatch --parsable "), "{text}");
    assert!(text.contains("sbatch --dependency=afterok:${array%%;*} "), "{text}");
    let array = read(&dir.path().join("results/t/slurm/array.sbatch"));
    assert!(
        array.contains("#SBATCH --array=1-4%2\n") && array.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\""),
        "{array}"
    );
    assert!(dir.path().join("results/t/slurm/merge.sbatch").exists());
    assert!(dir.path().join("results/t/slurm/logs").is_dir());
}
