//! `kind = "command"`: an external generator in any language, run through the file protocol of
//! README "External generators" (protocol version [`PROTOCOL_VERSION`]).
//!
//! For each cell bench creates a private directory ([`PrivateDir`], mode 0700, deleted whatever
//! happens), writes the train fold in the kit layout and `request.json` ([`Request`]), and runs
//! the command in its own process group (stdin null, stdout/stderr to files, SIGKILL on bench's
//! death). Exit status 0 means success; bench then reads the synthetic files with the reader of
//! `bench score` ([`read_synthetic_split`]: every gene by name, finite values, known labels, at
//! least 2 rows). A `privacy.json`
//! written by the command is recorded as the generator's claim, not verified.
//! The whole external run is the cell's `fit` phase; sampling returns the rows read.

use super::context::{self, CellContext};
use super::scratch::{PrivateDir, ENV_REQUEST};
use super::{Generator, Model, Params, Synthetic};
use crate::data::dataset::TrainFold;
use crate::data::export::{
    read_synthetic_split, real_split_file, synthetic_data_file, synthetic_labels_file, write_train_split_files,
};
use crate::error::{Context, Error, Result};
use crate::io::{fmt_f64, write_atomic};
use crate::privacy::accountant::{Budget, PrivacyReport};
use crate::rng::Rng;
use crate::{bail, ensure};
use serde::{Deserialize, Serialize};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

/// Version of the request protocol (the `protocol` key of `request.json`).
pub const PROTOCOL_VERSION: u32 = 1;

/// The non-private step every external cell reports: bench cannot check a claim.
pub const UNVERIFIED_STEP: &str = "external_command:privacy_not_verified";

/// Grid parameters of `kind = "command"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandParams {
    /// Program and arguments; `{request}` in an argument is replaced by the request's path,
    /// which is appended as the last argument when no argument contains it.
    pub command: Vec<String>,
    /// Whether the generator runs per ε (`epsilons`, `delta` required) or once with ε = inf.
    #[serde(default = "default_dp")]
    pub dp: bool,
}

fn default_dp() -> bool {
    true
}

/// The checked `command` generator.
#[derive(Clone, Debug)]
pub struct CommandGenerator {
    command: Vec<String>,
    dp: bool,
}

impl Params for CommandParams {
    type Checked = CommandGenerator;
    const KIND: &'static str = "command";

    fn check(self) -> Result<CommandGenerator> {
        ensure!(
            self.command.first().is_some_and(|p| !p.is_empty()),
            "key 'command' must name a program, e.g. command = [\"python3\", \"my_gen.py\"]"
        );
        Ok(CommandGenerator { command: self.command, dp: self.dp })
    }
}

/// `request.json`: what bench asks of an external generator. Paths are absolute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// [`PROTOCOL_VERSION`].
    pub protocol: u32,
    /// The budget; `null` for a non-DP entry (`dp = false`).
    pub epsilon: Option<f64>,
    pub delta: Option<f64>,
    /// The grid seed; with `dataset` and `split` it names the cell's random streams
    /// ([`context::StreamId`]), so `bench generate --request` reproduces the built-in exactly.
    pub seed: u64,
    pub dataset: String,
    /// The fold number `k` of the file names.
    pub split: usize,
    /// Rows wanted: the train fold's row count, as the challenge protocol asks. A generator
    /// that estimates its row count privately (`rows = "nhat"`) may write another count (≥ 2);
    /// the cell records what was written (`n_synthetic`).
    pub rows: usize,
    /// Header of the labels files.
    pub label_column: String,
    /// The dataset's class set (sorted); synthetic labels must be among them.
    pub classes: Vec<String>,
    /// Public value range `[lo, hi]` of the grid's protocol.
    pub public_range: [f64; 2],
    pub train_data: PathBuf,
    pub train_labels: PathBuf,
    pub synthetic_data: PathBuf,
    pub synthetic_labels: PathBuf,
    /// Where the generator may write its privacy claim.
    pub privacy: PathBuf,
}

