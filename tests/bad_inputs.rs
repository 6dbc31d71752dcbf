//! The bad-input corpus: every directory of tests/bad_inputs/ (written by
//! scripts/make_bad_inputs.py) is one input a user could give bench, with an `expect.toml`
//! stating the command line, the exit code and the message. Each case runs the binary on a
//! copy of its directory and checks:
//! - the exit code;
//! - on failure: exactly one line on stderr, `error: …`, containing the expected text, with no
//!   panic or backtrace, and no file written (the copy holds exactly the case's files after);
//! - on success: the expected stdout/stderr/file contents, and the files that must be gone.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    args: Vec<String>,
    exit: i32,
    stderr: Option<String>,
    stdout: Option<String>,
    stderr_contains: Option<String>,
    file: Option<String>,
    file_contains: Option<String>,
    #[serde(default)]
    absent: Vec<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out
}

fn copy_case(from: &Path, to: &Path) {
    for rel in files_under(from) {
        if rel.as_os_str() != "expect.toml" {
            std::fs::create_dir_all(to.join(&rel).parent().unwrap()).unwrap();
            std::fs::copy(from.join(&rel), to.join(&rel)).unwrap();
        }
    }
}

/// Run one case; returns the problems found (empty when it behaves as expected).
fn run_case(case: &Path) -> Vec<String> {
    let expect: Expect = toml::from_str(&std::fs::read_to_string(case.join("expect.toml")).unwrap())
        .unwrap_or_else(|e| panic!("{}: bad expect.toml: {e}", case.display()));
    let work = tempfile::tempdir().unwrap();
    copy_case(case, work.path());
    let before = files_under(work.path());
    let args: Vec<&str> = expect.args.iter().map(String::as_str).collect();
    let out = bench(&args, work.path());
    let err = stderr(&out);
    let mut problems = Vec::new();
    let mut fail = |what: String| problems.push(what);
    if out.status.code() != Some(expect.exit) {
        fail(format!("exit {:?}, expected {}", out.status.code(), expect.exit));
    }
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") || err.contains("stack backtrace") {
        fail("panic on stderr".into());
    }
    if let Some(want) = &expect.stderr {
        let lines: Vec<&str> = err.lines().collect();
        match lines.as_slice() {
            [line] if line.starts_with("error: ") && line.contains(want.as_str()) => {}
            _ => fail(format!("stderr should be one line `error: …{want}…`")),
        }
        let after = files_under(work.path());
        let written: Vec<_> = after.difference(&before).collect();
        if !written.is_empty() {
            fail(format!("files left behind: {written:?}"));
        }
    }
    if let Some(want) = &expect.stdout {
        if !stdout(&out).contains(want.as_str()) {
            fail(format!("stdout lacks `{want}`"));
        }
    }
    if let Some(want) = &expect.stderr_contains {
        if !err.contains(want.as_str()) {
            fail(format!("stderr lacks `{want}`"));
        }
    }
    if let (Some(file), Some(want)) = (&expect.file, &expect.file_contains) {
        let text = std::fs::read_to_string(work.path().join(file)).unwrap_or_default();
        if !text.contains(want.as_str()) {
            fail(format!("{file} lacks `{want}`"));
        }
    }
    for gone in &expect.absent {
        if work.path().join(gone).exists() {
            fail(format!("{gone} still exists"));
        }
    }
    if !problems.is_empty() {
        problems.insert(0, format!("stderr was: {}", err.trim_end().replace('\n', " | ")));
    }
    problems
}

#[test]
fn every_bad_input_gives_its_one_clear_line() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus has {} cases, expected at least 40", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let problems = run_case(case);
            let name = case.file_name().unwrap().to_string_lossy();
            (!problems.is_empty()).then(|| format!("{name}:\n    {}", problems.join("\n    ")))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Random streams are keyed by the dataset's content (issue 17): renaming a dataset in a grid
/// changes no number.
#[test]
fn renaming_a_dataset_changes_no_number() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.csv"), tidy_csv(6, 6)).unwrap();
    let grid = |name: &str| {
        format!(
            "name = \"{name}\"\n[protocol]\nfolds = 2\nseeds = [1]\n[[datasets]]\nname = \"{name}\"\nformat = \"tidy\"\n\
             path = \"toy.csv\"\n[[generators]]\nname = \"mv\"\nkind = \"multivariate\"\n"
        )
    };
    let mut tables = Vec::new();
    for name in ["first", "second"] {
        std::fs::write(dir.path().join(format!("{name}.toml")), grid(name)).unwrap();
        let out = bench(&["run", &format!("{name}.toml"), "--quiet"], dir.path());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let csv = std::fs::read_to_string(dir.path().join(format!("results/{name}/cells.csv"))).unwrap();
        // Drop the dataset column (first) and the timing-free rest stays comparable.
        tables.push(csv.lines().map(|l| l.split_once(',').unwrap().1.to_string()).collect::<Vec<_>>());
    }
    assert_eq!(tables[0], tables[1]);
}