impl Request {
    /// Read and check a request file (protocol version, budget).
    pub fn load(path: &Path) -> Result<Request> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let r: Request =
            serde_json::from_str(&text).with_context(|| format!("{}: not a bench request", path.display()))?;
        ensure!(
            r.protocol == PROTOCOL_VERSION,
            "{}: protocol {} (this bench speaks {PROTOCOL_VERSION})",
            path.display(),
            r.protocol
        );
        Ok(r)
    }

    /// The budget the request asks for.
    pub fn budget(&self) -> Result<Budget> {
        match (self.epsilon, self.delta) {
            (Some(epsilon), Some(delta)) => Ok(Budget::Dp { epsilon, delta }),
            (None, _) => Ok(Budget::NonPrivate),
            (Some(_), None) => bail!("request: 'epsilon' given without 'delta'"),
        }
    }
}

/// `privacy.json` as an external generator may write it.
#[derive(Debug, Deserialize)]
struct Claim {
    epsilon: f64,
    delta: Option<f64>,
}

impl Generator for CommandGenerator {
    fn kind(&self) -> &'static str {
        "command"
    }

    fn is_dp(&self) -> bool {
        self.dp
    }

    fn fit(&self, train: &TrainFold<'_>, budget: &Budget, _rng: &mut Rng) -> Result<Box<dyn Model>> {
        let ctx =
            context::current().ok_or_else(|| Error::new("kind 'command' runs only inside a cell of `bench run`"))?;
        let dir = PrivateDir::create(&ctx.scratch)?;
        let request = self.write_inputs(dir.path(), train, budget, &ctx)?;
        let request_path = dir.path().join("request.json");
        let status = run(&self.command, &request_path, dir.path(), &ctx)?;
        if !status.success() {
            bail!("command {} failed ({status}); stderr: {}", self.command[0], stderr_tail(dir.path()));
        }
        let schema = train.schema();
        let k = ctx.stream.fold;
        let (synthetic, _) = read_synthetic_split(dir.path(), k, &schema.gene_ids, &schema.classes, request.rows)?;
        let privacy = claimed_privacy(&request.privacy, budget)?;
        Ok(Box::new(CommandModel { synthetic: Synthetic { x: synthetic.x, labels: synthetic.labels }, privacy }))
    }
}

impl CommandGenerator {
    /// Write the train fold and `request.json` into `dir`.
    fn write_inputs(&self, dir: &Path, train: &TrainFold<'_>, budget: &Budget, ctx: &CellContext) -> Result<Request> {
        let schema = train.schema();
        let k = ctx.stream.fold;
        let rows = crate::data::dataset::Labelled { x: train.x().clone(), labels: train.labels().to_vec() };
        write_train_split_files(dir, k, &rows, &schema.gene_ids, &ctx.label_column)?;
        let request = Request {
            protocol: PROTOCOL_VERSION,
            epsilon: budget.delta().map(|_| budget.epsilon()),
            delta: budget.delta(),
            seed: ctx.stream.seed,
            dataset: ctx.stream.dataset.clone(),
            split: k,
            rows: train.n_rows(),
            label_column: ctx.label_column.clone(),
            classes: schema.classes.clone(),
            public_range: [schema.public_range.0, schema.public_range.1],
            train_data: dir.join(real_split_file('X', "train", k)),
            train_labels: dir.join(real_split_file('y', "train", k)),
            synthetic_data: dir.join(synthetic_data_file(k)),
            synthetic_labels: dir.join(synthetic_labels_file(k)),
            privacy: dir.join("privacy.json"),
        };
        let json = serde_json::to_string_pretty(&request).expect("request serialises") + "\n";
        write_atomic(&dir.join("request.json"), json.as_bytes())?;
        Ok(request)
    }
}

/// Kills a process group when dropped (the command's leftovers, also on early returns).
struct GroupKiller(i32);

impl Drop for GroupKiller {
    fn drop(&mut self) {
        // SAFETY: killpg(2) on the group created for the command; ESRCH (gone) is fine.
        unsafe { libc::killpg(self.0, libc::SIGKILL) };
    }
}

/// The shell guard every command runs under, as `sh -c GUARD guard PROGRAM ARGS…`: it starts
/// the command in the background, in the guard's own process group, and waits for it (exit status
/// = the command's). The guard gets SIGTERM when the bench thread that started it dies (also on
/// SIGKILL of bench: PR_SET_PDEATHSIG) and then SIGKILLs its whole group, so no grandchild of
/// the command (e.g. a Python process behind a wrapper script) outlives bench.
const GROUP_GUARD: &str = r#"trap 'kill -KILL 0' TERM; "$@" & wait $!"#;

/// Run `command` in `dir`'s protocol: under [`GROUP_GUARD`] in its own process group, working
/// directory `ctx.work_dir`, stdin null, stdout/stderr to `dir/{stdout,stderr}.log`,
/// `BENCH_REQUEST` set. Past the cell's deadline the group is killed.
fn run(command: &[String], request: &Path, dir: &Path, ctx: &CellContext) -> Result<ExitStatus> {
    let request_text = request.display().to_string();
    let mut args: Vec<String> = command[1..].iter().map(|a| a.replace("{request}", &request_text)).collect();
    if !command[1..].iter().any(|a| a.contains("{request}")) {
        args.push(request_text);
    }
    let log = |name: &str| {
        std::fs::File::create(dir.join(name)).with_context(|| format!("cannot create {}", dir.join(name).display()))
    };
    let parent = std::process::id() as i32;
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", GROUP_GUARD, "bench-command-guard", command[0].as_str()])
        .args(&args)
        .current_dir(&ctx.work_dir)
        .env(ENV_REQUEST, request)
        .stdin(Stdio::null())
        .stdout(log("stdout.log")?)
        .stderr(log("stderr.log")?)
        .process_group(0);
    // SAFETY: only async-signal-safe calls (prctl, getppid) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                return Err(std::io::Error::other("bench exited before the command started"));
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().with_context(|| {
        format!("cannot start command {} (working directory {})", command[0], ctx.work_dir.display())
    })?;
    let _group = GroupKiller(child.id() as i32);
    loop {
        if let Some(status) = child.try_wait().context("waiting for the command")? {
            return Ok(status);
        }
        if let Some(d) = ctx.deadline.as_ref().filter(|d| d.expired()) {
            // SAFETY: as in GroupKiller.
            unsafe { libc::killpg(child.id() as i32, libc::SIGKILL) };
            let _ = child.wait();
            bail!("timeout of {} s reached; command killed", fmt_f64(d.limit_seconds()));
        }
        let pause = ctx.deadline.as_ref().map_or(Duration::from_millis(20), |d| d.remaining());
        std::thread::sleep(pause.min(Duration::from_millis(20)));
    }
}

/// The last lines of the command's stderr, on one line (` | ` between lines).
fn stderr_tail(dir: &Path) -> String {
    const MAX_LINES: usize = 10;
    const MAX_BYTES: usize = 2000;
    let text = std::fs::read(dir.join("stderr.log")).unwrap_or_default();
    let text = String::from_utf8_lossy(&text[text.len().saturating_sub(MAX_BYTES)..]).into_owned();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return "(empty)".into();
    }
    lines[lines.len().saturating_sub(MAX_LINES)..].join(" | ")
}

/// The privacy report of an external cell: the budget asked for, the command's claim (from
/// `privacy.json`, if written) as `epsilon_spent`, and always the non-private step
/// [`UNVERIFIED_STEP`], so `end_to_end_dp` is false; the claim is spelt out in `warnings`.
fn claimed_privacy(path: &Path, budget: &Budget) -> Result<PrivacyReport> {
    let mut report = PrivacyReport::non_private(vec![UNVERIFIED_STEP.to_string()]);
    report.neighbouring = "as claimed by the generator".into();
    if let Budget::Dp { epsilon, delta } = budget {
        report.epsilon = Some(*epsilon);
        report.delta = Some(*delta);
    }
    if !path.is_file() {
        report.warnings.push("no privacy.json: the external generator makes no privacy claim".into());
        return Ok(report);
    }
    let text = std::fs::read_to_string(path).context("cannot read privacy.json")?;
    let claim: Claim = serde_json::from_str(&text)
        .context("privacy.json: expected {\"epsilon\": <number>, \"delta\": <number or null>}")?;
    ensure!(
        claim.epsilon.is_finite() && claim.epsilon >= 0.0,
        "privacy.json: 'epsilon' must be a finite number >= 0, got {}",
        claim.epsilon
    );
    report.dp = true;
    report.epsilon_spent = Some(claim.epsilon);
    let delta = claim.delta.map_or_else(|| "none".to_string(), fmt_f64);
    report.warnings.push(format!(
        "privacy claimed by the external generator, not verified by bench: epsilon={}, delta={delta}",
        fmt_f64(claim.epsilon)
    ));
    if claim.epsilon > budget.epsilon() {
        report.warnings.push(format!(
            "the claimed epsilon {} exceeds the requested {}",
            fmt_f64(claim.epsilon),
            fmt_f64(budget.epsilon())
        ));
    }
    Ok(report)
}

/// The rows an external command wrote; sampling returns them (post-processing, no budget).
struct CommandModel {
    synthetic: Synthetic,
    privacy: PrivacyReport,
}

impl Model for CommandModel {
    fn sample(&self, n: usize, _rng: &mut Rng) -> Result<Synthetic> {
        ensure!(n == self.synthetic.x.rows(), "the command wrote {} rows, {n} were asked", self.synthetic.x.rows());
        Ok(self.synthetic.clone())
    }

    /// The rows the command wrote (see [`Request::rows`]).
    fn sample_size(&self, _n_train: usize) -> usize {
        self.synthetic.x.rows()
    }

    fn privacy(&self) -> &PrivacyReport {
        &self.privacy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked() {
        let table = |text: &str| -> toml::Table { text.parse().unwrap() };
        let g = super::super::checked::<CommandParams>(&table("command = [\"sh\", \"-c\", \"true\"]")).unwrap();
        assert!(g.dp);
        let e = super::super::checked::<CommandParams>(&table("command = []")).unwrap_err().to_string();
        assert!(e.contains("key 'command' must name a program"), "{e}");
        let e = super::super::checked::<CommandParams>(&table("command = [\"x\"]\ncmd = 1")).unwrap_err().to_string();
        assert!(e.contains("cmd"), "{e}");
    }

    #[test]
    fn a_claim_is_recorded_not_verified() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("privacy.json");
        let budget = Budget::Dp { epsilon: 1.0, delta: 1e-5 };
        let none = claimed_privacy(&path, &budget).unwrap();
        assert!(!none.dp && !none.end_to_end_dp() && none.warnings[0].contains("no privacy claim"));
        std::fs::write(&path, r#"{"epsilon": 2, "delta": 1e-6}"#).unwrap();
        let claimed = claimed_privacy(&path, &budget).unwrap();
        assert!(claimed.dp && !claimed.end_to_end_dp());
        assert_eq!(claimed.epsilon_spent, Some(2.0));
        assert_eq!(claimed.non_private_steps, vec![UNVERIFIED_STEP]);
        assert!(claimed.warnings[1].contains("exceeds the requested 1"), "{:?}", claimed.warnings);
        std::fs::write(&path, r#"{"eps": 2}"#).unwrap();
        assert!(claimed_privacy(&path, &budget).unwrap_err().to_string().starts_with("privacy.json"));
    }
}
